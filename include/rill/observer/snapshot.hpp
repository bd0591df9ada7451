#pragma once

/// \file
/// `observer::take_snapshot`: a node seen from outside, in one value — its
/// processes, its schedulers, its connections and its totals — for a
/// program, a test or the observer's page. Read from any thread without
/// messaging the node's processes and without stopping it.
///
/// Cost: the process table is walked once; each live process costs one
/// `runtime::summary` (a pin of its control block and a few relaxed
/// loads, no lock, no message) and one row. Processes spawned or ended
/// during the walk may or may not appear. docs/observer.md has the figures.

#include <rill/core/atom.hpp>
#include <rill/core/pid.hpp>
#include <rill/dist/net_kernel.hpp>
#include <rill/process/summary.hpp>
#include <rill/runtime/statistics.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rill {
class runtime;
}

namespace rill::observer {

/// One process, as `process_summary` plus what the layers above know of it.
struct process_row {
    process_summary summary;
    /// What the process does: its label (process::set_label), else a
    /// gen_server's class (`otp::supervisor` for supervisors); empty otherwise.
    std::string label;
};

/// Totals of the node.
struct node_totals {
    std::size_t processes = 0;
    /// Bytes held for the processes' control blocks and queued messages
    /// (the sum of the rows' `memory`).
    std::size_t process_memory = 0;
    /// Messages queued in all mailboxes, and their bytes.
    std::size_t queued_messages = 0;
    std::size_t queued_bytes = 0;
    /// Reductions of all live processes.
    std::uint64_t reductions = 0;
    /// gen_servers and supervisors alive.
    std::size_t servers = 0;
    /// Processes started since the node started, and of those ended.
    std::uint64_t spawned = 0;
    std::uint64_t exited = 0;
    /// The node's memory by kind (`runtime::memory`).
    memory_statistics memory;
};

struct snapshot {
    atom node;
    std::chrono::milliseconds uptime{0};
    node_totals totals;
    scheduler_statistics schedulers;
    /// Empty without a net_kernel.
    std::vector<dist::connection_statistics> connections;
    /// In table order (not creation order).
    std::vector<process_row> processes;
};

/// A snapshot of `rt`'s node; `net`, when given, adds its connections.
/// Any thread.
[[nodiscard]] snapshot take_snapshot(const runtime& rt, const dist::net_kernel* net = nullptr);

} // namespace rill::observer
