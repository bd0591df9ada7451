#include "sync/small_object_cache.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <new>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define RILL_SMALL_OBJECT_CACHE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RILL_SMALL_OBJECT_CACHE 0
#endif
#endif
#ifndef RILL_SMALL_OBJECT_CACHE
#define RILL_SMALL_OBJECT_CACHE 1
#endif

namespace rill::internal {

namespace {

constexpr std::size_t granularity = 16;
constexpr std::size_t largest = 512;
constexpr std::size_t class_count = largest / granularity;
// Bytes a thread may keep per class before blocks go back to the global
// allocator.
constexpr std::size_t bytes_kept_per_class = 256 * 1024;

struct free_block {
    free_block* next;
};

/// A whole free list handed between threads: `count` blocks from `head`.
struct chain {
    free_block* head = nullptr;
    std::uint32_t count = 0;
};

/// Full free lists, shared by all threads, per class. A thread whose list
/// reaches its cap parks the whole list here, and a thread whose list runs
/// dry takes one back, so that a producer on one thread and a consumer on
/// another (fan-in: nodes allocated by senders, freed by the receiver)
/// recycle their blocks through one mutex hand-off per list instead of
/// going to the global allocator for every block. The depot keeps a few
/// lists per class; beyond that they go back to the global allocator.
class depot {
public:
    bool put(std::size_t c, chain full) {
        std::lock_guard lock(mutex_);
        auto& slots = chains_[c];
        if (slots.size() >= chains_kept_per_class) {
            return false;
        }
        slots.push_back(full);
        available_[c].store(static_cast<std::uint32_t>(slots.size()), std::memory_order_relaxed);
        return true;
    }

    chain take(std::size_t c) {
        if (available_[c].load(std::memory_order_relaxed) == 0) {
            return {}; // nothing parked: skip the lock (a spawn storm asks often)
        }
        std::lock_guard lock(mutex_);
        auto& slots = chains_[c];
        if (slots.empty()) {
            return {};
        }
        chain taken = slots.back();
        slots.pop_back();
        available_[c].store(static_cast<std::uint32_t>(slots.size()), std::memory_order_relaxed);
        return taken;
    }

    /// The process-wide depot. Never destroyed: threads may still free
    /// blocks during static destruction, and what it holds stays reachable.
    static depot& instance() {
        static depot* const shared = new depot;
        return *shared;
    }

private:
    static constexpr std::size_t chains_kept_per_class = 8;

    std::mutex mutex_;
    std::array<std::vector<chain>, class_count> chains_{};
    // Lists parked per class: written under the mutex, read without it as a
    // hint (relaxed) — a stale zero only sends a thread to the global
    // allocator once more.
    std::array<std::atomic<std::uint32_t>, class_count> available_{};
};

void release_chain(chain doomed, std::size_t size) noexcept {
    while (free_block* block = doomed.head) {
        doomed.head = block->next;
        ::operator delete(block, size);
    }
}

class cache {
public:
    cache() = default;
    cache(const cache&) = delete;
    cache& operator=(const cache&) = delete;

    ~cache() {
        for (std::size_t c = 0; c < class_count; ++c) {
            release_chain({lists_[c], counts_[c]}, class_size(c));
        }
    }

    void* allocate(std::size_t c) {
        if (lists_[c] == nullptr) {
            chain refill = depot::instance().take(c);
            lists_[c] = refill.head;
            counts_[c] = refill.count;
        }
        if (free_block* block = lists_[c]) {
            lists_[c] = block->next;
            --counts_[c];
            return block;
        }
        return ::operator new(class_size(c));
    }

    void free(void* memory, std::size_t c) noexcept {
        if (counts_[c] * class_size(c) >= bytes_kept_per_class) {
            chain full{lists_[c], counts_[c]};
            lists_[c] = nullptr;
            counts_[c] = 0;
            if (!depot::instance().put(c, full)) {
                release_chain(full, class_size(c));
            }
        }
        auto* block = static_cast<free_block*>(memory);
        block->next = lists_[c];
        lists_[c] = block;
        ++counts_[c];
    }

    static constexpr std::size_t class_size(std::size_t c) noexcept {
        return (c + 1) * granularity;
    }

private:
    std::array<free_block*, class_count> lists_{};
    std::array<std::uint32_t, class_count> counts_{};
};

thread_local cache this_thread_cache;

constexpr std::size_t class_of(std::size_t size) noexcept {
    return (size - 1) / granularity;
}

} // namespace

void* allocate_small(std::size_t size) {
    if (RILL_SMALL_OBJECT_CACHE == 0 || size == 0 || size > largest) {
        return ::operator new(size);
    }
    return this_thread_cache.allocate(class_of(size));
}

void free_small(void* block, std::size_t size) noexcept {
    if (RILL_SMALL_OBJECT_CACHE == 0 || size == 0 || size > largest) {
        ::operator delete(block, size);
        return;
    }
    this_thread_cache.free(block, class_of(size));
}

} // namespace rill::internal
