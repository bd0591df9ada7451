#pragma once

/// \file
/// Messages sent to a process alias (Erlang's `Alias ! Msg`, OTP 24+).
///
/// An alias is a reference that stands for its owner process while the
/// owner keeps it active. The process layer knows where an alias points:
/// a reference this node made for an alias has five id words, the usual
/// three of `make_reference` and then the owner's table slot and serial,
/// so a sender finds the owner without any shared table. Whether the alias
/// is still active is the owner's business: the message travels wrapped in
/// an `alias_message` signal, and the owner's signal layer, which keeps
/// the process's aliases, unwraps it into the message queue or drops it.
/// So an alias removed by `unalias` drops every message that the owner has
/// not yet taken from its inbox, as BEAM drops those still in its signal
/// queue, and a message to a dead owner is dropped as any message is.

#include <rill/core/pid.hpp>
#include <rill/core/reference.hpp>
#include <rill/detail/mailbox_node.hpp>

#include <optional>

namespace rill::detail {
class runtime_core;
}

namespace rill::internal {

class process;

/// alias_message: `message` (owned) for the process whose alias is `alias`.
struct alias_message_node final : detail::mailbox_node {
    alias_message_node() = default;
    alias_message_node(const alias_message_node&) = delete;
    alias_message_node& operator=(const alias_message_node&) = delete;
    alias_message_node(alias_message_node&&) = delete;
    alias_message_node& operator=(alias_message_node&&) = delete;

    ~alias_message_node() {
        if (message != nullptr) {
            message->destroy();
        }
    }

    /// The wrapped message, handed over to the caller.
    detail::mailbox_node* take_message() noexcept {
        detail::mailbox_node* taken = message;
        message = nullptr;
        return taken;
    }

    reference alias;
    detail::mailbox_node* message = nullptr;
};

/// Wraps `message` for `alias`. Takes the message (freed if this throws
/// `std::bad_alloc`).
detail::mailbox_node* make_alias_message(const reference& alias, detail::mailbox_node* message);

/// A new alias reference for `owner` (see the file comment).
reference make_alias_reference(detail::runtime_core& runtime, const process& owner) noexcept;

/// Where a message to `alias` goes: the owner's pid for an alias of this
/// node (it may be dead, or of an earlier incarnation of the node: then
/// the message is dropped as to any dead pid); for an alias of another
/// node, a pid of that node that names no process (only `node` counts).
/// None for a reference of this node that is no alias.
std::optional<pid> alias_destination(const detail::runtime_core& runtime, const reference& alias);

} // namespace rill::internal
