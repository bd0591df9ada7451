#include "sched/worker.hpp"

#include "sched/scheduler.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <thread>
#include <utility>

namespace rill::internal {

namespace {

// Consecutive slices taken from the next slot before the local ring gets a
// turn: a chatty pair keeps its locality without starving the queue.
constexpr unsigned max_next_streak = 32;

// Every this many slices the worker looks at the injector and its timers
// first, so neither starves behind a busy local ring.
constexpr std::uint32_t fairness_interval = 61;

// How long a worker that ran out of work keeps looking before it parks.
// Parking and waking cost two futex calls and a context switch each, far
// more than the gaps between bursts of work on a busy runtime; an idle one
// spins this long once and then sleeps.
constexpr std::chrono::microseconds spin_before_park{50};

// For the first part of the spin the worker probes in a tight loop; after
// it, it yields its core between probes. A worker with nothing to do must
// not keep a thread that has work off the core: the distribution's I/O
// thread reading the very message the worker waits for, or any other
// thread of the program. With as many workers as cores, a pure busy spin
// made each rill node on a message's path cost about 25 µs more (rill-BEAM
// round trip 74 -> 49 µs, BEAM-BEAM's own figure); gaps between local
// messages are far shorter than this part, so local workloads still find
// their work without a system call.
constexpr std::chrono::microseconds busy_spin{5};

void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
}

std::uint64_t next_random(std::uint64_t& state) noexcept {
    // xorshift64*: cheap and good enough to pick steal victims.
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1DULL;
}

// Adds to a counter that only the calling thread writes: a relaxed load and
// store, cheaper than a read-modify-write, for readers on other threads.
template <class T>
void add_owned(std::atomic<T>& counter, T amount) noexcept {
    counter.store(counter.load(std::memory_order_relaxed) + amount, std::memory_order_relaxed);
}

} // namespace

worker::worker(scheduler& owner, unsigned index, bool rescuable)
    : owner_(owner)
    , index_(index)
    , rescuable_(rescuable)
    , rng_(0x9E3779B97F4A7C15ULL * (index + 1)) {}

void worker::set_current(worker* w) noexcept {
    current_ = w;
}

void worker::push_next(runnable* item) {
    own_section section(*this);
    if (!section) {
        push_back(item); // the watchdog holds the slot: where thieves see it
        return;
    }
    if (runnable* previous = next_.exchange_relaxed(item)) {
        push_back(previous);
    }
}

void worker::push_back(runnable* item) {
    while (!queue_.try_push(item)) {
        std::array<runnable*, local_queue::capacity / 2> batch{};
        std::uint32_t moved = queue_.take_half(batch.data());
        owner_.injector_.push_batch(batch.data(), moved);
    }
    owner_.wake_one_if_idle();
}

