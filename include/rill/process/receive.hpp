#pragma once

/// \file
/// Receiving: `receive<T>`, `receive_exact<T>`, `receive_any`, `receive_if`,
/// `receive_reply`, each with a timeout overload (`receive_first`, with
/// several clauses, is in receive_first.hpp).
///
/// A receive takes the oldest message that matches and leaves the others in
/// the mailbox, in order (selective receive). While it waits, only messages
/// that arrive later are examined: a wake-up never rescans what this receive
/// has already rejected. Exit signals and monitors are handled before any
/// matching, so a selective receive never hides them. Every receive suspends
/// the process while nothing matches and may resume it on another worker.
/// Call only from a process (`rill::not_in_process` is thrown otherwise).
///
/// The matching rule: a receive for T accepts a payload that
///   1. is a T (exactly that type); this is checked first, with one compare;
///   2. or, when T is an integral type, is of any integral type and holds a
///      value that T can represent. Erlang has one integer type:
///      `send(p, 42)` is received by `receive<std::int64_t>`,
///      `receive<unsigned>` and `receive<std::uint8_t>`; `send(p, -1)` is
///      not received by `receive<unsigned>` (it stays queued, in order),
///      nor `UINT64_MAX` by `receive<std::int64_t>`. Character types (`char`,
///      `wchar_t`, `char16_t`, `char32_t`) are integers; `bool` and `char8_t`
///      are not, and floating-point types never match integers here;
///   3. or is a `term` that converts to T (`term_conversion<T>::from_term`),
///      as a message from another node or built with `term{...}` is: the
///      conversion is made once per matched receive;
///   4. anything, when T is `term`: a payload with a term conversion is
///      converted, others are wrapped as opaque local terms.
/// Text is text: string literals, `const char*`, `char*` and
/// `std::string_view` are sent as `std::string`, so text is always received
/// as `std::string`. `receive<std::string_view>` and `receive<const char*>`
/// do not compile: the view would outlive the message it points into.

#include <rill/core/term.hpp>
#include <rill/detail/mailbox_node.hpp>
#include <rill/detail/payload_match.hpp>
#include <rill/detail/process_entry.hpp>
#include <rill/detail/timeout.hpp>
#include <rill/process/message.hpp>

#include <chrono>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace rill {

namespace detail {

inline bool is_signal_message(const mailbox_node* node) noexcept {
    return holds_payload<exit_signal>(node) || holds_payload<down_signal>(node);
}

/// The awaiter behind every receive. `Policy` supplies
/// `bool match(const mailbox_node*) const noexcept` and
/// `result_type take(mailbox_node*)`, and optionally
/// `const reference* reply_to() const noexcept` (see `receive_wait`).
/// With a timeout the result is a `std::optional` of the policy's, or, when
/// the policy's is `void`, a `bool` (false on timeout).
template <class Policy, bool WithTimeout>
class receive_awaiter {
public:
    using value_type = typename Policy::result_type;
    using result_type = std::conditional_t<
        WithTimeout,
        std::conditional_t<std::is_void_v<value_type>, bool, std::optional<value_type>>,
        value_type>;
    using rill_awaitable_tag = void;

    explicit receive_awaiter(Policy policy, std::int64_t timeout_ms = -1)
        : policy_(std::move(policy)) {
        wait_.timeout_ms = timeout_ms;
    }

    bool await_ready() {
        wait_.match = &match_thunk;
        wait_.context = &policy_;
        if constexpr (requires { policy_.reply_to(); }) {
            wait_.reply_to = policy_.reply_to();
        }
        return receive_ready(wait_);
    }

    void await_suspend(std::coroutine_handle<> resume_point) noexcept {
        receive_suspend(wait_, resume_point);
    }

    result_type await_resume() {
        if constexpr (WithTimeout) {
            if (wait_.timed_out) {
                return result_type{};
            }
            if constexpr (std::is_void_v<value_type>) {
                policy_.take(wait_.matched);
                return true;
            } else {
                return policy_.take(wait_.matched);
            }
        } else {
            return policy_.take(wait_.matched);
        }
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
        return payload.is_exact(node) || is_signal_message(node) || payload.match_converted(node);
    }

    result_type take(mailbox_node* node) const {
        if constexpr (!std::is_same_v<T, exit_signal>) {
            if (holds_payload<exit_signal>(node)) {
                return result_type(std::in_place_index<1>,
                                   payload_matcher<exit_signal>().take(node));
            }
        }
        if constexpr (!std::is_same_v<T, down_signal>) {
            if (holds_payload<down_signal>(node)) {
                return result_type(std::in_place_index<2>,
                                   payload_matcher<down_signal>().take(node));
            }
        }
        return result_type(std::in_place_index<0>, payload.take(node));
    }

