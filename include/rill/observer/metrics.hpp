#pragma once

/// \file
/// `observer::prometheus_metrics`: the node's figures in Prometheus's text
/// exposition format (version 0.0.4), as `/metrics` serves them. Names
/// follow Prometheus's conventions (`rill_` prefix, `_total` for counters,
/// base units); labels are bounded: per worker, per connected node, and a
/// top-N family of the processes with the longest queues (`top_n`, 0 for
/// none), never one series per process otherwise.

#include <rill/dist/net_kernel.hpp>
#include <rill/observer/snapshot.hpp>

#include <cstddef>
#include <string>

namespace rill::observer {

struct metrics_options {
    /// Processes in the `rill_process_message_queue_length{pid=...}` family.
    std::size_t top_n = 10;
};

/// The exposition text of `shot`.
[[nodiscard]] std::string prometheus_metrics(const snapshot& shot, metrics_options options = {});

} // namespace rill::observer
