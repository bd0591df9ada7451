// Monitors: S54..S66 of SEMANTICS.md (section H) on the deterministic
// runtime. A DOWN reaches a collector as `{'DOWN', Ref, Object, Reason}`
// (rill's DOWN has no `process` element). Puppets (rill::testing::puppet)
// leave DOWNs queued until the test takes them, for the demonitor rules.

#include <rill/testing.hpp>

#include "support/deterministic.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace rill {
namespace {

using test::exit_on_message;
using test::exits_with;
using test::monitor_then_collect;
using test::returns_at_once;
using test::send_exit;

using testing::collect_all;
using testing::deterministic_options;
using testing::down_message;
using testing::exit_message;
using testing::puppet;
using testing::run_in;
using testing::take_mailbox;

term name_at_node(atom name, atom node) {
    return term::tuple({term(name), term(node)});
}

// ---- S54 -------------------------------------------------------------------

TEST(Monitors, S54AMonitorFiresOnceWithTheExitReason) {
    runtime rt(deterministic_options());
    std::vector<term> got;
    reference ref;
    term reason = term::tuple({term(atom("r")), term(65)});
    pid p = rt.spawn(exit_on_message);
    rt.spawn(monitor_then_collect, p, &ref, &got);
    rt.run_until_idle();

    rt.send(p, reason);
    rt.run_until_idle();

    EXPECT_NE(ref, reference{});
    EXPECT_EQ(ref.node, rt.node());
    EXPECT_EQ(got, std::vector<term>{down_message(ref, term(p), reason)});
}

TEST(Monitors, S54AMonitorFiresOnANormalExitToo) {
    runtime rt(deterministic_options());
    std::vector<term> got;
    reference ref;
    pid p = rt.spawn(exit_on_message);
    rt.spawn(monitor_then_collect, p, &ref, &got);
    rt.run_until_idle();

    rt.send(p, term(atoms::normal));
    rt.run_until_idle();

    EXPECT_EQ(got, std::vector<term>{down_message(ref, term(p), term(atoms::normal))});
}

// ---- S55 -------------------------------------------------------------------

TEST(Monitors, S55MonitoringADeadPidFiresAtOnceWithNoproc) {
    runtime rt(deterministic_options());
    std::vector<term> got;
    reference ref;
    pid dead = rt.spawn(returns_at_once);
    rt.run_until_idle();

    rt.spawn(monitor_then_collect, dead, &ref, &got);
    rt.run_until_idle();

    EXPECT_EQ(got, std::vector<term>{down_message(ref, term(dead), term(atoms::noproc))});
}

// ---- S56 -------------------------------------------------------------------

task<> monitor_twice_then_collect(pid target,
                                  reference* first,
                                  reference* second,
                                  std::vector<term>* out) {
    *first = process::monitor(target);
    *second = process::monitor(target);
    co_await collect_all(out);
}

TEST(Monitors, S56MonitorsAreIndependentInstances) {
    runtime rt(deterministic_options());
    std::vector<term> got;
    reference first;
    reference second;
    pid p = rt.spawn(exit_on_message);
    rt.spawn(monitor_twice_then_collect, p, &first, &second, &got);
    rt.run_until_idle();

    rt.send(p, atom("x"));
    rt.run_until_idle();

    EXPECT_NE(first, second);
    std::vector<term> expected{down_message(first, term(p), term(atom("x"))),
                               down_message(second, term(p), term(atom("x")))};
    ASSERT_EQ(got.size(), 2U);
    EXPECT_TRUE(std::is_permutation(got.begin(), got.end(), expected.begin()));
}

// ---- S57 -------------------------------------------------------------------

task<> trap_then_collect(std::vector<term>* out) {
    process::trap_exit(true);
    co_await collect_all(out);
}

task<> monitor_then_exit_on_message(pid target) {
    (void)process::monitor(target);
    term reason = co_await process::receive_exact<term>();
    process::exit(reason);
}

TEST(Monitors, S57MonitorsAreOneWay) {
    runtime rt(deterministic_options());
    std::vector<term> t_got;
    pid t = rt.spawn(trap_then_collect, &t_got);
    rt.run_until_idle();
    pid w = rt.spawn(monitor_then_exit_on_message, t);
    rt.run_until_idle();

    rt.send(w, atom("boom"));
    rt.run_until_idle();

    EXPECT_EQ(rt.exit_reason_of(w), term(atom("boom")));
    EXPECT_TRUE(rt.is_alive(t));
    EXPECT_TRUE(t_got.empty());
}

// ---- S58 -------------------------------------------------------------------

TEST(Monitors, S58DemonitorBeforeTheTargetDiesStopsTheDown) {
    runtime rt(deterministic_options());
    pid owner = rt.spawn(puppet, false);
    pid p = rt.spawn(exit_on_message);
    rt.run_until_idle();
    reference ref;
    run_in(rt, owner, [&] { ref = process::monitor(p); });
    bool result = false;

    run_in(rt, owner, [&] { result = process::demonitor(ref); });
    rt.send(p, atom("x"));
    rt.run_until_idle();

    EXPECT_TRUE(result);
    EXPECT_EQ(rt.exit_reason_of(p), term(atom("x")));
    EXPECT_TRUE(take_mailbox(rt, owner).empty());
}

TEST(Monitors, S58DemonitorOfAFiredOrUnknownMonitorReturnsTrue) {
    runtime rt(deterministic_options());
    pid owner = rt.spawn(puppet, false);
    pid p = rt.spawn(exit_on_message);
    rt.run_until_idle();
    reference ref;
    run_in(rt, owner, [&] { ref = process::monitor(p); });
    rt.send(p, atom("x"));
    rt.run_until_idle();
    bool fired_result = false;
    bool unknown_result = false;

    run_in(rt, owner, [&] {
        fired_result = process::demonitor(ref);
        unknown_result = process::demonitor(process::make_ref());
    });

    EXPECT_TRUE(fired_result);
    EXPECT_TRUE(unknown_result);
}

// ---- S59 -------------------------------------------------------------------

/// A puppet owner whose monitor on P has fired: the DOWN is queued, not
/// received.
struct fired_monitor {
    runtime rt{deterministic_options()};
    pid owner = rt.spawn(puppet, false);
    pid p = rt.spawn(exit_on_message);
    reference ref;

