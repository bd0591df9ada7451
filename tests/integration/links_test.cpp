// Links: S11, S25..S38 of SEMANTICS.md (section D) and the link parts of
// section E (S40, S42, S44), on the deterministic runtime. `link` and
// `unlink` return void in rill (Erlang's `true` has no C++ counterpart).
// Until process::info exists, "A's link set contains B" is observed through
// behaviour: a link exists iff the partner's death reaches the other side.

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

/// Links to `to`, then exits with the first message it receives.
task<> link_then_exit_on_message(pid to) {
    process::link(to);
    term reason = co_await process::receive_exact<term>();
    process::exit(reason);
}

task<> link_then_collect(pid to, bool trap, std::vector<term>* out) {
    process::trap_exit(trap);
    process::link(to);
    co_await collect_all(out);
}

// ---- S11 -------------------------------------------------------------------

/// Waits for the watcher's pid, sends it `a` and `b`, then exits with `z`.
task<> send_two_then_exit() {
    pid watcher = co_await process::receive_exact<pid>();
    process::send(watcher, atom("a"));
    process::send(watcher, atom("b"));
    process::exit(term(atom("z")));
}

task<> trap_link_monitor_then_collect(pid target, reference* ref, std::vector<term>* out) {
    process::trap_exit(true);
    process::link(target);
    *ref = process::monitor(target);
    process::send(target, process::self());
    co_await collect_all(out);
}

TEST(Links, S11ADyingProcesssLastMessagesPrecedeItsExitAndDown) {
    runtime rt(deterministic_options());
    std::vector<term> got;
    reference ref;
    pid p = rt.spawn(send_two_then_exit);

    rt.spawn(trap_link_monitor_then_collect, p, &ref, &got);
    rt.run_until_idle();

    ASSERT_EQ(got.size(), 4U);
    EXPECT_EQ(got[0], term(atom("a")));
    EXPECT_EQ(got[1], term(atom("b")));
    // The relative order of EXIT and DOWN is not promised.
    std::vector<term> signals{got[2], got[3]};
    std::vector<term> expected{exit_message(p, term(atom("z"))),
                               down_message(ref, p, term(atom("z")))};
    EXPECT_TRUE(std::is_permutation(signals.begin(), signals.end(), expected.begin()));
}

// ---- S25 -------------------------------------------------------------------
// The link sets themselves (Erlang's process_info(P, links)) wait for
// process::info; here each side's membership shows as propagation.

TEST(Links, S25LinkReachesThePartnerThatDidNotCallLink) {
    runtime rt(deterministic_options());
    std::vector<term> b_got;
    pid b = rt.spawn(collect_all, &b_got);
    pid a = rt.spawn(link_then_exit_on_message, b);
    rt.run_until_idle();

    rt.send(a, atom("boom"));
    rt.run_until_idle();

    EXPECT_EQ(rt.exit_reason_of(a), term(atom("boom")));
    EXPECT_EQ(rt.exit_reason_of(b), term(atom("boom")));
}

TEST(Links, S25LinkReachesTheProcessThatCalledLink) {
    runtime rt(deterministic_options());
    std::vector<term> a_got;
    pid b = rt.spawn(exit_on_message);
    pid a = rt.spawn(link_then_collect, b, false, &a_got);
    rt.run_until_idle();

    rt.send(b, atom("boom"));
    rt.run_until_idle();

    EXPECT_EQ(rt.exit_reason_of(a), term(atom("boom")));
}

// ---- S26 -------------------------------------------------------------------

TEST(Links, S26AbnormalExitPropagatesWithIdenticalReason) {
    runtime rt(deterministic_options());
    std::vector<term> a_got;
    term reason = term::tuple({term(atom("oops")), term(1)});
    pid b = rt.spawn(exit_on_message);
    pid a = rt.spawn(link_then_collect, b, false, &a_got);
    rt.run_until_idle();

    rt.send(b, reason);
    rt.run_until_idle();

    EXPECT_EQ(rt.exit_reason_of(b), reason);
    EXPECT_EQ(rt.exit_reason_of(a), reason);
}

