#pragma once

/// \file
/// The process control block.
///
/// Ownership of fields:
/// - `refs_`, `serial_` are atomics read by any thread (see below).
/// - the mailbox inbox is any-thread (see mailbox.hpp);
/// - everything else (frames, wait state, message queue, timers, flags) is
///   touched only by the worker running the process — the Erlang rule. Other
///   threads reach a process only by pushing a signal into its inbox.
///
/// Memory is type-stable: a control block is never freed while its runtime
/// lives. When a process ends, its block returns to a pool and is reused by
/// a later process in the same table slot with `serial_ + 1`. That is what
/// makes lock-free lookup safe (process_table.hpp):
///   `refs_` bit 31 ("alive") is held by the running process itself; the low
///   bits count senders that pinned the block to deliver a signal. A sender
///   pins only a non-zero count (CAS loop), then checks `serial_`; the block
///   is recycled by whoever drops the count to zero. So a pinned block is
///   never reused under a sender's feet, and a stale pid never reaches the
///   next process in the slot.
///
/// A process is suspended in one of three ways, recorded in `suspend_` by
/// the awaiter just before control returns to the worker: waiting in a
/// receive (`wait_` set; the worker parks it in the mailbox or resumes it
/// when a match or a timeout arrives), yielding (requeued), or finished.

#include <rill/core/pid.hpp>
#include <rill/core/term.hpp>
#include <rill/detail/process_entry.hpp>
#include <rill/process/summary.hpp>
#include <rill/process/task.hpp>

#include "process/mailbox.hpp"
#include "process/name_slot.hpp"
#include "sched/runnable.hpp"

#include <algorithm>
#include <atomic>
#include <coroutine>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

namespace rill::detail {
class runtime_core;
}

namespace rill::internal {

class worker;
struct timeout_timer;
struct process_relations; // the signal layer's (src/signal/relations.hpp)

class alignas(64) process final : public runnable {
public:
    static constexpr std::uint32_t alive_bit = std::uint32_t{1} << 31;

    process(detail::runtime_core& runtime, std::uint32_t id) noexcept;
    process(const process&) = delete;
    process& operator=(const process&) = delete;
    ~process();

    [[nodiscard]] std::uint32_t id() const noexcept { return id_; }

    /// Any thread; meaningful for a pinned block or on the owner's worker.
    [[nodiscard]] std::uint32_t serial() const noexcept {
        // Relaxed: ordered by the acquire that pinned the block (or by
        // running on the owner's worker).
        return serial_.load(std::memory_order_relaxed);
    }

    [[nodiscard]] pid to_pid() const noexcept;

    [[nodiscard]] detail::runtime_core& runtime() const noexcept { return runtime_; }

    mailbox& box() noexcept { return mailbox_; }

    /// Any thread: keeps the block from being recycled; false when it is
    /// free (in the pool).
    bool try_pin() noexcept {
        // Relaxed first guess; the CAS below re-reads.
        std::uint32_t refs = refs_.load(std::memory_order_relaxed);
        do {
            if (refs == 0) {
                return false;
            }
            // Acquire: pairs with the release that made this incarnation
            // alive, so `serial_` read next is the incarnation's.
        } while (!refs_.compare_exchange_weak(
            refs, refs + 1, std::memory_order_acquire, std::memory_order_relaxed));
        return true;
    }

    /// Any thread: drops a pin; the last reference recycles the block.
    void unpin() noexcept;

    /// Whether a process currently lives in this block (any thread, racy).
    [[nodiscard]] bool is_alive_hint() const noexcept {
        return (refs_.load(std::memory_order_acquire) & alive_bit) != 0;
    }

    /// Whether the process lives and no untrappable kill is on its way to
    /// it. Call with the block pinned.
    [[nodiscard]] bool is_alive_and_not_doomed() const noexcept {
        return is_alive_hint() && !doomed_.load(std::memory_order_relaxed);
    }

    /// A sender (holding a pin) is about to deliver `exit(this, kill)`: the
    /// process counts as dead for that sender's later liveness checks (S6).
    void mark_doomed() noexcept { doomed_.store(true, std::memory_order_relaxed); }

