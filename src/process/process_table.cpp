#include "process/process_table.hpp"

#include <new>
#include <stdexcept>

namespace rill::internal {

namespace {
// Blocks a worker keeps for itself before giving the rest to the shared list.
constexpr std::uint32_t max_private_free = 4096;
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
        ::operator delete (slabs_[chunk], std::align_val_t{alignof(process)});
    }
}

process* process_table::acquire(unsigned worker_index) {
    if (worker_index < worker_pools_.size()) {
        worker_pool& pool = worker_pools_[worker_index];
        if (pool.free != nullptr) {
            process* block = pool.free;
            pool.free = block->next_free;
            --pool.count;
            return block;
        }
    }
    {
        std::lock_guard lock(pool_mutex_);
        if (shared_free_ != nullptr) {
            process* block = shared_free_;
            shared_free_ = block->next_free;
            return block;
        }
    }
    return bind_new();
}

void process_table::release(process* block, unsigned worker_index) noexcept {
    if (worker_index < worker_pools_.size()) {
        worker_pool& pool = worker_pools_[worker_index];
        if (pool.count < max_private_free) {
            block->next_free = pool.free;
            pool.free = block;
            ++pool.count;
            return;
        }
    }
    std::lock_guard lock(pool_mutex_);
    block->next_free = shared_free_;
    shared_free_ = block;
}

process* process_table::bind_new() {
    std::lock_guard lock(grow_mutex_);
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
