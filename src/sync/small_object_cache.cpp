#include "sync/small_object_cache.hpp"

#include <array>
#include <atomic>
#include <cstddef>
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
// Bytes a thread may keep per class before its list moves to the depot.
constexpr std::size_t bytes_kept_per_class = 256 * 1024;
// A thread that finds its list and the depot empty carves this much memory
// from the global allocator into blocks of the class.
constexpr std::size_t chunk_bytes = 64 * 1024;

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
/// recycle their blocks through one mutex hand-off per list. Blocks are
/// carved from chunks and never go back to the global allocator one by one,
/// so the depot keeps every list it is given: the memory of a burst (a
/// million processes ending) stays here for the next one, as the BEAM's
/// allocators keep their carriers.
class depot {
public:
    void put(std::size_t c, chain full) noexcept {
        std::lock_guard lock(mutex_);
        auto& slots = chains_[c];
        try {
            slots.push_back(full);
        } catch (...) {
            return; // out of memory for the list of lists: these blocks are lost
        }
        available_[c].store(static_cast<std::uint32_t>(slots.size()), std::memory_order_relaxed);
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

    /// The process-wide depot, shared by every runtime (see the header on
    /// why that is safe). Leaked on purpose, never destroyed: threads may
    /// still free blocks during static destruction, and what it holds stays
    /// reachable.
    static depot& instance() {
        static depot* const shared = new depot;
        return *shared;
    }

private:
    std::mutex mutex_;
    std::array<std::vector<chain>, class_count> chains_{};
    // Lists parked per class: written under the mutex, read without it as a
    // hint (relaxed) — a stale zero only sends a thread to the global
    // allocator once more.
    std::array<std::atomic<std::uint32_t>, class_count> available_{};
};

// Bytes of chunks taken from the global allocator (never given back).
// Relaxed: a figure for introspection, added to once per 64 KiB chunk.
std::atomic<std::size_t> carved_bytes{0};

/// A fresh chunk cut into blocks of `size` bytes, linked in address order.
chain carve_chunk(std::size_t size) {
    auto* memory = static_cast<std::byte*>(::operator new(chunk_bytes));
    carved_bytes.fetch_add(chunk_bytes, std::memory_order_relaxed);
    auto count = static_cast<std::uint32_t>(chunk_bytes / size);
    for (std::uint32_t i = 0; i + 1 < count; ++i) {
        reinterpret_cast<free_block*>(memory + i * size)->next =    // NOLINT
            reinterpret_cast<free_block*>(memory + (i + 1) * size); // NOLINT
    }
    reinterpret_cast<free_block*>(memory + (count - 1) * size)->next = nullptr; // NOLINT
    return {reinterpret_cast<free_block*>(memory), count};                      // NOLINT
}

/// A thread's free lists, one per size class. Trivially constructible and
/// destructible, so the hot path reads the thread-local directly: a
/// thread-local with a destructor is reached through an initialisation
/// guard on every access. The reaper below returns the blocks at thread
/// exit; it is touched (and so registered) only on the slow path.
class cache {
public:
    void* allocate(std::size_t c) {
        if (free_block* block = lists_[c]) {
            lists_[c] = block->next;
            --counts_[c];
            return block;
        }
        return refill_and_allocate(c);
    }

    void free(void* memory, std::size_t c) noexcept {
        if (counts_[c] >= limits_[c] && !make_room(c)) {
            auto* single = static_cast<free_block*>(memory);
            single->next = nullptr;
            depot::instance().put(c, {single, 1});
            return;
        }
        auto* block = static_cast<free_block*>(memory);
        block->next = lists_[c];
        lists_[c] = block;
        ++counts_[c];
    }

    /// At thread exit: every list goes to the depot, and the cache keeps
    /// nothing more (later frees go to the depot one by one).
    void release_all() noexcept {
        reaped_ = true;
        for (std::size_t c = 0; c < class_count; ++c) {
            if (lists_[c] != nullptr) {
                depot::instance().put(c, {lists_[c], counts_[c]});
            }
            lists_[c] = nullptr;
            counts_[c] = 0;
            limits_[c] = 0; // every later free takes make_room, which refuses it
        }
    }

    static constexpr std::size_t class_size(std::size_t c) noexcept {
        return (c + 1) * granularity;
    }

private:
    [[gnu::noinline]] void* refill_and_allocate(std::size_t c);
    [[gnu::noinline]] bool make_room(std::size_t c) noexcept;
    void arm_reaper() noexcept;

    void park_full_list(std::size_t c) noexcept {
        depot::instance().put(c, {lists_[c], counts_[c]});
        lists_[c] = nullptr;
        counts_[c] = 0;
    }

    std::array<free_block*, class_count> lists_;
    std::array<std::uint32_t, class_count> counts_;
    // Blocks a class may keep before its list goes to the depot. Zero until
    // the thread first frees into the class, so that first free takes the
    // slow path, which arms the reaper and sets the real limit.
    std::array<std::uint32_t, class_count> limits_;
    bool armed_;
    bool reaped_; // the thread is ending: keep nothing more
};

constinit thread_local cache this_thread_cache{};

/// Gives the thread's cached blocks back when the thread ends.
struct cache_reaper {
    bool armed = false;
    cache_reaper() = default;
    cache_reaper(const cache_reaper&) = delete;
    cache_reaper& operator=(const cache_reaper&) = delete;

    ~cache_reaper() { this_thread_cache.release_all(); }
};

thread_local cache_reaper this_thread_reaper;

void cache::arm_reaper() noexcept {
    if (!armed_) {
        armed_ = true;
        this_thread_reaper.armed = true; // the first touch registers its destructor
    }
}

// The free list of class `c` is at its limit, or the thread's first free
// into it: park the full list, or set the limit. False once the thread is
// ending: the caller hands its block to the depot.
bool cache::make_room(std::size_t c) noexcept {
    if (reaped_) {
        return false;
    }
    arm_reaper();
    limits_[c] = static_cast<std::uint32_t>(bytes_kept_per_class / class_size(c));
    if (counts_[c] >= limits_[c]) {
        park_full_list(c);
    }
    return true;
}

void* cache::refill_and_allocate(std::size_t c) {
    if (reaped_) {
        // The thread is ending: a block of its own, so nothing is left in
        // its lists (the block may later sit in another thread's list).
        return ::operator new(class_size(c));
    }
    arm_reaper();
    chain refill = depot::instance().take(c);
    if (refill.head == nullptr) {
        refill = carve_chunk(class_size(c));
    }
    lists_[c] = refill.head->next;
    counts_[c] = refill.count - 1;
    return refill.head;
}

constexpr std::size_t class_of(std::size_t size) noexcept {
    return (size - 1) / granularity;
}

} // namespace

std::size_t small_object_cache_bytes() noexcept {
    return carved_bytes.load(std::memory_order_relaxed);
}

bool small_object_cache_enabled() noexcept {
    return RILL_SMALL_OBJECT_CACHE != 0;
}

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
