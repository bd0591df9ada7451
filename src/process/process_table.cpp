#include "process/process_table.hpp"

#include <new>
#include <stdexcept>

namespace rill::internal {

namespace {
// Blocks a worker keeps for itself; past this it gives `transfer_batch` of
// them to the shared list in one lock, and takes as many back when it runs
// dry.
constexpr std::uint32_t max_private_free = 4096;
constexpr std::uint32_t transfer_batch = 1024;
// Blocks bound per lock of grow_mutex_ for a worker (within one chunk).
constexpr std::uint32_t bind_batch = 32;

} // namespace

process_table::process_table(detail::runtime_core& runtime, unsigned workers)
    : runtime_(runtime)
    , worker_pools_(workers) {}

process_table::~process_table() {
    std::uint32_t bound = bound_.load(std::memory_order_acquire);
    for (std::uint32_t chunk = 0; chunk * chunk_size < bound; ++chunk) {
        std::atomic<process*>* slots = chunks_[chunk].load(std::memory_order_acquire);
        for (std::uint32_t i = 0; i < chunk_size; ++i) {
            if (process* block = slots[i].load(std::memory_order_relaxed)) {
                block->~process();
            }
        }
        delete[] slots;
        delete[] relation_counts_[chunk].load(std::memory_order_relaxed);
        ::operator delete (slabs_[chunk], std::align_val_t{alignof(process)});
    }
}

process* process_table::acquire(unsigned worker_index) {
    if (worker_index >= worker_pools_.size()) {
        {
            std::lock_guard lock(pool_mutex_);
            if (shared_free_ != nullptr) {
                process* block = shared_free_;
                shared_free_ = block->next_free;
                shared_count_.store(shared_count_.load(std::memory_order_relaxed) - 1,
                                    std::memory_order_relaxed);
                return block;
            }
        }
        return bind_new(nullptr);
    }
    worker_pool& pool = worker_pools_[worker_index];
    if (pool.free == nullptr && shared_count_.load(std::memory_order_relaxed) != 0) {
        refill_from_shared(pool);
    }
    if (pool.free == nullptr) {
        return bind_new(&pool);
    }
    process* block = pool.free;
    pool.free = block->next_free;
    --pool.count;
    return block;
}

void process_table::release(process* block, unsigned worker_index) noexcept {
    if (worker_index >= worker_pools_.size()) {
        std::lock_guard lock(pool_mutex_);
        block->next_free = shared_free_;
        shared_free_ = block;
        shared_count_.store(shared_count_.load(std::memory_order_relaxed) + 1,
                            std::memory_order_relaxed);
        return;
    }
    worker_pool& pool = worker_pools_[worker_index];
    block->next_free = pool.free;
    pool.free = block;
    if (++pool.count >= max_private_free) {
        spill_to_shared(pool);
    }
}

void process_table::refill_from_shared(worker_pool& pool) {
    std::lock_guard lock(pool_mutex_);
    std::uint32_t taken = 0;
    while (shared_free_ != nullptr && taken < transfer_batch) {
        process* block = shared_free_;
        shared_free_ = block->next_free;
        block->next_free = pool.free;
        pool.free = block;
        ++taken;
    }
    pool.count += taken;
    shared_count_.store(shared_count_.load(std::memory_order_relaxed) - taken,
                        std::memory_order_relaxed);
}

void process_table::spill_to_shared(worker_pool& pool) noexcept {
    // Detach `transfer_batch` blocks from the head of the private list.
    process* first = pool.free;
    process* last = first;
    for (std::uint32_t i = 1; i < transfer_batch; ++i) {
        last = last->next_free;
    }
    pool.free = last->next_free;
    pool.count -= transfer_batch;
    std::lock_guard lock(pool_mutex_);
    last->next_free = shared_free_;
    shared_free_ = first;
    shared_count_.store(shared_count_.load(std::memory_order_relaxed) + transfer_batch,
                        std::memory_order_relaxed);
}

process* process_table::bind_new(worker_pool* pool) {
    // Binds one block for the caller and, for a worker, a few more into its
    // private pool: one lock per batch of a spawn storm.
    std::lock_guard lock(grow_mutex_);
    std::uint32_t extra = pool != nullptr ? bind_batch - 1 : 0;
    process* block = bind_one();
    for (std::uint32_t i = 0; i < extra && bound_.load(std::memory_order_relaxed) % chunk_size != 0;
         ++i) {
        process* spare = bind_one();
        spare->next_free = pool->free;
        pool->free = spare;
        ++pool->count;
    }
    return block;
}

void process_table::publish_first_relation_counts(std::uint32_t id, std::uint64_t counts) noexcept {
    if (counts == 0) {
        return; // none, and none published before in this chunk
    }
    const std::uint32_t chunk = id >> chunk_bits;
    std::atomic<std::uint64_t>* slots = nullptr;
    {
        const std::lock_guard lock(grow_mutex_);
        slots = relation_counts_[chunk].load(std::memory_order_relaxed);
        if (slots == nullptr) {
            slots = new (std::nothrow) std::atomic<std::uint64_t>[chunk_size]();
            if (slots == nullptr) {
                return; // out of memory: introspection shows no counts here
            }
            // Release: the zeroed counts are visible before the array is.
            relation_counts_[chunk].store(slots, std::memory_order_release);
        }
    }
    // Relaxed: see relation_counts.
    slots[id & (chunk_size - 1)].store(counts, std::memory_order_relaxed);
}

void process_table::memory(std::size_t& blocks, std::size_t& arrays) const noexcept {
    const std::uint32_t bound = bound_.load(std::memory_order_acquire);
    blocks = std::size_t{bound} * sizeof(process);
    arrays = 0;
    for (std::uint32_t chunk = 0; chunk * chunk_size < bound; ++chunk) {
        arrays += chunk_size * sizeof(std::atomic<process*>);
        if (relation_counts_[chunk].load(std::memory_order_relaxed) != nullptr) {
            arrays += chunk_size * sizeof(std::atomic<std::uint64_t>);
        }
    }
}

process* process_table::bind_one() {
    std::uint32_t id = bound_.load(std::memory_order_relaxed);
    std::uint32_t chunk = id >> chunk_bits;
    if (chunk >= max_chunks) {
        throw std::length_error("rill: process table full (16,777,216 processes)");
    }
    std::atomic<process*>* slots = chunks_[chunk].load(std::memory_order_relaxed);
    if (slots == nullptr) {
        slots = new std::atomic<process*>[chunk_size]();
        // Release: the zeroed slots are visible before the chunk is.
        chunks_[chunk].store(slots, std::memory_order_release);
    }
    if (slabs_[chunk] == nullptr) {
        // One allocation per chunk; its pages are touched only as blocks
        // are bound.
        slabs_[chunk] = static_cast<std::byte*>(
            ::operator new (chunk_size * sizeof(process), std::align_val_t{alignof(process)}));
    }
    auto* block =
        new (slabs_[chunk] + (id & (chunk_size - 1)) * sizeof(process)) process(runtime_, id);
    // Release: the constructed block is visible to lock-free finders.
    slots[id & (chunk_size - 1)].store(block, std::memory_order_release);
    bound_.store(id + 1, std::memory_order_release);
    return block;
}

} // namespace rill::internal
