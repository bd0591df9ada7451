#pragma once

/// \file
/// `rill::runtime`: one node. It owns the scheduler threads, the process
/// table and the timers; several runtimes may live in one OS process.

#include <rill/core/atom.hpp>
#include <rill/core/pid.hpp>
#include <rill/core/term.hpp>
#include <rill/detail/mailbox_node.hpp>
#include <rill/detail/process_entry.hpp>
#include <rill/process/spawn.hpp>
#include <rill/process/summary.hpp>
#include <rill/process/trace.hpp>
#include <rill/runtime/remote.hpp>
#include <rill/runtime/runtime_options.hpp>
#include <rill/runtime/statistics.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rill::internal {
class node_layers;
} // namespace rill::internal

namespace rill {

class runtime {
public:
    /// A node with default options: one worker per hardware thread.
    runtime();
    explicit runtime(runtime_options options);
    /// Ends every remaining process (reason `shutdown`, destructors run) and
    /// joins the threads.
    ~runtime();

    runtime(const runtime&) = delete;
    runtime& operator=(const runtime&) = delete;

    /// Spawns the root process `f(args...)`, blocks until it exits, then
    /// ends every other process (reason `shutdown`). Returns the root's exit
    /// reason. Call once, from a thread that is not one of this runtime's:
    /// a second call, a call while another thread runs it, and a call from
    /// one of its own processes throw `std::logic_error`.
    template <class F, class... Args>

    requires detail::process_body<F, Args...> term run(F&& f, Args&&... args) {
        return run_root(detail::make_process_body(std::forward<F>(f), std::forward<Args>(args)...));
    }

    /// Spawns a process from any thread (typically the thread that owns the
    /// runtime, or a test body).
    template <class F, class... Args>

    requires detail::process_body<F, Args...> pid spawn(F&& f, Args&&... args) {
        return detail::spawn_body(
            *core_, detail::make_process_body(std::forward<F>(f), std::forward<Args>(args)...));
    }

    /// Sends `msg` to `to` from any thread; same rules as `process::send`.
    template <class T>
    void send(const pid& to, T&& msg) {
        detail::send_node(*core_, to, detail::make_message_node(std::forward<T>(msg)));
    }

    /// Deterministic mode only: runs ready processes, choosing among them
    /// with the seeded generator, until none is ready. Returns the number of
    /// slices run.
    std::size_t run_until_idle();

    /// Deterministic mode only: moves the virtual clock forward by `by`,
    /// firing each timer at its own time and running until idle after each.
    /// The clock saturates (at 2^62 ms) rather than wrap; a negative `by`
    /// throws `badarg`.
    void advance(std::chrono::milliseconds by);

    /// Deterministic mode only: the pid of every slice run so far, in order.
    /// Two runs with the same seed and the same program give equal traces.
    [[nodiscard]] const std::vector<pid>& schedule_trace() const;

    /// Installs the route that carries signals to processes of other nodes
    /// (remote.hpp); null removes it, after which other nodes count as
    /// unreachable. Any thread.
    void set_remote_route(std::shared_ptr<remote_route> route);

    /// Delivers a signal from a process of another node to a process of
    /// this one, as `signal.from` (remote.hpp). Any thread; the signals one
    /// thread injects for one target arrive in call order. Returns the
    /// local pid it went to (a name resolved), or a default pid when there
    /// was none (a name nobody holds).
    pid inject(remote_signal signal);

    /// Processes currently alive.
    [[nodiscard]] std::size_t process_count() const noexcept;

    /// Processes started since the runtime started (any thread). It walks
    /// the process table, costing spawns nothing; `spawned_count() -
    /// process_count()` is the number that have exited (each figure read at
    /// its own instant).
    [[nodiscard]] std::uint64_t spawned_count() const noexcept;

    /// The pids of the live processes (any thread; see process/summary.hpp).
    [[nodiscard]] std::vector<pid> processes() const;

    /// `p` seen from outside, without its help (any thread; see
    /// process/summary.hpp); nullopt when `p` is not a live process here.
    [[nodiscard]] std::optional<process_summary> summary(const pid& p) const;

    /// What each scheduler worker has done so far (any thread).
    [[nodiscard]] ::rill::scheduler_statistics scheduler_statistics() const;

    /// The memory this node holds, by kind (runtime/statistics.hpp); any thread.
    [[nodiscard]] memory_statistics memory() const;

    /// Whether `p` is a live process of this node (any thread).
    [[nodiscard]] bool is_alive(const pid& p) const noexcept;

    /// This node's name.
    [[nodiscard]] atom node() const noexcept;

    /// This node's creation: the incarnation number in its pids and
    /// references, chosen at start (never 0), so that pids of an earlier
    /// run of a node of the same name never reach this one's processes.
    [[nodiscard]] std::uint32_t creation() const noexcept;

    /// The distribution cookie of `runtime_options`.
    [[nodiscard]] const std::string& cookie() const noexcept;

    /// Milliseconds since the runtime started, on its clock (virtual in
    /// deterministic mode).
    [[nodiscard]] std::chrono::milliseconds now() const noexcept;

    /// The exit reason of a process that has exited, while the runtime
    /// remembers it (deterministic mode records every exit; otherwise none).
    [[nodiscard]] std::optional<term> exit_reason_of(const pid& p) const;

    /// Every live process that has a label (process/label.hpp), with it
    /// (any thread).
    [[nodiscard]] std::vector<std::pair<pid, std::string>> labels() const;

    /// The local process registered as `name`, if any (any thread).
    [[nodiscard]] std::optional<pid> whereis(atom name) const;

    /// Starts tracing `target` (process/trace.hpp), replacing a trace it
    /// has; any thread. A target that is not alive ignores it.
    void
    trace(const pid& target, std::shared_ptr<trace_receiver> receiver, trace_options options = {});

    /// Ends the trace of `target`, if it has one (with `only`: if that
    /// trace goes to `only`); any thread.
    void untrace(const pid& target, std::shared_ptr<trace_receiver> only = nullptr);

    /// Sends the events of every process of this node that carries the
    /// sequential trace label `label` (process/trace.hpp; a label that
    /// came from another node, or from `process::set_trace_label`) to
    /// `receiver`, replacing a receiver the label had, until the receiver
    /// returns false or `unfollow(label)`; any thread. Throws `badarg` for
    /// a null receiver or the label `[]`.
    void follow(term label, std::shared_ptr<trace_receiver> receiver);
    void unfollow(const term& label);

    /// Whether this runtime runs deterministically (`runtime_options::
    /// deterministic`): its processes run only inside `run_until_idle` and
    /// `advance`, so a thread must not wait on them outside those calls.
    [[nodiscard]] bool deterministic() const noexcept;

    /// The value this node keeps under `key` (process/node_value.hpp), read
    /// from any thread: what a tool outside the node's processes (the
    /// observer's HTTP threads) reads of the layers above the core.
    [[nodiscard]] std::shared_ptr<void> node_value(atom key) const;

private:
    term run_root(task<> body);

    std::unique_ptr<detail::runtime_core> core_;
    // Set by the first `run`; a second caller throws.
    std::atomic<bool> running_{false};
    // The layers above the process layer (signal handlers, names, remote
    // route), reached by the core as its `upper_layers`. Declared after
    // core_: destroyed first, after the destructor has ended every process.
    std::unique_ptr<internal::node_layers> layers_;
};

} // namespace rill
