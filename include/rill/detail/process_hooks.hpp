#pragma once

/// \file
/// The non-template entry points that rill's public templates call (spawn,
/// send, receive awaiters, timers). Not part of the API; the definitions
/// live in src/process and src/runtime.

#include <rill/core/pid.hpp>
#include <rill/core/reference.hpp>
#include <rill/core/term.hpp>
#include <rill/detail/mailbox_node.hpp>
#include <rill/process/task.hpp>

#include <chrono>
#include <cmath>
#include <coroutine>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <vector>

namespace rill::detail {

class runtime_core;

/// The runtime of the calling process; asserts (with a message) when the
/// caller is not a rill process. `operation` names the API function.
runtime_core& current_runtime(const char* operation);

/// The calling process's pid; asserts outside a process.
pid current_pid(const char* operation);

/// Makes a process of `body` and queues it; any thread.
pid spawn_body(runtime_core& runtime, task<> body);

/// Like `spawn_body`, from a process, linking the child to the caller
/// and/or making the caller monitor it before the child can run (atomic,
/// S36, S65). `monitor_ref` receives the monitor's reference.
pid spawn_related(runtime_core& runtime, task<> body, bool link, reference* monitor_ref);

/// Delivers `node` to `to` (taking ownership); drops it when `to` is dead.
void send_node(runtime_core& runtime, const pid& to, mailbox_node* node);

/// Sends `node` to the process registered as `name` on `node_name`: this
/// node's registry now (dropped when nobody holds the name, S16), or the
/// remote route for another node. Any thread.
void send_to_name(runtime_core& runtime, atom name, atom node_name, mailbox_node* node);

/// `send_node` from the calling process (one lookup of the current
/// process); throws not_in_process naming `operation` outside a process.
void send_from_current(const char* operation, const pid& to, mailbox_node* node);

/// A receive in progress; lives in the awaiter, inside the coroutine frame.
struct receive_wait {
    using match_function = bool (*)(const mailbox_node* node, const void* context) noexcept;

    match_function match = nullptr; ///< nullptr matches nothing (sleep)
    const void* context = nullptr;
    std::int64_t timeout_ms = -1;  ///< negative: wait forever
    std::uint64_t deadline_ms = 0; ///< on the runtime clock, set when the wait starts
    mailbox_node* matched = nullptr;
    /// When set, only messages sent after this reference was made can match
    /// (a reply to it): the scan may skip everything queued before.
    const reference* reply_to = nullptr;
    bool timed_out = false;
};

/// `await_ready` of every receive: true when the wait completed without
/// suspending (a match, or a zero timeout).
bool receive_ready(receive_wait& wait);

/// `await_suspend` of every receive: parks the process until the wait
/// completes; it resumes on whatever worker runs it next.
void receive_suspend(receive_wait& wait, std::coroutine_handle<> resume_point) noexcept;

/// `await_suspend` of `yield()`: requeues the process behind the others.
void yield_suspend(std::coroutine_handle<> resume_point) noexcept;

reference make_reference(runtime_core& runtime);

/// Sends an exit signal (Erlang's exit/2) from the calling process.
void send_exit(runtime_core& runtime, const pid& to, term reason);

/// Sets the calling process's trap_exit flag; returns the previous value.
bool set_trap_exit(bool trap);

void link(runtime_core& runtime, const pid& to);
void unlink(runtime_core& runtime, const pid& from);
reference monitor_pid(runtime_core& runtime, const pid& target);
reference monitor_name(runtime_core& runtime, atom name, atom node);
bool demonitor(runtime_core& runtime, const reference& ref, bool flush, bool info);

void register_name(runtime_core& runtime, const pid& p, atom name);
void unregister(runtime_core& runtime, atom name);
std::optional<pid> whereis(runtime_core& runtime, atom name);
std::vector<atom> registered(runtime_core& runtime);
/// Resolves a registered name for a send; throws badarg when unregistered.
pid whereis_or_badarg(runtime_core& runtime, atom name);

/// Whether `p` is alive as seen by the calling process: false once the
/// caller has sent it an untrappable kill.
bool is_alive(runtime_core& runtime, const pid& p);

/// Arms a timer that sends `node` to `to` after `delay_ms`; a delay of
/// `wait_forever` never delivers, so the node is freed at once.
reference
send_after_node(runtime_core& runtime, const pid& to, mailbox_node* node, std::int64_t delay_ms);

/// Cancels a `send_after` timer; the remaining milliseconds, or -1 when it
/// already fired or never existed.
std::int64_t cancel_timer(runtime_core& runtime, const reference& timer);

/// Timeouts of this many milliseconds (2^52 ms, about 142,000 years) or
/// more wait forever, as Erlang's `infinity`: no timer is armed for them.
/// The bound keeps every deadline (`now + timeout`) far from overflow.
inline constexpr std::int64_t infinite_timeout_ms = std::int64_t{1} << 52;

/// What `timeout_milliseconds` returns for an infinite timeout.
inline constexpr std::int64_t wait_forever = -1;

[[noreturn]] void throw_nan_timeout(const char* operation);

/// A timeout in whole milliseconds, rounded up (a timer never fires early):
/// 0 for zero and negative durations, `wait_forever` for durations of
/// `infinite_timeout_ms` or more (`hours::max()`, a double of 1e300 or
/// infinity). Throws `badarg` for a NaN duration. Never overflows: the
/// comparison is made in `long double` milliseconds before any integer
/// conversion.
template <class Rep, class Period>
std::int64_t timeout_milliseconds(std::chrono::duration<Rep, Period> timeout,
                                  const char* operation = "a timeout") {
    if constexpr (std::is_floating_point_v<Rep>) {
        if (std::isnan(timeout.count())) {
            throw_nan_timeout(operation);
        }
    }
    const long double ms =
        std::chrono::duration<long double, std::milli>(
            std::chrono::duration<long double, Period>(static_cast<long double>(timeout.count())))
            .count();
    if (!(ms > 0)) {
        return 0;
    }
    if (ms >= static_cast<long double>(infinite_timeout_ms)) {
        return wait_forever;
    }
    if constexpr (std::is_floating_point_v<Rep>) {
        return static_cast<std::int64_t>(std::ceil(ms));
    } else {
        // In range, so the exact integer rounding cannot overflow either.
        return static_cast<std::int64_t>(
            std::chrono::ceil<std::chrono::milliseconds>(timeout).count());
    }
}

} // namespace rill::detail
