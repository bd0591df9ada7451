// The node's traces (src/process/tracing.hpp).

#include "process/tracing.hpp"

#include "process/process.hpp"
#include "process/runtime_core.hpp"
#include "process/signal_vtable.hpp"
#include "process/upper_layers.hpp"
#include "sched/scheduler.hpp"
#include "sched/worker.hpp"

#include <utility>

namespace rill {

const char* trace_event_kind_name(trace_event_kind kind) noexcept {
    switch (kind) {
    case trace_event_kind::sent:
        return "sent";
    case trace_event_kind::received:
        return "received";
    case trace_event_kind::signal_sent:
        return "signal_sent";
    case trace_event_kind::signal_received:
        return "signal_received";
    case trace_event_kind::exited:
        return "exited";
    }
    return "unknown";
}

} // namespace rill

namespace rill::internal {

namespace {

std::string cut(std::string text) {
    if (text.size() > trace_text_limit) {
        text.resize(trace_text_limit - 3);
        text += "...";
    }
    return text;
}

/// The event's time: the worker's coarse clock (read every few dozen
/// slices, no system call per event), or the virtual clock of a
/// deterministic node.
std::uint64_t clock_ms(const process& owner) noexcept {
    detail::runtime_core& runtime = owner.runtime();
    if (!runtime.options().deterministic) {
        if (const worker* on = worker::current()) {
            return on->clock_ms();
        }
    }
    return runtime.sched().now_ms();
}

} // namespace

detail::mailbox_node*
make_trace_signal(std::shared_ptr<trace_receiver> receiver, trace_options options, bool stop) {
    auto* node = new trace_signal_node();
    node->vtable = &signal_vtable<trace_signal_node>;
    node->kind = detail::signal_kind::trace;
    node->receiver = std::move(receiver);
    node->options = options;
    node->stop = stop;
    return node;
}

std::string describe_message(const detail::mailbox_node* node) {
    if (const term* t = node->vtable->peek_term(node)) {
        return cut(to_string(*t));
    }
    const detail::payload_vtable& v = *node->vtable;
    if (v.integer_bits != nullptr) {
        const std::uint64_t bits = v.integer_bits(node);
        return v.integer_kind == detail::integer_kind::signed_integer
                   ? std::to_string(static_cast<std::int64_t>(bits))
                   : std::to_string(bits);
    }
    return "a C++ value (" + std::to_string(v.node_size) + " bytes)";
}

void trace_table::apply(process& owner, trace_signal_node& signal) noexcept {
    bool traced = false;
    try {
        const std::lock_guard lock(mutex_);
        if (!signal.stop) {
            entries_.insert_or_assign(&owner, entry{std::move(signal.receiver), signal.options});
        } else if (auto found = entries_.find(&owner);
                   found != entries_.end() &&
                   (!signal.receiver || found->second.receiver == signal.receiver)) {
            entries_.erase(found);
        }
        traced = entries_.contains(&owner);
    } catch (...) {
        return; // out of memory: no trace (an earlier one, if any, goes on)
    }
    owner.set_traced(traced);
}

void trace_table::remove(process& owner) noexcept {
    {
        const std::lock_guard lock(mutex_);
        entries_.erase(&owner);
    }
    owner.set_traced(false);
}

void trace_table::emit(process& owner, trace_event event, bool is_signal, bool last) noexcept {
    std::shared_ptr<trace_receiver> receiver;
    {
        const std::lock_guard lock(mutex_);
        auto found = entries_.find(&owner);
        if (found == entries_.end()) {
            owner.set_traced(false);
            return;
        }
        const trace_options& options = found->second.options;
        if (!last && (is_signal ? !options.signals : !options.messages)) {
            return;
        }
        receiver = found->second.receiver;
    }
    event.traced = owner.to_pid();
    event.time = std::chrono::milliseconds(clock_ms(owner));
    const bool go_on = receiver->on_event(std::move(event));
    if (!go_on || last) {
        remove(owner);
    }
}

void trace_table::sent(process& owner, const pid& to, const detail::mailbox_node* node) noexcept {
    try {
        trace_event event;
        event.peer = to;
        const bool is_signal = node->kind != detail::signal_kind::message &&
                               node->kind != detail::signal_kind::alias_message;
        if (is_signal) {
            pid sender;
            event.kind = trace_event_kind::signal_sent;
            event.text = cut(owner.runtime().upper->describe_signal(node, sender));
        } else {
            pid through; // a message to an alias: printed with the alias
            event.kind = trace_event_kind::sent;
            event.text = node->kind == detail::signal_kind::message
                             ? describe_message(node)
                             : cut(owner.runtime().upper->describe_signal(node, through));
        }
        emit(owner, std::move(event), is_signal, false);
    } catch (...) {
        // out of memory while printing: the event is lost, the process goes on
    }
}

void trace_table::taken(process& owner, const detail::mailbox_node* node) noexcept {
    try {
        trace_event event;
        event.kind = trace_event_kind::received;
        event.text = describe_message(node);
        emit(owner, std::move(event), false, false);
    } catch (...) {
    }
}

void trace_table::signal_handled(process& owner, const detail::mailbox_node* node) noexcept {
    try {
        trace_event event;
        event.kind = trace_event_kind::signal_received;
        event.text = cut(owner.runtime().upper->describe_signal(node, event.peer));
        emit(owner, std::move(event), true, false);
    } catch (...) {
    }
}

void trace_table::exited(process& owner, const term& reason) noexcept {
    try {
        trace_event event;
        event.kind = trace_event_kind::exited;
        event.text = cut(to_string(reason));
        emit(owner, std::move(event), false, true);
    } catch (...) {
        remove(owner);
    }
}

} // namespace rill::internal