// ---- S27 -------------------------------------------------------------------

TEST(Links, S27NormalExitDoesNotPropagateToANonTrappingPartner) {
    runtime rt(deterministic_options());
    std::vector<term> a_got;
    pid b = rt.spawn(exit_on_message);
    pid a = rt.spawn(link_then_collect, b, false, &a_got);
    rt.run_until_idle();

    rt.send(b, term(atoms::normal));
    rt.run_until_idle();

    EXPECT_EQ(rt.exit_reason_of(b), term(atoms::normal));
    EXPECT_TRUE(rt.is_alive(a));
    EXPECT_TRUE(a_got.empty());
    // "A's link set no longer contains B" waits for process::info.
}

// ---- S28 -------------------------------------------------------------------

TEST(Links, S28ATrappingPartnerReceivesANormalLinkExitAsAMessage) {
    runtime rt(deterministic_options());
    std::vector<term> a_got;
    pid b = rt.spawn(exit_on_message);
    pid a = rt.spawn(link_then_collect, b, true, &a_got);
    rt.run_until_idle();

    rt.send(b, term(atoms::normal));
    rt.run_until_idle();

    EXPECT_EQ(a_got, std::vector<term>{exit_message(b, term(atoms::normal))});
    EXPECT_TRUE(rt.is_alive(a));
}

TEST(Links, S28ATrappingPartnerReceivesAnAbnormalLinkExitAsAMessage) {
    runtime rt(deterministic_options());
    std::vector<term> a_got;
    term reason = term::tuple({term(atom("bad")), term(atom("x"))});
    pid b = rt.spawn(exit_on_message);
    pid a = rt.spawn(link_then_collect, b, true, &a_got);
    rt.run_until_idle();

    rt.send(b, reason);
    rt.run_until_idle();

    EXPECT_EQ(a_got, std::vector<term>{exit_message(b, reason)});
    EXPECT_TRUE(rt.is_alive(a));
}

// ---- S29 -------------------------------------------------------------------

task<> link_three_times_then_collect(pid to, std::vector<term>* out) {
    process::trap_exit(true);
    process::link(to);
    process::link(to);
    process::link(to);
    co_await collect_all(out);
}

TEST(Links, S29AtMostOneLinkPerPair) {
    runtime rt(deterministic_options());
    std::vector<term> a_got;
    pid b = rt.spawn(exit_on_message);
    rt.spawn(link_three_times_then_collect, b, &a_got);
    rt.run_until_idle();

    rt.send(b, atom("boom"));
    rt.run_until_idle();

    EXPECT_EQ(a_got, std::vector<term>{exit_message(b, term(atom("boom")))});
}

// ---- S30 -------------------------------------------------------------------

task<> link_and_unlink_self_then_collect(bool trap, bool* returned, std::vector<term>* out) {
    process::trap_exit(trap);
    process::link(process::self());
    process::unlink(process::self());
    *returned = true;
    co_await collect_all(out);
}

TEST(Links, S30LinkingOrUnlinkingOneselfIsANoOp) {
    runtime rt(deterministic_options());
    bool trapping_returned = false;
    bool plain_returned = false;
    std::vector<term> trapping_got;
    std::vector<term> plain_got;

    pid trapping =
        rt.spawn(link_and_unlink_self_then_collect, true, &trapping_returned, &trapping_got);
    pid plain = rt.spawn(link_and_unlink_self_then_collect, false, &plain_returned, &plain_got);
    rt.run_until_idle();

    EXPECT_TRUE(trapping_returned);
    EXPECT_TRUE(plain_returned);
    EXPECT_TRUE(rt.is_alive(trapping));
    EXPECT_TRUE(rt.is_alive(plain));
    EXPECT_TRUE(trapping_got.empty()); // no EXIT from itself, no noproc
    EXPECT_TRUE(plain_got.empty());
    // "The link set stays empty" waits for process::info.
}

// ---- S31 / S32 ---------------------------------------------------------------

