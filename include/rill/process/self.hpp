#pragma once

/// \file
/// `process::self`, `process::make_ref`: the calling process's identity and
/// fresh references.

#include <rill/core/pid.hpp>
#include <rill/core/reference.hpp>
#include <rill/detail/process_entry.hpp>

namespace rill::process {

/// The calling process's pid. Throws `rill::not_in_process` outside a process.
inline pid self() {
    return detail::current_pid("process::self");
}

/// A reference unique on this node (Erlang's `make_ref()`).
inline reference make_ref() {
    return detail::make_reference(detail::current_runtime("process::make_ref"));
}

} // namespace rill::process
