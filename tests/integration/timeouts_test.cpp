// Timeouts at the edges of the clock, and what timers keep alive: huge and
// NaN durations, the deterministic clock's bounds, and the memory of
// cancelled timers and of timers whose process has exited.

#include <rill/testing.hpp>

#include "process/runtime_core.hpp"
#include "sched/scheduler.hpp"
#include "sched/worker.hpp"
#include "support/deterministic.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

namespace rill {
namespace {

using namespace std::chrono_literals;
using testing::deterministic_options;

using years = std::chrono::duration<std::int64_t, std::ratio<31'556'952>>;

TEST(TimeoutMilliseconds, RoundsUpToWholeMilliseconds) {
    EXPECT_EQ(detail::timeout_milliseconds(1ns), 1);
    EXPECT_EQ(detail::timeout_milliseconds(1000us), 1);
    EXPECT_EQ(detail::timeout_milliseconds(1001us), 2);
    EXPECT_EQ(detail::timeout_milliseconds(std::chrono::duration<double, std::milli>(1.5)), 2);
    EXPECT_EQ(detail::timeout_milliseconds(2s), 2000);
}

TEST(TimeoutMilliseconds, ZeroAndNegativeDurationsAreZero) {
    EXPECT_EQ(detail::timeout_milliseconds(0ms), 0);
    EXPECT_EQ(detail::timeout_milliseconds(-5s), 0);
    EXPECT_EQ(detail::timeout_milliseconds(std::chrono::seconds::min()), 0);
    EXPECT_EQ(detail::timeout_milliseconds(
                  std::chrono::duration<double>(-std::numeric_limits<double>::infinity())),
              0);
}

TEST(TimeoutMilliseconds, DurationsBeyondTheClockAreInfiniteNotZero) {
    EXPECT_EQ(detail::timeout_milliseconds(std::chrono::seconds::max()), detail::wait_forever);
    EXPECT_EQ(detail::timeout_milliseconds(std::chrono::hours::max()), detail::wait_forever);
    EXPECT_EQ(detail::timeout_milliseconds(std::chrono::milliseconds::max()), detail::wait_forever);
    EXPECT_EQ(detail::timeout_milliseconds(std::chrono::nanoseconds::max()),
              9'223'372'036'855); // 2^63 ns is 292 years: finite
    EXPECT_EQ(detail::timeout_milliseconds(years(300'000'000)), detail::wait_forever);
    EXPECT_EQ(detail::timeout_milliseconds(std::chrono::duration<double>(1e300)),
              detail::wait_forever);
    EXPECT_EQ(detail::timeout_milliseconds(
                  std::chrono::duration<double>(std::numeric_limits<double>::infinity())),
              detail::wait_forever);
}

TEST(TimeoutMilliseconds, NanIsRejectedWithBadarg) {
    auto nan = std::chrono::duration<double>(std::numeric_limits<double>::quiet_NaN());

    EXPECT_THROW(detail::timeout_milliseconds(nan), badarg);
}

task<> receive_with(std::chrono::seconds timeout, std::optional<dyn_message>* out, bool* done) {
    *out = co_await process::receive_any(timeout);
    *done = true;
}

TEST(Timeouts, AReceiveWithSecondsMaxWaitsForTheMessage) {
    runtime rt(deterministic_options());
    std::optional<dyn_message> got;
    bool done = false;
    pid p = rt.spawn(receive_with, std::chrono::seconds::max(), &got, &done);
    rt.run_until_idle();

    rt.advance(24h * 365);
    EXPECT_FALSE(done);
    rt.send(p, atom("late"));
    rt.run_until_idle();

    ASSERT_TRUE(done);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(std::get<term>(*got), term(atom("late")));
}

task<> sleep_then_flag(std::chrono::hours duration, bool* woke) {
    co_await process::sleep(duration);
    *woke = true;
}

TEST(Timeouts, ASleepOfHoursMaxNeverReturns) {
    runtime rt(deterministic_options());
    bool woke = false;
    pid p = rt.spawn(sleep_then_flag, std::chrono::hours::max(), &woke);
    rt.run_until_idle();

    rt.advance(24h * 365 * 1000);

    EXPECT_FALSE(woke);
    EXPECT_TRUE(rt.is_alive(p));
}

task<> nan_sleeper(term* reason_out) {
    try {
        co_await process::sleep(
            std::chrono::duration<double>(std::numeric_limits<double>::quiet_NaN()));
        *reason_out = term(atom("slept"));
    } catch (const badarg&) {
        *reason_out = term(atoms::badarg);
    }
}

TEST(Timeouts, ASleepOfNanThrowsBadarg) {
    runtime rt(deterministic_options());
    term reason;

    rt.spawn(nan_sleeper, &reason);
    rt.run_until_idle();

    EXPECT_EQ(reason, term(atoms::badarg));
}

task<> send_after_forever(pid to, std::optional<std::chrono::milliseconds>* cancelled) {
    reference timer = process::send_after(to, atom("never"), std::chrono::hours::max());
    *cancelled = process::cancel_timer(timer);
    co_return;
}

TEST(Timeouts, SendAfterOfHoursMaxNeverDelivers) {
    runtime rt(deterministic_options());
    std::vector<term> got;
    std::optional<std::chrono::milliseconds> cancelled{1ms};
    pid collector = rt.spawn(testing::collect_all, &got);

    rt.spawn(send_after_forever, collector, &cancelled);
    rt.run_until_idle();
    rt.advance(24h * 365 * 1000);

    EXPECT_TRUE(got.empty());
    EXPECT_FALSE(cancelled.has_value()); // no timer was armed
}

task<> wait_forever_root() {
    (void)co_await process::receive_any(std::chrono::milliseconds::max());
}

TEST(Timeouts, AnInfiniteWaitOfTheDeterministicRootIsReportedAtOnce) {
    runtime rt(deterministic_options());

    EXPECT_THROW(rt.run(wait_forever_root), deterministic_error);
}

TEST(VirtualClock, RejectsANegativeAdvance) {
    runtime rt(deterministic_options());
    rt.advance(100ms);

    EXPECT_THROW(rt.advance(-50ms), badarg);
    EXPECT_EQ(rt.now(), 100ms);
}

TEST(VirtualClock, SaturatesInsteadOfWrapping) {
    runtime rt(deterministic_options());

    rt.advance(std::chrono::milliseconds::max());
    auto saturated = rt.now();
    rt.advance(10ms);

    EXPECT_GT(saturated, 0ms);
    EXPECT_EQ(rt.now(), saturated);
}

task<> arm_and_read_back(std::chrono::milliseconds delay, std::int64_t* left_ms) {
    reference timer = process::send_after(process::self(), atom("tick"), delay);
    auto left = process::cancel_timer(timer);
    *left_ms = left ? left->count() : -1;
    co_return;
}

TEST(Timers, CancelReportsNoMoreThanTheDelayOnTheRealClock) {
    runtime rt(runtime_options{.workers = 1});
    std::int64_t left_ms = 0;

    rt.run(arm_and_read_back, std::chrono::milliseconds(1h), &left_ms);

    EXPECT_LE(left_ms, 3'600'000);
    EXPECT_GE(left_ms, 3'590'000);
}

/// A payload that counts its live instances, standing for a big message.
struct counted_payload {
    explicit counted_payload(int* live)
        : live_(live) {
        ++*live_;
    }

