#pragma once

/// \file
/// The process table: pid id -> control block, with lock-free lookup, and
/// the pool of free control blocks.
///
/// Slots are grouped in chunks of 4096, allocated on demand; a slot is bound
/// to one control block for the life of the runtime (the block keeps the
/// slot's id and bumps its serial on each reuse), so a slot, once published,
/// never changes. Lookup is two acquire loads. Binding a new slot takes
/// `grow_mutex_`; reusing a free block does not touch the table at all.
///
/// Free blocks: each worker keeps a private list; blocks freed on other
/// threads, and overflow, go to a shared list under `pool_mutex_`.

#include "process/process.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace rill::internal {

class process_table {
public:
    static constexpr std::uint32_t chunk_bits = 12;
    static constexpr std::uint32_t chunk_size = std::uint32_t{1} << chunk_bits;
    static constexpr std::uint32_t max_chunks = 4096; // 16M processes

    process_table(detail::runtime_core& runtime, unsigned workers);
    ~process_table();
    process_table(const process_table&) = delete;
    process_table& operator=(const process_table&) = delete;

    /// The block in slot `id`, if the slot was ever used. Any thread.
    [[nodiscard]] process* find(std::uint32_t id) const noexcept {
        std::uint32_t chunk = id >> chunk_bits;
        if (chunk >= max_chunks) {
            return nullptr;
        }
        // Acquire: pairs with the release store publishing the chunk.
        std::atomic<process*>* slots = chunks_[chunk].load(std::memory_order_acquire);
        if (slots == nullptr) {
            return nullptr;
        }
        // Acquire: pairs with the release store publishing the block.
        return slots[id & (chunk_size - 1)].load(std::memory_order_acquire);
    }

    /// A free block (recycled or new). `worker_index` selects the calling
    /// worker's private list; `no_worker` for other threads.
    process* acquire(unsigned worker_index);

    /// Returns a block whose last reference was dropped.
    void release(process* block, unsigned worker_index) noexcept;

    /// The link and monitor counts the process in slot `id` published
    /// (`publish_relation_counts`; 0 when none did). Any thread.
    [[nodiscard]] std::uint64_t relation_counts(std::uint32_t id) const noexcept {
        // Acquire: pairs with the release store that publishes the array.
        const std::atomic<std::uint64_t>* counts =
            relation_counts_[id >> chunk_bits].load(std::memory_order_acquire);
        // Relaxed: three counts in one word, nothing read through them.
        return counts == nullptr ? 0
                                 : counts[id & (chunk_size - 1)].load(std::memory_order_relaxed);
    }

    /// Owner of slot `id`: publishes its counts (`pack_relation_counts`).
    /// The chunk's array is made on its first nonzero counts; out of
    /// memory for it, introspection shows none.
    void publish_relation_counts(std::uint32_t id, std::uint64_t counts) noexcept {
        // Acquire: pairs with the release store that publishes the array.
        std::atomic<std::uint64_t>* slots =
            relation_counts_[id >> chunk_bits].load(std::memory_order_acquire);
        if (slots == nullptr) [[unlikely]] {
            publish_first_relation_counts(id, counts);
            return;
        }
        // Relaxed: see relation_counts.
        slots[id & (chunk_size - 1)].store(counts, std::memory_order_relaxed);
    }

    /// Links, monitors held and monitors on it, in one word: 21 bits each,
    /// each count capped at `relation_count_cap`.
    static constexpr std::uint64_t relation_count_cap = (std::uint64_t{1} << 21U) - 1;

    static constexpr std::uint64_t pack_relation_counts(std::size_t links,
                                                        std::size_t monitors,
                                                        std::size_t monitored_by) noexcept {
        const auto capped = [](std::size_t n) {
            return static_cast<std::uint64_t>(n < relation_count_cap ? n : relation_count_cap);
        };
        return capped(links) | (capped(monitors) << 21U) | (capped(monitored_by) << 42U);
    }

    /// One count of a packed word: 0 links, 1 monitors, 2 monitored_by.
    static constexpr std::uint32_t relation_count(std::uint64_t counts, unsigned which) noexcept {
        return static_cast<std::uint32_t>((counts >> (21U * which)) & relation_count_cap);
    }

    /// Bytes of the blocks bound so far (`blocks`) and of the table's
    /// arrays (`arrays`). Any thread.
    void memory(std::size_t& blocks, std::size_t& arrays) const noexcept;

    /// Calls `visit` for every block ever bound (shutdown, introspection).
    template <class Visit>
    void for_each_block(Visit&& visit) const {
        std::uint32_t bound = bound_.load(std::memory_order_acquire);
        for (std::uint32_t id = 0; id < bound; ++id) {
            if (process* block = find(id)) {
                visit(*block);
            }
        }
    }

    static constexpr unsigned no_worker = ~0U;

private:
    struct worker_pool;

    process* bind_new(worker_pool* pool);
    process* bind_one();
    void refill_from_shared(worker_pool& pool);
    void spill_to_shared(worker_pool& pool) noexcept;
    void publish_first_relation_counts(std::uint32_t id, std::uint64_t counts) noexcept;

    detail::runtime_core& runtime_;
    std::array<std::atomic<std::atomic<process*>*>, max_chunks> chunks_{};
    // Storage for each chunk's blocks, 64-byte aligned so a block's lines
    // are its own (see process's layout). Blocks are built in place as slots
    // are bound and live until the table goes; written under grow_mutex_.
    std::array<std::byte*, max_chunks> slabs_{};
    // Per slot, beside the blocks (which have no byte to spare): the
    // process's link and monitor counts, written by the owner when its
    // tables change and read by introspection. A chunk's array is made on
    // the first nonzero counts of one of its processes (under grow_mutex_),
    // so a node whose processes never link or monitor pays nothing.
    std::array<std::atomic<std::atomic<std::uint64_t>*>, max_chunks> relation_counts_{};
    // Slots bound so far; written under grow_mutex_, read (acquire) by
    // for_each_block.
    std::atomic<std::uint32_t> bound_{0};
    std::mutex grow_mutex_;

    struct alignas(64) worker_pool {
        process* free = nullptr;
        std::uint32_t count = 0;
    };

    std::vector<worker_pool> worker_pools_;
    std::mutex pool_mutex_;
    process* shared_free_ = nullptr;
    // Blocks on shared_free_: written under pool_mutex_, read without it as
    // a hint (relaxed) so a worker whose pool is empty skips the lock when
    // there is nothing to take.
    std::atomic<std::uint32_t> shared_count_{0};
};

} // namespace rill::internal
