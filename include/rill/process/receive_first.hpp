#pragma once

/// \file
/// `receive_first`: Erlang's `receive` with several clauses.
///
/// ```cpp
/// int reply = co_await process::receive_first(
///     [](const add& a) { return a.x + a.y; },
///     process::when<int>([](int n) { return n > 0; }, [](int n) { return n; }),
///     [](const down_signal&) { return -1; });
/// ```
///
/// Each handler is a callable taking one parameter, whose type says which
/// payloads it accepts (the matching rule of receive.hpp: the exact type,
/// integers by value, terms that convert), or `exit_signal`, `down_signal`,
/// or `term` (every message; a trapped exit and a DOWN as Erlang's
/// `{'EXIT', From, Reason}` and `{'DOWN', Ref, process, Object, Reason}`).
/// `when<T>(guard, handler)` adds a guard. The oldest message that some
/// handler accepts is taken, and the first handler (in argument order) that
/// accepts it runs with it; messages that none accepts stay queued, in
/// order. Unlike `receive<T>`, exit and down signals are taken only by a
/// handler that accepts them.
///
/// The handler's result is returned: every handler returns void, or all
/// results have a common type (`std::common_type`). With a timeout, the
/// result is a `std::optional` of it (empty on timeout), or a `bool` (false
/// on timeout) when the handlers return void. Handlers are plain calls made
/// inside the process, after the message has left the mailbox; one that
/// throws ends the process as any exception does (the message is gone). A
/// guard that throws rejects the message. A handler cannot suspend; return a
/// value and act on it after the `co_await`.
///
/// Cost: per scanned message, one vtable compare per handler until one
/// accepts (and, for an integer or term-convertible parameter, the rest of
/// the matching rule only for messages that fail the compare): two handlers
/// cost a `receive<T>` plus one compare per message.

#include <rill/core/reference.hpp>
#include <rill/core/term.hpp>
#include <rill/detail/mailbox_node.hpp>
#include <rill/detail/payload_match.hpp>
#include <rill/detail/process_entry.hpp>
#include <rill/detail/timeout.hpp>
#include <rill/process/message.hpp>
#include <rill/process/receive.hpp>

#include <chrono>
#include <concepts>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <tuple>
#include <type_traits>
#include <utility>

namespace rill {

namespace detail {

/// What `process::sent_after(ref)` returns: a receive_first option.
struct sent_after_mark {
    reference ref;
};

template <class T>
inline constexpr bool is_duration_v = false;

template <class Rep, class Period>
inline constexpr bool is_duration_v<std::chrono::duration<Rep, Period>> = true;

template <class>
inline constexpr bool always_false_v = false;

// The signature of a handler that is not generic: known when the callable
// is a function (pointer) or has exactly one, non-template operator().
template <class R, class... Params>
struct callable_signature {
    static constexpr bool known = true;
    static constexpr std::size_t arity = sizeof...(Params);
    using first_parameter = std::tuple_element_t<0, std::tuple<Params..., void>>;
};

template <class F>
struct member_signature {
    static constexpr bool known = false;
};

template <class R, class C, class... Params>
struct member_signature<R (C::*)(Params...)> : callable_signature<R, Params...> {};

template <class R, class C, class... Params>
struct member_signature<R (C::*)(Params...) const> : callable_signature<R, Params...> {};

template <class R, class C, class... Params>
struct member_signature<R (C::*)(Params...) noexcept> : callable_signature<R, Params...> {};

template <class R, class C, class... Params>
struct member_signature<R (C::*)(Params...) const noexcept> : callable_signature<R, Params...> {};

template <class R, class C, class... Params>
struct member_signature<R (C::*)(Params...)&> : callable_signature<R, Params...> {};

template <class R, class C, class... Params>
struct member_signature<R (C::*)(Params...) const&> : callable_signature<R, Params...> {};

template <class F>
struct handler_signature {
    static constexpr bool known = false;
};

/// A class with exactly one call operator, not a template.
template <class F>
concept has_one_call_operator = requires {
    &F::operator();
};

template <has_one_call_operator F>
struct handler_signature<F> : member_signature<decltype(&F::operator())> {};

template <class R, class... Params>
struct handler_signature<R (*)(Params...)> : callable_signature<R, Params...> {};

template <class R, class... Params>
struct handler_signature<R (*)(Params...) noexcept> : callable_signature<R, Params...> {};

/// Calls `handler` with the received value: as an rvalue when it takes
/// one, as an lvalue when it takes a non-const reference, or with nothing
/// (a `when<T>` handler may ignore the value).
template <class Handler, class T>
decltype(auto) invoke_handler(Handler& handler, T& value) {
    if constexpr (std::is_invocable_v<Handler&, T&&>) {
        return std::invoke(handler, std::move(value));
    } else if constexpr (std::is_invocable_v<Handler&, T&>) {
        return std::invoke(handler, value);
    } else {
        return std::invoke(handler);
    }
}

template <class Handler, class T>
inline constexpr bool is_handler_for_v =
    std::is_invocable_v<Handler&, T&&> || std::is_invocable_v<Handler&, T&> ||
    std::is_invocable_v<Handler&>;

/// What a handler returns, as `receive_first` returns it (by value).
template <class Handler, class T>
using handler_result_t =
    std::remove_cvref_t<decltype(invoke_handler(std::declval<Handler&>(), std::declval<T&>()))>;

/// A handler with a guard: what `process::when<T>` returns.
template <class T, class Guard, class Handler>
struct guarded_handler {
    static constexpr bool valid = is_receivable_v<T> && std::predicate<const Guard&, const T&> &&
                                  is_handler_for_v<Handler, T>;

