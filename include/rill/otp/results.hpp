#pragma once

/// \file
/// What gen_server callbacks return, as OTP's result tuples:
///
/// | OTP                                  | rill                                         |
/// |--------------------------------------|----------------------------------------------|
/// | `{ok, S}` from init                  | `otp::ok()` (or `void`)                      |
/// | `ignore`, `{stop, R}` from init      | `otp::ignore()`, `otp::stop_with(r)`         |
/// | `{reply, Reply, S}`                  | the reply itself, or `otp::reply_with(v)`    |
/// | `{noreply, S}`                       | `otp::noreply()` (or `void` outside calls)   |
/// | `{stop, R, Reply, S}`, `{stop, R, S}`| `otp::stop_with(r, v)`, `otp::stop_with(r)`  |
/// | `..., Timeout}`                      | `.after(timeout)`                            |
/// | `..., {continue, C}}`                | `.then_continue(c)`                          |
///
/// `handle_call` returns `otp::call_result<R>` (or an `R`), every other
/// callback an `otp::result`; each may also be a `task<>` of it.

#include <rill/core/term.hpp>

#include <chrono>
#include <optional>
#include <utility>
#include <variant>

namespace rill::otp {

/// What the server does once a callback has returned and no stop was asked
/// for: run `handle_continue(c)` first, or wait at most `timeout` for the
/// next message (`handle_info(timeout)` when none came), or just wait.
struct next_step {
    std::optional<std::chrono::milliseconds> timeout;
    std::optional<term> continue_with;
};

/// The `.after(t)` and `.then_continue(c)` of every result that keeps the
/// server running.
template <class Derived>
class continues {
public:
    /// OTP's `Timeout` element: `handle_info(timeout)` runs when no message
    /// comes within `timeout`.
    [[nodiscard]] Derived after(std::chrono::milliseconds timeout) && {
        next_.timeout = timeout;
        return std::move(static_cast<Derived&>(*this));
    }

    /// OTP's `{continue, C}`: `handle_continue(c)` runs before the next message.
    [[nodiscard]] Derived then_continue(term c) && {
        next_.continue_with = std::move(c);
        return std::move(static_cast<Derived&>(*this));
    }

    [[nodiscard]] const next_step& next() const noexcept { return next_; }

    [[nodiscard]] next_step& next() noexcept { return next_; }

private:
    next_step next_;
};

/// `{ok, State}`: init succeeded.
class ok_t : public continues<ok_t> {};

/// `ignore`: init asks to be left out (start returns ignore, the process ends normally).
struct ignore_t {};

/// `{noreply, State}`.
class noreply_t : public continues<noreply_t> {};

/// `{reply, Reply, State}`.
template <class V>
class reply_t : public continues<reply_t<V>> {
public:
    explicit reply_t(V reply)
        : value(std::move(reply)) {}

    V value;
};

/// `{stop, Reason, State}`.
struct stop_t {
    term reason;
};

/// `{stop, Reason, Reply, State}`: the reply is sent, then the server stops.
template <class V>
struct stop_reply_t {
    term reason;
    V value;
};

[[nodiscard]] inline ok_t ok() {
    return {};
}

[[nodiscard]] inline ignore_t ignore() {
    return {};
}

[[nodiscard]] inline noreply_t noreply() {
    return {};
}

template <class V>
[[nodiscard]] reply_t<V> reply_with(V value) {
    return reply_t<V>(std::move(value));
}

[[nodiscard]] inline stop_t stop_with(term reason) {
    return {std::move(reason)};
}

template <class V>
[[nodiscard]] stop_reply_t<V> stop_with(term reason, V value) {
    return {std::move(reason), std::move(value)};
}

/// What `init` returns.
class init_result {
public:
    init_result(ok_t ok) // NOLINT(google-explicit-constructor)
        : value_(std::move(ok)) {}

    init_result(ignore_t ignore) // NOLINT(google-explicit-constructor)
        : value_(ignore) {}

    init_result(stop_t stop) // NOLINT(google-explicit-constructor)
        : value_(std::move(stop)) {}

    [[nodiscard]] std::variant<ok_t, ignore_t, stop_t>& get() noexcept { return value_; }

private:
    std::variant<ok_t, ignore_t, stop_t> value_;
};

/// What `handle_cast`, `handle_info` and `handle_continue` return.
class result {
public:
    result(noreply_t noreply) // NOLINT(google-explicit-constructor)
        : value_(std::move(noreply)) {}

    result(stop_t stop) // NOLINT(google-explicit-constructor)
        : value_(std::move(stop)) {}

    [[nodiscard]] std::variant<noreply_t, stop_t>& get() noexcept { return value_; }

private:
    std::variant<noreply_t, stop_t> value_;
};

/// What `handle_call` returns when a plain reply value is not enough.
template <class R>
class call_result {
public:
    using reply_type = R;

    call_result(R value) // NOLINT(google-explicit-constructor)
        : value_(reply_t<R>(std::move(value))) {}
    template <class V>

    requires std::constructible_from<R, V&&>
    call_result(reply_t<V> reply) // NOLINT(google-explicit-constructor)
        : value_(to_reply(std::move(reply))) {}

    call_result(noreply_t noreply) // NOLINT(google-explicit-constructor)
        : value_(std::move(noreply)) {}

    call_result(stop_t stop) // NOLINT(google-explicit-constructor)
        : value_(std::move(stop)) {}
    template <class V>

    requires std::constructible_from<R, V&&>
    call_result(stop_reply_t<V> stop) // NOLINT(google-explicit-constructor)
        : value_(stop_reply_t<R>{std::move(stop.reason), R(std::move(stop.value))}) {}

    [[nodiscard]] std::variant<reply_t<R>, noreply_t, stop_t, stop_reply_t<R>>& get() noexcept {
        return value_;
    }

private:
    template <class V>
    static reply_t<R> to_reply(reply_t<V> reply) {
        reply_t<R> converted(R(std::move(reply.value)));
        converted.next() = std::move(reply.next());
        return converted;
    }

    std::variant<reply_t<R>, noreply_t, stop_t, stop_reply_t<R>> value_;
};

} // namespace rill::otp
