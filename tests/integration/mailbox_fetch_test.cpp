// When a receive fetches its inbox (docs/design/0002, "Fetching"): a receive
// matches in the message queue first and takes the inbox only when the
// queue holds no match, so a process working through a backlog leaves the
// inbox alone. A signal that arrives meanwhile must still act within the
// slice it arrived in: every slice starts by taking the inbox.

#include <rill/rill.hpp>
#include <rill/testing.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace rill {
namespace {

using testing::deterministic_options;

constexpr int backlog = 20'000;
constexpr std::uint32_t slice_budget = 1'000;

struct progress {
    int handled = 0;
    int handled_when_killed = -1;
};

// Waits for `go`, wakes the killer, then takes integers for ever.
task<> work_through_backlog(pid killer, progress* seen) {
    (void)co_await process::receive_exact<atom>();
    process::send(killer, atom("go"));
    for (;;) {
        (void)co_await process::receive_exact<int>();
        ++seen->handled;
    }
}

task<> kill_on_go(progress* seen, pid* target) {
    (void)co_await process::receive_exact<atom>();
    seen->handled_when_killed = seen->handled;
    process::exit(*target, term(atoms::kill));
}

TEST(MailboxFetch, AKillReachesAProcessWorkingThroughItsQueueWithinOneSlice) {
    runtime_options options = deterministic_options();
    options.reductions_per_slice = slice_budget;
    runtime rt(options);
    progress seen;
    pid worker_pid;
    pid killer = rt.spawn(kill_on_go, &seen, &worker_pid);
    worker_pid = rt.spawn(work_through_backlog, killer, &seen);
    for (int i = 0; i < backlog; ++i) {
        rt.send(worker_pid, i);
    }
    rt.send(worker_pid, atom("go")); // behind the backlog: one receive queues all of it
    rt.run_until_idle();

    ASSERT_FALSE(rt.is_alive(worker_pid));
    EXPECT_EQ(rt.exit_reason_of(worker_pid), term(atoms::killed));
    ASSERT_GE(seen.handled_when_killed, 0);
    // The kill waited in the inbox while the queue still had matches, but
    // no longer than the rest of the slice in which it arrived.
    EXPECT_LE(seen.handled - seen.handled_when_killed, static_cast<int>(slice_budget));
    EXPECT_LT(seen.handled, backlog);
}

// A receive that finds its match in the queue leaves the inbox alone; an
// exit the process sent itself must still end it at that receive (S41).
task<> exit_self_with_a_match_queued(bool* ran_past_receive) {
    process::send(process::self(), 1);
    process::send(process::self(), 2);
    (void)co_await process::receive_exact<int>(); // takes both; 2 stays queued
    process::exit(process::self(), term(atoms::kill));
    (void)co_await process::receive_exact<int>(); // would match 2
    *ran_past_receive = true;
}

TEST(MailboxFetch, AnExitToSelfActsAtTheNextReceiveEvenWithAMatchQueued) {
    runtime rt(deterministic_options());
    bool ran_past_receive = false;
    pid self_killer = rt.spawn(exit_self_with_a_match_queued, &ran_past_receive);
    rt.run_until_idle();

    EXPECT_FALSE(ran_past_receive);
    EXPECT_FALSE(rt.is_alive(self_killer));
    EXPECT_EQ(rt.exit_reason_of(self_killer), term(atoms::killed));
}

// Messages keep their order across the two places a receive looks: what
// was queued before the inbox is taken is matched first.
task<> take_in_order(std::vector<int>* out, int count) {
    for (int i = 0; i < count; ++i) {
        out->push_back(co_await process::receive_exact<int>());
    }
}

task<> feed_while_taking(pid taker, int from, int count) {
    for (int i = from; i < from + count; ++i) {
        process::send(taker, i);
    }
    co_return;
}

TEST(MailboxFetch, MessagesFromTheQueueAndTheInboxKeepTheirSendOrder) {
    runtime_options options = deterministic_options();
    options.reductions_per_slice = 7; // many slices, each fetching part way
    runtime rt(options);
    std::vector<int> got;
    pid taker = rt.spawn(take_in_order, &got, 100);
    for (int i = 0; i < 40; ++i) {
        rt.send(taker, i);
    }
    rt.spawn(feed_while_taking, taker, 40, 60);
    rt.run_until_idle();

    std::vector<int> expected;
    for (int i = 0; i < 100; ++i) {
        expected.push_back(i);
    }
    EXPECT_EQ(got, expected);
}

} // namespace
} // namespace rill
