#pragma once

/// \file
/// One scheduler thread: a local ring, a "next" slot, a timer wheel.
///
/// Ownership: `queue_` (owner end), `tick_` and `rng_` are touched only by
/// the worker's thread; thieves touch `queue_` through `steal_into`.
/// `running_` and `slice_count_` are published for the watchdog, the
/// statistics counters (`counters`) for any reader. The
/// current-worker thread-local is set for the lifetime of the thread (or, in
/// deterministic mode, for the duration of a drive call).
///
/// The next slot and the timer wheel belong to the owner too, except while
/// the watchdog rescues a worker stuck in one long slice (a coroutine that
/// computes without suspending cannot be preempted): it then takes the
/// process waiting in the next slot and fires the due timers, so neither
/// waits for the hog. The two sides exclude each other with an asymmetric
/// Dekker handshake (sync/asymmetric_barrier.hpp), free for the owner:
///   owner:   in_section_ = true; light barrier; if rescuer_active_: back off
///   rescuer: rescuer_active_ = true; heavy barrier; if in_section_: back off
/// At most one of them proceeds. An owner that backs off leaves the slot
/// and the wheel alone (a wake goes to the local queue, a timer to the
/// scheduler's timer inbox); a rescuer that backs off tries again at its
/// next sample.

#include "sched/local_queue.hpp"
#include "sched/runnable.hpp"
#include "sched/timer_wheel.hpp"
#include "sync/asymmetric_barrier.hpp"

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
    /// `rescuable`: whether the watchdog may rescue this worker; when not,
    /// the owner's sections cost nothing.
    worker(scheduler& owner, unsigned index, bool rescuable);

    /// Thread body: runs slices until the scheduler stops.
    void run_loop();

    /// Owner thread: makes `item` the next to run (message locality).
    void push_next(runnable* item);

    enum class section_entry : std::uint8_t {
        refused, ///< the watchdog holds the slot and the wheel
        entered, ///< this section holds them until it ends
        nested,  ///< an enclosing section holds them
    };

    /// Owner thread: the section in which the owner touches its next slot
    /// and its wheel. Converts to false when the watchdog holds them; then
    /// the owner must touch neither. Sections nest.
    class own_section {
    public:
        explicit own_section(worker& w) noexcept
            : worker_(w)
            , entry_(w.enter_section()) {}

        own_section(const own_section&) = delete;
        own_section& operator=(const own_section&) = delete;

        ~own_section() {
            if (entry_ == section_entry::entered) {
                worker_.leave_section();
            }
        }

        explicit operator bool() const noexcept { return entry_ != section_entry::refused; }

    private:
        worker& worker_;
        section_entry entry_;
    };

    /// Watchdog thread: takes the next-slot runnable of this worker, which
    /// has been in one slice for too long, into the injector, and fires its
    /// due timers. Does nothing when the owner is in its section.
    void rescue() noexcept;
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

    /// What the worker has done so far, read from any thread; each figure
    /// is its own relaxed load, so a snapshot is not one instant.
    struct counters {
        std::uint64_t slices = 0;
        std::uint64_t steals = 0;           ///< runnables taken from other workers
        std::uint64_t parks = 0;            ///< times it slept for lack of work
        std::uint64_t parked_ns = 0;        ///< time asleep, the current sleep included
        std::uint32_t run_queue_length = 0; ///< local ring plus the next slot
        std::size_t armed_timers = 0;
        std::uint64_t messages_sent = 0; ///< by processes while running here
    };

    [[nodiscard]] counters read_counters(std::uint64_t now_ns) const noexcept;

    /// Owner thread: a process running here sent a message.
    void count_message_sent() noexcept {
        messages_sent_.store(messages_sent_.load(std::memory_order_relaxed) + 1,
                             std::memory_order_relaxed);
    }

    /// Owner thread: the scheduler's clock as of this worker's last look
    /// (at most a fairness interval of slices old, or the end of its last
    /// sleep); what processes stamp message arrivals with.
    [[nodiscard]] std::uint64_t clock_ms() const noexcept { return clock_ms_; }

    /// Owner thread (or the deterministic driver): reads the clock anew.
    void refresh_clock() noexcept;

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

    section_entry enter_section() noexcept {
        // Relaxed: only the owner stores in_section_, so it reads back its
        // own last value: true inside an enclosing section. Without a
        // rescuer every section is as good as nested in a permanent one.
        if (!rescuable_ || in_section_.load(std::memory_order_relaxed)) {
            return section_entry::nested;
        }
        // Relaxed store and acquire load, ordered by the light barrier for
        // the rescuer's heavy one (see the file comment). Acquire: a
        // rescuer that has finished (stored false with release) handed its
        // changes to the slot and the wheel back with it.
        in_section_.store(true, std::memory_order_relaxed);
        light_barrier();
        if (rescuer_active_.load(std::memory_order_acquire)) {
            in_section_.store(false, std::memory_order_relaxed);
            return section_entry::refused;
        }
        return section_entry::entered;
    }

    void leave_section() noexcept {
        // Release: a rescuer that reads false next sees this section's
        // changes to the slot and the wheel.
        in_section_.store(false, std::memory_order_release);
    }

    [[nodiscard]] runnable* take_next() noexcept { return next_.exchange_relaxed(nullptr); }

    scheduler& owner_;
    unsigned index_;
    bool rescuable_; // see the constructor
    local_queue queue_;

    // The next slot. Atomic only because the rescuer may take it; every
    // access is inside the owner's section or the rescuer's, which exclude
    // each other, so relaxed loads and stores suffice (no read-modify-write).
    struct next_slot {
        std::atomic<runnable*> item{nullptr};

        [[nodiscard]] runnable* get() const noexcept {
            return item.load(std::memory_order_relaxed);
        }

        void set(runnable* r) noexcept { item.store(r, std::memory_order_relaxed); }

        runnable* exchange_relaxed(runnable* r) noexcept {
            runnable* old = get();
            set(r);
            return old;
        }
    } next_;

    // The owner is in its section (see the file comment); owner writes,
    // rescuer reads. Sections nest: an inner one finds it set and leaves it.
    std::atomic<bool> in_section_{false};
    // The watchdog holds the slot and the wheel; rescuer writes, owner reads.
    std::atomic<bool> rescuer_active_{false};
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

    // Timers the owner armed while the watchdog held its wheel (see
    // scheduler::add_timer), guarded by arrivals_mutex_. They join this
    // wheel, not whichever wheel drains the shared inbox first, so the
    // timers one process arms keep their deadline order (a send_after due
    // before a receive timeout fires before it).
    std::mutex arrivals_mutex_;
    std::vector<timer_entry*> arrivals_;
    // Relaxed hint that arrivals_ is non-empty; the mutex orders the entries.
    std::atomic<bool> arrivals_pending_{false};

    // What this worker runs right now, for the watchdog only. Stored with
    // release, loaded with acquire: the watchdog reads the runnable's
    // identity (set before it was scheduled); its memory is stable.
    std::atomic<runnable*> running_{nullptr};
    // Slices started so far; the watchdog sees a slice that outlives two of
    // its samples as long. Relaxed for the same reason.
    std::atomic<std::uint64_t> slice_count_{0};

    // Statistics (read_counters). Written only by the owner, with relaxed
    // load-and-store (no read-modify-write); read relaxed by anyone: each
    // is a counter on its own, ordered with nothing else.
    std::atomic<std::uint64_t> steals_{0};
    std::atomic<std::uint64_t> parks_{0};
    std::atomic<std::uint64_t> parked_ns_{0};
    std::atomic<std::uint64_t> messages_sent_{0};
    // Scheduler-clock nanoseconds at which the current sleep began; 0 awake.
    std::atomic<std::uint64_t> parked_since_ns_{0};
    std::uint64_t clock_ms_ = 0; // owner only: see clock_ms()
};

} // namespace rill::internal
