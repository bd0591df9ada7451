#pragma once

/// \file
/// One scheduler thread: a local ring, a "next" slot, a timer wheel.
///
/// Ownership: `next_`, `queue_` (owner end), `wheel_`, `tick_` and `rng_` are
/// touched only by the worker's thread; thieves touch `queue_` through
/// `steal_into`. `running_` and `slice_count_` are published for the
/// watchdog. The current-worker thread-local is set for the lifetime of the
/// thread (or, in deterministic mode, for the duration of a drive call).

#include "sched/local_queue.hpp"
#include "sched/runnable.hpp"
#include "sched/timer_wheel.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <utility>
#include <vector>

namespace rill::internal {

class scheduler;

class worker {
public:
    worker(scheduler& owner, unsigned index);

    /// Thread body: runs slices until the scheduler stops.
    void run_loop();

    /// Owner thread: makes `item` the next to run (message locality).
    void push_next(runnable* item);
    /// Owner thread: queues `item` behind everything queued.
    void push_back(runnable* item);

    [[nodiscard]] unsigned index() const noexcept { return index_; }

    [[nodiscard]] scheduler& owner() const noexcept { return owner_; }

    timer_wheel& wheel() noexcept { return wheel_; }

    /// Runs one slice of `item` with watchdog bookkeeping.
    void run_slice(runnable* item) noexcept;

    /// The worker of the calling thread, if any (any scheduler).
    static worker* current() noexcept { return current_; }

    static void set_current(worker* w) noexcept;

    // Watchdog view.
    [[nodiscard]] runnable* running() const noexcept {
        // Acquire: pairs with the release store in run_slice, so the
        // watchdog sees the runnable as initialised before it ran.
        return running_.load(std::memory_order_acquire);
    }

    [[nodiscard]] std::uint64_t slice_count() const noexcept {
        return slice_count_.load(std::memory_order_relaxed);
    }

    void fire_due_timers();

private:
    friend class scheduler;

    // The worker of this thread. Constant-initialised and trivially
    // destructible, so every access is a plain TLS load.
    static constinit inline thread_local worker* current_ = nullptr;

    runnable* find_work();
    runnable* steal();
    runnable* take_injected();
    runnable* spin_for_work();
    void park();
    void unpark();

    scheduler& owner_;
    unsigned index_;
    local_queue queue_;
    runnable* next_ = nullptr;
    unsigned next_streak_ = 0;
    std::uint32_t tick_ = 0;
    std::uint64_t rng_;
    timer_wheel wheel_;

    // Parking: `notified_` is guarded by park_mutex_.
    std::mutex park_mutex_;
    std::condition_variable park_cv_;
    bool notified_ = false;
    bool idle_ = false;      // listed in the scheduler's idle set (idle_mutex_)
    bool searching_ = false; // spinning or woken to look for work; owner thread only

    // Timers of this wheel that other threads asked to remove (see
    // scheduler::remove_timer_anywhere), guarded by removals_mutex_.
    std::mutex removals_mutex_;
    std::vector<std::pair<timer_entry*, void (*)(timer_entry*) noexcept>> removals_;
    // Relaxed hint that removals_ is non-empty, so the owner looks under
    // the mutex only when there is something; the mutex orders the entries.
    std::atomic<bool> removals_pending_{false};

    // What this worker runs right now, for the watchdog only. Stored with
    // release, loaded with acquire: the watchdog reads the runnable's
    // identity (set before it was scheduled); its memory is stable.
    std::atomic<runnable*> running_{nullptr};
    // Slices started so far; the watchdog sees a slice that outlives two of
    // its samples as long. Relaxed for the same reason.
    std::atomic<std::uint64_t> slice_count_{0};
};

} // namespace rill::internal
