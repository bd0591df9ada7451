#pragma once

/// \file
/// `runtime::scheduler_statistics()`: what the scheduler's workers have done
/// since the runtime started, read from any thread without stopping them.
/// Each figure is one relaxed load of a counter its worker keeps: a
/// snapshot is not one instant, and two snapshots give rates.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace rill {

struct worker_statistics {
    /// Time slices run (one slice: a process runs until it suspends or
    /// spends its reductions).
    std::uint64_t slices = 0;
    /// Runnables taken from other workers' queues.
    std::uint64_t steals = 0;
    /// Times the worker went to sleep for lack of work.
    std::uint64_t parks = 0;
    /// Processes waiting in its queue (its local ring and its next slot).
    std::size_t run_queue_length = 0;
    /// Time not asleep since the runtime started: running slices, and
    /// looking for work before going to sleep.
    std::chrono::nanoseconds busy_time{0};
    /// Timers (receive timeouts, sleeps, send_after) armed on its wheel.
    std::size_t armed_timers = 0;
};

struct scheduler_statistics {
    /// Since the runtime started, on its clock (virtual in deterministic mode).
    std::chrono::nanoseconds uptime{0};
    /// One entry per worker, in worker order.
    std::vector<worker_statistics> workers;
    /// Runnables waiting in the shared queue (spawned or woken from threads
    /// that are not workers, or overflow of a local ring).
    std::size_t injector_length = 0;
};

} // namespace rill
