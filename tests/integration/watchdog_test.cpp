// The watchdog: a slice that holds its worker too long is reported with the
// process's pid. Runs on real threads; the spinning process waits for the
// report itself (no sleeps), bounded by a generous deadline.

#include <rill/rill.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>

namespace rill {
namespace {

struct watchdog_probe {
    std::atomic<bool> reported{false};
    std::mutex mutex;
    long_slice_report report;
};

task<> spin_until_reported(watchdog_probe* probe, pid* self_out) {
    *self_out = process::self();
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    // Never suspends: exactly what the watchdog exists to find.
    while (!probe->reported.load(std::memory_order_acquire) &&
           std::chrono::steady_clock::now() < give_up) {
    }
    co_return;
}

TEST(Watchdog, ReportsASliceLongerThanTheThresholdWithThePid) {
    watchdog_probe probe;
    runtime_options options;
    options.workers = 2;
    options.long_slice_threshold = std::chrono::milliseconds(20);
    options.on_long_slice = [&probe](const long_slice_report& report) {
        std::lock_guard lock(probe.mutex);
        probe.report = report;
        probe.reported.store(true, std::memory_order_release);
    };
    pid spinner;

    {
        runtime rt(options);
        term reason = rt.run(spin_until_reported, &probe, &spinner);
        EXPECT_EQ(reason, term(atoms::normal));
    }

    ASSERT_TRUE(probe.reported.load());
    std::lock_guard lock(probe.mutex);
    EXPECT_EQ(probe.report.process, spinner);
    EXPECT_GE(probe.report.duration, std::chrono::milliseconds(20));
    EXPECT_LT(probe.report.worker, 2U);
}

} // namespace
} // namespace rill
