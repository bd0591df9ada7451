// The node's traces (src/process/tracing.hpp).

#include "process/tracing.hpp"

#include "process/alias_message.hpp"
#include "process/process.hpp"
#include "process/runtime_core.hpp"
#include "process/signal_vtable.hpp"
#include "process/upper_layers.hpp"
#include "sched/scheduler.hpp"
#include "sched/worker.hpp"

#include <algorithm>
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

namespace rill::detail {

void forget_stamp(const mailbox_node* node) noexcept {
    // Only nodes the registry flagged get here; the cast only lets `take`
    // clear the flag of a node about to be freed.
    (void)internal::take_stamp(const_cast<mailbox_node*>(node));
}

} // namespace rill::detail

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

/// The tokens of stamped messages in flight (see the file comment of
/// tracing.hpp). Never destroyed: a stamped node may be dropped while
/// static objects are being destroyed.
class stamp_registry {
public:
    bool put(detail::mailbox_node* node, seq_token&& token) noexcept {
        try {
            const std::lock_guard lock(mutex_);
            if (stamps_.size() >= stamp_capacity) {
                return false;
            }
            stamps_.insert_or_assign(node, std::move(token));
        } catch (...) {
            return false; // out of memory: the message goes unstamped
        }
        node->flags |= detail::mailbox_node::stamped;
        return true;
    }

    std::optional<seq_token> take(detail::mailbox_node* node) noexcept {
        node->flags &= static_cast<std::uint8_t>(~detail::mailbox_node::stamped);
        std::optional<seq_token> token;
        const std::lock_guard lock(mutex_);
        if (auto found = stamps_.find(node); found != stamps_.end()) {
            token.emplace(std::move(found->second));
            stamps_.erase(found);
        }
        return token;
    }

    std::size_t size() const noexcept {
        const std::lock_guard lock(mutex_);
        return stamps_.size();
    }

private:
    mutable std::mutex mutex_;
    std::unordered_map<const detail::mailbox_node*, seq_token> stamps_; // guarded by mutex_
};

stamp_registry& stamps() noexcept {
    static auto* const registry = new stamp_registry(); // never destroyed (see the class)
    return *registry;
}

/// The message a stamp goes on: a message to an alias is wrapped on its
/// way, and the receiver takes the wrapped one.
detail::mailbox_node* stamp_target(detail::mailbox_node* node) noexcept {
    if (node->kind == detail::signal_kind::alias_message) {
        return static_cast<alias_message_node*>(node)->message;
    }
    return node->kind == detail::signal_kind::message ? node : nullptr;
}

bool has_label(const term& label) noexcept {
    return !label.is_nil();
}

} // namespace

term token_term(const seq_token& token) {
    return term::tuple_of(term::from_int64(token.flags),
                          token.label,
                          term::from_uint64(token.serial),
                          term::from_pid(token.from),
                          term::from_uint64(token.previous));
}

std::optional<seq_token> token_from_term(const term& value) {
    if (!value.is_tuple()) {
        return std::nullopt;
    }
    const std::span<const term> parts = value.elements();
    if (parts.size() != 5 || !parts[3].is_pid() || !has_label(parts[1])) {
        return std::nullopt;
    }
    const std::optional<std::int64_t> flags = parts[0].to_int64();
    const std::optional<std::int64_t> serial = parts[2].to_int64();
    const std::optional<std::int64_t> previous = parts[4].to_int64();
    if (!flags || !serial || !previous || *flags < 0 || *flags > 0xFFFF || *serial < 0 ||
        *previous < 0) {
        return std::nullopt;
    }
    seq_token token;
    token.flags = static_cast<std::uint32_t>(*flags);
    token.label = parts[1];
    token.serial = static_cast<std::uint64_t>(*serial);
    token.previous = static_cast<std::uint64_t>(*previous);
    token.from = parts[3].as_pid();
    return token;
}

bool stamp(detail::mailbox_node* node, seq_token token) noexcept {
    return stamps().put(node, std::move(token));
}

std::optional<seq_token> take_stamp(detail::mailbox_node* node) noexcept {
    if ((node->flags & detail::mailbox_node::stamped) == 0) {
        return std::nullopt;
    }
    return stamps().take(node);
}

std::size_t stamps_in_flight() noexcept {
    return stamps().size();
}

} // namespace rill::internal

namespace rill {

std::string trace_text(const trace_event& event) {
    if (!event.text.empty() || event.message.is_nil()) {
        return event.text;
    }
    return internal::cut(to_string(event.message, trace_text_limit));
}

} // namespace rill

