#pragma once

/// \file
/// An asymmetric Dekker barrier: a free light side for a thread on its hot
/// path, a heavy side (a system call) for a rare other thread.
///
/// The store-then-load handshake "I set my flag, then I look at yours"
/// needs a full fence on both sides. When one side runs millions of times
/// a second (a worker entering its next-slot section) and the other
/// rarely (the watchdog rescuing a stuck worker), the fence can move: the
/// light side puts only a compiler barrier between its store and its load,
/// and the heavy side makes every thread of the process execute a full
/// memory barrier (Linux membarrier, private expedited) between its own
/// store and load. Either the light side's load comes after that barrier
/// and sees the heavy side's store, or its store came before the barrier
/// and the heavy side's load sees it.
///
/// Where the system call is missing, `heavy_barrier` returns false and
/// the heavy side must not rely on the handshake (it gives up).

#include "sync/fence.hpp"

#include <atomic>

namespace rill::internal {

/// The light side: orders a store before a later load for the heavy side.
inline void light_barrier() noexcept {
#if defined(__SANITIZE_THREAD__)
    // ThreadSanitizer sees neither the system call nor a compiler barrier:
    // a fence it models (fence.hpp) keeps the handshake visible to it.
    store_load_fence();
#else
    std::atomic_signal_fence(std::memory_order_seq_cst);
#endif
}

/// The heavy side: a full memory barrier on every thread of the process.
/// False when the system offers none (the caller must back off).
[[nodiscard]] bool heavy_barrier() noexcept;

} // namespace rill::internal
