#pragma once

/// \file
/// What the process layer asks of the layers above it (signal, registry,
/// and the remote route a distribution layer installs). The runtime
/// implements this interface once per node (src/runtime/node_layers.hpp);
/// the process layer only calls through it, so it includes no private
/// header of a higher layer (DESIGN.md section 2).

#include <rill/core/pid.hpp>
#include <rill/core/term.hpp>
#include <rill/detail/mailbox_node.hpp>

#include <optional>
#include <string>

namespace rill::internal {

class process;

class upper_layers {
public:
    upper_layers() = default;
    upper_layers(const upper_layers&) = delete;
    upper_layers& operator=(const upper_layers&) = delete;
    upper_layers(upper_layers&&) = delete;
    upper_layers& operator=(upper_layers&&) = delete;

    /// The owner handles a signal that is not a message (exit, link,
    /// unlink, unlink_ack, monitor, demonitor, down, query). Takes the node.
    virtual void handle_signal(process& owner, detail::mailbox_node* node) noexcept = 0;

    /// A process is ending with `reason`, after its frames are gone: its
    /// name goes first, then its links and monitors are signalled (S23, S67).
    virtual void process_ending(process& dying, const term& reason) noexcept = 0;

    /// A signal reached no live process: answer for it as BEAM does, with
    /// `reason` (`noproc` for a dead local target, S68; `noconnection` for
    /// a node out of reach, S73): a link gets an exit back, a monitor a
    /// DOWN, an unlink its ack, a query an empty answer; messages and the
    /// rest are dropped. Takes the node.
    virtual void answer_undeliverable(detail::mailbox_node* node, atom reason) noexcept = 0;

    /// The owner sends the monitor signal it held back (docs/design/0007).
    virtual void send_held_monitor(process& owner) noexcept = 0;

    /// A signal from `sender` (null: not from a process of this node) to a
    /// pid of another node: handed to the installed remote route, or
    /// answered as unreachable. Takes the node. Throws `no_term_conversion`
    /// (and frees the node) for a message whose payload cannot become a term.
    virtual void send_remote(process* sender, const pid& to, detail::mailbox_node* node) = 0;

    /// A message to `{name, node}` on another node; as `send_remote`.
    virtual void
    send_remote_to_name(process* sender, atom name, atom node, detail::mailbox_node* message) = 0;

    /// A signal printed for a trace (exit, link, monitor, DOWN, alias
    /// message...), and in `sender` who sent it.
    virtual std::string describe_signal(const detail::mailbox_node* node, pid& sender) const = 0;

    /// The local process registered as `name`, if any.
    virtual std::optional<pid> whereis(atom name) const = 0;

protected:
    ~upper_layers() = default;
};

} // namespace rill::internal
