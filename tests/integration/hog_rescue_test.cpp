// A process that computes without suspending holds its worker (a coroutine
// cannot be preempted), but what it stranded behind itself moves: with a
// worker idle, the process it woke and the timers due on its worker run
// while it still computes. Real threads; each test hogs until the event it
// waits for happens (or gives up after a bound), so nothing sleeps.

#include <rill/rill.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>

namespace rill {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

constexpr auto give_up_after = 3s;

task<> raise_flag_on_message(std::atomic<bool>* flag) {
    (void)co_await process::receive_any();
    flag->store(true, std::memory_order_release);
}

/// Computes, never suspending, until `flag` rises or the bound passes;
/// returns how long it computed.
steady::duration hog_until(const std::atomic<bool>& flag) {
    auto start = steady::now();
    while (!flag.load(std::memory_order_acquire) && steady::now() - start < give_up_after) {
    }
    return steady::now() - start;
}

task<> wake_then_hog(std::atomic<bool>* woken_ran, steady::duration* hogged) {
    pid sleeper = process::spawn(raise_flag_on_message, woken_ran);
    // Let the sleeper park in its receive, wherever it runs.
    for (int i = 0; i < 100; ++i) {
        co_await process::yield();
    }
    process::send(sleeper, atom("wake")); // it lands in this worker's next slot
    *hogged = hog_until(*woken_ran);
}

TEST(HogRescue, AProcessWokenByAHogRunsWhileTheHogComputes) {
    runtime rt(runtime_options{.workers = 2, .long_slice_threshold = 0ms});
    std::atomic<bool> woken_ran{false};
    steady::duration hogged{};

    rt.run(wake_then_hog, &woken_ran, &hogged);

    EXPECT_TRUE(woken_ran.load());
    EXPECT_LT(hogged, give_up_after);
}

task<> arm_then_hog(std::atomic<bool>* timer_fired, steady::duration* hogged) {
    pid sleeper = process::spawn(raise_flag_on_message, timer_fired);
    process::send_after(sleeper, atom("tick"), 20ms); // on this worker's wheel
    *hogged = hog_until(*timer_fired);
    co_return;
}

TEST(HogRescue, ATimerDueOnAHoggedWorkerFiresWhileTheHogComputes) {
    runtime rt(runtime_options{.workers = 2, .long_slice_threshold = 0ms});
    std::atomic<bool> timer_fired{false};
    steady::duration hogged{};

    rt.run(arm_then_hog, &timer_fired, &hogged);

    EXPECT_TRUE(timer_fired.load());
    EXPECT_GE(hogged, 20ms); // never early
    EXPECT_LT(hogged, give_up_after);
}

task<> receive_with_timeout(std::atomic<bool>* timed_out) {
    auto got = co_await process::receive_any(20ms);
    timed_out->store(!got.has_value(), std::memory_order_release);
}

task<> timeout_then_hog(std::atomic<bool>* timed_out, steady::duration* hogged) {
    process::spawn(receive_with_timeout, timed_out);
    for (int i = 0; i < 100; ++i) {
        co_await process::yield();
    }
    *hogged = hog_until(*timed_out);
}

TEST(HogRescue, AReceiveTimeoutEndsWhileAHogHoldsTheWorkerItWasArmedOn) {
    runtime rt(runtime_options{.workers = 2, .long_slice_threshold = 0ms});
    std::atomic<bool> timed_out{false};
    steady::duration hogged{};

    rt.run(timeout_then_hog, &timed_out, &hogged);

    EXPECT_TRUE(timed_out.load());
    EXPECT_LT(hogged, give_up_after);
}

} // namespace
} // namespace rill
