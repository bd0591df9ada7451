// The hog-rescue handshake (worker.hpp, sync/asymmetric_barrier.hpp) under
// load: one thread plays a worker that fills its next slot and arms timers
// as fast as it can, another plays the watchdog and rescues it without
// pause. Every runnable must run exactly once and every timer fire exactly
// once; under the thread sanitizer the two sides must never touch the slot
// or the wheel at the same time (the timers' counters are plain ints).

#include "sched/scheduler.hpp"
#include "sched/worker.hpp"
#include "sync/asymmetric_barrier.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

namespace rill::internal {
namespace {

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr int items = 20'000;
#else
constexpr int items = 200'000;
#endif
constexpr int timer_every = 4;

struct completion {
    std::mutex mutex;
    std::condition_variable changed;
    int done = 0;

    void one_more() {
        std::lock_guard lock(mutex); // notifies under it: see parking_stress_test
        ++done;
        changed.notify_all();
    }

    bool wait_for(int count) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, std::chrono::seconds(60), [&] { return done >= count; });
    }
};

completion* finished = nullptr; // what the run and fire functions report to

struct counted_runnable : runnable {
    counted_runnable()
        : runnable(&run_once) {}

    static void run_once(runnable* self, worker& /*on*/) noexcept {
        ++static_cast<counted_runnable*>(self)->runs;
        finished->one_more();
    }

    std::atomic<int> runs{0};
};

struct counted_timer : timer_entry {
    counted_timer()
        : timer_entry(&fire_once) {}

    static void fire_once(timer_entry* self) noexcept {
        // Plain: whoever fires holds the wheel alone, or TSan says so.
        ++static_cast<counted_timer*>(self)->fired;
        finished->one_more();
    }

    int fired = 0;
};

TEST(RescueHandshake, EveryRunnableRunsOnceAndEveryTimerFiresOnceWhileTheWatchdogRescues) {
    if (!heavy_barrier()) {
        GTEST_SKIP() << "no membarrier: the watchdog never rescues here";
    }
    completion done;
    finished = &done;
    scheduler sched(scheduler_options{.workers = 2}); // one worker is never rescued
    worker& w = sched.worker_at(0);
    std::vector<counted_runnable> runnables(items);
    std::vector<counted_timer> timers(items / timer_every);

    std::atomic<bool> owner_done{false};
    // Rescues so far; relaxed: the owner only waits for the first one.
    std::atomic<std::uint64_t> rescues{0};
    std::thread owner([&] {
        worker::set_current(&w);
        for (int i = 0; i < items; ++i) {
            w.push_next(&runnables[static_cast<std::size_t>(i)]);
            if (i % timer_every == 0) {
                sched.add_timer(&timers[static_cast<std::size_t>(i / timer_every)]); // due at once
                w.fire_due_timers();
            }
        }
        // At least one rescue overlaps the owner's turn, however the
        // threads were scheduled.
        while (rescues.load(std::memory_order_relaxed) == 0) {
            std::this_thread::yield();
        }
        worker::set_current(nullptr);
        owner_done.store(true, std::memory_order_release);
    });
    std::thread watchdog([&] {
        while (!owner_done.load(std::memory_order_acquire)) {
            w.rescue();
            rescues.fetch_add(1, std::memory_order_relaxed);
        }
    });
    owner.join();
    watchdog.join();

    // The worker's own thread runs what is left in its slot, its ring, the
    // injector and its wheel.
    sched.start();
    ASSERT_TRUE(done.wait_for(items + items / timer_every)) << "lost: " << done.done;
    sched.stop();

    for (const counted_runnable& r : runnables) {
        ASSERT_EQ(r.runs.load(), 1);
    }
    for (const counted_timer& t : timers) {
        ASSERT_EQ(t.fired, 1);
    }
    EXPECT_GT(rescues.load(), 0U);
    finished = nullptr;
}

} // namespace
} // namespace rill::internal
