#pragma once

/// \file
/// `process::set_label`: a few words on what the calling process does,
/// shown wherever a node is looked at (`runtime::labels`, the observer's
/// process table), as OTP 27's `proc_lib:set_label/1`. A gen_server is
/// shown with its class without one. Setting a label takes a short lock
/// (the node keeps labels apart, for the few processes that have one); an
/// empty label removes it, and a process's exit forgets it.

#include <rill/detail/process_entry.hpp>

#include <string>
#include <utility>

namespace rill::process {

inline void set_label(std::string label) {
    detail::set_label("process::set_label", std::move(label));
}

} // namespace rill::process
