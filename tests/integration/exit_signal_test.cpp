// Explicit exit signals (exit/2) and trap_exit: S6, S10 and the exit/2 rows
// of SEMANTICS.md section F, on the deterministic runtime.

#include <rill/testing.hpp>

#include "support/deterministic.hpp"

#include <gtest/gtest.h>

namespace rill {
namespace {

using test::returns_at_once;
using test::send_exit;

using testing::collect_all;
using testing::deterministic_options;
using testing::exit_message;

task<> trapping_collector(std::vector<term>* out) {
    process::trap_exit(true);
    co_await collect_all(out);
}

task<> send_exit_between_messages(pid to, term reason) {
    process::send(to, atom("m1"));
    process::exit(to, reason);
    process::send(to, atom("m2"));
    co_return;
}

TEST(ExitSignals, S10SignalsOfEveryKindFromOneSenderArriveInSendOrder) {
    runtime rt(deterministic_options());
    std::vector<term> got;
    pid p = rt.spawn(trapping_collector, &got);
    rt.run_until_idle();

    pid sender = rt.spawn(send_exit_between_messages, p, term(atom("r")));
    rt.run_until_idle();

    EXPECT_EQ(got,
              (std::vector<term>{
                  term(atom("m1")), exit_message(sender, term(atom("r"))), term(atom("m2"))}));
}

task<> kill_and_check_alive(pid target, bool* alive_after) {
    process::exit(target, term(atoms::kill));
    *alive_after = process::alive(target);
    co_return;
}

TEST(ExitSignals, S6AliveIsFalseRightAfterTheCallerKilledATrappingProcess) {
    runtime rt(deterministic_options());
    std::vector<term> got;
    pid p = rt.spawn(trapping_collector, &got);
    rt.run_until_idle();
    bool alive_after = true;

    rt.spawn(kill_and_check_alive, p, &alive_after);
    rt.run_until_idle();

    EXPECT_FALSE(alive_after);
    EXPECT_EQ(rt.exit_reason_of(p), term(atoms::killed));
}

/// Spawns a target (trapping or not), sends it `reason` from another
/// process, and returns what the target collected and how it ended.
struct outcome {
    std::vector<term> received;
    std::optional<term> exit_reason;
    pid sender;
};

outcome deliver_exit(bool target_traps, const term& reason) {
    runtime rt(deterministic_options());
    outcome result;
    pid target = target_traps ? rt.spawn(trapping_collector, &result.received)
                              : rt.spawn(collect_all, &result.received);
    rt.run_until_idle();
    result.sender = rt.spawn(send_exit, target, reason);
    rt.run_until_idle();
    result.exit_reason = rt.exit_reason_of(target);
    return result;
}

TEST(ExitSignals, S39KillCannotBeTrapped) {
    outcome o = deliver_exit(true, term(atoms::kill));

    EXPECT_TRUE(o.received.empty());
    EXPECT_EQ(o.exit_reason, term(atoms::killed));
}

TEST(ExitSignals, S43KilledSentExplicitlyIsAnOrdinaryReason) {
    outcome trapping = deliver_exit(true, term(atoms::killed));
    outcome plain = deliver_exit(false, term(atoms::killed));

    EXPECT_EQ(trapping.received,
              std::vector<term>{exit_message(trapping.sender, term(atoms::killed))});
    EXPECT_FALSE(trapping.exit_reason.has_value());
    EXPECT_EQ(plain.exit_reason, term(atoms::killed));
}

TEST(ExitSignals, S45AbnormalReasonEndsANonTrappingTarget) {
    term reason = term::tuple({term(atom("shut")), term(1)});

    outcome o = deliver_exit(false, reason);

    EXPECT_EQ(o.exit_reason, reason);
    EXPECT_EQ(o.received.size(), 0U);
}

TEST(ExitSignals, S46AnyReasonButKillBecomesAMessageForATrappingTarget) {
    outcome o = deliver_exit(true, term(atom("reason48")));

    EXPECT_EQ(o.received, std::vector<term>{exit_message(o.sender, term(atom("reason48")))});
    EXPECT_FALSE(o.exit_reason.has_value());
}

TEST(ExitSignals, S47NormalFromAnotherProcessIsIgnoredUnlessTrapped) {
    outcome plain = deliver_exit(false, term(atoms::normal));
    outcome trapping = deliver_exit(true, term(atoms::normal));

    EXPECT_FALSE(plain.exit_reason.has_value());
    EXPECT_TRUE(plain.received.empty());
    EXPECT_EQ(trapping.received,
              std::vector<term>{exit_message(trapping.sender, term(atoms::normal))});
}

task<> exit_self_then_wait(term reason, bool trap, std::vector<term>* out) {
    process::trap_exit(trap);
    process::exit(process::self(), std::move(reason));
    co_await collect_all(out);
}

TEST(ExitSignals, S48NormalSentToOneselfEndsANonTrappingProcess) {
    runtime rt(deterministic_options());
    std::vector<term> plain_got;
    std::vector<term> trapping_got;

    pid plain = rt.spawn(exit_self_then_wait, term(atoms::normal), false, &plain_got);
    pid trapping = rt.spawn(exit_self_then_wait, term(atoms::normal), true, &trapping_got);
    rt.run_until_idle();

    EXPECT_EQ(rt.exit_reason_of(plain), term(atoms::normal));
    EXPECT_TRUE(rt.is_alive(trapping));
    EXPECT_EQ(trapping_got, std::vector<term>{exit_message(trapping, term(atoms::normal))});
}

TEST(ExitSignals, S49AnyOtherReasonToOneselfEndsOrIsTrapped) {
    runtime rt(deterministic_options());
    term reason = term::tuple({term(atom("my")), term(atom("reason"))});
    std::vector<term> plain_got;
    std::vector<term> trapping_got;

    pid plain = rt.spawn(exit_self_then_wait, reason, false, &plain_got);
    pid trapping = rt.spawn(exit_self_then_wait, reason, true, &trapping_got);
    rt.run_until_idle();

    EXPECT_EQ(rt.exit_reason_of(plain), reason);
    EXPECT_EQ(trapping_got, std::vector<term>{exit_message(trapping, reason)});
}

TEST(ExitSignals, S41KillingOneselfYieldsKilledEvenWhenTrapping) {
    runtime rt(deterministic_options());
    std::vector<term> got;

    pid p = rt.spawn(exit_self_then_wait, term(atoms::kill), true, &got);
    rt.run_until_idle();

    EXPECT_EQ(rt.exit_reason_of(p), term(atoms::killed));
    EXPECT_TRUE(got.empty());
}

TEST(ExitSignals, S50ExitToADeadPidIsSilentlyAccepted) {
    runtime rt(deterministic_options());
    pid dead = rt.spawn(returns_at_once);
    rt.run_until_idle();

    pid sender = rt.spawn(send_exit, dead, term(atom("x")));
    rt.run_until_idle();

    EXPECT_EQ(rt.exit_reason_of(sender), term(atoms::normal));
}

task<> flip_trap_exit(std::vector<bool>* previous) {
    previous->push_back(process::trap_exit(true));
    previous->push_back(process::trap_exit(false));
    previous->push_back(process::trap_exit(false));
    co_return;
}

TEST(ExitSignals, S52TrapExitReturnsThePreviousValue) {
    runtime rt(deterministic_options());
    std::vector<bool> previous;

    rt.spawn(flip_trap_exit, &previous);
    rt.run_until_idle();

    EXPECT_EQ(previous, (std::vector<bool>{false, true, false}));
}

task<> trap_then_untrap(std::vector<term>* out) {
    process::trap_exit(true);
    process::trap_exit(false);
    co_await collect_all(out);
}

TEST(ExitSignals, S53TurningTrappingOffRestoresTermination) {
    runtime rt(deterministic_options());
    std::vector<term> got;
    pid p = rt.spawn(trap_then_untrap, &got);
    rt.run_until_idle();

    rt.spawn(send_exit, p, term(atom("again")));
    rt.run_until_idle();

    EXPECT_EQ(rt.exit_reason_of(p), term(atom("again")));
}

task<> yields_forever() {
    for (;;) {
        co_await process::yield();
    }
}

TEST(ExitSignals, AProcessThatNeverReceivesIsStillEndedAtItsNextYield) {
    runtime rt(deterministic_options());
    pid p = rt.spawn(yields_forever);

    rt.spawn(send_exit, p, term(atoms::kill));
    rt.run_until_idle(); // idle only once the yielding process has ended

    EXPECT_EQ(rt.exit_reason_of(p), term(atoms::killed));
}

} // namespace
} // namespace rill

