#pragma once

/// \file
/// The signal layer's side of `upper_layers` (process/upper_layers.hpp):
/// how a process handles link, monitor and exit signals, what it sends when
/// it ends, and how a signal that reached no live process is answered.

#include "process/process.hpp"
#include "process/runtime_core.hpp"
#include "signal/relations.hpp"

namespace rill::internal {

void handle_relation_signal(process& owner, detail::mailbox_node* node) noexcept;
void signal_links_and_monitors(process& dying, const term& reason) noexcept;
/// Answers for a signal that reached no live process: `reason` is `noproc`
/// for a dead local target, `noconnection` for an unreachable node. Takes
/// the node.
void answer_undeliverable(detail::runtime_core& runtime,
                          detail::mailbox_node* node,
                          atom reason) noexcept;
void send_held_monitor(process& owner) noexcept;

} // namespace rill::internal
