#pragma once

/// \file
/// A worker's run queue: a bounded ring of runnables with one owner and any
/// number of thieves.
///
/// Layout: `slots_` is a ring of 256 pointers; `tail_` is the next free
/// position and is written only by the owner; `head_` is the next position to
/// take and moves forward by compare-and-swap, by the owner (`pop`) and by
/// thieves (`steal_into`). Positions are free-running 32-bit counters; the
/// slot of a position is `position % capacity`.
///
/// Protocol:
/// - push (owner): store the pointer into slot `tail`, then publish
///   `tail + 1` with release, so a thief that loads tail with acquire sees the
///   slot's contents and everything the pusher wrote before.
/// - pop (owner) / steal (thief): read the slot(s) from `head`, then claim
///   them by CAS on head. A slot read is only used if the CAS from the head it
///   was read at succeeds; the owner writes slot `p` again only at position
///   `p + capacity`, which requires head to have passed `p`, so a successful
///   CAS proves the values read were still current.
/// - a thief takes half of what it sees (at most 128), never walking a list.
/// When the ring is full the owner moves half of it to the scheduler's
/// injector in one batch (tokio's overflow rule).

#include "sched/runnable.hpp"

#include <array>
#include <atomic>
#include <cstdint>

namespace rill::internal {

class local_queue {
public:
    static constexpr std::uint32_t capacity = 256;

    /// Owner only. Returns false when the ring is full.
    bool try_push(runnable* item) noexcept {
        // Relaxed: tail is written only by this thread.
        std::uint32_t tail = tail_.load(std::memory_order_relaxed);
        // Acquire: pairs with the CAS of whoever advanced head last, so the
        // slot we are about to overwrite is no longer being read by anyone
        // whose claim succeeded.
        std::uint32_t head = head_.load(std::memory_order_acquire);
        if (tail - head >= capacity) {
            return false;
        }
        // Relaxed: published by the release store of tail below.
        slots_[tail % capacity].store(item, std::memory_order_relaxed);
        // Release: makes the slot (and the runnable's state) visible to
        // thieves that acquire tail.
        tail_.store(tail + 1, std::memory_order_release);
        return true;
    }

    /// Owner only: takes the oldest half of a full ring for the injector.
    /// Writes at most `capacity / 2` items to `out`; returns how many.
    std::uint32_t take_half(runnable** out) noexcept {
        for (;;) {
            std::uint32_t head = head_.load(std::memory_order_acquire);
            std::uint32_t tail = tail_.load(std::memory_order_relaxed);
            std::uint32_t count = (tail - head) / 2;
            if (count == 0) {
                return 0;
            }
            for (std::uint32_t i = 0; i < count; ++i) {
                out[i] = slots_[(head + i) % capacity].load(std::memory_order_relaxed);
            }
            // acq_rel: the claim must be ordered with competing claims.
            if (head_.compare_exchange_strong(head, head + count, std::memory_order_acq_rel)) {
                return count;
            }
        }
    }

    /// Owner only: the oldest runnable, or nullptr.
    runnable* pop() noexcept {
        std::uint32_t head = head_.load(std::memory_order_acquire);
        for (;;) {
            std::uint32_t tail = tail_.load(std::memory_order_relaxed);
            if (head == tail) {
                return nullptr;
            }
            runnable* item = slots_[head % capacity].load(std::memory_order_relaxed);
            // acq_rel: competes with thieves' claims; on failure `head` is
            // reloaded.
            if (head_.compare_exchange_weak(head, head + 1, std::memory_order_acq_rel)) {
                return item;
            }
        }
    }

    /// Thief: moves up to half of this ring into `into` (the thief's own,
    /// empty ring) and returns one more runnable to run now, or nullptr.
    runnable* steal_into(local_queue& into) noexcept {
        // Left uninitialised: only the `count` entries read below are used,
        // and zeroing 1 KiB on every attempt showed in the profile of an
        // idle worker polling a busy one.
        std::array<runnable*, capacity / 2> batch; // NOLINT(cppcoreguidelines-pro-type-member-init)
        for (;;) {
            std::uint32_t head = head_.load(std::memory_order_acquire);
            // Acquire: pairs with the owner's release store of tail, making
            // the slots below it readable.
            std::uint32_t tail = tail_.load(std::memory_order_acquire);
            std::uint32_t available = tail - head;
            if (available == 0) {
                return nullptr;
            }
            if (available > capacity) {
                continue; // our head is stale: the owner lapped it; reload
            }
            std::uint32_t count = available - available / 2;
            if (count > batch.size()) {
                count = static_cast<std::uint32_t>(batch.size());
            }
            for (std::uint32_t i = 0; i < count; ++i) {
                batch[i] = slots_[(head + i) % capacity].load(std::memory_order_relaxed);
            }
            if (head_.compare_exchange_strong(head, head + count, std::memory_order_acq_rel)) {
                for (std::uint32_t i = 0; i + 1 < count; ++i) {
                    into.try_push(batch[i]); // fits: the thief's ring was empty
                }
                return batch[count - 1];
            }
        }
    }

    /// Any thread; a hint only.
    [[nodiscard]] std::uint32_t size_hint() const noexcept {
        std::uint32_t tail = tail_.load(std::memory_order_relaxed);
        std::uint32_t head = head_.load(std::memory_order_relaxed);
        std::uint32_t size = tail - head;
        return size > capacity ? 0 : size;
    }

private:
    // Next position to take; advanced by CAS by the owner and by thieves.
    alignas(64) std::atomic<std::uint32_t> head_{0};
    // Next free position; stored only by the owner (release), loaded by
    // thieves (acquire).
    alignas(64) std::atomic<std::uint32_t> tail_{0};
    // The ring. Each slot is written by the owner before the tail store that
    // publishes it and read by whoever then claims its position.
    std::array<std::atomic<runnable*>, capacity> slots_{};
};

} // namespace rill::internal
