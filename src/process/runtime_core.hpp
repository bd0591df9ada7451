#pragma once

/// \file
/// A node's process-layer state: scheduler, process table, timers,
/// reference counters, root-process bookkeeping. The public `runtime`
/// owns one; processes reach it through their control block.

#include <rill/core/pid.hpp>
#include <rill/core/reference.hpp>
#include <rill/core/term.hpp>
#include <rill/process/summary.hpp>
#include <rill/runtime/runtime_options.hpp>

#include "process/process_table.hpp"
#include "process/tracing.hpp"
#include "sched/scheduler.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace rill::internal {
struct send_after_timer;
class process;
class registry;
class upper_layers;
} // namespace rill::internal

namespace rill::detail {

class runtime_core {
public:
    explicit runtime_core(runtime_options options);
    ~runtime_core();
    runtime_core(const runtime_core&) = delete;
    runtime_core& operator=(const runtime_core&) = delete;

    [[nodiscard]] const runtime_options& options() const noexcept { return options_; }

    internal::scheduler& sched() noexcept { return *scheduler_; }

    internal::process_table& table() noexcept { return table_; }

    [[nodiscard]] atom node() const noexcept { return node_; }

    [[nodiscard]] std::uint32_t creation() const noexcept { return creation_; }

    /// The block of a live local pid, pinned; nullptr when dead or remote.
    internal::process* pin(const pid& target) noexcept;

    /// Makes a process of `body` and queues it; `root` marks the process
    /// whose exit `wait_for_root` waits for. Any thread.
    pid spawn(task<> body, bool root = false);

    /// Like `spawn`; `prepare` runs on the new block after it is alive and
    /// before it can run (atomic spawn_link / spawn_monitor).
    using prepare_function = void (*)(internal::process& child, void* context);
    pid spawn(task<> body, prepare_function prepare, void* context);

    /// The one way out of a process (src/process/outbound.cpp): sends
    /// `node` (a message or any signal) to `to`, taking ownership. `sender`
    /// is the calling process when it is one of this runtime's, else null
    /// (another thread, a timer, an answer on behalf of the dead). Any
    /// thread. A dead local target answers as S68 says; a pid of another
    /// node goes to the remote route (or is answered as unreachable).
    /// Throws only `no_term_conversion`, for a message to another node
    /// whose payload cannot become a term (the node is freed).
    void send_out(internal::process* sender, const pid& to, mailbox_node* node);

    /// `send_out` for the hot case: a message node from the running process
    /// `sender` (never null). Same duties, without those of exit signals.
    void send_message_out(internal::process& sender, const pid& to, mailbox_node* message);

    /// `send_out` to the process registered as `name` on `node`: resolved
    /// now on this node (dropped when nobody holds it, S16), or sent by name
    /// to another node.
    void send_out_to_name(internal::process* sender, atom name, atom node, mailbox_node* message);

    /// Delivers `node` to the local process `to` on behalf of a sender that
    /// is no process of this runtime (a timer, an injected remote signal);
    /// a dead target answers with `noproc` (S68). Any thread.
    void deliver_local(const pid& to, mailbox_node* node) noexcept;

    /// Disposes of a node that reached no live local process: signals are
    /// answered with `noproc` through the signal layer, messages dropped.
    void drop(mailbox_node* node) noexcept;

    /// Delivers `node` to a block the caller has pinned; `sender` as for
    /// `send_out`.
    void deliver_pinned(internal::process* sender,
                        internal::process* target,
                        mailbox_node* node) noexcept;

    [[nodiscard]] bool is_local(const pid& p) const noexcept {
        return p.node == node_ && p.creation == creation_;
    }

    /// Index of the calling thread's worker in this runtime, or no_worker.
    [[nodiscard]] unsigned worker_index() const noexcept;

    reference make_reference() noexcept;

    /// Bookkeeping when a process ends (after its mailbox closed).
    void process_exited(const pid& p, const term& reason, bool root) noexcept;

    /// Introspection (src/process/introspection.cpp), any thread: the live
    /// processes, and one of them seen from outside.
    [[nodiscard]] std::vector<pid> processes() const;
    [[nodiscard]] std::optional<process_summary> summary(const pid& p) noexcept;
    /// Processes started since the node started (a walk of the table).
    [[nodiscard]] std::uint64_t spawned_total() const noexcept;
    /// Whether `block` is in a slice right now (or is the caller).
    [[nodiscard]] bool runs_now(const internal::process* block) noexcept;

    /// Values kept per node for the layers above the core (process::node_value).
    [[nodiscard]] std::shared_ptr<void> node_value(atom key) const;

    /// Labels (process::set_label), kept here for the few processes that
    /// have one; `owner` is the calling process. Empty removes it.
    void set_label(internal::process& owner, std::string label);
    /// Drops the label of an ending process (only if it has one).
    void forget_label(internal::process& owner) noexcept;
    /// Every live labelled process and its label (any thread).
    [[nodiscard]] std::vector<std::pair<pid, std::string>> labels() const;