    fired_monitor() {
        rt.run_until_idle();
        run_in(rt, owner, [this] { ref = process::monitor(p); });
        rt.send(p, atom("x"));
        rt.run_until_idle();
    }

    [[nodiscard]] term down() const { return down_message(ref, term(p), term(atom("x"))); }
};

TEST(Monitors, S59DemonitorDoesNotPurgeAQueuedDown) {
    fired_monitor f;
    bool result = false;

    run_in(f.rt, f.owner, [&] { result = process::demonitor(f.ref); });

    EXPECT_TRUE(result);
    EXPECT_EQ(take_mailbox(f.rt, f.owner), std::vector<term>{f.down()});
}

TEST(Monitors, S59DemonitorWithFlushRemovesAQueuedDown) {
    fired_monitor f;
    bool result = false;

    run_in(f.rt, f.owner, [&] { result = process::demonitor(f.ref, {.flush = true}); });

    EXPECT_TRUE(result);
    EXPECT_TRUE(take_mailbox(f.rt, f.owner).empty());
}

// ---- S60 -------------------------------------------------------------------

TEST(Monitors, S60InfoIsTrueWhenDemonitorRemovedALiveMonitor) {
    runtime rt(deterministic_options());
    pid owner = rt.spawn(puppet, false);
    pid p = rt.spawn(exit_on_message);
    rt.run_until_idle();
    reference ref;
    run_in(rt, owner, [&] { ref = process::monitor(p); });
    bool result = false;

    run_in(rt, owner, [&] { result = process::demonitor(ref, {.info = true}); });

    EXPECT_TRUE(result);
}

TEST(Monitors, S60InfoIsFalseWhenTheMonitorHadAlreadyFired) {
    fired_monitor f;
    bool result = true;

    run_in(f.rt, f.owner, [&] { result = process::demonitor(f.ref, {.info = true}); });

    EXPECT_FALSE(result);
    EXPECT_EQ(take_mailbox(f.rt, f.owner), std::vector<term>{f.down()});
}

TEST(Monitors, S60InfoIsFalseForAMonitorThatNeverExisted) {
    runtime rt(deterministic_options());
    pid owner = rt.spawn(puppet, false);
    rt.run_until_idle();
    bool result = true;

    run_in(rt, owner, [&] { result = process::demonitor(process::make_ref(), {.info = true}); });

    EXPECT_FALSE(result);
}

TEST(Monitors, S60FlushAndInfoIsFalseWhenADownHadToBeFlushed) {
    fired_monitor f;
    bool result = true;

    run_in(
        f.rt, f.owner, [&] { result = process::demonitor(f.ref, {.flush = true, .info = true}); });

    EXPECT_FALSE(result);
    EXPECT_TRUE(take_mailbox(f.rt, f.owner).empty());
}

// ---- S61 -------------------------------------------------------------------

TEST(Monitors, S61MonitorByNameReportsNameAndNodeAsTheObject) {
    runtime rt(deterministic_options());
    pid owner = rt.spawn(puppet, false);
    pid p = rt.spawn(exit_on_message);
    rt.run_until_idle();
    reference ref;
    run_in(rt, owner, [&] {
        process::register_name(p, atom("n"));
        ref = process::monitor(atom("n"));
    });

    rt.send(p, atom("nm"));
    rt.run_until_idle();

    EXPECT_EQ(
        take_mailbox(rt, owner),
        std::vector<term>{down_message(ref, name_at_node(atom("n"), rt.node()), term(atom("nm")))});
}

TEST(Monitors, S61MonitorByNameAtThisNodeReportsNameAndNodeAsTheObject) {
    runtime rt(deterministic_options());
    pid owner = rt.spawn(puppet, false);
    pid p = rt.spawn(exit_on_message);
    rt.run_until_idle();
    reference ref;
    run_in(rt, owner, [&] {
        process::register_name(p, atom("n"));
        ref = process::monitor(std::make_pair(atom("n"), process::self().node));
    });

    rt.send(p, atom("nm"));
    rt.run_until_idle();

    EXPECT_EQ(
        take_mailbox(rt, owner),
        std::vector<term>{down_message(ref, name_at_node(atom("n"), rt.node()), term(atom("nm")))});
}

TEST(Monitors, S61MonitorOfAnUnregisteredNameFiresNoprocAtOnce) {
    runtime rt(deterministic_options());
    pid owner = rt.spawn(puppet, false);
    rt.run_until_idle();
    reference by_name;
    reference by_name_at_node;

    run_in(rt, owner, [&] {
        by_name = process::monitor(atom("nobody"));
        by_name_at_node = process::monitor(std::make_pair(atom("nobody"), process::self().node));
    });

    term object = name_at_node(atom("nobody"), rt.node());
    EXPECT_EQ(take_mailbox(rt, owner),
              (std::vector<term>{down_message(by_name, object, term(atoms::noproc)),
                                 down_message(by_name_at_node, object, term(atoms::noproc))}));
}

// ---- S62 -------------------------------------------------------------------

TEST(Monitors, S62ANameIsResolvedOnceWhenTheMonitorIsCreated) {
    runtime rt(deterministic_options());
    pid owner = rt.spawn(puppet, false);
    pid p = rt.spawn(exit_on_message);
    pid q = rt.spawn(exit_on_message);
    rt.run_until_idle();
    reference ref;
    run_in(rt, owner, [&] {
        process::register_name(p, atom("n"));
        ref = process::monitor(atom("n"));
    });

    run_in(rt, owner, [&] {
        process::unregister(atom("n"));
        process::register_name(q, atom("n"));
    });
    rt.send(q, atom("q_dies"));
    rt.run_until_idle();
    std::vector<term> after_q = take_mailbox(rt, owner);
    rt.send(p, atom("p_dies"));
    rt.run_until_idle();
    std::vector<term> after_p = take_mailbox(rt, owner);

    EXPECT_EQ(rt.exit_reason_of(q), term(atom("q_dies")));
    EXPECT_TRUE(after_q.empty());
    EXPECT_EQ(after_p,
              std::vector<term>{
                  down_message(ref, name_at_node(atom("n"), rt.node()), term(atom("p_dies")))});
}

// ---- S63 -------------------------------------------------------------------

TEST(Monitors, S63MonitoringOneselfReturnsAReferenceAndCreatesNothing) {
    runtime rt(deterministic_options());
    pid owner = rt.spawn(puppet, false);
    rt.run_until_idle();
    reference ref;
    bool info = true;

    run_in(rt, owner, [&] { ref = process::monitor(process::self()); });
    std::vector<term> queued = take_mailbox(rt, owner);
    run_in(rt, owner, [&] { info = process::demonitor(ref, {.info = true}); });

    EXPECT_NE(ref, reference{});
    EXPECT_TRUE(queued.empty()); // never fires
    EXPECT_FALSE(info);          // no monitor was created
    // "process_info(self(), monitors) is []" waits for process::info.
}

// ---- S64 -------------------------------------------------------------------

task<> trap_link_monitor_then_collect(pid target, reference* ref, std::vector<term>* out) {
    process::trap_exit(true);
    process::link(target);
    *ref = process::monitor(target);
    co_await collect_all(out);
}

TEST(Monitors, S64MonitorsCoexistWithLinksAndIgnoreTrapExit) {
    runtime rt(deterministic_options());
    std::vector<term> got;
    reference ref;
    pid p = rt.spawn(exit_on_message);
    pid a = rt.spawn(trap_link_monitor_then_collect, p, &ref, &got);
    rt.run_until_idle();

    rt.send(p, atom("both"));
    rt.run_until_idle();

    std::vector<term> expected{exit_message(p, term(atom("both"))),
                               down_message(ref, term(p), term(atom("both")))};
    ASSERT_EQ(got.size(), 2U);
    EXPECT_TRUE(std::is_permutation(got.begin(), got.end(), expected.begin()));
    EXPECT_TRUE(rt.is_alive(a));
}

task<>
set_trap_monitor_then_collect(bool trap, pid target, reference* ref, std::vector<term>* out) {
    process::trap_exit(trap);
    *ref = process::monitor(target);
    co_await collect_all(out);
}

TEST(Monitors, S64ADownIsAPlainMessageWhetherTheOwnerTrapsOrNot) {
    runtime rt(deterministic_options());
    std::vector<term> trapping_got;
    std::vector<term> plain_got;
    reference trapping_ref;
    reference plain_ref;
    pid p = rt.spawn(exit_on_message);
    pid trapping = rt.spawn(set_trap_monitor_then_collect, true, p, &trapping_ref, &trapping_got);
    pid plain = rt.spawn(set_trap_monitor_then_collect, false, p, &plain_ref, &plain_got);
    rt.run_until_idle();

    rt.send(p, atom("both"));
    rt.run_until_idle();

    EXPECT_EQ(trapping_got,
              std::vector<term>{down_message(trapping_ref, term(p), term(atom("both")))});
    EXPECT_EQ(plain_got, std::vector<term>{down_message(plain_ref, term(p), term(atom("both")))});
    EXPECT_TRUE(rt.is_alive(trapping));
    EXPECT_TRUE(rt.is_alive(plain));
}

// ---- S65 -------------------------------------------------------------------
// The `{tag, my_tag}` monitor option does not apply: rill's monitor has no
// tag option (a down_signal is a type, not a tuple with a renamable tag).

task<> spawn_monitor_then_collect(pid* child, reference* ref, std::vector<term>* out) {
    auto [spawned, monitor_ref] = process::spawn_monitor(exits_with, term(atom("instant")));
    *child = spawned;
    *ref = monitor_ref;
    co_await collect_all(out);
}

TEST(Monitors, S65SpawnMonitorIsAtomic) {
    runtime rt(deterministic_options());
    pid child;
    reference ref;
    std::vector<term> got;

    rt.spawn(spawn_monitor_then_collect, &child, &ref, &got);
    rt.run_until_idle();

    EXPECT_EQ(got, std::vector<term>{down_message(ref, term(child), term(atom("instant")))});
}

// ---- S66 -------------------------------------------------------------------
// Erlang checks process_info(T, monitored_by) going from [W] to []; that
// part waits for process::info. Observed here: once W was killed, T's death
// sends no DOWN anywhere (not even to a process that may reuse W's slot),
// and no process is left behind.

TEST(Monitors, S66AKilledMonitorOwnerLeavesNothingBehind) {
    runtime rt(deterministic_options());
    std::vector<term> w_got;
    reference ref;
    pid t = rt.spawn(exit_on_message);
    pid w = rt.spawn(monitor_then_collect, t, &ref, &w_got);
    rt.run_until_idle();
    ASSERT_EQ(rt.process_count(), 2U);

    rt.spawn(send_exit, w, term(atoms::kill));
    rt.run_until_idle();
    std::vector<term> later_got;
    pid later = rt.spawn(collect_all, &later_got);
    rt.run_until_idle();
    rt.send(t, atom("bye"));
    rt.run_until_idle();

    EXPECT_EQ(rt.exit_reason_of(w), term(atoms::killed));
    EXPECT_EQ(rt.exit_reason_of(t), term(atom("bye")));
    EXPECT_TRUE(w_got.empty());
    EXPECT_TRUE(later_got.empty());
    EXPECT_TRUE(rt.is_alive(later));
    EXPECT_EQ(rt.process_count(), 1U);
}

} // namespace
} // namespace rill
