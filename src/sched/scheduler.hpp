#pragma once

/// \file
/// The scheduler: N workers, each with a local run queue, a "next" slot and a
/// timer wheel, plus a shared injector and the idle-worker set.
///
/// Threading model (docs/architecture.md has the long form):
/// - A runnable is in exactly one place: running on one worker, in one run
///   queue (a worker's next slot, local ring or the injector), or parked by
///   its owner (a process waiting in its mailbox). Whoever makes it ready
///   calls `schedule` exactly once.
/// - `schedule` from a worker of this scheduler puts the runnable in that
///   worker's next slot (message-passing locality) or local ring; from any
///   other thread it goes to the injector.
/// - Idle workers park on their own condition variable. Lost wake-ups are
///   ruled out Dekker-style: a parking worker first announces itself in
///   `idle_count_` and then re-checks every queue; a pusher first publishes
///   its item and then reads `idle_count_`; both sides put a full fence
///   (`store_load_fence`, sync/fence.hpp, which TSan follows too) between
///   the two steps, so at least one of them sees the other. The parking
///   stress test loses a wake-up within a few hundred rounds when the
///   re-check comes before the announcement.
/// - In deterministic mode there is one worker and no thread: the caller
///   drives `run_until_idle`, runnables wait in one ready list from which a
///   seeded generator picks, and time is virtual.

#include "sched/injector.hpp"
#include "sched/runnable.hpp"
#include "sched/timer_wheel.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace rill::internal {

class worker;

struct scheduler_options {
    unsigned workers = 1;
    bool deterministic = false;
    std::uint64_t seed = 0;
    /// Slices longer than this are reported; zero disables the watchdog.
    std::chrono::milliseconds long_slice_threshold{0};
    /// Called from the watchdog thread with the runnable that holds a
    /// worker too long and how long it has held it so far.
    std::function<void(runnable*, unsigned worker_index, std::chrono::milliseconds)> on_long_slice;
    /// Called on each worker thread when it starts (thread-local setup).
    std::function<void()> on_thread_start;
};

class scheduler {
public:
    explicit scheduler(scheduler_options options);
    ~scheduler();
    scheduler(const scheduler&) = delete;
    scheduler& operator=(const scheduler&) = delete;

    /// Starts the worker threads (not in deterministic mode).
    void start();

    /// Stops and joins the workers; runnables still queued are forgotten
    /// (their owner cleans them up).
    void stop();

    /// Makes `item` runnable. Any thread.
    void schedule(runnable* item);

    /// Like `schedule`, but never into the caller's next slot: the item goes
    /// behind everything already queued (yield, spawn, budget exhausted).
    void schedule_fair(runnable* item);

    /// Moves the calling worker's next-slot runnable behind its queue, where
    /// thieves see it (the running one will hold the worker a while).
    void demote_next();

    /// The worker running on this thread if it belongs to this scheduler.
    [[nodiscard]] worker* current_worker() const noexcept;

    /// Milliseconds since the scheduler started: real or virtual.
    [[nodiscard]] std::uint64_t now_ms() const noexcept;

    /// Nanoseconds since the scheduler started: real or virtual.
    [[nodiscard]] std::uint64_t now_ns() const noexcept;

    /// Items waiting in the injector (a hint).
    [[nodiscard]] std::size_t injected_hint() const noexcept { return injector_.size_hint(); }

    /// The wheel time at which a timer of `delay_ms` armed now may fire
    /// without firing early: on the real clock `now_ms()` is truncated, so
    /// one more millisecond is added; virtual time is exact.
    [[nodiscard]] std::uint64_t deadline_after(std::uint64_t delay_ms) const noexcept {
        return now_ms() + delay_ms + (options_.deterministic ? 0 : 1);
    }

    /// Whole milliseconds left until a deadline made by `deadline_after`
    /// (the extra real-clock millisecond is not counted); 0 when due.
    [[nodiscard]] std::uint64_t remaining_until(std::uint64_t deadline) const noexcept {
        std::uint64_t now = now_ms() + (options_.deterministic ? 0 : 1);
        return deadline > now ? deadline - now : 0;
    }

    /// The latest virtual time: `advance` saturates here (2^62 ms), far
    /// beyond any deadline a finite timeout makes.
    static constexpr std::uint64_t virtual_time_limit = std::uint64_t{1} << 62;

    /// Arms `entry` on the calling worker's wheel, or, from another thread,
    /// through the timer inbox that the next worker to look drains into its
    /// own wheel (such entries are never removed early, only cancelled).
    void add_timer(timer_entry* entry);

    /// Unlinks `entry` if the calling thread is the worker that armed it;
    /// returns false (the entry stays armed) otherwise.
    bool try_remove_timer(timer_entry* entry) noexcept;

    using dispose_function = void (*)(timer_entry* entry) noexcept;

