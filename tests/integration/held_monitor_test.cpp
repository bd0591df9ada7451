// The held-back monitor signal (docs/design/0007): a monitor's signal waits
// in its owner until the owner next acts on anything outside itself, and a
// demonitor that comes first cancels it unsent. These tests pin down that
// nothing the owner can observe changes: each outward action sends the
// held signal first, so signal order between the owner and the target is
// what it would be had the signal gone out at once.

#include <rill/testing.hpp>

#include "support/deterministic.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <vector>

namespace rill {
namespace {

using test::exit_on_message;
using test::returns_at_once;

using testing::deterministic_options;
using testing::down_message;
using testing::puppet;
using testing::run_in;
using testing::take_mailbox;

task<> inspect(pid target, std::optional<process_info>* out) {
    *out = co_await process::info(target);
}

std::optional<process_info> info_of(runtime& rt, const pid& target) {
    std::optional<process_info> info;
    rt.spawn(inspect, target, &info);
    rt.run_until_idle();
    return info;
}

struct owner_and_target {
    runtime rt{deterministic_options()};
    pid owner = rt.spawn(puppet, false);
    pid target = rt.spawn(exit_on_message);

    owner_and_target() { rt.run_until_idle(); }
};

TEST(HeldMonitor, AMessageSentAfterTheMonitorReachesTheTargetAfterIt) {
    owner_and_target s;
    reference ref;

    // The target ends on the message; the monitor must already be in place.
    run_in(s.rt, s.owner, [&] {
        ref = process::monitor(s.target);
        process::send(s.target, term(atom("bye")));
    });

    EXPECT_EQ(take_mailbox(s.rt, s.owner),
              std::vector<term>{down_message(ref, term(s.target), term(atom("bye")))});
}

TEST(HeldMonitor, AnExitSignalSentAfterTheMonitorReachesTheTargetAfterIt) {
    owner_and_target s;
    reference ref;

    run_in(s.rt, s.owner, [&] {
        ref = process::monitor(s.target);
        process::exit(s.target, term(atoms::kill));
    });

    EXPECT_EQ(take_mailbox(s.rt, s.owner),
              std::vector<term>{down_message(ref, term(s.target), term(atoms::killed))});
}

// A zero timeout polls without suspending: the DOWN must already be there.
task<> monitor_then_poll(pid target, reference* ref, std::optional<down_signal>* got) {
    *ref = process::monitor(target);
    *got = co_await process::receive_exact<down_signal>(std::chrono::milliseconds(0));
}

TEST(HeldMonitor, AReceiveRightAfterMonitoringADeadPidSeesTheDown) {
    runtime rt(deterministic_options());
    pid dead = rt.spawn(returns_at_once);
    rt.run_until_idle();
    reference ref;
    std::optional<down_signal> got;

    rt.spawn(monitor_then_poll, dead, &ref, &got);
    rt.run_until_idle();

    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->ref, ref);
    EXPECT_EQ(got->reason, term(atoms::noproc));
}

TEST(HeldMonitor, TheOwnersInfoListsAMonitorStillHeld) {
    owner_and_target s;
    std::optional<process_info> own;

    run_in(s.rt, s.owner, [&] { (void)process::monitor(s.target); });
    std::optional<process_info> target = info_of(s.rt, s.target);
    own = info_of(s.rt, s.owner);

    ASSERT_TRUE(own.has_value());
    EXPECT_EQ(own->monitors, std::vector<term>{term(s.target)});
    ASSERT_TRUE(target.has_value());
    EXPECT_EQ(target->monitored_by, std::vector<pid>{s.owner});
}

TEST(HeldMonitor, ADemonitorBeforeAnyOutwardActionLeavesNothingAnywhere) {
    owner_and_target s;
    bool active = false;

    run_in(s.rt, s.owner, [&] {
        reference ref = process::monitor(s.target);
        active = process::demonitor(ref, {.info = true});
    });
    s.rt.send(s.target, term(atom("bye")));
    s.rt.run_until_idle();

    EXPECT_TRUE(active);
    EXPECT_TRUE(take_mailbox(s.rt, s.owner).empty());
    std::optional<process_info> own = info_of(s.rt, s.owner);
    ASSERT_TRUE(own.has_value());
    EXPECT_TRUE(own->monitors.empty());
}

TEST(HeldMonitor, ASecondMonitorSendsTheFirstSoBothFire) {
    owner_and_target s;
    reference first;
    reference second;

    run_in(s.rt, s.owner, [&] {
        first = process::monitor(s.target);
        second = process::monitor(s.target);
        process::send(s.target, term(atom("bye")));
    });

    // Both fire; like BEAM, rill does not promise an order between them.
    std::vector<term> expected{down_message(first, term(s.target), term(atom("bye"))),
                               down_message(second, term(s.target), term(atom("bye")))};
    std::vector<term> got = take_mailbox(s.rt, s.owner);
    EXPECT_TRUE(std::is_permutation(got.begin(), got.end(), expected.begin(), expected.end()));
}

TEST(HeldMonitor, AnOwnerThatEndsWhileHoldingLeavesTheTargetUnwatched) {
    owner_and_target s;

    run_in(s.rt, s.owner, [&] {
        (void)process::monitor(s.target);
        process::exit(term(atom("gone")));
    });
    std::optional<process_info> target = info_of(s.rt, s.target);

    EXPECT_EQ(s.rt.exit_reason_of(s.owner), term(atom("gone")));
    ASSERT_TRUE(target.has_value());
    EXPECT_TRUE(target->monitored_by.empty());
}

TEST(HeldMonitor, AMonitorByNameKeepsTheNameInItsDown) {
    owner_and_target s;
    reference ref;
    atom name("held_target");

    run_in(s.rt, s.owner, [&] {
        process::register_name(s.target, name);
        ref = process::monitor(name);
        process::send(s.target, term(atom("bye")));
    });

    term object = term::tuple({term(name), term(s.rt.node())});
    EXPECT_EQ(take_mailbox(s.rt, s.owner),
              std::vector<term>{down_message(ref, object, term(atom("bye")))});
}

} // namespace
} // namespace rill