namespace rill::internal {

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

void trace_table::refresh_bits(process& owner) const noexcept {
    std::uint8_t bits = 0;
    if (entries_.contains(&owner)) {
        bits |= process::trace_own;
    }
    if (carriers_.contains(&owner)) {
        bits |= process::trace_carrier;
    }
    owner.set_trace_bits(bits);
}

void trace_table::apply(process& owner, trace_signal_node& signal) noexcept {
    try {
        const std::lock_guard lock(mutex_);
        if (!signal.stop) {
            if (auto old = entries_.find(&owner); old != entries_.end()) {
                std::erase_if(followers_, [&](const follower& f) {
                    return f.receiver == old->second.receiver;
                });
            }
            const term label = signal.options.follow;
            entries_.insert_or_assign(&owner, entry{signal.receiver, signal.options});
            if (!has_label(label)) {
                // A follow this trace replaces ends with it.
                if (auto c = carriers_.find(&owner); c != carriers_.end() && c->second.origin) {
                    carriers_.erase(c);
                }
            } else {
                carrier& c = carriers_[&owner];
                c.label = label;
                c.flags = seq_flag_send | seq_flag_receive;
                c.origin = true;
                std::erase_if(followers_, [&](const follower& f) { return f.label == label; });
                followers_.push_back(
                    follower{label, std::move(signal.receiver), signal.options.print});
            }
        } else if (auto found = entries_.find(&owner);
                   found != entries_.end() &&
                   (!signal.receiver || found->second.receiver == signal.receiver)) {
            const std::shared_ptr<trace_receiver> receiver = found->second.receiver;
            entries_.erase(found);
            std::erase_if(followers_, [&](const follower& f) { return f.receiver == receiver; });
            if (auto c = carriers_.find(&owner); c != carriers_.end() && c->second.origin) {
                carriers_.erase(c);
            }
        }
        refresh_bits(owner);
    } catch (...) {
        // out of memory: no trace (an earlier one, if any, goes on)
    }
}

void trace_table::set_label(process& owner, term label) {
    const std::lock_guard lock(mutex_);
    if (!has_label(label)) {
        carriers_.erase(&owner);
    } else {
        carrier& c = carriers_[&owner];
        c.label = std::move(label);
        c.flags = seq_flag_send | seq_flag_receive;
        c.origin = false;
    }
    refresh_bits(owner);
}

term trace_table::label(const process& owner) const {
    const std::lock_guard lock(mutex_);
    auto found = carriers_.find(&owner);
    return found == carriers_.end() ? term() : found->second.label;
}

void trace_table::follow(term label, std::shared_ptr<trace_receiver> receiver) {
    const std::lock_guard lock(mutex_);
    std::erase_if(followers_, [&](const follower& f) { return f.label == label; });
    followers_.push_back(follower{std::move(label), std::move(receiver), true});
}

void trace_table::unfollow(const term& label) noexcept {
    const std::lock_guard lock(mutex_);
    std::erase_if(followers_, [&](const follower& f) { return f.label == label; });
}

void trace_table::forget_receiver(const std::shared_ptr<trace_receiver>& receiver) noexcept {
    const std::lock_guard lock(mutex_);
    std::erase_if(followers_, [&](const follower& f) { return f.receiver == receiver; });
    // Other traced processes find their entry gone at their next event.
    std::erase_if(entries_, [&](const auto& e) { return e.second.receiver == receiver; });
}

void trace_table::remove(process& owner) noexcept {
    std::shared_ptr<trace_receiver> receiver;
    {
        const std::lock_guard lock(mutex_);
        if (auto found = entries_.find(&owner); found != entries_.end()) {
            receiver = found->second.receiver;
            entries_.erase(found);
        }
        carriers_.erase(&owner);
        owner.set_trace_bits(0);
    }
    if (receiver) {
        forget_receiver(receiver); // what it followed for this trace
    }
}

trace_table::route trace_table::resolve(process& owner,
                                        const term& label,
                                        bool is_signal,
                                        bool last,
                                        bool wanted_by_followers,
                                        bool carries) {
    route r;
    std::uint8_t bits = carries ? process::trace_carrier : 0;
    if (auto found = entries_.find(&owner); found != entries_.end()) {
        bits |= process::trace_own;
        const trace_options& options = found->second.options;
        if (last || (is_signal ? options.signals : options.messages)) {
            r.own = found->second.receiver;
            r.print = options.print;
        }
    }
    if (wanted_by_followers && has_label(label)) {
        for (const follower& f : followers_) {
            if (f.label == label) {
                if (f.receiver != r.own) { // the origin of a follow: one event, to its receiver
                    r.print = r.own ? (r.print || f.print) : f.print;
                    r.following = f.receiver;
                }
                break;
            }
        }
    }
    owner.set_trace_bits(bits); // an entry another process's receiver may have ended
    return r;
}

void trace_table::deliver(process& owner, trace_event&& event, route& r, bool last) noexcept {
    event.traced = owner.to_pid();
    event.time = std::chrono::milliseconds(clock_ms(owner));
    if (r.following) {
        trace_event copy = r.own ? event : std::move(event);
        if (!r.following->on_event(std::move(copy))) {
            forget_receiver(r.following);
        }
    }
    if (r.own && (!r.own->on_event(std::move(event)) || last)) {
        remove(owner);
    }
}

namespace {

/// The message of an event: printed, or handed over as a term when the
/// receivers print later (a term payload shared, an integer converted).
void fill_message(trace_event& event, const detail::mailbox_node* node, bool print) {
    if (!print) {
        const detail::payload_vtable& v = *node->vtable;
        if (const term* t = v.peek_term(node)) {
            event.message = *t;
            return;
        }
        if (v.integer_bits != nullptr) {
            const std::uint64_t bits = v.integer_bits(node);
            event.message = v.integer_kind == detail::integer_kind::signed_integer
                                ? term::from_int64(static_cast<std::int64_t>(bits))
                                : term::from_uint64(bits);
            return;
        }
    }
    event.text = describe_message(node);
}

} // namespace

void trace_table::sent(process& owner, const pid& to, detail::mailbox_node* node) noexcept {
    try {
        const bool is_signal = node->kind != detail::signal_kind::message &&
                               node->kind != detail::signal_kind::alias_message;
        detail::mailbox_node* message = stamp_target(node);
        std::optional<seq_token> token;
        route r;
        {
            const std::lock_guard lock(mutex_);
            bool wanted = false;
            auto found = carriers_.find(&owner);
            bool carries = found != carriers_.end();
            if (carries && message != nullptr) {
                if (found->second.origin && !entries_.contains(&owner)) {
                    carriers_.erase(found); // its trace ended elsewhere
                    carries = false;
                } else {
                    carrier& c = found->second;
                    ++c.current;
                    token.emplace(
                        seq_token{c.flags, c.label, c.current, c.previous, owner.to_pid()});
                    wanted = (c.flags & seq_flag_send) != 0;
                }
            }
            r = resolve(owner, token ? token->label : term(), is_signal, false, wanted, carries);
        }
        trace_event event;
        event.peer = to;
        if (token) {
            event.label = token->label;
            event.serial = token->serial;
            event.previous_serial = token->previous;
            stamp(message, std::move(*token));
        }
        if (!r.own && !r.following) {
            return; // it only passes a label on: nothing to report
        }
        if (is_signal) {
            pid sender;
            event.kind = trace_event_kind::signal_sent;
            event.text = cut(owner.runtime().upper->describe_signal(node, sender));
        } else if (node->kind == detail::signal_kind::message) {
            event.kind = trace_event_kind::sent;
            fill_message(event, node, r.print);
        } else {
            pid through; // a message to an alias: printed with the alias
            event.kind = trace_event_kind::sent;
            event.text = cut(owner.runtime().upper->describe_signal(node, through));
        }
        deliver(owner, std::move(event), r, false);
    } catch (...) {
        // out of memory while printing: the event is lost, the process goes on
    }
}

void trace_table::taken(process& owner, detail::mailbox_node* node) noexcept {
    std::optional<seq_token> token = take_stamp(node);
    try {
        trace_event event;
        event.kind = trace_event_kind::received;
        route r;
        {
            const std::lock_guard lock(mutex_);
            bool wanted = false;
            auto found = carriers_.find(&owner);
            if (token) {
                // Erlang's rule: the taker's counter moves past the
                // message's, and it carries the message's label (an origin
                // keeps its own).
                if (found == carriers_.end()) {
                    found = carriers_.emplace(&owner, carrier{}).first;
                }
                carrier& c = found->second;
                if (!c.origin) {
                    c.label = token->label;
                    c.flags = token->flags;
                }
                c.current = std::max(c.current, token->serial);
                c.previous = token->serial;
                event.label = std::move(token->label);
                event.serial = token->serial;
                event.previous_serial = token->previous;
                wanted = (token->flags & seq_flag_receive) != 0;
            } else if (found != carriers_.end() && !found->second.origin) {
                carriers_.erase(found); // a message without a label ends the carrying
                found = carriers_.end();
            }
            r = resolve(owner, event.label, false, false, wanted, found != carriers_.end());
        }
        if (!r.own && !r.following) {
            return; // it only took a label: nothing to report
        }
        fill_message(event, node, r.print);
        deliver(owner, std::move(event), r, false);
    } catch (...) {
    }
}

void trace_table::signal_handled(process& owner, const detail::mailbox_node* node) noexcept {
    try {
        route r;
        {
            const std::lock_guard lock(mutex_);
            r = resolve(owner, term(), true, false, false, carriers_.contains(&owner));
        }
        if (!r.own) {
            return; // it only carries a label: signals go to no follower
        }
        trace_event event;
        event.kind = trace_event_kind::signal_received;
        event.text = cut(owner.runtime().upper->describe_signal(node, event.peer));
        deliver(owner, std::move(event), r, false);
    } catch (...) {
    }
}

void trace_table::exited(process& owner, const term& reason) noexcept {
    try {
        route r;
        {
            const std::lock_guard lock(mutex_);
            r = resolve(owner, term(), false, true, false, carriers_.contains(&owner));
        }
        if (r.own) {
            trace_event event;
            event.kind = trace_event_kind::exited;
            event.text = cut(to_string(reason));
            deliver(owner, std::move(event), r, true);
        }
    } catch (...) {
    }
    remove(owner);
}

} // namespace rill::internal
