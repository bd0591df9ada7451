// The definitions behind the public link, monitor, alias and exit/2 calls
// (include/rill/signal/*.hpp, declared in detail/signal_entry.hpp). Each runs on the calling
// process's worker: it edits the caller's own tables, then sends a signal.

#include <rill/core/errors.hpp>
#include <rill/detail/signal_entry.hpp>
#include <rill/process/info.hpp>
#include <rill/process/message.hpp>

#include "process/alias_message.hpp"
#include "process/outbound.hpp"
#include "process/process.hpp"
#include "process/runtime_core.hpp"
#include "process/upper_layers.hpp"
#include "signal/relations.hpp"
#include "signal/signal_nodes.hpp"

namespace rill::detail {

namespace {

using internal::process;

process& caller(const char* operation) {
    process& self = process::current_or_throw(operation);
    self.charge();
    return self;
}

struct related_spawn {
    process* parent;
    bool link;
    reference* monitor_ref;
};

void relate_child(process& child, void* context) {
    auto& request = *static_cast<related_spawn*>(context);
    pid parent = request.parent->to_pid();
    pid child_pid = child.to_pid();
    if (request.link) {
        internal::relations_of(child).links.try_emplace(parent);
        internal::relations_of(*request.parent)
            .links.insert_or_assign(child_pid, internal::link_state{});
    }
    if (request.monitor_ref != nullptr) {
        reference ref = *request.monitor_ref;
        internal::relations_of(child).monitored_by.insert_or_assign(
            ref, internal::monitor_on_me{parent, atoms::undefined});
        internal::relations_of(*request.parent)
            .monitors.insert_or_assign(ref, internal::monitor_held{child_pid, atoms::undefined});
    }
    internal::publish_relation_counts(child);
    internal::publish_relation_counts(*request.parent);
}

} // namespace

void send_exit(runtime_core& runtime, const pid& to, term reason) {
    process& self = caller("process::exit");
    const bool kill = reason.is_atom(atoms::kill);
    mailbox_node* signal = internal::make_exit_signal(self.to_pid(), std::move(reason), false);
    if (kill) {
        signal->tag |= internal::exit_tag_kill; // the target is dead to us at once (S6)
    }
    // A dead target silently accepts it (S50); one to ourselves acts at our
    // next suspension point (S41): send_out sees to both.
    runtime.send_out(&self, to, signal);
}

bool set_trap_exit(bool trap) {
    return process::current_or_throw("process::trap_exit").set_trap_exit(trap);
}

pid spawn_related(runtime_core& runtime, task<> body, bool link, reference* monitor_ref) {
    process& self = caller(link ? "process::spawn_link" : "process::spawn_monitor");
    if (monitor_ref != nullptr) {
        *monitor_ref = runtime.make_reference();
        self.note_reference_made(*monitor_ref); // its DOWN comes later: a reply mark
    }
    related_spawn request{&self, link, monitor_ref};
    return runtime.spawn(std::move(body), &relate_child, &request);
}

void link(runtime_core& runtime, const pid& to) {
    process& self = caller("process::link");
    pid me = self.to_pid();
    if (to == me) {
        return; // S30
    }
    internal::link_state& state = internal::relations_of(self).links[to];
    state.set_unlink_id(0); // sending LINK: active, any pending unlink forgotten
    internal::publish_relation_counts(self);
    runtime.send_out(&self, to, internal::make_link_signal(signal_kind::link, me, to));
}

void unlink(runtime_core& runtime, const pid& from) {
    process& self = caller("process::unlink");
    internal::process_relations* relations = internal::relations_if_any(self);
    if (relations == nullptr || from == self.to_pid()) {
        return;
    }
    auto found = relations->links.find(from);
    if (found == relations->links.end() || !found->second.active()) {
        return; // S33: idempotent
    }
    const std::uint64_t id = relations->next_unlink_id++;
    found->second.set_unlink_id(id);
    runtime.send_out(
        &self, from, internal::make_link_signal(signal_kind::unlink, self.to_pid(), from, id));
}

namespace {

// `name` is `undefined` for a monitor by pid; otherwise the name, on
// its node, that resolved to `target` (a placeholder pid of that node when
// the name lives on another node).
reference monitor_target(runtime_core& runtime,
                         process& self,
                         const pid& target,
                         atom name = atoms::undefined) {
    reference ref = runtime.make_reference();
    self.note_reference_made(ref); // its DOWN comes later: a reply mark
    pid me = self.to_pid();
    if (target == me) {
        return ref; // S63: a reference, and nothing else
    }
    internal::hold_monitor(self, ref, internal::monitor_held{target, name});
    return ref;
}

} // namespace

reference monitor_pid(runtime_core& runtime, const pid& target) {
    process& self = caller("process::monitor");
    return monitor_target(runtime, self, target);
}

reference monitor_name(runtime_core& runtime, atom name, atom node) {
    process& self = caller("process::monitor");
    if (node != runtime.node()) {
        // Resolved by the name's node: the monitor goes there by name, to a
        // placeholder pid of that node (the remote route, or noconnection).
        return monitor_target(runtime, self, pid{node, 0, 0, 0}, name);
    }
    // Resolved once, now (S62), through the layers above (the registry).
    if (std::optional<pid> holder = runtime.upper->whereis(name)) {
        return monitor_target(runtime, self, *holder, name);
    }
    // Nobody holds the name: fires at once (S61), through the caller's own
    // queue so it keeps signal order.
    reference ref = runtime.make_reference();
    self.note_reference_made(ref);
    pid me = self.to_pid();
    internal::relations_of(self).monitors.insert_or_assign(ref, internal::monitor_held{me, name});
    internal::publish_relation_counts(self);
    runtime.send_out(
        &self,
        me,
        internal::make_monitor_signal(signal_kind::down, me, me, ref, name, term(atoms::noproc)));
    return ref;
}

bool demonitor(runtime_core& runtime, const reference& ref, bool flush, bool info) {
    process& self = caller("process::demonitor");
    if (internal::cancel_held_monitor(self, ref)) {
        return true; // never sent: it was active, and no DOWN can exist
    }
    self.handle_arrived_signals(); // a DOWN already received counts as fired (S60)
    bool was_active = false;
    if (internal::process_relations* relations = internal::relations_if_any(self)) {
        auto found = relations->monitors.find(ref);
        if (found != relations->monitors.end()) {
            was_active = true;
            const internal::monitor_held held = found->second;
            relations->monitors.erase(found);
            internal::publish_relation_counts(self);
            runtime.send_out(
                &self,
                held.target,
                internal::make_monitor_signal(
                    signal_kind::demonitor, self.to_pid(), held.target, ref, held.name));
        }
    }
    if (flush) {
        self.remove_messages_if([&ref](const mailbox_node* node) {
            return holds_payload<down_signal>(node) &&
                   static_cast<const payload_node<down_signal>*>(node)->value.ref == ref;
        });
    }
    return info ? was_active : true;
}

reference make_alias(runtime_core& runtime, bool one_reply) {
    process& self = caller("process::alias");
    reference alias = internal::make_alias_reference(runtime, self);
    self.note_reference_made(alias); // replies through it come later
    internal::relations_of(self).aliases.insert_or_assign(
        alias,
        one_reply ? internal::alias_lifetime::one_reply : internal::alias_lifetime::until_unalias);
    return alias;
}

bool unalias(const reference& alias) {
    process& self = caller("process::unalias");
    internal::process_relations* relations = internal::relations_if_any(self);
    return relations != nullptr && relations->aliases.erase(alias) != 0;
}

} // namespace rill::detail
