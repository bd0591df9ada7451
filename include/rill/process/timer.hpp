#pragma once

/// \file
/// Time inside a process: `sleep`, `yield`, `send_after`, `cancel_timer`, `now`.
/// Timers run on the worker that armed them (one wheel per worker) and, in
/// deterministic mode, on the virtual clock.

#include <rill/core/pid.hpp>
#include <rill/core/reference.hpp>
#include <rill/detail/mailbox_node.hpp>
#include <rill/detail/process_entry.hpp>
#include <rill/detail/timeout.hpp>

#include <chrono>
#include <coroutine>
#include <optional>
#include <utility>

namespace rill {

namespace detail {

class sleep_awaiter {
public:
    using rill_awaitable_tag = void;

    explicit sleep_awaiter(std::int64_t milliseconds) noexcept { wait_.timeout_ms = milliseconds; }

    bool await_ready() { return receive_ready(wait_); }

    void await_suspend(std::coroutine_handle<> resume_point) noexcept {
        receive_suspend(wait_, resume_point);
    }

    static void await_resume() noexcept {}

private:
    receive_wait wait_; // matches nothing: only the timer ends it
};

struct yield_awaiter {
    using rill_awaitable_tag = void;

    static bool await_ready() {
        current_runtime("process::yield"); // throws outside a process
        return false;
    }

    static void await_suspend(std::coroutine_handle<> resume_point) noexcept {
        yield_suspend(resume_point);
    }

    static void await_resume() noexcept {}
};

} // namespace detail

namespace process {

/// Suspends the calling process for at least `duration`; messages keep
/// arriving and stay queued. Exit signals still end a sleeping process.
/// A duration too long for any clock (`seconds::max()`) sleeps forever;
/// NaN throws `badarg`.
template <class Rep, class Period>
[[nodiscard]] auto sleep(std::chrono::duration<Rep, Period> duration) {
    return detail::sleep_awaiter(detail::timeout_milliseconds(duration, "process::sleep"));
}

/// Lets every other ready process run before the caller continues.
[[nodiscard]] inline detail::yield_awaiter yield() noexcept {
    return {};
}

/// Sends `msg` to `to` after `delay`; returns the timer's reference for
/// `cancel_timer`. A dead receiver at expiry drops the message. A delay of
/// `detail::infinite_timeout_ms` or more (`hours::max()`) never fires: the
/// message is dropped at once and the reference names no timer.
template <class T, class Rep, class Period>
reference send_after(const pid& to, T&& msg, std::chrono::duration<Rep, Period> delay) {
    auto& runtime = detail::current_runtime("process::send_after");
    std::int64_t delay_ms = detail::timeout_milliseconds(delay, "process::send_after");
    return detail::send_after_node(
        runtime, to, detail::make_message_node(std::forward<T>(msg)), delay_ms);
}

/// Cancels a `send_after` timer: the time that was left, or nothing when
/// the timer already fired, was cancelled, or never existed.
inline std::optional<std::chrono::milliseconds> cancel_timer(const reference& timer) {
    auto left = detail::cancel_timer(detail::current_runtime("process::cancel_timer"), timer);
    if (left < 0) {
        return std::nullopt;
    }
    return std::chrono::milliseconds(left);
}

/// Milliseconds since the runtime started, on the clock its timers use
/// (virtual in deterministic mode): what a process measures intervals
/// with, as Erlang's `erlang:monotonic_time(millisecond)`.
[[nodiscard]] inline std::chrono::milliseconds now() {
    return std::chrono::milliseconds(
        detail::runtime_now_ms(detail::current_runtime("process::now")));
}

} // namespace process
} // namespace rill
