// Soak tests: long runs of the runtime's most common churn, with the
// resident memory sampled after a warm-up and at the end. They fail if
// memory grows: the small-block cache keeps what a burst used (by design,
// docs/design/0005), so after the first rounds the footprint must be flat.
//
// Sizes: 10M spawn/exit cycles in an optimised build (a few seconds), fewer
// in Debug and under sanitizers; under AddressSanitizer the memory check is
// off (its quarantine holds freed blocks) and LeakSanitizer checks instead.

#include <rill/rill.hpp>

#include "support/sanitizer_scale.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace rill {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool memory_is_measurable = false;
constexpr int size_divisor = 50;
#elif defined(NDEBUG)
constexpr bool memory_is_measurable = true;
constexpr int size_divisor = 1;
#else
constexpr bool memory_is_measurable = true;
constexpr int size_divisor = 10;
#endif

constexpr int scaled(int count) {
    return count / size_divisor / test::scale_down;
}

// Growth allowed between the warm-up sample and the end, for the
// allocator's and the OS's own slack.
constexpr std::int64_t allowed_growth_bytes = 16 << 20;

std::int64_t resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    std::int64_t pages_total = 0;
    std::int64_t pages_resident = 0;
    statm >> pages_total >> pages_resident;
    return pages_resident * 4096;
}

task<> report_and_exit(pid to) {
    process::send(to, atom("done"));
    co_return;
}

task<> spawn_exit_cycles(int rounds, int per_round, std::vector<std::int64_t>* samples) {
    pid self = process::self();
    for (int round = 0; round < rounds; ++round) {
        for (int i = 0; i < per_round; ++i) {
            process::spawn(report_and_exit, self);
        }
        for (int i = 0; i < per_round; ++i) {
            (void)co_await process::receive_exact<atom>();
        }
        if (round == rounds / 10 || round == rounds - 1) {
            samples->push_back(resident_bytes());
        }
    }
}

TEST(Soak, TenMillionSpawnExitCyclesKeepMemoryFlat) {
    runtime rt(runtime_options{.workers = 2});
    std::vector<std::int64_t> samples;
    const int per_round = 10'000;
    const int rounds = scaled(10'000'000) / per_round;

    term reason = rt.run(spawn_exit_cycles, rounds, per_round, &samples);

    ASSERT_EQ(reason, term(atoms::normal));
    ASSERT_EQ(samples.size(), 2U);
    if (memory_is_measurable) {
        EXPECT_LT(samples[1] - samples[0], allowed_growth_bytes)
            << "resident after warm-up " << samples[0] << " B, at the end " << samples[1] << " B";
    }
    EXPECT_EQ(rt.process_count(), 0U);
}

task<> chain_member(pid previous) {
    process::link(previous);
    (void)co_await process::receive_any(); // only an exit ends it
}

task<> storm_rounds(int rounds, int chain, std::vector<std::int64_t>* samples) {
    process::trap_exit(true);
    for (int round = 0; round < rounds; ++round) {
        // A chain of linked processes, each also monitored by the root;
        // killing its head takes the whole chain down through the links.
        std::vector<reference> monitors;
        monitors.reserve(static_cast<std::size_t>(chain));
        pid head = process::spawn(chain_member, process::self());
        monitors.push_back(process::monitor(head));
        pid previous = head;
        for (int i = 1; i < chain; ++i) {
            previous = process::spawn(chain_member, previous);
            monitors.push_back(process::monitor(previous));
        }
        process::exit(head, atom("kill"));
        int downs = 0;
        while (downs < chain) {
            dyn_message m = co_await process::receive_any();
            if (std::holds_alternative<down_signal>(m)) {
                ++downs;
            }
        }
        if (round == rounds / 10 || round == rounds - 1) {
            samples->push_back(resident_bytes());
        }
    }
}

TEST(Soak, LinkMonitorKillStormsKeepMemoryFlat) {
    runtime rt(runtime_options{.workers = 2});
    std::vector<std::int64_t> samples;
    const int chain = 10'000;
    const int rounds = std::max(10, scaled(1'000'000) / chain);

    term reason = rt.run(storm_rounds, rounds, chain, &samples);

    ASSERT_EQ(reason, term(atoms::normal));
    ASSERT_EQ(samples.size(), 2U);
    if (memory_is_measurable) {
        EXPECT_LT(samples[1] - samples[0], allowed_growth_bytes)
            << "resident after warm-up " << samples[0] << " B, at the end " << samples[1] << " B";
    }
    EXPECT_EQ(rt.process_count(), 0U);
}

} // namespace
} // namespace rill