namespace rill {
namespace {

// S51: Erlang's badarg for `exit(not_a_pid, R)`, `link(not_a_pid)`,
// `monitor(process, "x")`, `demonitor(not_a_ref)` cannot happen in rill:
// the types rule those calls out at compile time. What remains is a pid
// that names nothing (default-constructed): it behaves as a dead pid.
template <class T>
concept linkable = requires(T value) {
    process::link(value);
};

template <class T>
concept exitable = requires(T value) {
    process::exit(value, term());
};

template <class T>
concept demonitorable = requires(T value) {
    process::demonitor(value);
};

static_assert(!linkable<int> && !linkable<std::string> && linkable<pid>);
static_assert(!exitable<int> && exitable<pid>);
static_assert(!demonitorable<pid> && !demonitorable<int> && demonitorable<reference>);

task<> use_a_null_pid(std::vector<term>* out) {
    process::trap_exit(true);
    process::exit(pid{}, term(atom("x"))); // accepted silently, like a dead pid
    process::link(pid{});                  // noproc through the link
    co_await testing::collect_all(out);
}

TEST(ExitSignals, S51ArgumentsOfTheWrongTypeDoNotCompileAndANullPidIsADeadPid) {
    runtime rt(testing::deterministic_options());
    std::vector<term> got;

    rt.spawn(use_a_null_pid, &got);
    rt.run_until_idle();

    EXPECT_EQ(
        got, std::vector<term>{term::tuple({term(atoms::EXIT), term(pid{}), term(atoms::noproc)})});
}

} // namespace
} // namespace rill
