#pragma once

/// \file
/// Receiving: `receive<T>`, `receive_exact<T>`, `receive_any`, `receive_if`,
/// each with a timeout overload.
///
/// A receive takes the oldest message that matches and leaves the others in
/// the mailbox, in order (selective receive). While it waits, only messages
/// that arrive later are examined: a wake-up never rescans what this receive
/// has already rejected. Exit signals and monitors are handled before any
/// matching, so a selective receive never hides them. Every receive suspends
/// the process while nothing matches and may resume it on another worker.
/// Call only from a process (`rill::not_in_process` is thrown otherwise).

#include <rill/core/term.hpp>
#include <rill/detail/mailbox_node.hpp>
#include <rill/detail/process_entry.hpp>
#include <rill/detail/timeout.hpp>
#include <rill/process/message.hpp>

#include <chrono>
#include <coroutine>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

namespace rill {

namespace detail {

/// Does `node` carry a T, or a term that converts to T? (`term` matches
/// every payload: anything can be seen as a term.)
template <class T>
bool matches_payload(const mailbox_node* node) noexcept {
    if (holds_payload<T>(node)) {
        return true;
    }
    if constexpr (std::is_same_v<T, term>) {
        return true;
    } else if constexpr (term_extractable<T>) {
        if (const term* t = node->vtable->peek_term(node)) {
            try {
                return term_conversion<T>::from_term(*t).has_value();
            } catch (...) {
                return false;
            }
        }
    }
    return false;
}

/// Destroys a node when a receive is done with it, however it leaves.
class node_guard {
public:
    explicit node_guard(mailbox_node* node) noexcept
        : node_(node) {}

    node_guard(const node_guard&) = delete;
    node_guard& operator=(const node_guard&) = delete;

    ~node_guard() { node_->destroy(); }

private:
    mailbox_node* node_;
};

/// Moves the T out of a node that `matches_payload<T>` accepted.
template <class T>
T take_payload(mailbox_node* node) {
    node_guard guard(node);
    if (holds_payload<T>(node)) {
        return std::move(static_cast<payload_node<T>*>(node)->value);
    }
    if constexpr (std::is_same_v<T, term>) {
        return node->vtable->take_term(node);
    } else if constexpr (term_extractable<T>) {
        return *term_conversion<T>::from_term(*node->vtable->peek_term(node));
    } else {
        std::terminate(); // unreachable: matches_payload<T> accepts only T nodes
    }
}

inline bool is_signal_message(const mailbox_node* node) noexcept {
    return holds_payload<exit_signal>(node) || holds_payload<down_signal>(node);
}

/// The awaiter behind every receive. `Policy` supplies
/// `bool match(const mailbox_node*) const noexcept` and
/// `result_type take(mailbox_node*)`.
template <class Policy, bool WithTimeout>
class receive_awaiter {
public:
    using value_type = typename Policy::result_type;
    using result_type = std::conditional_t<WithTimeout, std::optional<value_type>, value_type>;
    using rill_awaitable_tag = void;

    explicit receive_awaiter(Policy policy, std::int64_t timeout_ms = -1)
        : policy_(std::move(policy)) {
        wait_.timeout_ms = timeout_ms;
    }

    bool await_ready() {
        wait_.match = &match_thunk;
        wait_.context = &policy_;
        if constexpr (requires { policy_.reply_to(); }) {
            wait_.reply_to = &policy_.reply_to();
        }
        return receive_ready(wait_);
    }

    void await_suspend(std::coroutine_handle<> resume_point) noexcept {
        receive_suspend(wait_, resume_point);
    }

    result_type await_resume() {
        if constexpr (WithTimeout) {
            if (wait_.timed_out) {
                return std::nullopt;
            }
        }
        return policy_.take(wait_.matched);
    }

private:
    static bool match_thunk(const mailbox_node* node, const void* context) noexcept {
        return static_cast<const Policy*>(context)->match(node);
    }

    Policy policy_;
    receive_wait wait_;
};

template <class T>
struct typed_policy {
    using result_type = message<T>;

    [[nodiscard]] bool match(const mailbox_node* node) const noexcept {
        return is_signal_message(node) || matches_payload<T>(node);
    }

    result_type take(mailbox_node* node) const {
        if (holds_payload<exit_signal>(node) && !std::is_same_v<T, exit_signal>) {
            return result_type(std::in_place_index<1>, take_payload<exit_signal>(node));
        }
        if (holds_payload<down_signal>(node) && !std::is_same_v<T, down_signal>) {
            return result_type(std::in_place_index<2>, take_payload<down_signal>(node));
        }
        return result_type(std::in_place_index<0>, take_payload<T>(node));
    }
};

template <class T>
struct exact_policy {
    using result_type = T;

    [[nodiscard]] bool match(const mailbox_node* node) const noexcept {
        return matches_payload<T>(node);
    }

    result_type take(mailbox_node* node) const { return take_payload<T>(node); }
};

struct any_policy {
    using result_type = dyn_message;

