#pragma once

/// \file
/// The two kinds of timer a process layer arms on the workers' wheels.
///
/// `timeout_timer` ends a receive or sleep. It is shared by the wheel and by
/// the waiting process (`refs` starts at 2). The process, when its wait ends
/// another way, unlinks the entry itself if it runs on the worker that armed
/// it (the common case: O(1), freed at once); otherwise it only marks it
/// cancelled and drops its reference, and the wheel frees it when due. When
/// it fires, it pushes a timeout signal tagged with the wait's sequence
/// number; a process ignores a timeout whose sequence is not its current
/// wait's, so a late signal never ends a later receive.
///
/// `send_after_timer` carries a message to deliver; it is findable by its
/// reference for `cancel_timer`, and by its target for the target's exit,
/// under the runtime's timers mutex. Whoever removes it from those maps
/// (the firing wheel, a canceller, the target's exit) decides its fate. A
/// canceller frees the message at once (as Erlang's cancel_timer does) and
/// has the entry taken off its wheel (scheduler::remove_timer_anywhere);
/// when that removal is queued for another worker, `removal_queued` tells a
/// wheel that fires the entry meanwhile to leave it to the removal.

#include <rill/core/pid.hpp>
#include <rill/core/reference.hpp>
#include <rill/detail/mailbox_node.hpp>

#include "sched/timer_wheel.hpp"

#include <atomic>
#include <cstdint>

namespace rill::detail {
class runtime_core;
}

namespace rill::internal {

struct timeout_timer final : timer_entry {
    timeout_timer(detail::runtime_core& owner, const pid& waiter, std::uint32_t wait_sequence);

    static void fire(timer_entry* entry) noexcept;
    /// Drops one reference; the last frees the timer.
    void release() noexcept;

    detail::runtime_core& runtime;
    pid target;
    std::uint32_t sequence;
    // Set by the waiter when its wait ended first; read by the wheel at
    // expiry. Relaxed: a stale `false` only sends a timeout signal that the
    // process ignores by its sequence number.
    std::atomic<bool> cancelled{false};
    // Holders: the wheel and the waiter. acq_rel on the decrement so the
    // last holder sees every write of the other before freeing.
    std::atomic<std::uint32_t> refs{2};
};

struct send_after_timer final : timer_entry {
    send_after_timer(detail::runtime_core& owner,
                     const pid& to,
                     detail::mailbox_node* message,
                     const reference& ref);
    ~send_after_timer();
    send_after_timer(const send_after_timer&) = delete;
    send_after_timer& operator=(const send_after_timer&) = delete;

    static void fire(timer_entry* entry) noexcept;

    detail::runtime_core& runtime;
    pid target;
    detail::mailbox_node* message; // owned until delivered
    reference ref;
    // The other timers of `target`, under the runtime's timers mutex.
    send_after_timer* previous_of_target = nullptr;
    send_after_timer* next_of_target = nullptr;
    bool removal_queued = false; // under the timers mutex
};

/// Builds the timeout signal node for a wait sequence.
detail::mailbox_node* make_timeout_signal(std::uint32_t sequence);

} // namespace rill::internal