    /// A sender (holding a pin) armed a send_after timer to this process:
    /// its exit must cancel the process's timers.
    void note_send_after() noexcept { has_send_after_.store(true, std::memory_order_relaxed); }

    /// The calling process's trap_exit flag; returns the previous value.
    bool set_trap_exit(bool trap) noexcept { return std::exchange(trap_exit_, trap); }

    [[nodiscard]] bool traps_exits() const noexcept { return trap_exit_; }

    /// Owner: introspection figures for process::info.
    [[nodiscard]] std::uint32_t message_queue_length() const noexcept { return mailbox_.length(); }

    [[nodiscard]] std::size_t message_queue_bytes() const noexcept {
        return mailbox_.queued_bytes();
    }

    [[nodiscard]] bool is_waiting() const noexcept { return wait_ != nullptr; }

    [[nodiscard]] std::uint64_t reductions() const noexcept {
        return reductions_done_.load(std::memory_order_relaxed) +
               static_cast<std::uint64_t>(std::max(0, budget_ - reductions_left_));
    }

    /// What another thread can read of a live process without its help,
    /// each figure as of the process's last slice (the queue figures and
    /// the status as of now, except `running`, which only the workers
    /// know). Call with the block pinned; `now_ms` is the scheduler clock.
    struct published_figures {
        process_status status;
        std::uint32_t message_queue_length;
        std::uint32_t oldest_message_age_ms; ///< 0 with an empty queue
        std::size_t memory;
        std::size_t queued_bytes;
        std::uint64_t reductions;
        std::uint32_t links;
        std::uint32_t monitors;     ///< monitors it holds on others
        std::uint32_t monitored_by; ///< monitors others hold on it
    };

    [[nodiscard]] published_figures read_published(std::uint64_t now_ms) const noexcept;

    /// Owner: ends the process as soon as the current signal batch is
    /// handled (a signal decided it must die).
    void request_exit(term reason) noexcept;

    /// Owner: queues a message built by the runtime (a trapped EXIT, a DOWN)
    /// behind those already queued.
    void append_message(mailbox_node* node) noexcept { mailbox_.append(node, arrival_stamp()); }

    /// Owner: the process made `ref`; a later receive for a reply to it may
    /// skip every message queued before now.
    void note_reference_made(const reference& ref) noexcept {
        mailbox_.set_mark();
        mark_low_ = (std::uint64_t{ref.id[1]} << 32) | ref.id[0];
        mark_origin_ = ref.id[2];
        has_mark_ = true;
    }

    /// Owner: handles every signal that has arrived (used by operations
    /// that must see the caller's signal queue up to date, like demonitor).
    void handle_arrived_signals() noexcept { drain_incoming(); }

    /// Owner: drops queued messages that `match` accepts; returns how many.
    template <class Match>
    std::uint32_t remove_messages_if(Match&& match) noexcept {
        return mailbox_.remove_if(std::forward<Match>(match));
    }

    /// Owner: the slot of the link and monitor tables. The tables belong to
    /// the signal layer (src/signal/relations.hpp), which makes them on
    /// first use and frees them when the process ends; null until then.
    [[nodiscard]] process_relations*& relations_slot() noexcept { return relations_; }

    /// Owner: whether the tables hold back the signal of a monitor just
    /// taken (docs/design/0007). The signal layer sets it; the process
    /// sends the signal (through the signal layer) before it next acts on
    /// anything outside itself — sends, spawns, receives, suspends — unless
    /// `demonitor` drops it first. The flag lives here, not in the tables,
    /// because every send checks it.
    [[nodiscard]] bool holds_monitor() const noexcept { return has_held_monitor_; }

    /// Whether it is traced or carries a sequential trace label
    /// (src/process/tracing.hpp): any of `trace_bits`. Owner only.
    [[nodiscard]] bool traced() const noexcept { return trace_bits_ != 0; }

    /// `trace_own`: the node's trace_table has a receiver for it;
    /// `trace_carrier`: it carries a sequential trace label.
    static constexpr std::uint8_t trace_own = 1;
    static constexpr std::uint8_t trace_carrier = 2;