    payload_matcher<T> payload;
};

template <class T>
struct exact_policy {
    using result_type = T;

    [[nodiscard]] bool match(const mailbox_node* node) const noexcept {
        return payload.match(node);
    }

    result_type take(mailbox_node* node) const { return payload.take(node); }

    payload_matcher<T> payload;
};

struct any_policy {
    using result_type = dyn_message;

    [[nodiscard]] static bool match(const mailbox_node* /*node*/) noexcept { return true; }

    static result_type take(mailbox_node* node) {
        if (holds_payload<exit_signal>(node)) {
            return payload_matcher<exit_signal>().take(node);
        }
        if (holds_payload<down_signal>(node)) {
            return payload_matcher<down_signal>().take(node);
        }
        node_guard guard(node);
        return node->vtable->take_term(node);
    }
};

template <class T, class Predicate>
struct predicate_policy {
    using result_type = T;

    explicit predicate_policy(Predicate guard)
        : predicate(std::move(guard)) {}

    [[nodiscard]] bool match(const mailbox_node* node) const noexcept {
        try {
            return payload.match_if(node, predicate);
        } catch (...) {
            return false;
        }
    }

    result_type take(mailbox_node* node) const { return payload.take(node); }

    Predicate predicate;
    payload_matcher<T> payload;
};

/// A predicate receive for a reply to `ref`: only messages sent after `ref`
/// was made can match, so the scan may skip what was queued before.
template <class T, class Predicate>
struct reply_policy : predicate_policy<T, Predicate> {
    reply_policy(Predicate guard, const reference& reply_ref)
        : predicate_policy<T, Predicate>(std::move(guard))
        , ref(reply_ref) {}

    [[nodiscard]] const reference* reply_to() const noexcept { return &ref; }

    reference ref;
};

/// The one-argument reply receive: a `std::pair<reference, T>` whose first
/// is `ref`, or a term `{Ref, Reply}` whose Reply converts to T.
template <class T>
struct reply_value_policy {
    static_assert(is_receivable_v<T> && !std::is_same_v<T, exit_signal> &&
                      !std::is_same_v<T, down_signal>,
                  "rill: receive_reply<T> asks for a plain, move-constructible reply type; "
                  "text is received as std::string");

    using result_type = T;
    using pair_type = std::pair<reference, T>;

    explicit reply_value_policy(const reference& reply_ref)
        : ref(reply_ref) {}

    [[nodiscard]] const reference* reply_to() const noexcept { return &ref; }

    [[nodiscard]] bool match(const mailbox_node* node) const noexcept {
        if (holds_payload<pair_type>(node)) {
            return payload_of<pair_type>(node).first == ref;
        }
        if constexpr (std::is_same_v<T, term> || term_extractable<T>) {
            if (holds_payload<term>(node)) {
                return convert(payload_of<term>(node), node);
            }
        }
        return false;
    }

    result_type take(mailbox_node* node) const {
        node_guard guard(node);
        if (holds_payload<pair_type>(node)) {
            return std::move(static_cast<payload_node<pair_type>*>(node)->value.second);
        }
        return take_converted(node);
    }

    reference ref;

private:
    bool convert(const term& t, const mailbox_node* node) const noexcept {
        converted_node_ = nullptr;
        converted_.reset();
        if (!t.is_tuple()) {
            return false;
        }
        const auto elements = t.elements();
        if (elements.size() != 2 || !elements[0].is_reference() ||
            !(elements[0].as_reference() == ref)) {
            return false;
        }
        try {
            if constexpr (std::is_same_v<T, term>) {
                converted_.emplace(elements[1]);
            } else if constexpr (term_extractable<T>) {
                std::optional<T> value = term_conversion<T>::from_term(elements[1]);
                if (!value) {
                    return false;
                }
                converted_.emplace(std::move(*value));
            }
        } catch (...) {
            converted_.reset();
            return false;
        }
        converted_node_ = node;
        return true;
    }

    T take_converted(mailbox_node* node) const {
        if constexpr (std::is_same_v<T, term> || term_extractable<T>) {
            if (converted_node_ != node) {
                convert(payload_of<term>(node), node); // not reached through match
            }
            T value = std::move(*converted_);
            converted_.reset();
            converted_node_ = nullptr;
            return value;
        } else {
            std::terminate(); // unreachable: only pair payloads match
        }
    }

