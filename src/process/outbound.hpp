#pragma once

/// \file
/// Conventions of the one way out of a process (`runtime_core::send_out`,
/// outbound.cpp) that the layers building signals must follow.

#include "sched/worker.hpp"

#include <cstdint>

namespace rill::internal {

/// `mailbox_node::tag` bit of an exit signal: an untrappable `kill` from
/// exit/2. `send_out` marks the local target doomed before delivering it,
/// so the sender's later liveness checks already see it dead (S6).
inline constexpr std::uint32_t exit_tag_kill = 1;

/// Counts a message a process sends, on the worker that runs it (the
/// node's messages-sent figure): a thread-local load and an increment.
inline void count_message_sent() noexcept {
    if (worker* on = worker::current()) {
        on->count_message_sent();
    }
}

} // namespace rill::internal
