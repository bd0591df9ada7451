#pragma once

/// \file
/// `runtime_options`: how a node is set up.

#include <rill/core/pid.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace rill {

/// What the watchdog reports about a slice that held its worker too long.
struct long_slice_report {
    pid process;
    std::optional<atom> registered_name;
    unsigned worker = 0;
    std::chrono::milliseconds duration{0};
};

struct runtime_options {
    /// Scheduler threads; 0 means one per hardware thread.
    unsigned workers = 0;
    /// This node's name (`name@host`); `nonode@nohost` when not distributed.
    std::string node_name = "nonode@nohost";
    /// The distribution cookie.
    std::string cookie{};
    /// Deterministic mode: one thread (the caller's), virtual time, seeded
    /// interleavings; see `run_until_idle` and `advance`.
    bool deterministic = false;
    /// Seed of the deterministic scheduler's choices.
    std::uint64_t seed = 0;
    /// Reductions (receives, sends, spawns) a process may spend per slice
    /// before it yields to others.
    std::uint32_t reductions_per_slice = 2000;
    /// Slices running longer than this are reported; zero turns the
    /// watchdog off.
    std::chrono::milliseconds long_slice_threshold{500};
    /// Receives the watchdog's reports (from the watchdog thread); by
    /// default they are printed to standard error.
    std::function<void(const long_slice_report&)> on_long_slice{};
};

} // namespace rill