    mutable const mailbox_node* converted_node_ = nullptr;
    mutable std::optional<T> converted_;
};

} // namespace detail

namespace process {

/// The oldest message whose payload is a T under the matching rule (file
/// comment), or the oldest trapped exit / down signal.
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

/// The oldest message whose payload is a T under the matching rule; signals
/// stay queued.
template <class T>
[[nodiscard]] auto receive_exact() {
    return detail::receive_awaiter<detail::exact_policy<T>, false>({});
}

/// As `receive_exact<T>()`, giving up after `timeout` (empty result).
template <class T, class Rep, class Period>
[[nodiscard]] auto receive_exact(std::chrono::duration<Rep, Period> timeout) {
    return detail::receive_awaiter<detail::exact_policy<T>, true>(
        {}, detail::timeout_milliseconds(timeout));
}

/// The oldest message of any kind, payloads as terms.
[[nodiscard]] inline auto receive_any() {
    return detail::receive_awaiter<detail::any_policy, false>({});
}

/// As `receive_any()`, giving up after `timeout` (empty result).
template <class Rep, class Period>
[[nodiscard]] auto receive_any(std::chrono::duration<Rep, Period> timeout) {
    return detail::receive_awaiter<detail::any_policy, true>({},
                                                             detail::timeout_milliseconds(timeout));
}

/// The oldest T payload (matching rule) for which `predicate(const T&)` is
/// true. With `T = term`, only payloads sent as terms are offered to the
/// predicate. A predicate that throws rejects the message.
template <class T, class Predicate>
[[nodiscard]] auto receive_if(Predicate predicate) {
    return detail::receive_awaiter<detail::predicate_policy<T, Predicate>, false>(
        detail::predicate_policy<T, Predicate>(std::move(predicate)));
}

/// As `receive_if<T>(predicate)`, giving up after `timeout` (empty result).
template <class T, class Predicate, class Rep, class Period>
[[nodiscard]] auto receive_if(Predicate predicate, std::chrono::duration<Rep, Period> timeout) {
    return detail::receive_awaiter<detail::predicate_policy<T, Predicate>, true>(
        detail::predicate_policy<T, Predicate>(std::move(predicate)),
        detail::timeout_milliseconds(timeout));
}

/// The reply to a call: the oldest T payload for which `predicate` is true,
/// where the caller promises that only a message sent after `ref` was made
/// (by `make_ref`, `alias`, `monitor` or `spawn_monitor`) can match — the reply
/// carries `ref`. Messages queued before `ref` was made are skipped without
/// being examined, so a call costs the same however long the mailbox is.
template <class T, class Predicate>
[[nodiscard]] auto receive_reply(const reference& ref, Predicate predicate) {
    return detail::receive_awaiter<detail::reply_policy<T, Predicate>, false>(
        detail::reply_policy<T, Predicate>(std::move(predicate), ref));
}

/// As `receive_reply<T>(ref, predicate)`, giving up after `timeout` (empty
/// result).
template <class T, class Predicate, class Rep, class Period>
[[nodiscard]] auto receive_reply(const reference& ref,
                                 Predicate predicate,
                                 std::chrono::duration<Rep, Period> timeout) {
    return detail::receive_awaiter<detail::reply_policy<T, Predicate>, true>(
        detail::reply_policy<T, Predicate>(std::move(predicate), ref),
        detail::timeout_milliseconds(timeout));
}

/// The reply to a call tagged with `ref`, OTP's `{Ref, Reply}`: the oldest
/// `std::pair<reference, T>` payload whose `first` is `ref`, or `term`
/// payload `{Ref, Reply}` whose Reply converts to T; returns the reply.
/// The pair's second must be exactly a T (send the reply as that type).
/// Like the two-argument form, skips what was queued before `ref` was made.
template <class T = term>
[[nodiscard]] auto receive_reply(const reference& ref) {
    return detail::receive_awaiter<detail::reply_value_policy<T>, false>(
        detail::reply_value_policy<T>(ref));
}

/// As `receive_reply<T>(ref)`, giving up after `timeout` (empty result).
template <class T = term, class Rep, class Period>
[[nodiscard]] auto receive_reply(const reference& ref, std::chrono::duration<Rep, Period> timeout) {
    return detail::receive_awaiter<detail::reply_value_policy<T>, true>(
        detail::reply_value_policy<T>(ref), detail::timeout_milliseconds(timeout));
}

} // namespace process
} // namespace rill