void worker::run_slice(runnable* item) noexcept {
    running_.store(item, std::memory_order_release);
    slice_count_.store(slice_count_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    item->run(item, *this);
    running_.store(nullptr, std::memory_order_relaxed);
}

void worker::fire_due_timers() {
    own_section section(*this);
    if (!section) {
        return; // the watchdog is firing them
    }
    owner_.drain_timer_removals(*this);
    owner_.drain_timer_arrivals(*this);
    owner_.drain_timer_inbox(*this);
    if (wheel_.size() != 0) {
        wheel_.advance(owner_.now_ms());
    }
}

void worker::refresh_clock() noexcept {
    clock_ms_ = owner_.now_ms();
}

worker::counters worker::read_counters(std::uint64_t now_ns) const noexcept {
    counters c;
    c.slices = slice_count_.load(std::memory_order_relaxed);
    c.steals = steals_.load(std::memory_order_relaxed);
    c.parks = parks_.load(std::memory_order_relaxed);
    c.messages_sent = messages_sent_.load(std::memory_order_relaxed);
    c.parked_ns = parked_ns_.load(std::memory_order_relaxed);
    std::uint64_t since = parked_since_ns_.load(std::memory_order_relaxed);
    if (since != 0 && now_ns > since) {
        c.parked_ns += now_ns - since;
    }
    c.run_queue_length = queue_.size_hint() + (next_.get() != nullptr ? 1U : 0U);
    c.armed_timers = wheel_.size();
    return c;
}

runnable* worker::find_work() {
    own_section section(*this);
    if (!section) {
        // The watchdog holds the next slot and the wheel for a moment.
        if (runnable* local = queue_.pop()) {
            return local;
        }
        if (runnable* injected = take_injected()) {
            return injected;
        }
        return steal();
    }
    if (++tick_ % fairness_interval == 0) {
        refresh_clock();
        fire_due_timers();
        if (runnable* injected = owner_.pop_injected()) {
            return injected;
        }
    }
    if (next_.get() != nullptr) {
        if (next_streak_ < max_next_streak) {
            ++next_streak_;
            return take_next();
        }
        if (queue_.size_hint() == 0 && owner_.injector_.empty_hint()) {
            // Nobody waits behind the streak: keep the locality, and do not
            // wake an idle worker only to have it find nothing to steal.
            next_streak_ = 1;
            return take_next();
        }
        push_back(take_next());
    }
    next_streak_ = 0;
    if (runnable* local = queue_.pop()) {
        return local;
    }
    if (runnable* injected = take_injected()) {
        return injected;
    }
    fire_due_timers();
    if (next_.get() != nullptr) {
        return take_next();
    }
    if (runnable* local = queue_.pop()) {
        return local;
    }
    return steal();
}

void worker::rescue() noexcept {
    if (!rescuable_) {
        return; // its owner does not guard its sections
    }
    // Only the watchdog rescues, so nobody else sets the flag: a plain
    // store, ordered before the load of in_section_ by the heavy barrier.
    rescuer_active_.store(true, std::memory_order_relaxed);
    // Acquire on in_section_: reading the owner's last release store (false)
    // makes its changes to the slot and the wheel visible here.
    if (!heavy_barrier() || in_section_.load(std::memory_order_acquire)) {
        rescuer_active_.store(false, std::memory_order_release);
        return;
    }
    runnable* stranded = take_next();
    owner_.drain_timer_arrivals(*this);
    if (wheel_.size() != 0) {
        // The timers' fire functions deliver from this thread, which is no
        // worker: the processes they wake go to the injector.
        wheel_.advance(owner_.now_ms());
    }
    // Release: the owner's next section (acquire) sees the slot and the wheel as left here.
    rescuer_active_.store(false, std::memory_order_release);
    if (stranded != nullptr) {
        owner_.injector_.push(stranded);
        owner_.wake_one_if_idle();
    }
}

runnable* worker::take_injected() {
    // The local ring is empty: refill half of it in one go and run the first.
    // Uninitialised: pop_batch fills the first `count` entries (see
    // local_queue::steal_into).
    std::array<runnable*, local_queue::capacity / 2>
        batch; // NOLINT(cppcoreguidelines-pro-type-member-init)
    std::size_t count = owner_.injector_.pop_batch(batch.data(), batch.size());
    if (count == 0) {
        return nullptr;
    }
    for (std::size_t i = 1; i < count; ++i) {
        if (!queue_.try_push(batch[i])) { // not expected: the ring was empty
            push_back(batch[i]);
        }
    }
    if (count > 1) {
        owner_.wake_one_if_idle(); // the rest can be stolen
    }
    return batch[0];
}

runnable* worker::steal() {
    unsigned count = owner_.worker_count();
    if (count < 2) {
        return nullptr;
    }
    auto start = static_cast<unsigned>(next_random(rng_) % count);
    for (unsigned i = 0; i < count; ++i) {
        unsigned victim = (start + i) % count;
        if (victim == index_) {
            continue;
        }
        if (runnable* stolen = owner_.workers_[victim]->queue_.steal_into(queue_)) {
            add_owned(steals_, std::uint64_t{1});
            return stolen;
        }
    }
    return owner_.pop_injected();
}

void worker::run_loop() {
    set_current(this);
    refresh_clock();
    // Relaxed: `stopping_` only asks the loop to end; the scheduler joins
    // the thread afterwards, which orders everything else.
    while (!owner_.stopping_.load(std::memory_order_relaxed)) {
        runnable* item = find_work();
        if (item == nullptr) {
            item = spin_for_work();
        }
        if (item != nullptr) {
            owner_.found_work(*this);
            run_slice(item);
            continue;
        }
        park();
    }
    set_current(nullptr);
}

runnable* worker::spin_for_work() {
    // While this worker spins it counts as searching, so pushers do not
    // wake a parked one; it re-checks every queue before it parks.
    owner_.begin_search(*this);
    const auto start = std::chrono::steady_clock::now();
    const auto busy_until = start + busy_spin;
    const auto until = start + spin_before_park;
    auto now = start;
    do {
        if (now < busy_until) {
            for (int i = 0; i < 32; ++i) {
                cpu_relax();
            }
        } else {
            std::this_thread::yield();
        }
        if (runnable* item = find_work()) {
            return item;
        }
        now = std::chrono::steady_clock::now();
    } while (now < until && !owner_.stopping_.load(std::memory_order_relaxed));
    return nullptr;
}

void worker::park() {
    if (!owner_.park_prepare(*this)) {
        return;
    }
    std::optional<std::uint64_t> deadline;
    {
        own_section section(*this);
        if (!section) {
            owner_.park_cancel(*this); // the watchdog fires timers now; look again
            return;
        }
        deadline = wheel_.next_deadline();
    }
    add_owned(parks_, std::uint64_t{1});
    // Never 0, which means awake.
    const std::uint64_t parked_at = std::max<std::uint64_t>(owner_.now_ns(), 1);
    parked_since_ns_.store(parked_at, std::memory_order_relaxed);
    {
        std::unique_lock lock(park_mutex_);
        while (!notified_ && !owner_.stopping_.load(std::memory_order_relaxed)) {
            if (!deadline) {
                park_cv_.wait(lock);
                continue;
            }
            std::uint64_t now = owner_.now_ms();
            if (now >= *deadline) {
                break;
            }
            park_cv_.wait_for(lock, std::chrono::milliseconds(*deadline - now));
        }
    }
    parked_since_ns_.store(0, std::memory_order_relaxed);
    add_owned(parked_ns_, owner_.now_ns() - parked_at);
    refresh_clock();
    owner_.park_cancel(*this);
}

void worker::unpark() {
    {
        std::lock_guard lock(park_mutex_);
        notified_ = true;
    }
    park_cv_.notify_one();
}

} // namespace rill::internal
