#pragma once

/// \file
/// `runtime::scheduler_statistics()`: what the scheduler's workers have done
/// since the runtime started, read from any thread without stopping them.
/// Each figure is one relaxed load of a counter its worker keeps: a
/// snapshot is not one instant, and two snapshots give rates.
///
/// `runtime::memory()`: the memory a node holds, by kind, as Erlang's
/// `erlang:memory()` splits it; read from any thread, a few loads and one
/// short lock (the atom table's).

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
    /// Messages sent by the processes it ran (to any pid, name or alias,
    /// here or on another node; not those sent from other threads).
    std::uint64_t messages_sent = 0;
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

/// Bytes held, by kind. The atoms and the small-block cache are shared by
/// every runtime of the OS process, so their figures are too.
struct memory_statistics {
    /// Control blocks of processes, live and kept for reuse (a block goes
    /// back to the system only with its runtime).
    std::size_t process_blocks = 0;
    /// The process table: its slot arrays and the per-slot link and
    /// monitor counts.
    std::size_t process_table = 0;
    /// What the small-block cache took from the system allocator: process
    /// frames, queued messages up to 512 bytes, link and monitor tables.
    /// Zero where the cache is bypassed (AddressSanitizer builds).
    std::size_t small_blocks = 0;
    /// The atom table: its entries and its names.
    std::size_t atoms = 0;
};

} // namespace rill
