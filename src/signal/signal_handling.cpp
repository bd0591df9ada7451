// Handling of exit, link, monitor and alias signals by their receiver, following
// SEMANTICS.md sections D..H and the link protocol of appendix 2.
//
// Everything here runs on the worker of the process whose tables it edits
// (the owner), except `answer_undeliverable`, which runs wherever a signal
// failed to reach a live process and only sends new signals. Everything
// leaves through `runtime_core::send_out` (src/process/outbound.cpp).

#include "signal/signal_handling.hpp"

#include <rill/process/info.hpp>
#include <rill/process/message.hpp>

#include "process/alias_message.hpp"
#include "process/query_signal.hpp"
#include "signal/signal_nodes.hpp"

#include <vector>

namespace rill::internal {

namespace {

using detail::signal_kind;

void append_exit_message(process& owner, const pid& from, const term& reason) {
    owner.append_message(detail::make_message_node(exit_signal{from, reason}));
}

// exit/2 rows of the decision table (SEMANTICS.md section F).
void handle_explicit_exit(process& owner, const exit_signal_node& signal) {
    const term& reason = signal.reason;
    if (reason.is_atom(atoms::kill)) {
        owner.request_exit(term(atoms::killed)); // untrappable (S39, S41)
    } else if (owner.traps_exits()) {
        append_exit_message(owner, signal.from, reason); // S46, S10
    } else if (reason.is_atom(atoms::normal)) {
        if (signal.from == owner.to_pid()) {
            owner.request_exit(term(atoms::normal)); // S48
        }                                            // from others: ignored (S47)
    } else {
        owner.request_exit(reason); // S45, S49
    }
}

// Link rows: only an active link acts, and it is gone afterwards (S35).
void handle_link_exit(process& owner, const exit_signal_node& signal) {
    process_relations* relations = relations_if_any(owner);
    if (relations == nullptr) {
        return;
    }
    auto found = relations->links.find(signal.from);
    if (found == relations->links.end() || !found->second.active()) {
        return; // unlinked meanwhile: dropped
    }
    relations->links.erase(found);
    publish_relation_counts(owner);
    if (owner.traps_exits()) {
        append_exit_message(owner, signal.from, signal.reason); // S28, kill included (S42)
    } else if (!signal.reason.is_atom(atoms::normal)) {
        owner.request_exit(signal.reason); // S26, S38; `kill` stays `kill` (S42)
    }                                      // normal: ignored, link removed (S27)
}

void handle_link_protocol(process& owner, const link_signal_node& signal) {
    auto& links = relations_of(owner).links;
    detail::runtime_core& runtime = owner.runtime();
    switch (signal.kind) {
    case signal_kind::link:
        links.try_emplace(signal.from); // an existing entry, even inactive, wins
        break;
    case signal_kind::unlink: {
        auto found = links.find(signal.from);
        if (found != links.end() && found->second.active()) {
            links.erase(found);
        }
        // Acknowledge before anything else goes to that peer.
        runtime.send_out(
            &owner,
            signal.from,
            make_link_signal(
                signal_kind::unlink_ack, owner.to_pid(), signal.from, signal.unlink_id));
        break;
    }
    case signal_kind::unlink_ack: {
        auto found = links.find(signal.from);
        if (found != links.end() && !found->second.active() &&
            found->second.unlink_id() == signal.unlink_id) {
            links.erase(found);
        }
        break;
    }
    default:
        break;
    }
}

void handle_monitor_protocol(process& owner, const monitor_signal_node& signal) {
    switch (signal.kind) {
    case signal_kind::monitor:
        relations_of(owner).monitored_by.insert_or_assign(signal.ref,
                                                          monitor_on_me{signal.from, signal.name});
        break;
    case signal_kind::demonitor:
        if (process_relations* relations = relations_if_any(owner)) {
            relations->monitored_by.erase(signal.ref);
        }
        break;
    case signal_kind::down:
        // The object comes from the watcher's own entry (one rule for local
        // and remote monitors, by pid or by name): the pid, or {Name, Node}.
        if (process_relations* relations = relations_if_any(owner)) {
            auto found = relations->monitors.find(signal.ref);
            if (found != relations->monitors.end()) {
                term object = monitor_object(found->second.target, found->second.name);
                relations->monitors.erase(found);
                owner.append_message(detail::make_message_node(
                    down_signal{signal.ref, std::move(object), signal.reason}));
            }
        }
        break;
    default:
        break;
    }
}

// A message through one of the owner's aliases joins its queue while the
// alias is active; otherwise it is dropped with the signal.
void deliver_through_alias(process& owner, alias_message_node& signal) {
    process_relations* relations = relations_if_any(owner);
    if (relations == nullptr) {
        return;
    }
    auto found = relations->aliases.find(signal.alias);
    if (found == relations->aliases.end()) {
        return;
    }
    if (found->second == alias_lifetime::one_reply) {
        relations->aliases.erase(found);
    }
    owner.append_message(signal.take_message());
}

// The connection to `node` is lost (S74, appendix 2's last rule): the
// links and monitors with its processes go, each active link acting as an
// exit `noconnection` from its peer and each monitor held on one giving a
// DOWN `noconnection`; the monitors its processes held on this one are
// dropped, as nothing can be told of them any more.
void handle_node_down(process& owner, atom node) {
    process_relations* relations = relations_if_any(owner);
    if (relations == nullptr) {
        return;
    }
    // Keys first, erased after: an erase moves entries within the table.
    std::vector<pid> peers;
    std::vector<pid> broken;
    for (const auto& [peer, state] : relations->links) {
        if (peer.node == node) {
            peers.push_back(peer);
            if (state.active()) {
                broken.push_back(peer);
            }
        }
    }
    std::vector<reference> refs;
    std::vector<term> objects;
    for (const auto& [ref, held] : relations->monitors) {
        if (held.target.node == node) {
            refs.push_back(ref);
            objects.push_back(monitor_object(held.target, held.name));
        }
    }
    std::vector<reference> watched_from_there;
    for (const auto& [ref, on_me] : relations->monitored_by) {
        if (on_me.watcher.node == node) {
            watched_from_there.push_back(ref);
        }
    }
    for (const pid& peer : peers) {
        relations->links.erase(peer);
    }
    for (const reference& ref : refs) {
        relations->monitors.erase(ref);
    }
    for (const reference& ref : watched_from_there) {
        relations->monitored_by.erase(ref);
    }
    const term reason(atoms::noconnection);
    for (const pid& peer : broken) {
        if (owner.traps_exits()) {
            append_exit_message(owner, peer, reason);
        } else {
            owner.request_exit(reason);
        }
    }
    for (std::size_t i = 0; i < refs.size(); ++i) {
        owner.append_message(
            detail::make_message_node(down_signal{refs[i], std::move(objects[i]), reason}));
    }
}

process_info snapshot(process& owner, const pid& asker) {
    process_info info;
    info.self = owner.to_pid();
    info.registered_name = owner.registered_name();
    if (asker == info.self) {
        info.status = process_status::running;
    } else {
        info.status = owner.is_waiting() ? process_status::waiting : process_status::runnable;
    }
    info.message_queue_length = owner.message_queue_length();
    info.trap_exit = owner.traps_exits();
    info.reductions = owner.reductions();
    info.memory = sizeof(process) + owner.message_queue_bytes();
    if (process_relations* relations = relations_if_any(owner)) {
        for (const auto& [peer, state] : relations->links) {
            if (state.active()) {
                info.links.push_back(peer);
            }
        }
        for (const auto& entry : relations->monitors) {
            info.monitors.push_back(monitor_object(entry.second.target, entry.second.name));
        }
        if (const held_monitor* held = held_back_monitor(owner)) {
            info.monitors.push_back(monitor_object(held->held.target, held->held.name));
        }
        for (const auto& entry : relations->monitored_by) {
            info.monitored_by.push_back(entry.second.watcher);
        }
        info.memory += sizeof(process_relations) + relations->links.memory_bytes() +
                       relations->monitors.memory_bytes() + relations->monitored_by.memory_bytes();
    }
    return info;
}

void answer_query(process& owner, const query_signal_node& query) {
    owner.runtime().send_out(
        &owner,
        query.from,
        detail::make_message_node(detail::info_reply{query.ref, snapshot(owner, query.from)}));
}

} // namespace

void handle_relation_signal(process& owner, detail::mailbox_node* node) noexcept {
    try {
        switch (node->kind) {
        case signal_kind::exit: {
            const auto& signal = *static_cast<exit_signal_node*>(node);
            if (signal.from_link) {
                handle_link_exit(owner, signal);
            } else {
                handle_explicit_exit(owner, signal);
            }
            break;
        }
        case signal_kind::link:
        case signal_kind::unlink:
        case signal_kind::unlink_ack:
            handle_link_protocol(owner, *static_cast<link_signal_node*>(node));
            publish_relation_counts(owner);
            break;
        case signal_kind::monitor:
        case signal_kind::demonitor:
        case signal_kind::down:
            handle_monitor_protocol(owner, *static_cast<monitor_signal_node*>(node));
            publish_relation_counts(owner);
            break;
        case signal_kind::query:
            answer_query(owner, *static_cast<query_signal_node*>(node));
            break;
        case signal_kind::node_down:
            handle_node_down(owner, static_cast<exit_signal_node*>(node)->from.node);
            publish_relation_counts(owner);
            break;
        case signal_kind::alias_message:
            deliver_through_alias(owner, *static_cast<alias_message_node*>(node));
            break;
        default:
            break;
        }
    } catch (...) {
        // Out of memory while growing a table: the process cannot keep its
        // promises any more; end it rather than lose a signal silently.
        owner.request_exit(term(atoms::exception));
    }
    node->destroy();
}

void signal_links_and_monitors(process& dying, const term& reason) noexcept {
    process_relations* relations = relations_if_any(dying);
    if (relations == nullptr) {
        return;
    }
    detail::runtime_core& runtime = dying.runtime();
    pid self = dying.to_pid();
    try {
        // No sender: a held-back monitor of the dying process is never sent.
        for (const auto& [peer, state] : relations->links) {
            if (state.active()) {
                runtime.send_out(nullptr, peer, make_exit_signal(self, reason, true));
            }
        }
        for (const auto& [ref, on_me] : relations->monitored_by) {
            runtime.send_out(nullptr,
                             on_me.watcher,
                             make_monitor_signal(
                                 signal_kind::down, self, on_me.watcher, ref, on_me.name, reason));
        }
        for (const auto& [ref, held] : relations->monitors) {
            runtime.send_out(
                nullptr,
                held.target,
                make_monitor_signal(signal_kind::demonitor, self, held.target, ref, held.name));
        }
    } catch (...) {
        // Out of memory building signals: nothing more can be done here.
    }
    free_relations(dying);
}

void send_held_monitor(process& owner) noexcept {
    const held_monitor& monitor = owner.relations_slot()->held_back;
    try {
        owner.relations_slot()->monitors.insert_or_assign(monitor.ref, monitor.held);
        publish_relation_counts(owner);
        owner.runtime().send_out(&owner,
                                 monitor.held.target,
                                 make_monitor_signal(signal_kind::monitor,
                                                     owner.to_pid(),
                                                     monitor.held.target,
                                                     monitor.ref,
                                                     monitor.held.name));
    } catch (...) {
        // Out of memory growing the table or building the signal: the
        // monitor never fires, as if the target never answered.
    }
}

void answer_undeliverable(detail::runtime_core& runtime,
                          detail::mailbox_node* node,
                          atom reason) noexcept {
    // Answers come from the unreachable target and have no local sender.
    try {
        switch (node->kind) {
        case signal_kind::link: {
            const auto& signal = *static_cast<link_signal_node*>(node);
            // As if the link had been made and the target then died (S31, S32).
            runtime.send_out(nullptr, signal.from, make_exit_signal(signal.to, term(reason), true));
            break;
        }
        case signal_kind::unlink: {
            const auto& signal = *static_cast<link_signal_node*>(node);
            runtime.send_out(
                nullptr,
                signal.from,
                make_link_signal(
                    signal_kind::unlink_ack, signal.to, signal.from, signal.unlink_id));
            break;
        }
        case signal_kind::monitor: {
            const auto& signal = *static_cast<monitor_signal_node*>(node);
            runtime.send_out(nullptr,
                             signal.from,
                             make_monitor_signal(signal_kind::down,
                                                 signal.to,
                                                 signal.from,
                                                 signal.ref,
                                                 signal.name,
                                                 term(reason))); // S55, S73
            break;
        }
        case signal_kind::query: {
            const auto& query = *static_cast<query_signal_node*>(node);
            runtime.send_out(
                nullptr,
                query.from,
                detail::make_message_node(detail::info_reply{query.ref, std::nullopt}));
            break;
        }
        default:
            break; // exits, acks, demonitors, downs and alias messages: dropped (S68)
        }
    } catch (...) {
        // Out of memory: the answer is lost; nothing else can be done.
    }
    node->destroy();
}

} // namespace rill::internal