    /// The node's traces (src/process/tracing.hpp).
    [[nodiscard]] internal::trace_table& traces() noexcept { return traces_; }

    void set_node_value(atom key, std::shared_ptr<void> value);

    [[nodiscard]] std::size_t live_count() const noexcept {
        return static_cast<std::size_t>(live_.load(std::memory_order_acquire));
    }

    // Root process (runtime::run).
    term wait_for_root();
    [[nodiscard]] bool root_done() const;
    [[nodiscard]] term root_reason() const;

    // send_after timers. A timer to a local pid belongs to that process, as
    // in Erlang: it is cancelled (its message freed) when the process exits.
    /// `delay_ms` of `wait_forever`: nothing is armed, the node is freed.
    reference arm_send_after(const pid& to, mailbox_node* node, std::int64_t delay_ms);
    std::int64_t cancel_send_after(const reference& ref);
    void send_after_fired(internal::send_after_timer* timer) noexcept;
    /// Cancels every send_after timer whose target is `p` (its exit).
    void cancel_send_after_to(const pid& p) noexcept;

    /// The layers above the process layer (signal, registry, remote
    /// route); set by the runtime before any process runs.
    internal::upper_layers* upper = nullptr;
    /// The node's name registry (owned by the runtime; opaque here).
    internal::registry* names = nullptr;

    // Deterministic-mode records.
    std::vector<pid> trace;
    std::unordered_map<pid, term> exit_reasons;

    /// Shuts the node down; idempotent (a second call returns at once).
    /// Called by `~runtime` and at the end of `runtime::run`, never on one of
    /// this runtime's workers (step 2 joins them). In this order:
    ///   1. sets `shut_down_`: from here spawns spawn nothing and `send_after`
    ///      timers deliver nothing;
    ///   2. stops the scheduler: joins the workers and the watchdog (none in
    ///      deterministic mode) and forgets the queued runnables, so no
    ///      process runs a slice any more;
    ///   3. waits for spawns in progress on other threads (`outside_spawns_`)
    ///      that passed their check before step 1;
    ///   4. ends every process still alive with reason `shutdown`, on the
    ///      calling thread (frames destroyed, links and monitors signalled),
    ///      repeating while a pass ends some and others are left;
    ///   5. fires every timer left on the wheels, which now only frees what
    ///      it holds, and forgets the `send_after` timers.
    void shutdown() noexcept;

    [[nodiscard]] bool shut_down() const noexcept {
        return shut_down_.load(std::memory_order_acquire);
    }

private:
    internal::trace_table traces_;
    mutable std::mutex labels_mutex_;
    std::unordered_map<const internal::process*, std::pair<pid, std::string>>
        labels_; // guarded by labels_mutex_
    // process::node_value's table, by atom index: read and written by
    // processes on any worker, rarely (a layer's setup, the logger's level).
    mutable std::mutex node_values_mutex_;
    std::unordered_map<std::uint32_t, std::shared_ptr<void>>
        node_values_; // guarded by node_values_mutex_
    pid spawn_prepared(task<> body, bool root, prepare_function prepare, void* context);

    runtime_options options_;
    atom node_;
    std::uint32_t creation_;
    std::unique_ptr<internal::scheduler> scheduler_;
    internal::process_table table_;

    // Live processes: relaxed increment at spawn, release decrement at exit,
    // acquire read in live_count() (shutdown and tests wait for zero).
    std::atomic<std::int64_t> live_{0};

    struct alignas(64) reference_counter {
        std::uint64_t next = 0;
    };

    std::vector<reference_counter> worker_references_;
    // References made on threads that are not workers.
    std::atomic<std::uint64_t> outside_references_{0};

    mutable std::mutex root_mutex_;
    std::condition_variable root_cv_;
    std::optional<pid> root_;
    bool root_pending_ = false; // a root was spawned and has not exited
    std::optional<term> root_reason_;

    /// Under timers_mutex_: takes `timer` out of both maps and takes its
    /// message (returned, to be destroyed without the lock); then, when it
    /// is `on_wheel` (not being fired), has the entry removed from its wheel
    /// or, failing that, left to fire and free itself.
    detail::mailbox_node* disarm_locked(internal::send_after_timer* timer, bool on_wheel) noexcept;

    std::mutex timers_mutex_;
    std::unordered_map<reference, internal::send_after_timer*> send_after_timers_;
    // The first armed timer of each target (a list through the timers).
    std::unordered_map<pid, internal::send_after_timer*> send_after_by_target_;

    // Set once, by shutdown()'s first step, before the scheduler is stopped.
    // The exchange and spawn_prepared's load are seq_cst, paired with the
    // seq_cst increment of outside_spawns_: either a spawn from another
    // thread sees the flag, or shutdown's step 3 sees its count. Spawns that
    // see it spawn nothing; timers that see it (shut_down(), acquire) deliver
    // nothing.
    std::atomic<bool> shut_down_{false};
    // Spawns in progress on threads that are not workers of this runtime:
    // shutdown waits for them (see spawn_prepared).
    std::atomic<std::uint32_t> outside_spawns_{0};
};

} // namespace rill::detail
