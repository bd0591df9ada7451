#pragma once

/// \file
/// The info query (`process::info`): the process layer sends it, the
/// owner's signal layer answers it with a snapshot of its tables
/// (signal_handling.cpp), as an `info_reply` message carrying `ref`.

#include <rill/core/pid.hpp>
#include <rill/core/reference.hpp>
#include <rill/detail/mailbox_node.hpp>

namespace rill::internal {

/// query: `from` asks; the owner answers `from` with `ref`.
struct query_signal_node final : detail::mailbox_node {
    pid from;
    reference ref;
};

detail::mailbox_node* make_query_signal(const pid& from, const reference& ref);

} // namespace rill::internal