task<> link_then_note_and_collect(pid to, bool trap, bool* returned, std::vector<term>* out) {
    process::trap_exit(trap);
    process::link(to);
    *returned = true;
    co_await collect_all(out);
}

// rill decision (SEMANTICS.md, top): link() to a dead local pid does not
// throw; the caller receives a `noproc` exit signal through the new link.
TEST(Links, S31LinkToADeadPidReturnsAndANonTrappingCallerDiesWithNoproc) {
    runtime rt(deterministic_options());
    pid dead = rt.spawn(returns_at_once);
    rt.run_until_idle();
    bool returned = false;
    std::vector<term> got;

    pid a = rt.spawn(link_then_note_and_collect, dead, false, &returned, &got);
    rt.run_until_idle();

    EXPECT_TRUE(returned);
    EXPECT_EQ(rt.exit_reason_of(a), term(atoms::noproc));
}

TEST(Links, S32LinkToADeadPidWhileTrappingDeliversANoprocExit) {
    runtime rt(deterministic_options());
    pid dead = rt.spawn(returns_at_once);
    rt.run_until_idle();
    bool returned = false;
    std::vector<term> got;

    pid a = rt.spawn(link_then_note_and_collect, dead, true, &returned, &got);
    rt.run_until_idle();

    EXPECT_TRUE(returned);
    EXPECT_EQ(got, std::vector<term>{exit_message(dead, term(atoms::noproc))});
    EXPECT_TRUE(rt.is_alive(a));
}

// ---- S33 -------------------------------------------------------------------

TEST(Links, S33UnlinkTwiceAndOnANeverLinkedPidLeavesNoLink) {
    runtime rt(deterministic_options());
    pid a = rt.spawn(puppet, true);
    pid b = rt.spawn(exit_on_message);
    pid never_linked = rt.spawn(test::wait_for_anything);
    rt.run_until_idle();
    run_in(rt, a, [&] { process::link(b); });
    bool returned = false;

    run_in(rt, a, [&] {
        process::unlink(b);
        process::unlink(b);
        process::unlink(never_linked);
        returned = true;
    });
    rt.send(b, atom("boom"));
    rt.run_until_idle();

    EXPECT_TRUE(returned);
    EXPECT_EQ(rt.exit_reason_of(b), term(atom("boom")));
    EXPECT_TRUE(take_mailbox(rt, a).empty());
    EXPECT_TRUE(rt.is_alive(a));
    EXPECT_TRUE(rt.is_alive(never_linked));
}

TEST(Links, S33UnlinkRemovesTheLinkOnThePartnersSideToo) {
    runtime rt(deterministic_options());
    std::vector<term> b_got;
    pid a = rt.spawn(puppet, false);
    pid b = rt.spawn(collect_all, &b_got);
    rt.run_until_idle();
    run_in(rt, a, [&] { process::link(b); });
    run_in(rt, a, [&] { process::unlink(b); });

    run_in(rt, a, [] { process::exit(term(atom("boom"))); });

    EXPECT_EQ(rt.exit_reason_of(a), term(atom("boom")));
    EXPECT_TRUE(rt.is_alive(b));
    EXPECT_TRUE(b_got.empty());
}

TEST(Links, S33ThePartnerMayUnlinkWithTheSameEffect) {
    runtime rt(deterministic_options());
    pid a = rt.spawn(puppet, true);
    pid b = rt.spawn(puppet, false);
    rt.run_until_idle();
    run_in(rt, a, [&] { process::link(b); });
    run_in(rt, b, [&] { process::unlink(a); });

    run_in(rt, b, [] { process::exit(term(atom("boom"))); });

    EXPECT_EQ(rt.exit_reason_of(b), term(atom("boom")));
    EXPECT_TRUE(take_mailbox(rt, a).empty());
    EXPECT_TRUE(rt.is_alive(a));
}

// ---- S34 -------------------------------------------------------------------

