// node_layers: the upper layers of one node, and the two remote seams.
//
// Outbound (`send_remote`): a signal node bound for another node becomes a
// `remote_signal` (a message's payload through its vtable's term
// conversion) and goes to the installed route; with no route, or when the
// route throws, the signal layer answers it as unreachable (`noconnection`,
// S73). Inbound (`inject`): a `remote_signal` becomes the signal node a
// local sender would have built, delivered with the remote sender as
// `from`; a dead target answers through `send_out`, which routes the
// answer back to the remote sender.

#include "runtime/node_layers.hpp"

#include <rill/core/errors.hpp>
#include <rill/process/info.hpp>

#include "process/alias_message.hpp"
#include "process/outbound.hpp"
#include "process/process.hpp"
#include "process/query_signal.hpp"
#include "process/runtime_core.hpp"
#include "process/tracing.hpp"
#include "signal/signal_handling.hpp"
#include "signal/signal_nodes.hpp"

#include <utility>

namespace rill::internal {

namespace {

using detail::signal_kind;

pid sender_pid(const process* sender) {
    return sender != nullptr ? sender->to_pid() : pid{};
}

// The message's payload as a term for the wire. A payload type without a
// term conversion cannot leave the node: the node is freed and the sender
// told at once (DESIGN.md section 2), never a silent drop. `destination`
// names the receiver in that error.
template <class Describe>
term encode_message(detail::mailbox_node* message, atom node, Describe&& destination) {
    if (message->vtable->encode == nullptr) {
        message->destroy();
        throw no_term_conversion(
            "send: the message cannot go to " + destination() + " on node " +
            std::string(node.name()) +
            ": its C++ type has no term_conversion, and only terms cross nodes");
    }
    try {
        return message->vtable->encode(message);
    } catch (...) {
        message->destroy();
        throw;
    }
}

// The sequential trace token a message carries (tracing.hpp), taken off
// it in Erlang's form for the wire; `[]` for a message without one.
term take_trace_token(detail::mailbox_node* message) {
    std::optional<seq_token> token = take_stamp(message);
    return token ? token_term(*token) : term();
}

// A message from another node that came with a token carries it on here.
detail::mailbox_node* stamped_with(detail::mailbox_node* message, const term& token) {
    if (!token.is_nil()) {
        if (std::optional<seq_token> parsed = token_from_term(token)) {
            stamp(message, std::move(*parsed));
        }
    }
    return message;
}

// The remote form of a signal node; false for a node that has none (a
// query: process::info of a remote pid is answered empty).
bool to_remote_signal(const detail::mailbox_node& node, remote_signal& out) {
    switch (node.kind) {
    case signal_kind::exit: {
        const auto& exit = static_cast<const exit_signal_node&>(node);
        out.kind = exit.from_link ? remote_signal_kind::link_exit : remote_signal_kind::exit;
        out.from = exit.from;
        out.payload = exit.reason;
        return true;
    }
    case signal_kind::link:
    case signal_kind::unlink:
    case signal_kind::unlink_ack: {
        const auto& link = static_cast<const link_signal_node&>(node);
        out.kind = node.kind == signal_kind::link     ? remote_signal_kind::link
                   : node.kind == signal_kind::unlink ? remote_signal_kind::unlink
                                                      : remote_signal_kind::unlink_ack;
        out.from = link.from;
        out.unlink_id = link.unlink_id;
        return true;
    }
    case signal_kind::monitor:
    case signal_kind::demonitor:
    case signal_kind::down: {
        const auto& monitor = static_cast<const monitor_signal_node&>(node);
        out.kind = node.kind == signal_kind::monitor     ? remote_signal_kind::monitor
                   : node.kind == signal_kind::demonitor ? remote_signal_kind::demonitor
                                                         : remote_signal_kind::down;
        out.from = monitor.from;
        out.name = monitor.name;
        out.ref = monitor.ref;
        out.payload = monitor.reason;
        return true;
    }
    default:
        return false;
    }
}

} // namespace

node_layers::node_layers(detail::runtime_core& core)
    : core_(core)
    , names_(core) {}

void node_layers::set_remote_route(std::shared_ptr<remote_route> route) {
    std::lock_guard lock(install_mutex_);
    remote_route* raw = route.get();
    if (route) {
        installed_.push_back(std::move(route));
    }
    route_.store(raw, std::memory_order_release);
}

void node_layers::handle_signal(process& owner, detail::mailbox_node* node) noexcept {
    handle_relation_signal(owner, node);
}

void node_layers::process_ending(process& dying, const term& reason) noexcept {
    names_.release(dying); // the name goes first (S23)
    signal_links_and_monitors(dying, reason);
}

void node_layers::answer_undeliverable(detail::mailbox_node* node, atom reason) noexcept {
    internal::answer_undeliverable(core_, node, reason);
}

void node_layers::send_held_monitor(process& owner) noexcept {
    internal::send_held_monitor(owner);
}

void node_layers::route(remote_signal signal, detail::mailbox_node* node) noexcept {
    remote_route* route = route_.load(std::memory_order_acquire);
    if (route != nullptr) {
        try {
            route->send(std::move(signal));
            node->destroy();
            return;
        } catch (...) {
            // Answered below as unreachable: never lost silently.
        }
    }
    internal::answer_undeliverable(core_, node, atoms::noconnection);
}

void node_layers::send_remote(process* sender, const pid& to, detail::mailbox_node* node) {
    remote_signal signal;
    signal.to = to;
    if (node->kind == signal_kind::message) {
        signal.kind = remote_signal_kind::message;
        signal.from = sender_pid(sender);
        signal.trace_token = take_trace_token(node);
        signal.payload = encode_message(node, to.node, [&] { return to_string(to); });
    } else if (node->kind == signal_kind::alias_message) {
        // Crosses unwrapped: the alias rides in the control message.
        auto& wrapped = static_cast<alias_message_node&>(*node);
        signal.kind = remote_signal_kind::alias_message;
        signal.from = sender_pid(sender);
        signal.ref = wrapped.alias;
        detail::mailbox_node* message = wrapped.take_message();
        node->destroy();
        signal.trace_token = take_trace_token(message);
        signal.payload =
            encode_message(message, to.node, [&] { return "the alias " + to_string(signal.ref); });
        node = message;
    } else if (!to_remote_signal(*node, signal)) {
        internal::answer_undeliverable(core_, node, atoms::noconnection);
        return;
    }
    route(std::move(signal), node);
}

void node_layers::send_remote_to_name(process* sender,
                                      atom name,
                                      atom node,
                                      detail::mailbox_node* message) {
    remote_signal signal;
    signal.kind = remote_signal_kind::message;
    signal.from = sender_pid(sender);
    signal.to = pid{node, 0, 0, 0};
    signal.name = name;
    signal.trace_token = take_trace_token(message);
    signal.payload = encode_message(message, node, [&] { return std::string(name.name()); });
    route(std::move(signal), message);
}

std::string node_layers::describe_signal(const detail::mailbox_node* node, pid& sender) const {
    using detail::signal_kind;
    switch (node->kind) {
    case signal_kind::exit: {
        const auto& exit = static_cast<const exit_signal_node&>(*node);
        sender = exit.from;
        return std::string(exit.from_link ? "exit (link) " : "exit ") + to_string(exit.reason);
    }
    case signal_kind::link:
    case signal_kind::unlink:
    case signal_kind::unlink_ack: {
        sender = static_cast<const link_signal_node&>(*node).from;
        return node->kind == signal_kind::link     ? "link"
               : node->kind == signal_kind::unlink ? "unlink"
                                                   : "unlink_ack";
    }
    case signal_kind::monitor:
    case signal_kind::demonitor:
    case signal_kind::down: {
        const auto& monitor = static_cast<const monitor_signal_node&>(*node);
        sender = monitor.from;
        if (node->kind == signal_kind::down) {
            return "down " + to_string(monitor.reason);
        }
        return node->kind == signal_kind::monitor ? "monitor" : "demonitor";
    }
    case signal_kind::alias_message: {
        const auto& through = static_cast<const alias_message_node&>(*node);
        return "through alias " + to_string(term(through.alias)) + ": " +
               (through.message != nullptr ? describe_message(through.message) : "");
    }
    case signal_kind::node_down:
        sender = static_cast<const exit_signal_node&>(*node).from;
        return "node_down " + std::string(sender.node.name());
    default:
        return "signal";
    }
}

std::optional<pid> node_layers::whereis(atom name) const {
    return names_.whereis(name);
}

pid node_layers::inject(remote_signal signal) {
    const bool by_name = signal.name != atoms::undefined;
    pid to = signal.to;
    detail::mailbox_node* node = nullptr;
    switch (signal.kind) {
    case remote_signal_kind::message:
        if (by_name) {
            std::optional<pid> holder = names_.whereis(signal.name);
            if (!holder) {
                return pid{}; // nobody holds the name: dropped (S16)
            }
            to = *holder;
        }
        node =
            stamped_with(detail::make_message_node(std::move(signal.payload)), signal.trace_token);
        break;
    case remote_signal_kind::exit:
    case remote_signal_kind::link_exit: {
        const bool kill =
            signal.kind == remote_signal_kind::exit && signal.payload.is_atom(atoms::kill);
        node = make_exit_signal(
            signal.from, std::move(signal.payload), signal.kind == remote_signal_kind::link_exit);
        if (kill) {
            node->tag |= exit_tag_kill;
        }
        break;
    }
    case remote_signal_kind::link:
        node = make_link_signal(signal_kind::link, signal.from, to);
        break;
    case remote_signal_kind::unlink:
        node = make_link_signal(signal_kind::unlink, signal.from, to, signal.unlink_id);
        break;
    case remote_signal_kind::unlink_ack:
        node = make_link_signal(signal_kind::unlink_ack, signal.from, to, signal.unlink_id);
        break;
    case remote_signal_kind::monitor:
    case remote_signal_kind::demonitor: {
        const signal_kind kind = signal.kind == remote_signal_kind::monitor
                                     ? signal_kind::monitor
                                     : signal_kind::demonitor;
        if (by_name) {
            std::optional<pid> holder = names_.whereis(signal.name); // resolved now (S62)
            if (!holder) {
                // Nobody holds the name: a monitor fires at once (S61), a
                // demonitor has nothing to undo.
                node = make_monitor_signal(
                    kind, signal.from, pid{core_.node(), 0, 0, 0}, signal.ref, signal.name);
                internal::answer_undeliverable(core_, node, atoms::noproc);
                return pid{};
            }
            to = *holder;
        }
        node = make_monitor_signal(kind, signal.from, to, signal.ref, signal.name);
        break;
    }
    case remote_signal_kind::down:
        node = make_monitor_signal(
            signal_kind::down, signal.from, to, signal.ref, signal.name, std::move(signal.payload));
        break;
    case remote_signal_kind::node_down:
        node = make_node_down_signal(signal.from.node);
        break;
    case remote_signal_kind::alias_message: {
        std::optional<pid> owner = alias_destination(core_, signal.ref);
        if (!owner || owner->node != core_.node()) {
            return pid{}; // no alias of this node: dropped
        }
        to = *owner;
        node = make_alias_message(
            signal.ref,
            stamped_with(detail::make_message_node(std::move(signal.payload)), signal.trace_token));
        break;
    }
    }
    core_.deliver_local(to, node);
    return to;
}

} // namespace rill::internal
