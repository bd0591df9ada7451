#pragma once

/// \file
/// `testing::deterministic_options`: the options of a runtime made for a
/// test (docs/deterministic-testing.md).

#include <rill/runtime/runtime_options.hpp>

#include <cstdint>

namespace rill::testing {

/// Options for a deterministic runtime: every process runs on the thread that
/// drives the runtime (`run_until_idle`, `advance`, `run`), the clock is
/// virtual and starts at 0 ms, and the order of ready processes is chosen by a
/// generator seeded with `seed`, so the same seed replays the same run. Every
/// other member keeps its default. Prefer it to
/// `runtime_options{.deterministic = true, .seed = n}`, which GCC's `-Wextra`
/// reports as missing field initializers.
[[nodiscard]] inline runtime_options deterministic_options(std::uint64_t seed = 1) {
    runtime_options options;
    options.deterministic = true;
    options.seed = seed;
    return options;
}

} // namespace rill::testing