TEST(Links, S34UnlinkDoesNotPurgeAnExitAlreadyDelivered) {
    runtime rt(deterministic_options());
    pid a = rt.spawn(puppet, true);
    pid b = rt.spawn(exit_on_message);
    rt.run_until_idle();
    run_in(rt, a, [&] { process::link(b); });
    rt.send(b, atom("boom")); // the EXIT is queued in A's mailbox, not received
    rt.run_until_idle();

    run_in(rt, a, [&] { process::unlink(b); });

    EXPECT_EQ(take_mailbox(rt, a), std::vector<term>{exit_message(b, term(atom("boom")))});
}

// ---- S35 -------------------------------------------------------------------
// The race is forced deterministically. In the "crossing" tests, A sends B
// a fatal exit signal and then unlink(B) in the same slice: B handles the
// exit signal first and dies before it reads the unlink, so B's link exit
// signal is sent while A's unlink is in flight (the two cross). In the
// "queued" test, the link exit signal is already in A's queue, unhandled,
// when A calls unlink: link() to a dead pid answers at once with a noproc
// link exit (rill's S31 decision), and A unlinks before its next receive.

TEST(Links, S35ALinkExitCrossingUnlinkCannotKillTheNonTrappingCaller) {
    runtime rt(deterministic_options());
    std::vector<term> b_got;
    pid a = rt.spawn(puppet, false);
    pid b = rt.spawn(collect_all, &b_got);
    rt.run_until_idle();
    run_in(rt, a, [&] { process::link(b); });

    run_in(rt, a, [&] {
        process::exit(b, term(atom("boom")));
        process::unlink(b);
    });

    EXPECT_EQ(rt.exit_reason_of(b), term(atom("boom")));
    EXPECT_TRUE(rt.is_alive(a));
    EXPECT_EQ(rt.exit_reason_of(a), std::nullopt);
}

TEST(Links, S35ALinkExitCrossingUnlinkIsDroppedForATrappingCaller) {
    runtime rt(deterministic_options());
    std::vector<term> b_got;
    pid a = rt.spawn(puppet, true);
    pid b = rt.spawn(collect_all, &b_got);
    rt.run_until_idle();
    run_in(rt, a, [&] { process::link(b); });

    run_in(rt, a, [&] {
        process::exit(b, term(atom("boom")));
        process::unlink(b);
    });

    EXPECT_EQ(rt.exit_reason_of(b), term(atom("boom")));
    EXPECT_TRUE(take_mailbox(rt, a).empty()); // appendix 2: inactive link => dropped
    EXPECT_TRUE(rt.is_alive(a));
}

TEST(Links, S35ALinkExitQueuedButUnhandledWhenUnlinkReturnsCannotKillTheCaller) {
    runtime rt(deterministic_options());
    pid a = rt.spawn(puppet, false);
    pid dead = rt.spawn(returns_at_once);
    rt.run_until_idle();

    run_in(rt, a, [&] {
        process::link(dead); // dead's noproc link exit is queued for A now
        process::unlink(dead);
    });

    EXPECT_TRUE(rt.is_alive(a));
    EXPECT_EQ(rt.exit_reason_of(a), std::nullopt);
    EXPECT_TRUE(take_mailbox(rt, a).empty());
}

// ---- S36 -------------------------------------------------------------------

task<> trap_spawn_link_then_collect(pid* child, std::vector<term>* out) {
    process::trap_exit(true);
    *child = process::spawn_link(exits_with, term(atom("early")));
    co_await collect_all(out);
}

TEST(Links, S36SpawnLinkIsAtomic) {
    runtime rt(deterministic_options());
    pid child;
    std::vector<term> got;

    rt.spawn(trap_spawn_link_then_collect, &child, &got);
    rt.run_until_idle();

    EXPECT_EQ(got, std::vector<term>{exit_message(child, term(atom("early")))});
}

// ---- S37 -------------------------------------------------------------------

TEST(Links, S37PropagationIsTransitive) {
    runtime rt(deterministic_options());
    std::vector<term> a_got;
    std::vector<term> b_got;
    pid c = rt.spawn(exit_on_message);
    pid b = rt.spawn(link_then_collect, c, false, &b_got);
    pid a = rt.spawn(link_then_collect, b, false, &a_got);
    rt.run_until_idle();

    rt.send(c, atom("chain"));
    rt.run_until_idle();

    EXPECT_EQ(rt.exit_reason_of(c), term(atom("chain")));
    EXPECT_EQ(rt.exit_reason_of(b), term(atom("chain")));
    EXPECT_EQ(rt.exit_reason_of(a), term(atom("chain")));
}

