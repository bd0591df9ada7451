#pragma once

/// \file
/// The scheduler's shared queue: runnables made ready by threads that are
/// not workers of this scheduler, and overflow batches from full local
/// queues. A mutex-protected deque; workers look at it when their own queue
/// is empty and every 61 slices otherwise, so it is never starved.

#include "sched/runnable.hpp"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <deque>
#include <mutex>

namespace rill::internal {

class injector {
public:
    void push(runnable* item) {
        std::lock_guard lock(mutex_);
        items_.push_back(item);
        // Relaxed: a hint for `empty_hint`; the mutex orders the items.
        size_.store(items_.size(), std::memory_order_relaxed);
    }

    void push_batch(runnable* const* batch, std::size_t count) {
        std::lock_guard lock(mutex_);
        items_.insert(items_.end(), batch, batch + count);
        size_.store(items_.size(), std::memory_order_relaxed);
    }

    runnable* pop() {
        if (empty_hint()) {
            return nullptr;
        }
        std::lock_guard lock(mutex_);
        if (items_.empty()) {
            return nullptr;
        }
        runnable* item = items_.front();
        items_.pop_front();
        size_.store(items_.size(), std::memory_order_relaxed);
        return item;
    }

    /// Moves up to `max` items, oldest first, to `out`; returns how many.
    /// One lock for a batch: a spawn storm overflows a worker's ring into
    /// the injector, and taking the items back one lock at a time cost two
    /// mutex calls per spawned process.
    std::size_t pop_batch(runnable** out, std::size_t max) {
        if (empty_hint()) {
            return 0;
        }
        std::lock_guard lock(mutex_);
        std::size_t count = std::min(max, items_.size());
        std::copy_n(items_.begin(), count, out);
        items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(count));
        size_.store(items_.size(), std::memory_order_relaxed);
        return count;
    }

    /// May be stale; callers that must not miss work re-check after a fence.
    [[nodiscard]] bool empty_hint() const noexcept {
        return size_.load(std::memory_order_relaxed) == 0;
    }

    /// Items queued, as last written; for statistics.
    [[nodiscard]] std::size_t size_hint() const noexcept {
        return size_.load(std::memory_order_relaxed);
    }

    /// Drops every queued item (shutdown; the runnables are owned elsewhere).
    void clear() {
        std::lock_guard lock(mutex_);
        items_.clear();
        size_.store(0, std::memory_order_relaxed);
    }

private:
    std::mutex mutex_;
    std::deque<runnable*> items_;
    // Number of items; written under the mutex, read without it as a hint.
    std::atomic<std::size_t> size_{0};
};

} // namespace rill::internal
