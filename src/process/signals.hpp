#pragma once

/// \file
/// Runtime-built signal nodes (everything in a mailbox that is not a
/// message): exit signals for now; link, monitor and down signals join them
/// with the fault-tolerance layer. They travel through the same inbox as
/// messages, so all signals from one sender to one receiver keep their send
/// order (S10), and the owner handles them before any message matching.

#include <rill/core/pid.hpp>
#include <rill/core/term.hpp>
#include <rill/detail/mailbox_node.hpp>

namespace rill::internal {

struct exit_signal_node final : detail::mailbox_node {
    pid from;
    term reason;
    bool from_link = false; // a link's exit (not exit/2): see SEMANTICS.md section F
};

detail::mailbox_node* make_exit_signal(const pid& from, term reason, bool from_link);

} // namespace rill::internal