// ---- S38 -------------------------------------------------------------------

TEST(Links, S38ShutdownPropagatesLikeAnyAbnormalReason) {
    runtime rt(deterministic_options());
    std::vector<term> a_got;
    pid b = rt.spawn(exit_on_message);
    pid a = rt.spawn(link_then_collect, b, false, &a_got);
    rt.run_until_idle();

    rt.send(b, term(atoms::shutdown));
    rt.run_until_idle();

    EXPECT_EQ(rt.exit_reason_of(a), term(atoms::shutdown));
}

// ---- S40, S42, S44 -----------------------------------------------------------

/// P with a trapping linked partner A, a non-trapping linked partner B and
/// a monitor owner M, all set up.
struct watched_process {
    runtime rt{deterministic_options()};
    std::vector<term> p_got, a_got, b_got, m_got;
    reference m_ref;
    pid p, a, b, m;

    explicit watched_process(bool p_exits_on_message) {
        p = p_exits_on_message ? rt.spawn(exit_on_message) : rt.spawn(collect_all, &p_got);
        a = rt.spawn(link_then_collect, p, true, &a_got);
        b = rt.spawn(link_then_collect, p, false, &b_got);
        m = rt.spawn(monitor_then_collect, p, &m_ref, &m_got);
        rt.run_until_idle();
    }
};

TEST(Links, S40EveryoneWatchingAKilledProcessSeesKilled) {
    watched_process w(false);

    w.rt.spawn(send_exit, w.p, term(atoms::kill));
    w.rt.run_until_idle();

    EXPECT_EQ(w.rt.exit_reason_of(w.p), term(atoms::killed));
    EXPECT_EQ(w.a_got, std::vector<term>{exit_message(w.p, term(atoms::killed))});
    EXPECT_TRUE(w.rt.is_alive(w.a));
    EXPECT_EQ(w.rt.exit_reason_of(w.b), term(atoms::killed));
    EXPECT_EQ(w.m_got, std::vector<term>{down_message(w.m_ref, w.p, term(atoms::killed))});
}

TEST(Links, S42EndingOneselfWithKillPropagatesKillAndItIsTrappable) {
    watched_process w(true);

    w.rt.send(w.p, term(atoms::kill)); // P calls process::exit(kill)
    w.rt.run_until_idle();

    EXPECT_EQ(w.rt.exit_reason_of(w.p), term(atoms::kill));
    EXPECT_EQ(w.a_got, std::vector<term>{exit_message(w.p, term(atoms::kill))});
    EXPECT_TRUE(w.rt.is_alive(w.a));
    EXPECT_EQ(w.rt.exit_reason_of(w.b), term(atoms::kill));
    EXPECT_EQ(w.m_got, std::vector<term>{down_message(w.m_ref, w.p, term(atoms::kill))});
}

task<> trap_link_kill_then_collect(pid victim, std::vector<term>* out) {
    process::trap_exit(true);
    process::link(victim);
    process::exit(victim, term(atoms::kill));
    co_await collect_all(out);
}

TEST(Links, S44TheKillerLinkedToItsVictimHearsBackKilled) {
    runtime rt(deterministic_options());
    std::vector<term> p_got;
    std::vector<term> a_got;
    pid p = rt.spawn(collect_all, &p_got);
    rt.run_until_idle();

    pid a = rt.spawn(trap_link_kill_then_collect, p, &a_got);
    rt.run_until_idle();

    EXPECT_EQ(rt.exit_reason_of(p), term(atoms::killed));
    EXPECT_EQ(a_got, std::vector<term>{exit_message(p, term(atoms::killed))});
    EXPECT_TRUE(rt.is_alive(a));
}

} // namespace
} // namespace rill