    void set_trace_bits(std::uint8_t bits) noexcept { trace_bits_ = bits; }

    /// Whether it has a label (process::set_label). Owner only.
    [[nodiscard]] bool labelled() const noexcept { return labelled_; }

    void set_labelled(bool labelled) noexcept { labelled_ = labelled; }

    void set_holds_monitor(bool held) noexcept { has_held_monitor_ = held; }

    /// Owner: sends the held-back monitor signal, if any.
    void release_held_monitor() noexcept {
        if (has_held_monitor_) {
            send_held_monitor();
        }
    }

    /// The registered name, if any (any thread; see name_slot.hpp).
    [[nodiscard]] std::optional<atom> registered_name() const noexcept { return name_.get(); }

    /// The slot of the registered name: the registry and the dying process
    /// change it (name_slot.hpp).
    [[nodiscard]] name_slot& name() noexcept { return name_; }

    /// Binds a new process body to this (free) block and makes it alive.
    /// Returns the new pid's serial. `root`: the process `runtime::run`
    /// waits for.
    std::uint32_t start(task<>::handle_type body, bool root = false) noexcept;

    /// The scheduler's entry point: one time slice.
    static void run_slice(runnable* self, worker& on) noexcept;

    // Called by the receive / yield awaiters of the running process.
    bool receive_ready(detail::receive_wait& wait);
    [[nodiscard]] bool is_mark_of(const reference* ref) const noexcept;
    void receive_suspend(detail::receive_wait& wait, std::coroutine_handle<> resume_point) noexcept;
    void yield_suspend(std::coroutine_handle<> resume_point) noexcept;

    /// Counts one reduction (send, spawn) against the current slice.
    void charge() noexcept {
        if (--reductions_left_ == 0) {
            budget_ran_out();
        }
    }

    /// Whether this slice has spent its reductions: the process keeps its
    /// worker only until its next suspension point.
    [[nodiscard]] bool budget_spent() const noexcept { return reductions_left_ <= 0; }

    /// Ends the process now with `reason`: destroys its frames (running
    /// destructors), closes its mailbox, and releases its block. Runs on
    /// the owner's worker, or on the shutdown thread once workers stopped.
    void terminate(const term& reason) noexcept;

    /// The runtime's shutdown: ends a process that is not running.
    void terminate_at_shutdown() noexcept;

    /// The process running on this thread, if any.
    static process* current() noexcept { return running_; }

    /// The process running on this thread; throws `not_in_process` naming
    /// `operation` when there is none.
    static process& current_or_throw(const char* operation);

    /// The free-list link while the block sits in the pool.
    process* next_free = nullptr;

private:
    // The process whose slice this thread is running. Constant-initialised
    // and trivially destructible, so every access is a plain TLS load.
    static constinit inline thread_local process* running_ = nullptr;

    enum class suspend_reason : std::uint8_t { none, receive, yield };

    enum class wait_outcome : std::uint8_t { resume, parked, requeued, terminated };

    void slice() noexcept;
    [[gnu::noinline, gnu::cold]] void record_in_trace() noexcept;
    void budget_ran_out() noexcept;
    bool try_park_after_receive() noexcept;

    /// Ends a stretch of work: adds the reductions spent to the total and
    /// publishes the oldest queued message's arrival stamp (0: none) for
    /// read_published. The status needs no publishing: the inbox word says
    /// whether the process is parked, the workers which process runs.
    void account_reductions() noexcept {
        // Only the owner writes these: relaxed loads and stores (see the
        // fields). The stamp is stored only when it changes, so a process
        // whose queue stays empty writes nothing.
        reductions_done_.store(
            reductions_done_.load(std::memory_order_relaxed) +
                static_cast<std::uint64_t>(std::max(0, budget_ - reductions_left_)),
            std::memory_order_relaxed);
        budget_ = reductions_left_;
        const std::uint32_t oldest = mailbox_.oldest_arrival().value_or(0);
        if (oldest_arrival_.load(std::memory_order_relaxed) != oldest) {
            oldest_arrival_.store(oldest, std::memory_order_relaxed);
        }
    }

