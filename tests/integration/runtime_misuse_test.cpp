// Misuse of the runtime object is detected and reported, never a hang or a
// crash: run() from inside, run() twice at once, a deterministic runtime
// driven from a foreign thread; and a deterministic runtime stays sound
// when other threads send to it and spawn on it while it is driven.

#include <rill/testing.hpp>

#include "support/deterministic.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace rill {
namespace {

using testing::deterministic_options;

task<> nested_run(runtime* rt, std::string* error) {
    try {
        rt->run(test::returns_at_once);
        *error = "no exception";
    } catch (const std::logic_error& e) {
        *error = e.what();
    }
    co_return;
}

void expect_run_from_inside_throws(runtime_options options) {
    runtime rt(std::move(options));
    std::string error;

    term reason = rt.run(nested_run, &rt, &error);

    EXPECT_EQ(reason, term(atoms::normal));
    EXPECT_NE(error.find("from one of the runtime's own processes"), std::string::npos) << error;
}

TEST(RuntimeMisuse, RunFromOneOfItsOwnProcessesThrowsWithOneWorker) {
    expect_run_from_inside_throws(runtime_options{.workers = 1});
}

TEST(RuntimeMisuse, RunFromOneOfItsOwnProcessesThrowsWithTwoWorkers) {
    expect_run_from_inside_throws(runtime_options{.workers = 2});
}

TEST(RuntimeMisuse, RunFromOneOfItsOwnProcessesThrowsInDeterministicMode) {
    expect_run_from_inside_throws(deterministic_options());
}

task<> run_again_from_another_thread(runtime* rt, std::string* error) {
    // The first run is in progress (this is its root): a second caller on
    // another thread must be refused at once, not share the first's root.
    std::thread other([&] {
        try {
            rt->run(test::returns_at_once);
            *error = "no exception";
        } catch (const std::logic_error& e) {
            *error = e.what();
        }
    });
    other.join();
    co_return;
}

TEST(RuntimeMisuse, RunWhileAnotherThreadRunsItThrows) {
    runtime rt(runtime_options{.workers = 2});
    std::string error;

    term reason = rt.run(run_again_from_another_thread, &rt, &error);

    EXPECT_EQ(reason, term(atoms::normal));
    EXPECT_NE(error.find("already running"), std::string::npos) << error;
}

TEST(RuntimeMisuse, RunASecondTimeThrows) {
    runtime rt(runtime_options{.workers = 1});
    rt.run(test::returns_at_once);

    EXPECT_THROW(rt.run(test::returns_at_once), std::logic_error);
}

TEST(RuntimeMisuse, DrivingADeterministicRuntimeFromAnotherThreadThrows) {
    runtime rt(deterministic_options());
    bool threw = false;

    std::thread other([&] {
        try {
            rt.run_until_idle();
        } catch (const deterministic_error&) {
            threw = true;
        }
    });
    other.join();

    EXPECT_TRUE(threw);
}

task<> count_messages(int* count) {
    for (;;) {
        (void)co_await process::receive_any();
        ++*count;
    }
}

task<> send_one(pid to) {
    process::send(to, atom("from_spawned"));
    co_return;
}

TEST(DeterministicRuntime, AcceptsSendsAndSpawnsFromAnotherThreadWhileDriven) {
    runtime rt(deterministic_options());
    int count = 0;
    pid counter = rt.spawn(count_messages, &count);
    rt.run_until_idle();
    constexpr int sends = 20'000;
    constexpr int spawns = 500;
    std::atomic<bool> done{false};

    std::thread other([&] {
        for (int i = 0; i < sends; ++i) {
            rt.send(counter, i);
            if (i % (sends / spawns) == 0) {
                rt.spawn(send_one, counter);
            }
        }
        done.store(true, std::memory_order_release);
    });
    while (!done.load(std::memory_order_acquire)) {
        rt.run_until_idle();
    }
    other.join();
    rt.run_until_idle();

    EXPECT_EQ(count, sends + spawns);
}

} // namespace
} // namespace rill
