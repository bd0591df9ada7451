#pragma once

/// \file
/// A per-thread cache of small blocks in 16-byte size classes, for the
/// runtime's short-lived allocations: coroutine frames and mailbox nodes.
///
/// Each thread keeps one free list per class (up to 512 bytes); a freed
/// block goes to the freeing thread's list — blocks migrate between threads
/// with the processes and messages that use them. A list that reaches its
/// cap moves whole to a shared depot, where a thread whose list ran dry
/// picks it up: one mutex hand-off per few thousand blocks lets a producer
/// thread and a consumer thread recycle each other's blocks. Blocks are
/// carved from 64 KiB chunks and never go back to the global allocator: the
/// depot keeps every list, so the memory of a burst serves the next one
/// (docs/design/0005). Larger blocks go straight to the global allocator.
/// Under AddressSanitizer the cache is bypassed so every use after free is
/// seen; `small_object_cache_enabled()` says which.
///
/// The per-thread lists (thread-locals) and the depot belong to the OS
/// process, not to a `runtime`: every runtime in it allocates from them, and
/// a block one node frees may serve another's next spawn. DESIGN's "no
/// process-global mutable state" (so that one test can run two nodes) still
/// holds in substance: the cache holds only free, untyped memory, with no
/// pid, atom, name, timer or node identity in it, so no runtime can observe
/// another through it, and nothing a runtime does depends on what the cache
/// holds (an empty list only means one more chunk from the global
/// allocator). What crosses runtimes is footprint alone: memory one node's
/// burst took stays cached after that node ends, for whichever comes next.
/// The depot is leaked on purpose: threads may still free blocks during
/// static destruction (a runtime held in a static object ends then), and
/// they must find it there.

#include <cstddef>

namespace rill::internal {

/// The calling thread's cache. `size` must be the size given at allocation.
void* allocate_small(std::size_t size);
void free_small(void* block, std::size_t size) noexcept;

/// Bytes the cache took from the global allocator, in all (any thread).
std::size_t small_object_cache_bytes() noexcept;

/// False when the cache is bypassed (AddressSanitizer builds).
bool small_object_cache_enabled() noexcept;

/// A standard allocator over the cache, for node-based containers whose
/// nodes come and go at message rate (link and monitor tables).
template <class T>
struct small_allocator {
    using value_type = T;

    small_allocator() noexcept = default;

    template <class U>
    explicit(false) small_allocator(const small_allocator<U>& /*other*/) noexcept {}

    T* allocate(std::size_t count) { return static_cast<T*>(allocate_small(count * sizeof(T))); }

    void deallocate(T* block, std::size_t count) noexcept { free_small(block, count * sizeof(T)); }

    friend bool operator==(const small_allocator&, const small_allocator&) noexcept { return true; }
};

} // namespace rill::internal