    /// Takes `entry` off the wheel of the worker that armed it and hands it
    /// to `dispose`: at once when called on that worker, otherwise when that
    /// worker next looks at its timers. The caller has made sure that the
    /// entry's fire function leaves it alone from now on (it may still be
    /// fired, unlinked, before the removal is seen). Returns false, doing
    /// nothing, for an entry that was not armed on a worker.
    bool remove_timer_anywhere(timer_entry* entry, dispose_function dispose) noexcept;

    // Deterministic mode, driven by the calling thread.
    /// Runs slices until no runnable is ready; returns how many ran.
    std::size_t run_until_idle();
    /// Moves virtual time forward by `by`, firing due timers, then runs
    /// until idle.
    void advance(std::chrono::milliseconds by);
    /// The earliest armed timer, if any (virtual ms).
    [[nodiscard]] std::optional<std::uint64_t> next_timer_deadline() const noexcept;

    [[nodiscard]] bool deterministic() const noexcept { return options_.deterministic; }

    [[nodiscard]] unsigned worker_count() const noexcept {
        return static_cast<unsigned>(workers_.size());
    }

    worker& worker_at(unsigned index) noexcept { return *workers_[index]; }

    /// Hands every timer entry still armed to `release` (shutdown, after stop).
    void clear_timers(const std::function<void(timer_entry*)>& release);

private:
    friend class worker;

    runnable* pop_injected() { return injector_.pop(); }

    void wake_one_if_idle();
    void wake_one();
    void wake_all();
    void begin_search(worker& w);
    void found_work(worker& w);
    bool has_visible_work(worker& w);
    bool park_prepare(worker& w);
    void park_cancel(worker& w);
    void drain_timer_inbox(worker& w);
    void drain_timer_removals(worker& w) noexcept;
    /// Puts the timers `w`'s owner armed while the watchdog held the wheel
    /// on the wheel. By whoever holds `w`'s wheel (owner or watchdog).
    void drain_timer_arrivals(worker& w) noexcept;
    void schedule_deterministic(runnable* item);
    void take_foreign_ready();
    void require_driver(const char* operation) const;
    void watchdog_loop();
    void doze_while_all_parked(std::unique_lock<std::mutex>& lock);
    void wake_watchdog();

    // How long a slice may hold its worker before the watchdog moves the
    // next-slot process and the due timers stuck behind it (worker::rescue).
    static constexpr std::chrono::milliseconds rescue_after{5};

    scheduler_options options_;
    std::vector<std::unique_ptr<worker>> workers_;
    std::vector<std::thread> threads_;
    std::thread watchdog_;
    injector injector_;
    std::chrono::steady_clock::time_point started_;

    // Set once by `stop`; workers read it at the top of each loop.
    std::atomic<bool> stopping_{false};

    // Idle workers. `idle_count_` mirrors idle_.size(): incremented (seq_cst)
    // under idle_mutex_ before the parking worker's fence and re-check of the
    // queues; read relaxed by pushers after their own seq_cst fence — the
    // two fences order the pair (see the protocol above).
    std::mutex idle_mutex_;
    std::vector<worker*> idle_;
    std::atomic<std::uint32_t> idle_count_{0};
    // Workers spinning or woken and looking for work. While one is, pushers do not wake
    // another: a searcher re-checks every queue after its own fence before
    // it parks, and the last searcher to find work wakes the next idle one.
    std::atomic<std::uint32_t> searching_count_{0};

    // Timers armed from threads that are not workers; drained by workers.
    std::mutex timer_inbox_mutex_;
    std::vector<timer_entry*> timer_inbox_;
    // Relaxed hint that the inbox is non-empty; the mutex orders the entries.
    std::atomic<bool> timer_inbox_nonempty_{false};

    std::mutex watchdog_mutex_;
    std::condition_variable watchdog_cv_;
    // The watchdog sleeps without a deadline because every worker is parked
    // (nothing can hog). Set under idle_mutex_ by the watchdog (which holds
    // watchdog_mutex_ too), cleared under idle_mutex_ by whoever takes a
    // worker off the idle list; relaxed, as the mutexes order it.
    std::atomic<bool> watchdog_dozing_{false};

    // Deterministic mode: runnables made ready by threads other than the
    // driving one (a test's helper thread calling runtime::send), moved into
    // ready_ by the next drive. Guarded by foreign_mutex_.
    std::mutex foreign_mutex_;
    std::vector<runnable*> foreign_ready_;
    // Relaxed hint that foreign_ready_ is non-empty; the mutex orders the entries.
    std::atomic<bool> foreign_pending_{false};
    // The thread that made the scheduler: the only one that may drive a
    // deterministic one. Written once, before any other thread can see it.
    std::thread::id driver_ = std::this_thread::get_id();

    // Deterministic mode state (driving thread only).
    std::vector<runnable*> ready_;
    std::uint64_t rng_state_ = 0;
    std::uint64_t virtual_now_ = 0;
};

} // namespace rill::internal
