#pragma once

/// \file
/// Introspection without the target's help: the list of a node's processes
/// and a summary of one, read from outside the process (from another
/// process, from the runtime's thread, from a test). Nothing is sent to the
/// processes looked at; each figure is read from what the process keeps
/// anyway or publishes at the end of each slice (docs/design/0012).
/// `process::info` (info.hpp) asks the process itself for the rest: links,
/// monitors, trap_exit.

#include <rill/core/atom.hpp>
#include <rill/core/pid.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace rill {

enum class process_status : std::uint8_t {
    running,  ///< in a slice on a worker right now (or the caller itself)
    runnable, ///< ready to run, waiting for a worker
    waiting,  ///< suspended in a receive or a sleep
};

/// A process seen from outside (`runtime::summary`, `process::summary`).
/// The name, the status and the queue length and memory are current; the
/// reductions and the message age are as of the end of the process's last
/// slice (a process that computes for a long time without suspending shows
/// them from before it started).
struct process_summary {
    pid self;
    std::optional<atom> registered_name;
    process_status status = process_status::runnable;
    /// Messages in its queue; messages that arrived while it was running
    /// or queued to run, and that it has not looked at yet, are not counted.
    std::size_t message_queue_length = 0;
    /// How long the oldest queued message has been queued (zero with an
    /// empty queue), on a clock that workers read every few dozen slices:
    /// it may read up to that much long.
    std::chrono::milliseconds oldest_message_age{0};
    /// Bytes of its control block and queued messages (process_info's
    /// figure without the link and monitor tables).
    std::size_t memory = 0;
    /// Of `memory`, the queued messages.
    std::size_t message_queue_bytes = 0;
    /// Reductions spent up to its last slice's end.
    std::uint64_t reductions = 0;
    /// Its links, the monitors it holds on others and those others hold on
    /// it, as of their last change (a monitor taken a moment ago counts
    /// once its signal is sent, as soon as the process next acts; each
    /// count stops at 2,097,151).
    std::uint32_t links = 0;
    std::uint32_t monitors = 0;
    std::uint32_t monitored_by = 0;
};

namespace process {

/// The pids of the calling process's node's live processes, in table order
/// (not creation order). A process spawned or ended while the list is made
/// may or may not be in it.
[[nodiscard]] std::vector<pid> processes();

/// `p` seen from outside, or nullopt when it is not a live process of the
/// calling process's node.
[[nodiscard]] std::optional<process_summary> summary(const pid& p);

} // namespace process
} // namespace rill