    static std::uint32_t arrival_stamp() noexcept;
    wait_outcome advance_wait() noexcept;
    void drain_incoming() noexcept;

    // Scans the queue from the wait's position; a match is unlinked into
    // `wait.matched` and costs a reduction. Inline: every receive calls it.
    bool take_match(detail::receive_wait& wait) noexcept {
        if (wait.match == nullptr || mailbox_.length() == 0) {
            return false;
        }
        mailbox_node* node = mailbox_.scan(
            [&](const mailbox_node* candidate) { return wait.match(candidate, wait.context); });
        if (node == nullptr) {
            return false;
        }
        wait.matched = node;
        --reductions_left_;
        if ((trace_bits_ | node->flags) != 0) [[unlikely]] {
            trace_taken(node); // traced, or a stamped message (tracing.hpp)
        }
        return true;
    }

    void handle_signal(detail::mailbox_node* node) noexcept;
    void trace_taken(detail::mailbox_node* node) noexcept;
    void complete_wait() noexcept;
    void arm_timeout() noexcept;
    void disarm_timeout() noexcept;
    void finish() noexcept;
    void release_alive() noexcept;
    void recycle() noexcept;
    void send_held_monitor() noexcept;

    // The block is three cache lines (blocks are 64-byte aligned, see
    // process_table). The first holds what other threads touch: senders pin
    // (`refs_`), read `serial_` and push onto the inbox head, which ends the
    // line; the rest of it is read-only or cold. The other two lines hold
    // the owner's per-message state, so a flood of senders on other workers
    // does not steal the lines the receiver is writing.
    detail::runtime_core& runtime_;
    const std::uint32_t id_;
    // The generation of the slot's current (or last) process; written by
    // `start` before the release store of `refs_` that makes it alive.
    std::atomic<std::uint32_t> serial_{0};
    // Bit 31: a process lives here; bits 0..30: pins by senders.
    std::atomic<std::uint32_t> refs_{0};
    name_slot name_;                         // the registered name
    process_relations* relations_ = nullptr; // see relations_slot()
    // Set by a sender of an untrappable kill; reset by `start`. Relaxed: the
    // sender itself reads it back in program order (S6); others may race.
    std::atomic<bool> doomed_{false};
    // Set by whoever arms a send_after timer to this process; read at its
    // exit. Relaxed: a timer armed by another thread in the instant of the
    // exit may be missed, and then frees itself at its deadline as before.
    std::atomic<bool> has_send_after_{false};
    bool is_root_ = false;
    // Introspection (read_published), written only by the owner, read
    // relaxed from any thread: the arrival stamp of its oldest queued
    // message as of its last slice's end, 0 when none (stamps are odd).
    std::atomic<std::uint32_t> oldest_arrival_{0};
    // Its first word, the inbox head, closes the first line.
    mailbox mailbox_;
    std::int32_t reductions_left_ = 0;
    std::int32_t budget_ = 0; // reductions granted this slice
    // Spent in earlier slices; owner writes, introspection reads (relaxed).
    std::atomic<std::uint64_t> reductions_done_{0};
    std::uint32_t wait_sequence_ = 0;
    suspend_reason suspend_ = suspend_reason::none;
    bool timed_out_ = false;
    bool trap_exit_ = false;
    bool has_mark_ = false;         // mark_low_/mark_origin_ name a reference
    std::uint32_t mark_origin_ = 0; // id[2] of the reference of the mailbox mark
    bool exit_pending_ = false;     // a signal ended the process: terminate at once
    bool has_held_monitor_ = false; // relations_->held_back holds a signal
    std::uint8_t trace_bits_ = 0;   // trace_own | trace_carrier (owner only)
    bool labelled_ = false;         // runtime_core's labels_ has an entry for it (owner only)
    std::uint64_t mark_low_ = 0;    // id[0..1] of that reference
    term pending_exit_reason_;
    task<>::handle_type root_;
    std::coroutine_handle<> resume_point_;
    detail::receive_wait* wait_ = nullptr;
    timeout_timer* timeout_ = nullptr;
};

// Three cache lines; a field added here costs 64 bytes per process.
static_assert(sizeof(process) == 192);

} // namespace rill::internal
