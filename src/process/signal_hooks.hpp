#pragma once

/// \file
/// How the process layer hands signals it does not own to the layers above
/// (signal, registry). The runtime fills this table when it builds a node;
/// the process layer only calls through it, so no private header of a higher
/// layer is included here (DESIGN.md section 2).

#include <rill/core/pid.hpp>
#include <rill/core/term.hpp>
#include <rill/detail/mailbox_node.hpp>

namespace rill::detail {
class runtime_core;
}

namespace rill::internal {

class process;
struct held_monitor;

struct signal_hooks {
    /// The owner handles a non-message signal (exit, link, unlink,
    /// unlink_ack, monitor, demonitor, down). Takes the node.
    void (*handle)(process& owner, detail::mailbox_node* node) noexcept = nullptr;
    /// A process is ending with `reason`, after its frames are gone: release
    /// its name, then signal its links and monitors (S67).
    void (*on_exit)(process& dying, const term& reason) noexcept = nullptr;
    /// A signal reached no live process (dead before, or ending with the
    /// signal unhandled): answer for it as BEAM does: a link gets a `noproc`
    /// exit back, a monitor a `noproc` DOWN, an unlink its ack, a query an
    /// empty answer; the rest are dropped (S68). Takes the node.
    void (*bounce)(detail::runtime_core& runtime, detail::mailbox_node* node) noexcept = nullptr;
    /// The owner sends the monitor signal it held back (docs/design/0007).
    void (*send_monitor)(process& owner, const held_monitor& monitor) noexcept = nullptr;
};

} // namespace rill::internal