    [[nodiscard]] static bool match(const mailbox_node* /*node*/) noexcept { return true; }

    static result_type take(mailbox_node* node) {
        if (holds_payload<exit_signal>(node)) {
            return take_payload<exit_signal>(node);
        }
        if (holds_payload<down_signal>(node)) {
            return take_payload<down_signal>(node);
        }
        node_guard guard(node);
        return node->vtable->take_term(node);
    }
};

template <class T, class Predicate>
struct predicate_policy {
    using result_type = T;

    [[nodiscard]] bool match(const mailbox_node* node) const noexcept {
        try {
            if (holds_payload<T>(node)) {
                return static_cast<bool>(
                    predicate(static_cast<const payload_node<T>*>(node)->value));
            }
            if (!matches_payload<T>(node)) {
                return false;
            }
            if constexpr (std::is_same_v<T, term>) {
                // Only payloads that are terms already can be shown to the
                // predicate without consuming them.
                const term* t = node->vtable->peek_term(node);
                return t != nullptr && static_cast<bool>(predicate(*t));
            } else if constexpr (term_extractable<T>) {
                return static_cast<bool>(
                    predicate(*term_conversion<T>::from_term(*node->vtable->peek_term(node))));
            } else {
                return false; // unreachable: only T nodes match a T without conversion
            }
        } catch (...) {
            return false;
        }
    }

    result_type take(mailbox_node* node) const { return take_payload<T>(node); }

    Predicate predicate;
};

/// A predicate receive for a reply to `ref`: only messages sent after `ref`
/// was made can match, so the scan may skip what was queued before.
template <class T, class Predicate>
struct reply_policy : predicate_policy<T, Predicate> {
    [[nodiscard]] const reference& reply_to() const noexcept { return ref; }

    reference ref;
};

} // namespace detail

namespace process {

/// The oldest message whose payload is a T (or a term that converts to T),
/// or the oldest trapped exit / down signal.
template <class T>
[[nodiscard]] auto receive() {
    return detail::receive_awaiter<detail::typed_policy<T>, false>({});
}

/// As `receive<T>()`, giving up after `timeout` (empty result).
template <class T, class Rep, class Period>
[[nodiscard]] auto receive(std::chrono::duration<Rep, Period> timeout) {
    return detail::receive_awaiter<detail::typed_policy<T>, true>(
        {}, detail::timeout_milliseconds(timeout));
}

/// The oldest message whose payload is a T; signals stay queued.
template <class T>
[[nodiscard]] auto receive_exact() {
    return detail::receive_awaiter<detail::exact_policy<T>, false>({});
}

template <class T, class Rep, class Period>
[[nodiscard]] auto receive_exact(std::chrono::duration<Rep, Period> timeout) {
    return detail::receive_awaiter<detail::exact_policy<T>, true>(
        {}, detail::timeout_milliseconds(timeout));
}

/// The oldest message of any kind, payloads as terms.
[[nodiscard]] inline auto receive_any() {
    return detail::receive_awaiter<detail::any_policy, false>({});
}

template <class Rep, class Period>
[[nodiscard]] auto receive_any(std::chrono::duration<Rep, Period> timeout) {
    return detail::receive_awaiter<detail::any_policy, true>({},
                                                             detail::timeout_milliseconds(timeout));
}

/// The oldest T payload for which `predicate(const T&)` is true (call/reply:
/// match the reply carrying your reference). With `T = term`, only payloads
/// sent as terms are offered to the predicate.
template <class T, class Predicate>
[[nodiscard]] auto receive_if(Predicate predicate) {
    return detail::receive_awaiter<detail::predicate_policy<T, Predicate>, false>(
        {std::move(predicate)});
}

template <class T, class Predicate, class Rep, class Period>
[[nodiscard]] auto receive_if(Predicate predicate, std::chrono::duration<Rep, Period> timeout) {
    return detail::receive_awaiter<detail::predicate_policy<T, Predicate>, true>(
        {std::move(predicate)}, detail::timeout_milliseconds(timeout));
}

/// The reply to a call: the oldest T payload for which `predicate` is true,
/// where the caller promises that only a message sent after `ref` was made
/// (by `make_ref`) can match — the reply carries `ref`. Messages queued
/// before `ref` was made are skipped without being examined, so a call
/// costs the same however long the mailbox is.
template <class T, class Predicate>
[[nodiscard]] auto receive_reply(const reference& ref, Predicate predicate) {
    return detail::receive_awaiter<detail::reply_policy<T, Predicate>, false>(
        detail::reply_policy<T, Predicate>{{std::move(predicate)}, ref});
}

template <class T, class Predicate, class Rep, class Period>
[[nodiscard]] auto receive_reply(const reference& ref,
                                 Predicate predicate,
                                 std::chrono::duration<Rep, Period> timeout) {
    return detail::receive_awaiter<detail::reply_policy<T, Predicate>, true>(
        detail::reply_policy<T, Predicate>{{std::move(predicate)}, ref},
        detail::timeout_milliseconds(timeout));
}

} // namespace process
} // namespace rill