    Guard guard;
    Handler handler;
};

template <class H>
inline constexpr bool is_guarded_v = false;

template <class T, class Guard, class Handler>
inline constexpr bool is_guarded_v<guarded_handler<T, Guard, Handler>> = true;

/// The guard of a clause that has none.
struct no_guard {};

/// One receive_first clause: a payload type, a guard (or `no_guard`), a
/// handler.
template <class T, class Guard, class Handler>
class first_clause {
public:
    using payload_type = T;
    using result_type = handler_result_t<Handler, T>;

    first_clause(Guard guard, Handler handler)
        : guard_(std::move(guard))
        , handler_(std::move(handler)) {}

    [[nodiscard]] bool match(const mailbox_node* node) const noexcept {
        if constexpr (std::is_same_v<Guard, no_guard>) {
            return payload_.match(node);
        } else {
            try {
                return payload_.match_if(node, guard_);
            } catch (...) {
                return false; // a guard that throws rejects the message
            }
        }
    }

    /// Takes the payload out of `node` (freeing it), then runs the handler.
    result_type run(mailbox_node* node) {
        T value = payload_.take(node);
        if constexpr (std::is_void_v<result_type>) {
            invoke_handler(handler_, value);
        } else {
            return invoke_handler(handler_, value);
        }
    }

private:
    [[no_unique_address]] Guard guard_;
    Handler handler_;
    payload_matcher<T> payload_;
};

/// The clause a receive_first argument makes.
template <class H>
struct clause_for {
    using payload = std::remove_cvref_t<typename handler_signature<H>::first_parameter>;
    using type = first_clause<payload, no_guard, H>;

    static type make(H handler) { return type({}, std::move(handler)); }
};

template <class T, class Guard, class Handler>
struct clause_for<guarded_handler<T, Guard, Handler>> {
    using type = first_clause<T, Guard, Handler>;

