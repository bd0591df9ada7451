// Introspection without the target's help: runtime::processes, summaries
// and scheduler statistics, read from the runtime's thread, from a process
// and from another thread while the node works.

#include <rill/testing.hpp>

#include "process/process.hpp"
#include "support/deterministic.hpp"
#include "sync/small_object_cache.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace rill {
namespace {

using namespace std::chrono_literals;
using testing::deterministic_options;

std::vector<pid> sorted(std::vector<pid> pids) {
    std::sort(pids.begin(), pids.end());
    return pids;
}

TEST(Introspection, ProcessesListsTheLiveProcessesOnly) {
    runtime rt(deterministic_options());
    pid first = rt.spawn(test::wait_for_anything);
    pid second = rt.spawn(test::wait_for_anything);
    rt.spawn(test::returns_at_once);
    rt.run_until_idle();
    pid third = rt.spawn(test::wait_for_anything);

    EXPECT_EQ(sorted(rt.processes()), sorted({first, second, third}));

    rt.send(second, 1);
    rt.run_until_idle();
    EXPECT_EQ(sorted(rt.processes()), sorted({first, third}));
}

task<> wait_for_int_named(atom name) {
    process::register_name(process::self(), name);
    (void)co_await process::receive_exact<int>();
}

TEST(Introspection, SummaryShowsNameStatusQueueAgeMemoryAndReductions) {
    runtime rt(deterministic_options());
    pid target = rt.spawn(wait_for_int_named, atom("summarised"));
    EXPECT_EQ(rt.summary(target)->status, process_status::runnable);
    rt.run_until_idle();

    std::optional<process_summary> idle = rt.summary(target);
    ASSERT_TRUE(idle.has_value());
    EXPECT_EQ(idle->self, target);
    EXPECT_EQ(idle->registered_name, atom("summarised"));
    EXPECT_EQ(idle->status, process_status::waiting);
    EXPECT_EQ(idle->message_queue_length, 0U);
    EXPECT_EQ(idle->oldest_message_age, 0ms);
    EXPECT_GT(idle->reductions, 0U);

    rt.advance(100ms);
    for (int i = 0; i < 3; ++i) {
        rt.send(target, std::string("not an int"));
    }
    rt.run_until_idle();
    rt.advance(250ms);

    std::optional<process_summary> queued = rt.summary(target);
    ASSERT_TRUE(queued.has_value());
    EXPECT_EQ(queued->status, process_status::waiting);
    EXPECT_EQ(queued->message_queue_length, 3U);
    EXPECT_EQ(queued->oldest_message_age, 250ms);
    EXPECT_EQ(queued->memory - idle->memory, 3 * sizeof(detail::payload_node<std::string>));
    EXPECT_EQ(queued->reductions, idle->reductions); // nothing matched

    rt.send(target, 7);
    rt.run_until_idle();
    EXPECT_EQ(rt.summary(target), std::nullopt);
}

task<> send_to_self_then_wait(int count) {
    for (int i = 0; i < count; ++i) {
        process::send(process::self(), i);
    }
    (void)co_await process::receive_exact<std::string>();
}

TEST(Introspection, SummaryCountsTheReductionsOfEarlierSlices) {
    runtime rt(deterministic_options());
    pid target = rt.spawn(send_to_self_then_wait, 100);
    rt.run_until_idle();

    std::optional<process_summary> summary = rt.summary(target);
    ASSERT_TRUE(summary.has_value());
    EXPECT_GE(summary->reductions, 100U);
    EXPECT_EQ(summary->message_queue_length, 100U);
}

TEST(Introspection, SummaryIsEmptyForDeadRemoteAndNeverUsedPids) {
    runtime rt(deterministic_options());
    pid dead = rt.spawn(test::returns_at_once);
    rt.run_until_idle();

    pid remote = dead;
    remote.node = atom("elsewhere@host");
    pid never{rt.node(), 100000, 0, 0};

    EXPECT_EQ(rt.summary(dead), std::nullopt);
    EXPECT_EQ(rt.summary(remote), std::nullopt);
    EXPECT_EQ(rt.summary(never), std::nullopt);
}

// Links, monitors and monitored_by as the tables change, read without the
// processes' help; a slot's next process starts from none.
TEST(Introspection, SummaryCountsLinksAndMonitorsAsTheyChange) {
    runtime rt(deterministic_options());
    const pid a = rt.spawn(testing::puppet, true);
    const pid b = rt.spawn(testing::puppet, true);
    rt.run_until_idle();
    auto counts = [&](const pid& p) {
        const std::optional<process_summary> s = rt.summary(p);
        return s ? std::vector<std::uint32_t>{s->links, s->monitors, s->monitored_by}
                 : std::vector<std::uint32_t>{};
    };
    EXPECT_EQ(counts(a), (std::vector<std::uint32_t>{0, 0, 0}));

    reference watch;
    testing::run_in(rt, a, [&] {
        process::link(b);
        watch = process::monitor(b);
        (void)process::monitor(b);
    });
    EXPECT_EQ(counts(a), (std::vector<std::uint32_t>{1, 2, 0}));
    EXPECT_EQ(counts(b), (std::vector<std::uint32_t>{1, 0, 2}));

    testing::run_in(rt, a, [&] {
        process::unlink(b);
        process::demonitor(watch);
    });
    EXPECT_EQ(counts(a), (std::vector<std::uint32_t>{0, 1, 0}));
    EXPECT_EQ(counts(b), (std::vector<std::uint32_t>{0, 0, 1}));

    testing::run_in(rt, b, [] { process::exit(atom("done")); });
    EXPECT_EQ(counts(a), (std::vector<std::uint32_t>{0, 0, 0})); // the DOWN came
    // Spawn from a process (keeping each alive) until one takes b's slot
    // again: a block freed on a worker goes to that worker's own list.
    pid next;
    testing::run_in(rt, a, [&] {
        for (int i = 0; i < 1000 && next.id != b.id; ++i) {
            next = process::spawn(testing::puppet, false);
        }
    });
    ASSERT_EQ(next.id, b.id);
    EXPECT_EQ(counts(next), (std::vector<std::uint32_t>{0, 0, 0}));
}

// Memory by kind: blocks and table grow with the processes, the count
// arrays appear with the first link, atoms and cached blocks are there.
TEST(Introspection, MemoryByKindFollowsTheProcesses) {
    runtime rt(deterministic_options());
    const memory_statistics empty = rt.memory();
    EXPECT_GT(empty.atoms, 0U); // the runtime's own atoms
    std::vector<pid> many;
    for (int i = 0; i < 5000; ++i) {
        many.push_back(rt.spawn(testing::puppet, false));
    }
    rt.run_until_idle();
    const memory_statistics full = rt.memory();
    EXPECT_GE(full.process_blocks - empty.process_blocks, 5000 * sizeof(internal::process));
    EXPECT_GE(full.process_table, 2 * 4096 * sizeof(void*)); // two chunks of slots
    if (internal::small_object_cache_enabled()) {
        EXPECT_GT(full.small_blocks, 0U); // the puppets' frames
    } else {
        EXPECT_EQ(full.small_blocks, 0U); // bypassed: nothing to count
    }
    testing::run_in(rt, many[0], [&] { process::link(many[1]); });
    EXPECT_EQ(rt.memory().process_table - full.process_table, 4096 * sizeof(std::uint64_t));
}

task<> look_around(std::vector<pid>* seen, std::optional<process_summary>* mine) {
    *seen = process::processes();
    *mine = process::summary(process::self());
    co_return;
}

TEST(Introspection, AProcessListsItsNodeAndSeesItselfRunning) {
    runtime rt(deterministic_options());
    std::vector<pid> seen;
    std::optional<process_summary> mine;
    pid other = rt.spawn(test::wait_for_anything);
    pid looker = rt.spawn(look_around, &seen, &mine);
    rt.run_until_idle();

    EXPECT_EQ(sorted(seen), sorted({other, looker}));
    ASSERT_TRUE(mine.has_value());
    EXPECT_EQ(mine->status, process_status::running);
}

TEST(Introspection, ProcessesOutsideAProcessThrowsNotInProcess) {
    EXPECT_THROW((void)process::processes(), not_in_process);
    EXPECT_THROW((void)process::summary(pid{}), not_in_process);
}

task<> wait_with_timeout() {
    (void)co_await process::receive_exact<int>(1h);
}

TEST(Introspection, SchedulerStatisticsCountSlicesAndArmedTimers) {
    runtime rt(deterministic_options());
    scheduler_statistics before = rt.scheduler_statistics();
    ASSERT_EQ(before.workers.size(), 1U);

    pid waiter = rt.spawn(wait_with_timeout);
    EXPECT_EQ(rt.scheduler_statistics().injector_length +
                  rt.scheduler_statistics().workers[0].run_queue_length,
              0U); // deterministic mode keeps its own ready list
    rt.run_until_idle();
    rt.advance(10ms);

    scheduler_statistics after = rt.scheduler_statistics();
    EXPECT_EQ(after.workers[0].armed_timers, 1U);
    EXPECT_GE(after.workers[0].slices, before.workers[0].slices + 1);
    EXPECT_EQ(after.uptime, 10ms);

    rt.send(waiter, 1);
    rt.run_until_idle();
    EXPECT_EQ(rt.scheduler_statistics().workers[0].armed_timers, 0U);
}

// Every message a process sends counts once, on the worker that ran it:
// by pid, by name, through an alias; sends from outside processes do not.
TEST(Introspection, SchedulerStatisticsCountTheMessagesProcessesSend) {
    runtime rt(deterministic_options());
    const pid target = rt.spawn(testing::puppet, false);
    testing::run_in(rt, target, [] { process::register_name(process::self(), atom("target")); });
    const std::uint64_t before = rt.scheduler_statistics().workers[0].messages_sent;
    rt.send(target, 1); // from outside: not counted
    testing::run_in(rt, target, [&] {
        process::send(target, 2);
        process::send(atom("target"), 3);
        process::send(process::alias(), 4);
        process::exit(target, atom("normal")); // a signal, not a message
    });
    EXPECT_EQ(rt.scheduler_statistics().workers[0].messages_sent - before, 3U);
}

task<> echo_server() {
    for (;;) {
        pid from = co_await process::receive_exact<pid>();
        process::send(from, 0);
    }
}

task<> client(pid server, int rounds) {
    for (int i = 0; i < rounds; ++i) {
        process::send(server, process::self());
        (void)co_await process::receive_exact<int>();
    }
}

task<> spawn_clients(pid server, int clients, int rounds) {
    std::vector<reference> monitors;
    for (int i = 0; i < clients; ++i) {
        monitors.push_back(process::monitor(process::spawn(client, server, rounds)));
    }
    for (std::size_t i = 0; i < monitors.size(); ++i) {
        (void)co_await process::receive_exact<down_signal>();
    }
}

// Readers on another thread walk the table and read summaries and
// statistics while the workers spawn, message and end processes: every
// figure they read is published for them, so the thread sanitizer sees no
// race, and what they see stays within what the node did.
TEST(Introspection, ReadersOnAnotherThreadSeeConsistentFiguresWhileTheNodeWorks) {
    runtime rt(runtime_options{.workers = 2});
    std::atomic<bool> done{false};
    std::size_t summaries = 0;
    std::thread reader([&] {
        while (!done.load(std::memory_order_acquire)) {
            for (const pid& p : rt.processes()) {
                if (std::optional<process_summary> s = rt.summary(p)) {
                    EXPECT_EQ(s->self, p);
                    EXPECT_GE(s->memory, 192U);
                    ++summaries;
                }
            }
            scheduler_statistics stats = rt.scheduler_statistics();
            EXPECT_EQ(stats.workers.size(), 2U);
            for (const worker_statistics& w : stats.workers) {
                EXPECT_LE(w.busy_time, stats.uptime);
            }
        }
    });
    rt.run([]() -> task<> {
        pid server = process::spawn(echo_server);
        co_await spawn_clients(server, 200, 50);
    });
    done.store(true, std::memory_order_release);
    reader.join();

    scheduler_statistics stats = rt.scheduler_statistics();
    std::uint64_t slices = 0;
    for (const worker_statistics& w : stats.workers) {
        slices += w.slices;
    }
    EXPECT_GE(slices, 200U * 50U);
    EXPECT_GT(summaries, 0U);
    std::uint64_t sent = 0;
    for (const worker_statistics& w : stats.workers) {
        sent += w.messages_sent;
    }
    EXPECT_GE(sent, 2U * 200U * 50U); // each round trip: a request and its answer
}

TEST(Introspection, SpawnedCountCountsEveryStartAndSlotReuse) {
    runtime rt(deterministic_options());
    EXPECT_EQ(rt.spawned_count(), 0U);
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 10; ++i) {
            rt.spawn(test::returns_at_once); // their slots are reused
        }
        rt.run_until_idle();
    }
    rt.spawn(test::wait_for_anything);
    rt.spawn(test::wait_for_anything);
    rt.run_until_idle();

    EXPECT_EQ(rt.spawned_count(), 32U);
    EXPECT_EQ(rt.process_count(), 2U);
}

task<> labelled(std::string label) {
    process::set_label(std::move(label));
    std::string next = co_await process::receive_exact<std::string>(); // "" removes it
    process::set_label(next);
    (void)co_await process::receive_exact<int>();
}

TEST(Introspection, LabelsAreListedUntilRemovedOrTheProcessEnds) {
    runtime rt(deterministic_options());
    const pid worker = rt.spawn(labelled, std::string("cache warmer"));
    const pid other = rt.spawn(labelled, std::string("poller"));
    rt.spawn(test::wait_for_anything);
    rt.run_until_idle();
    std::vector<std::pair<pid, std::string>> labels = rt.labels();
    std::sort(labels.begin(), labels.end());
    EXPECT_EQ(
        labels,
        (std::vector<std::pair<pid, std::string>>{{worker, "cache warmer"}, {other, "poller"}}));

    rt.send(worker, std::string()); // removes its label
    rt.send(other, std::string("poller, slow"));
    rt.run_until_idle();
    EXPECT_EQ(rt.labels(), (std::vector<std::pair<pid, std::string>>{{other, "poller, slow"}}));

    rt.send(other, 0); // ends
    rt.run_until_idle();
    EXPECT_TRUE(rt.labels().empty());
}

} // namespace
} // namespace rill
