// process::info: a snapshot answered by the process itself, ordered after
// the caller's earlier signals to it.

#include <rill/testing.hpp>

#include "support/deterministic.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <string>

namespace rill {
namespace {

using test::returns_at_once;

using testing::deterministic_options;

task<> idle_with_name_and_trap(atom name) {
    process::register_name(process::self(), name);
    process::trap_exit(true);
    (void)co_await process::receive_exact<int>();
}

task<> inspect(pid target, std::optional<process_info>* out) {
    process::link(target);
    process::send(target, std::string("unmatched"));
    *out = co_await process::info(target);
}

TEST(Info, ReportsNameStatusQueueLinksAndTrapExitAfterTheCallersSignals) {
    runtime rt(deterministic_options());
    std::optional<process_info> info;
    pid target = rt.spawn(idle_with_name_and_trap, atom("watched"));
    rt.run_until_idle();

    pid asker = rt.spawn(inspect, target, &info);
    rt.run_until_idle();

    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->self, target);
    EXPECT_EQ(info->registered_name, atom("watched"));
    EXPECT_EQ(info->status, process_status::waiting);
    EXPECT_EQ(info->message_queue_length, 1U);
    EXPECT_EQ(info->links, std::vector<pid>{asker});
    EXPECT_TRUE(info->trap_exit);
    EXPECT_GE(info->memory, sizeof(void*));
}

task<> inspect_with_timeout(pid live, pid dead, std::vector<std::optional<process_info>>* out) {
    out->push_back(co_await process::info(live, std::chrono::milliseconds(100)));
    out->push_back(co_await process::info(dead, std::chrono::milliseconds(100)));
}

TEST(Info, WithATimeoutAnswersAsWithoutOne) {
    runtime rt(deterministic_options());
    std::vector<std::optional<process_info>> infos;
    pid live = rt.spawn(idle_with_name_and_trap, atom("watched"));
    pid dead = rt.spawn(returns_at_once);
    rt.run_until_idle();

    rt.spawn(inspect_with_timeout, live, dead, &infos);
    rt.run_until_idle();

    ASSERT_EQ(infos.size(), 2U);
    ASSERT_TRUE(infos[0].has_value());
    EXPECT_EQ(infos[0]->registered_name, atom("watched"));
    EXPECT_TRUE(infos[0]->trap_exit);
    EXPECT_FALSE(infos[1].has_value());
}

task<> inspect_self_and_dead(pid dead, std::vector<std::optional<process_info>>* out) {
    pid watched = process::spawn(test::wait_for_anything);
    process::monitor(watched);
    out->push_back(co_await process::info(process::self()));
    out->push_back(co_await process::info(dead));
    out->push_back(co_await process::info(watched));
}

TEST(Info, AnswersForItselfAndIsEmptyForADeadProcess) {
    runtime rt(deterministic_options());
    std::vector<std::optional<process_info>> infos;
    pid dead = rt.spawn(returns_at_once);
    rt.run_until_idle();

    pid asker = rt.spawn(inspect_self_and_dead, dead, &infos);
    rt.run_until_idle();

    ASSERT_EQ(infos.size(), 3U);
    ASSERT_TRUE(infos[0].has_value());
    EXPECT_EQ(infos[0]->status, process_status::running);
    EXPECT_EQ(infos[0]->monitors.size(), 1U);
    EXPECT_GT(infos[0]->reductions, 0U);
    EXPECT_FALSE(infos[1].has_value());
    ASSERT_TRUE(infos[2].has_value());
    EXPECT_EQ(infos[2]->monitored_by, std::vector<pid>{asker});
}

task<> waits_for_an_int() {
    (void)co_await process::receive_exact<int>();
}

struct large_payload {
    std::array<char, 200> bytes{};
};

task<> measure_queue_growth(pid target, std::size_t* grown_by) {
    const std::optional<process_info> before = co_await process::info(target);
    process::send(target, std::string("first"));
    process::send(target, std::string("second"));
    process::send(target, 2.5);
    process::send(target, large_payload{});
    const std::optional<process_info> after = co_await process::info(target);
    *grown_by = after->memory - before->memory;
}

TEST(Info, MemoryCountsEachQueuedMessageAtTheSizeOfItsNode) {
    runtime rt(deterministic_options());
    std::size_t grown_by = 0;
    pid target = rt.spawn(waits_for_an_int);
    rt.run_until_idle();

    rt.spawn(measure_queue_growth, target, &grown_by);
    rt.run_until_idle();

    EXPECT_EQ(grown_by,
              2 * sizeof(detail::payload_node<std::string>) + sizeof(detail::payload_node<double>) +
                  sizeof(detail::payload_node<large_payload>));
}

} // namespace
} // namespace rill