    static type make(guarded_handler<T, Guard, Handler> handler) {
        return type(std::move(handler.guard), std::move(handler.handler));
    }
};

template <class H>
using clause_for_t = typename clause_for<H>::type;

/// Checks one receive_first argument, with a readable message per misuse;
/// true when it makes a clause.
template <class H>
constexpr bool check_handler() {
    if constexpr (std::is_same_v<H, sent_after_mark>) {
        static_assert(always_false_v<H>,
                      "rill::process::receive_first: sent_after(ref) goes first, before the "
                      "timeout and the handlers");
        return false;
    } else if constexpr (is_duration_v<H>) {
        static_assert(always_false_v<H>,
                      "rill::process::receive_first: the timeout goes before the handlers "
                      "(after sent_after(ref), if any)");
        return false;
    } else if constexpr (is_guarded_v<H>) {
        return H::valid; // process::when<T> said what is wrong
    } else if constexpr (!handler_signature<H>::known) {
        static_assert(always_false_v<H>,
                      "rill::process::receive_first: a handler must take one parameter of a "
                      "named type; a generic lambda (an auto parameter) or an overloaded call "
                      "operator cannot say which messages it accepts: name the type, or use "
                      "process::when<T>(guard, handler)");
        return false;
    } else if constexpr (handler_signature<H>::arity != 1) {
        static_assert(always_false_v<H>,
                      "rill::process::receive_first: a handler takes exactly one parameter, the "
                      "message (use process::when<T>(guard, handler) for a handler that ignores "
                      "it)");
        return false;
    } else {
        using payload = std::remove_cvref_t<typename handler_signature<H>::first_parameter>;
        static_assert(!is_text_view_v<payload>,
                      "rill::process::receive_first: text is received as std::string (a "
                      "std::string_view or char pointer would point into a message that is "
                      "gone): take std::string or const std::string&");
        static_assert(is_receivable_v<payload> || is_text_view_v<payload>,
                      "rill::process::receive_first: a handler's parameter type can never be "
                      "received: a message is a plain, move-constructible object (no array, "
                      "no immovable type), moved out of the mailbox");
        return is_receivable_v<payload>;
    }
}

template <class... Results>
concept have_common_type = requires {
    typename std::common_type<Results...>::type;
};

/// The type a receive_first returns: the handlers' results' common type
/// (`valid` false when they have none).
template <bool HaveCommonType, class... Results>
struct common_result_of {
    static constexpr bool valid = false;
    using type = void;
};

template <class... Results>
struct common_result_of<true, Results...> {
    static constexpr bool valid = true;
    using type = std::common_type_t<Results...>;
};

template <class... Results>
using common_result = common_result_of<have_common_type<Results...>, Results...>;

/// Checks all receive_first arguments; true when they make a receive.
template <class... Handlers>
constexpr bool check_handlers() {
    static_assert(sizeof...(Handlers) > 0,
                  "rill::process::receive_first needs at least one handler");
    static_assert(sizeof...(Handlers) < 256, "rill::process::receive_first: too many handlers");
    constexpr bool each_valid = (check_handler<Handlers>() && ...);
    if constexpr (sizeof...(Handlers) == 0 || !each_valid) {
        return false;
    } else {
        constexpr bool common =
            common_result<typename clause_for_t<Handlers>::result_type...>::valid;
        static_assert(common,
                      "rill::process::receive_first: the handlers' results have no common type: "
                      "return void from every handler, or types that convert to one type "
                      "(std::common_type)");
        return common;
    }
}

/// The policy of a receive_first (see receive_awaiter): clauses tried in
/// order on each node; the one that matched runs in `take`.
template <class... Clauses>
class first_policy {
public:
    using result_type = typename common_result<typename Clauses::result_type...>::type;

    explicit first_policy(const reference* mark, Clauses... clauses)
        : clauses_(std::move(clauses)...) {
        if (mark != nullptr) {
            mark_ = *mark;
            marked_ = true;
        }
    }

    [[nodiscard]] const reference* reply_to() const noexcept { return marked_ ? &mark_ : nullptr; }

    [[nodiscard]] bool match(const mailbox_node* node) const noexcept {
        return match_from<0>(node);
    }

    result_type take(mailbox_node* node) { return take_from<0>(node); }

private:
    template <std::size_t I>
    bool match_from(const mailbox_node* node) const noexcept {
        if constexpr (I == sizeof...(Clauses)) {
            return false;
        } else {
            if (std::get<I>(clauses_).match(node)) {
                matched_ = static_cast<std::uint8_t>(I);
                return true;
            }
            return match_from<I + 1>(node);
        }
    }

    template <std::size_t I>
    result_type take_from(mailbox_node* node) {
        if constexpr (I + 1 < sizeof...(Clauses)) {
            if (matched_ != I) {
                return take_from<I + 1>(node);
            }
        }
        if constexpr (std::is_void_v<result_type>) {
            std::get<I>(clauses_).run(node);
        } else {
            return static_cast<result_type>(std::get<I>(clauses_).run(node));
        }
    }

    std::tuple<Clauses...> clauses_;
    reference mark_{};
    bool marked_ = false;
    mutable std::uint8_t matched_ = 0;
};

/// What an invalid receive_first returns after its static_assert, so the
/// compiler reports that message and no follow-up errors.
struct invalid_receive {
    using rill_awaitable_tag = void;

    static bool await_ready() noexcept { return true; }

