#pragma once

/// \file
/// `store_load_fence`: the full fence of a Dekker handshake ("I publish
/// mine, then I look at yours"; the other side does the same), in a form
/// the thread sanitizer can follow.
///
/// GCC's ThreadSanitizer ignores `std::atomic_thread_fence`: it neither
/// checks a protocol built on fences nor learns the ordering they give, so
/// it would report races the fences rule out and could not see a fence
/// that is missing. In TSan builds the fence becomes a sequentially
/// consistent read-modify-write of one process-wide word, which TSan does
/// model: of two threads that pass it, the later one sees everything the
/// earlier one did before it. That is what the pair of fences guarantees
/// to a Dekker handshake, so TSan then checks what the handshake protects
/// (a runnable handed over once, a wheel touched by one thread at a time)
/// and reports it when a protocol step is out of order. Other builds get
/// the plain fence, which costs nothing more. (crossbeam-epoch does the
/// same for the same reason.)

#include <atomic>

namespace rill::internal {

#if defined(__SANITIZE_THREAD__)
// The word every TSan-build fence reads and writes; its value is unused.
inline std::atomic<unsigned> fence_word{0};
#endif

/// A full memory fence: no load after it takes its value before a store
/// ahead of it is visible to other threads.
inline void store_load_fence() noexcept {
#if defined(__SANITIZE_THREAD__)
    fence_word.fetch_add(0, std::memory_order_seq_cst);
#else
    std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
}

} // namespace rill::internal
