#include "sched/scheduler.hpp"

#include <rill/core/errors.hpp>

#include "sched/worker.hpp"
#include "sync/fence.hpp"

#include <algorithm>
#include <string>
#include <utility>

namespace rill::internal {

namespace {

std::uint64_t splitmix64(std::uint64_t& state) noexcept {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

} // namespace

scheduler::scheduler(scheduler_options options)
    : options_(std::move(options))
    , started_(std::chrono::steady_clock::now())
    , rng_state_(options_.seed) {
    unsigned count = options_.deterministic ? 1U : std::max(1U, options_.workers);
    workers_.reserve(count);
    for (unsigned i = 0; i < count; ++i) {
        // Only with two workers or more does the watchdog rescue (watchdog_loop).
        workers_.push_back(std::make_unique<worker>(*this, i, count > 1));
    }
}

scheduler::~scheduler() {
    stop();
}

void scheduler::start() {
    if (options_.deterministic || !threads_.empty()) {
        return;
    }
    for (auto& w : workers_) {
        threads_.emplace_back([this, target = w.get()] {
            if (options_.on_thread_start) {
                options_.on_thread_start();
            }
            target->run_loop();
        });
    }
    // The watchdog reports long slices and, with more than one worker,
    // rescues what waits behind one (worker::rescue).
    if (options_.long_slice_threshold.count() > 0 || workers_.size() > 1) {
        watchdog_ = std::thread([this] { watchdog_loop(); });
    }
}

void scheduler::stop() {
    // Relaxed is enough: wake_all takes every worker's park mutex after
    // this store, and join orders the rest.
    stopping_.store(true, std::memory_order_relaxed);
    wake_all();
    {
        std::lock_guard lock(watchdog_mutex_);
        watchdog_cv_.notify_all();
    }
    for (auto& t : threads_) {
        t.join();
    }
    threads_.clear();
    if (watchdog_.joinable()) {
        watchdog_.join();
    }
    injector_.clear();
    ready_.clear();
}

void scheduler::demote_next() {
    if (options_.deterministic) {
        return;
    }
    if (worker* w = current_worker(); w != nullptr) {
        worker::own_section section(*w);
        if (section && w->next_.get() != nullptr) {
            w->push_back(w->take_next());
        }
    }
}

worker* scheduler::current_worker() const noexcept {
    worker* w = worker::current();
    return (w != nullptr && &w->owner() == this) ? w : nullptr;
}

std::uint64_t scheduler::now_ms() const noexcept {
    if (options_.deterministic) {
        return virtual_now_;
    }
    return now_ns() / 1'000'000;
}

std::uint64_t scheduler::now_ns() const noexcept {
    if (options_.deterministic) {
        constexpr std::uint64_t ns_per_ms = 1'000'000;
        return virtual_now_ > UINT64_MAX / ns_per_ms ? UINT64_MAX : virtual_now_ * ns_per_ms;
    }
    auto since = std::chrono::steady_clock::now() - started_;
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(since).count());
}

void scheduler::schedule(runnable* item) {
    if (options_.deterministic) {
        schedule_deterministic(item);
        return;
    }
    if (worker* w = current_worker()) {
        w->push_next(item);
        return;
    }
    injector_.push(item);
    wake_one_if_idle();
}

void scheduler::schedule_fair(runnable* item) {
    if (options_.deterministic) {
        schedule_deterministic(item);
        return;
    }
    if (worker* w = current_worker()) {
        w->push_back(item);
        return;
    }
    injector_.push(item);
    wake_one_if_idle();
}

void scheduler::schedule_deterministic(runnable* item) {
    if (std::this_thread::get_id() == driver_) {
        ready_.push_back(item);
        return;
    }
    std::lock_guard lock(foreign_mutex_);
    foreign_ready_.push_back(item);
    foreign_pending_.store(true, std::memory_order_relaxed);
}

void scheduler::take_foreign_ready() {
    if (!foreign_pending_.load(std::memory_order_relaxed)) {
        return;
    }
    std::lock_guard lock(foreign_mutex_);
    ready_.insert(ready_.end(), foreign_ready_.begin(), foreign_ready_.end());
    foreign_ready_.clear();
    foreign_pending_.store(false, std::memory_order_relaxed);
}

void scheduler::require_driver(const char* operation) const {
    if (std::this_thread::get_id() != driver_) {
        throw deterministic_error(
            std::string("rill: ") + operation +
            " drives a deterministic runtime from a thread other than the one that made it; "
            "other threads may only send and spawn");
    }
}

void scheduler::wake_one_if_idle() {
    // Pairs with the fence in park_prepare (see the header's protocol): the
    // item this thread just published is visible to a worker that counted
    // itself idle after this point, or this load sees that worker.
    store_load_fence();
    if (idle_count_.load(std::memory_order_relaxed) == 0) {
        return;
    }
    if (searching_count_.load(std::memory_order_relaxed) != 0) {
        return; // a searching worker re-checks every queue before parking
    }
    wake_one();
}

void scheduler::wake_one() {
    worker* target = nullptr;
    bool watchdog_dozed = false;
    {
        std::lock_guard lock(idle_mutex_);
        if (idle_.empty()) {
            return;
        }
        target = idle_.back();
        idle_.pop_back();
        watchdog_dozed = watchdog_dozing_.exchange(false, std::memory_order_relaxed);
        target->idle_ = false;
        idle_count_.fetch_sub(1, std::memory_order_seq_cst);
        // The woken worker owns this count until it finds work or parks.
        searching_count_.fetch_add(1, std::memory_order_seq_cst);
    }
    target->unpark();
    if (watchdog_dozed) {
        wake_watchdog();
    }
}

void scheduler::wake_all() {
    for (auto& w : workers_) {
        w->unpark();
    }
}

void scheduler::begin_search(worker& w) {
    if (w.searching_) {
        return;
    }
    w.searching_ = true;
    searching_count_.fetch_add(1, std::memory_order_seq_cst);
}

void scheduler::found_work(worker& w) {
    if (!w.searching_) {
        return;
    }
    w.searching_ = false;
    // The last searcher to find work wakes another idle worker, so a burst
    // of work spreads over the workers one at a time.
    if (searching_count_.fetch_sub(1, std::memory_order_seq_cst) == 1) {
        wake_one_if_idle();
    }
}

bool scheduler::has_visible_work(worker& w) {
    if (!injector_.empty_hint() || timer_inbox_nonempty_.load(std::memory_order_relaxed)) {
        return true;
    }
    for (auto& other : workers_) {
        if (other->queue_.size_hint() != 0) {
            return true;
        }
    }
    worker::own_section section(w);
    if (!section) {
        return true; // the watchdog is firing this worker's timers: look again
    }
    auto deadline = w.wheel_.next_deadline();
    return deadline && *deadline <= now_ms();
}

bool scheduler::park_prepare(worker& w) {
    {
        std::lock_guard lock(idle_mutex_);
        idle_.push_back(&w);
        w.idle_ = true;
        idle_count_.fetch_add(1, std::memory_order_seq_cst);
    }
    if (w.searching_) {
        w.searching_ = false;
        searching_count_.fetch_sub(1, std::memory_order_seq_cst);
    }
    // Pairs with the fence in wake_one_if_idle.
    store_load_fence();
    if (has_visible_work(w) || stopping_.load(std::memory_order_relaxed)) {
        park_cancel(w);
        return false;
    }
    return true;
}

void scheduler::park_cancel(worker& w) {
    bool was_listed = false;
    bool watchdog_dozed = false;
    {
        std::lock_guard lock(idle_mutex_);
        if (w.idle_) {
            was_listed = true;
            w.idle_ = false;
            idle_.erase(std::find(idle_.begin(), idle_.end(), &w));
            watchdog_dozed = watchdog_dozing_.exchange(false, std::memory_order_relaxed);
            idle_count_.fetch_sub(1, std::memory_order_seq_cst);
        }
    }
    if (watchdog_dozed) {
        wake_watchdog();
    }
    std::unique_lock lock(w.park_mutex_);
    if (!was_listed) {
        // A waker took this worker off the idle list and counted it as
        // searching; its notification follows at once.
        w.park_cv_.wait(lock,
                        [&] { return w.notified_ || stopping_.load(std::memory_order_relaxed); });
        w.searching_ = true;
    }
    w.notified_ = false;
}

void scheduler::add_timer(timer_entry* entry) {
    if (options_.deterministic) {
        entry->armed_by = 0;
        workers_[0]->wheel_.insert(entry);
        return;
    }
    if (worker* w = current_worker()) {
        worker::own_section section(*w);
        if (section) {
            entry->armed_by = w->index();
            w->wheel_.insert(entry);
            return;
        }
        // The watchdog holds the wheel for a moment: the entry joins it
        // later, from this worker's own arrivals list (a cancel finds it
        // as it finds an inbox entry: not on a wheel, freed when due).
        entry->armed_by = timer_entry::not_on_a_worker;
        std::lock_guard lock(w->arrivals_mutex_);
        w->arrivals_.push_back(entry);
        w->arrivals_pending_.store(true, std::memory_order_relaxed);
        return;
    }
    entry->armed_by = timer_entry::not_on_a_worker;
    {
        std::lock_guard lock(timer_inbox_mutex_);
        timer_inbox_.push_back(entry);
        timer_inbox_nonempty_.store(true, std::memory_order_relaxed);
    }
    store_load_fence();
    if (idle_count_.load(std::memory_order_relaxed) != 0) {
        wake_one(); // a parked worker must re-arm its park deadline
    }
}

bool scheduler::try_remove_timer(timer_entry* entry) noexcept {
    worker* w = options_.deterministic ? workers_[0].get() : current_worker();
    if (w == nullptr || entry->armed_by != w->index()) {
        return false;
    }
    worker::own_section section(*w);
    if (!section) {
        return false; // the watchdog holds the wheel; the entry may be firing
    }
    w->wheel_.remove(entry);
    return true;
}

bool scheduler::remove_timer_anywhere(timer_entry* entry, dispose_function dispose) noexcept {
    if (try_remove_timer(entry)) {
        dispose(entry);
        return true;
    }
    if (entry->armed_by == timer_entry::not_on_a_worker) {
        return false;
    }
    worker& owner = *workers_[entry->armed_by];
    try {
        std::lock_guard lock(owner.removals_mutex_);
        owner.removals_.emplace_back(entry, dispose);
        owner.removals_pending_.store(true, std::memory_order_relaxed);
    } catch (...) {
        return false; // out of memory: the entry stays armed and frees itself when due
    }
    return true;
}

void scheduler::drain_timer_removals(worker& w) noexcept {
    if (!w.removals_pending_.load(std::memory_order_relaxed)) {
        return;
    }
    std::vector<std::pair<timer_entry*, dispose_function>> removals;
    {
        std::lock_guard lock(w.removals_mutex_);
        removals.swap(w.removals_);
        w.removals_pending_.store(false, std::memory_order_relaxed);
    }
    for (auto [entry, dispose] : removals) {
        if (entry->linked) {
            w.wheel_.remove(entry); // not fired yet; otherwise the wheel unlinked it
        }
        dispose(entry);
    }
}

void scheduler::drain_timer_arrivals(worker& w) noexcept {
    if (!w.arrivals_pending_.load(std::memory_order_relaxed)) {
        return;
    }
    std::vector<timer_entry*> arrivals;
    {
        std::lock_guard lock(w.arrivals_mutex_);
        arrivals.swap(w.arrivals_);
        w.arrivals_pending_.store(false, std::memory_order_relaxed);
    }
    for (timer_entry* entry : arrivals) {
        w.wheel_.insert(entry);
    }
}

void scheduler::drain_timer_inbox(worker& w) {
    if (!timer_inbox_nonempty_.load(std::memory_order_relaxed)) {
        return;
    }
    std::vector<timer_entry*> entries;
    {
        std::unique_lock lock(timer_inbox_mutex_, std::try_to_lock);
        if (!lock.owns_lock()) {
            return;
        }
        entries.swap(timer_inbox_);
        timer_inbox_nonempty_.store(false, std::memory_order_relaxed);
    }
    for (timer_entry* entry : entries) {
        w.wheel_.insert(entry);
    }
}

void scheduler::clear_timers(const std::function<void(timer_entry*)>& release) {
    for (auto& w : workers_) {
        drain_timer_removals(*w); // the threads have stopped: this thread owns the wheels
        drain_timer_arrivals(*w);
        w->wheel_.clear(release);
    }
    std::vector<timer_entry*> entries;
    {
        std::lock_guard lock(timer_inbox_mutex_);
        entries.swap(timer_inbox_);
    }
    for (timer_entry* entry : entries) {
        release(entry); // unlocked: releasing may take the runtime's timers mutex
    }
}

std::size_t scheduler::run_until_idle() {
    require_driver("run_until_idle");
    worker& w = *workers_[0];
    worker* previous = worker::current();
    worker::set_current(&w);
    std::size_t ran = 0;
    for (;;) {
        take_foreign_ready();
        if (ready_.empty()) {
            break;
        }
        std::size_t pick = splitmix64(rng_state_) % ready_.size();
        std::swap(ready_[pick], ready_.back());
        runnable* item = ready_.back();
        ready_.pop_back();
        w.run_slice(item);
        ++ran;
    }
    worker::set_current(previous);
    return ran;
}

void scheduler::advance(std::chrono::milliseconds by) {
    require_driver("advance");
    // Saturates: virtual time stops at virtual_time_limit instead of wrapping.
    auto step = static_cast<std::uint64_t>(by.count());
    std::uint64_t target =
        step >= virtual_time_limit - virtual_now_ ? virtual_time_limit : virtual_now_ + step;
    worker& w = *workers_[0];
    run_until_idle();
    for (;;) {
        drain_timer_inbox(w);
        auto next = w.wheel_.next_deadline();
        if (!next || *next > target) {
            break;
        }
        virtual_now_ = std::max(virtual_now_, *next);
        w.refresh_clock();
        worker* previous = worker::current();
        worker::set_current(&w);
        w.wheel_.advance(virtual_now_);
        worker::set_current(previous);
        run_until_idle();
    }
    virtual_now_ = target;
    w.refresh_clock();
    w.wheel_.advance(virtual_now_);
}

std::optional<std::uint64_t> scheduler::next_timer_deadline() const noexcept {
    return workers_[0]->wheel_.next_deadline();
}

void scheduler::watchdog_loop() {
    const auto threshold = options_.long_slice_threshold;
    const bool reports = threshold.count() > 0;
    const bool rescues = workers_.size() > 1;
    auto period = reports ? std::max(std::chrono::milliseconds(1), threshold / 4) : rescue_after;
    if (rescues) {
        period = std::min(period, rescue_after);
    }

    struct sample {
        std::uint64_t slices = 0;
        std::chrono::steady_clock::time_point since;
        bool reported = false;
    };

    std::vector<sample> samples(workers_.size());
    std::unique_lock lock(watchdog_mutex_);
    while (!stopping_.load(std::memory_order_relaxed)) {
        watchdog_cv_.wait_for(lock, period);
        doze_while_all_parked(lock);
        auto now = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < workers_.size(); ++i) {
            runnable* running = workers_[i]->running();
            std::uint64_t slices = workers_[i]->slice_count();
            sample& s = samples[i];
            if (running == nullptr || slices != s.slices) {
                s = sample{slices, now, false};
                continue;
            }
            auto held = std::chrono::duration_cast<std::chrono::milliseconds>(now - s.since);
            if (rescues && held >= rescue_after) {
                workers_[i]->rescue();
            }
            if (reports && !s.reported && held >= threshold && options_.on_long_slice) {
                s.reported = true;
                options_.on_long_slice(running, static_cast<unsigned>(i), held);
            }
        }
    }
}

void scheduler::doze_while_all_parked(std::unique_lock<std::mutex>& lock) {
    {
        std::lock_guard idle_lock(idle_mutex_);
        if (idle_.size() != workers_.size()) {
            return;
        }
        // Cleared by whoever takes a worker off the idle list (under
        // idle_mutex_), which then notifies us: see wake_watchdog.
        watchdog_dozing_.store(true, std::memory_order_relaxed);
    }
    watchdog_cv_.wait(lock, [&] {
        return !watchdog_dozing_.load(std::memory_order_relaxed) ||
               stopping_.load(std::memory_order_relaxed);
    });
}

void scheduler::wake_watchdog() {
    // Called, without idle_mutex_, by whoever cleared watchdog_dozing_ as it
    // took a worker off the idle list. The watchdog holds its mutex from
    // before it set the flag until it waits, so taking the mutex here means
    // it is waiting (and gets notified) or will see the flag cleared.
    { std::lock_guard lock(watchdog_mutex_); }
    watchdog_cv_.notify_one();
}

} // namespace rill::internal