    counted_payload(counted_payload&& other) noexcept
        : live_(std::exchange(other.live_, nullptr)) {}

    counted_payload(const counted_payload&) = delete;
    counted_payload& operator=(const counted_payload&) = delete;
    counted_payload& operator=(counted_payload&&) = delete;

    ~counted_payload() {
        if (live_ != nullptr) {
            --*live_;
        }
    }

    int* live_;
};

std::size_t armed_timers(runtime& rt) {
    return rt.scheduler_statistics().workers.at(0).armed_timers;
}

task<> arm_and_cancel(int count, int* live, int* cancelled) {
    std::vector<reference> timers;
    for (int i = 0; i < count; ++i) {
        timers.push_back(process::send_after(process::self(), counted_payload(live), 1h));
    }
    for (const reference& timer : timers) {
        *cancelled += process::cancel_timer(timer).has_value() ? 1 : 0;
    }
    (void)co_await process::receive_any();
}

TEST(Timers, CancelTimerFreesTheMessageAndTheTimerAtOnce) {
    runtime rt(deterministic_options());
    int live = 0;
    int cancelled = 0;

    rt.spawn(arm_and_cancel, 5000, &live, &cancelled);
    rt.run_until_idle();

    EXPECT_EQ(cancelled, 5000);
    EXPECT_EQ(live, 0);
    EXPECT_EQ(armed_timers(rt), 0U);
}

task<> arm_then_exit(int* live) {
    process::send_after(process::self(), counted_payload(live), 1h);
    co_return;
}

TEST(Timers, ATimerToAProcessIsFreedWhenThatProcessExits) {
    runtime rt(deterministic_options());
    int live = 0;

    for (int i = 0; i < 5000; ++i) {
        rt.spawn(arm_then_exit, &live);
    }
    rt.run_until_idle();

    EXPECT_EQ(live, 0);
    EXPECT_EQ(armed_timers(rt), 0U);
}

task<> arm_for(pid target, int* live) {
    process::send_after(target, counted_payload(live), 1h);
    co_return;
}

TEST(Timers, ATimerToADeadProcessKeepsNothing) {
    runtime rt(deterministic_options());
    int live = 0;
    pid dead = rt.spawn(test::returns_at_once);
    rt.run_until_idle();

    rt.spawn(arm_for, dead, &live);
    rt.run_until_idle();

    EXPECT_EQ(live, 0);
    EXPECT_EQ(armed_timers(rt), 0U);
}

task<> keep_alive(int rounds, int* live, std::size_t* most_armed, runtime* rt) {
    reference timer = process::send_after(process::self(), counted_payload(live), 30s);
    for (int i = 0; i < rounds; ++i) {
        process::cancel_timer(timer);
        timer = process::send_after(process::self(), counted_payload(live), 30s);
        *most_armed = std::max(*most_armed, armed_timers(*rt));
    }
    co_return;
}

TEST(Timers, CancellingAndRearmingAKeepAliveTimerKeepsOneTimer) {
    runtime rt(deterministic_options());
    int live = 0;
    std::size_t most_armed = 0;

    rt.spawn(keep_alive, 200'000, &live, &most_armed, &rt);
    rt.run_until_idle();

    EXPECT_EQ(most_armed, 1U);
    EXPECT_EQ(live, 0); // the process exited: its last timer went with it
}

TEST(ProcessClock, NowReadsTheRuntimesClock) {
    runtime rt(deterministic_options());
    std::vector<std::chrono::milliseconds> seen;
    const pid reader = rt.spawn(
        +[](std::vector<std::chrono::milliseconds>* out) -> task<> {
            for (;;) {
                (void)co_await process::receive_any();
                out->push_back(process::now());
            }
        },
        &seen);
    rt.advance(30ms);
    rt.send(reader, 1);
    rt.run_until_idle();
    rt.advance(1200ms);
    rt.send(reader, 2);
    rt.run_until_idle();

    EXPECT_EQ(seen, (std::vector<std::chrono::milliseconds>{30ms, 1230ms}));
    EXPECT_EQ(rt.now(), 1230ms);
}

} // namespace
} // namespace rill