    static void await_suspend(std::coroutine_handle<> /*resume_point*/) noexcept {}

    static void await_resume() noexcept {}
};

template <bool WithTimeout, class... Handlers>
auto make_receive_first(const reference* mark, std::int64_t timeout_ms, Handlers... handlers) {
    if constexpr (check_handlers<Handlers...>()) {
        using policy = first_policy<clause_for_t<Handlers>...>;
        return receive_awaiter<policy, WithTimeout>(
            policy(mark, clause_for<Handlers>::make(std::move(handlers))...), timeout_ms);
    } else {
        return invalid_receive{};
    }
}

} // namespace detail

namespace process {

/// A receive_first option, given first: only messages sent after `ref` was
/// made (by `make_ref`, `alias`, `monitor` or `spawn_monitor` in this
/// process) can match, so the scan skips everything queued before — the promise
/// `receive_reply` relies on. Use it when every handler waits for a message
/// that carries `ref` (a reply tagged with it, the DOWN of that monitor); a
/// message queued earlier would be missed.
[[nodiscard]] inline detail::sent_after_mark sent_after(const reference& ref) noexcept {
    return {ref};
}

/// A guarded handler for `receive_first`: accepts a T (matching rule) for
/// which `guard(const T&)` is true, then runs `handler` with it (`handler`
/// may take a T, `const T&`, `T&&`, or nothing; generic lambdas are fine
/// here, the type is named). A `when<term>` guard sees only payloads that
/// were sent as terms (others cannot be shown without being consumed).
template <class T, class Guard, class Handler>
[[nodiscard]] detail::guarded_handler<T, Guard, Handler> when(Guard guard, Handler handler) {
    static_assert(!detail::is_text_view_v<T>,
                  "rill::process::when<T>: text is received as std::string (a std::string_view "
                  "or char pointer would point into a message that is gone): use "
                  "when<std::string>");
    static_assert(detail::is_receivable_v<T> || detail::is_text_view_v<T>,
                  "rill::process::when<T>: T can never be received: a message is a plain, "
                  "move-constructible object (no reference, const, array or immovable type)");
    static_assert(std::predicate<const Guard&, const T&>,
                  "rill::process::when<T>: the guard must be callable as guard(const T&) and "
                  "return bool");
    static_assert(detail::is_handler_for_v<Handler, T>,
                  "rill::process::when<T>: the handler must take a T (by value or reference) "
                  "or nothing");
    return {std::move(guard), std::move(handler)};
}

/// Waits for the oldest message that some handler accepts and runs the
/// first such handler with it; returns its result (see the file comment).
/// Suspends while nothing matches; may resume on another worker. (The
/// overloads below, whose first parameters are more specialised, take the
/// options: a timeout, `sent_after(ref)`.)
template <class... Handlers>
[[nodiscard]] auto receive_first(Handlers... handlers) {
    return detail::make_receive_first<false>(nullptr, detail::wait_forever, std::move(handlers)...);
}

/// As `receive_first(handlers...)`, giving up after `timeout`: a
/// `std::optional` of the result, empty on timeout (`bool` for handlers
/// returning void).
template <class Rep, class Period, class... Handlers>
[[nodiscard]] auto receive_first(std::chrono::duration<Rep, Period> timeout, Handlers... handlers) {
    return detail::make_receive_first<true>(
        nullptr, detail::timeout_milliseconds(timeout), std::move(handlers)...);
}

/// As `receive_first(handlers...)`, looking only at messages sent after
/// `mark`'s reference was made (see `sent_after`).
template <class... Handlers>
[[nodiscard]] auto receive_first(detail::sent_after_mark mark, Handlers... handlers) {
    return detail::make_receive_first<false>(
        &mark.ref, detail::wait_forever, std::move(handlers)...);
}

/// As `receive_first(timeout, handlers...)`, looking only at messages sent
/// after `mark`'s reference was made (see `sent_after`).
template <class Rep, class Period, class... Handlers>
[[nodiscard]] auto receive_first(detail::sent_after_mark mark,
                                 std::chrono::duration<Rep, Period> timeout,
                                 Handlers... handlers) {
    return detail::make_receive_first<true>(
        &mark.ref, detail::timeout_milliseconds(timeout), std::move(handlers)...);
}

} // namespace process
} // namespace rill
