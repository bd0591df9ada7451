// A runtime's end races with threads that keep spawning on it and sending
// to it: after run() returns, nothing spawned by any thread survives, and
// (under LeakSanitizer) nothing leaks.

#include <rill/rill.hpp>

#include "support/sanitizer_scale.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace rill {
namespace {

task<> wait_forever() {
    for (;;) {
        (void)co_await process::receive_any();
    }
}

task<> root_that_ends_after_spawns(std::atomic<int>* spawned, int wanted) {
    // Return once the other thread has spawned a few: the shutdown then
    // overlaps its next spawns.
    while (spawned->load(std::memory_order_acquire) < wanted) {
        co_await process::yield();
    }
}

TEST(ShutdownStress, NoProcessSpawnedFromAnotherThreadOutlivesRun) {
    const int rounds = 200 / test::scale_down;
    int survivors = 0;
    for (int round = 0; round < rounds; ++round) {
        runtime rt(runtime_options{.workers = 2});
        std::atomic<int> spawned{0};
        std::atomic<bool> stop{false};
        std::vector<pid> pids;
        std::thread spawner([&] {
            while (!stop.load(std::memory_order_acquire)) {
                pid p = rt.spawn(wait_forever);
                rt.send(p, std::string(64, 'x')); // a message that would leak with it
                pids.push_back(p);
                spawned.fetch_add(1, std::memory_order_release);
            }
        });

        rt.run(root_that_ends_after_spawns, &spawned, 1 + round % 8);
        stop.store(true, std::memory_order_release);
        spawner.join(); // its spawns after run() returned spawn nothing
        std::size_t left = rt.process_count();
        for (const pid& p : pids) {
            if (rt.is_alive(p)) {
                ++survivors;
            }
        }

        EXPECT_EQ(left, 0U) << "round " << round;
    }
    EXPECT_EQ(survivors, 0);
}

} // namespace
} // namespace rill
