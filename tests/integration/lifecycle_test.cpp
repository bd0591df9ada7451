// S1..S6 of SEMANTICS.md (lifecycle and exit reasons) on the deterministic
// runtime. Behaviours that need links, monitors or exit/2 are completed by
// the fault-tolerance tests.

#include <rill/testing.hpp>

#include "support/deterministic.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace rill {
namespace {

using test::exits_with;
using test::returns_at_once;

using testing::deterministic_options;

task<> report_self(pid parent) {
    process::send(parent, process::self());
    co_return;
}

task<> spawn_and_record(pid* parent_out, pid* child_out, pid* reported_out) {
    *parent_out = process::self();
    *child_out = process::spawn(report_self, process::self());
    *reported_out = co_await process::receive_exact<pid>();
}

TEST(Lifecycle, S1SpawnGivesAFreshIdentity) {
    runtime rt(deterministic_options());
    pid parent, child, reported;

    rt.spawn(spawn_and_record, &parent, &child, &reported);
    rt.run_until_idle();

    EXPECT_NE(child, parent);
    EXPECT_EQ(reported, child);
    EXPECT_EQ(child.node, rt.node());
}

TEST(Lifecycle, S2ReturningFromTheStartFunctionIsANormalExit) {
    runtime rt(deterministic_options());

    pid p = rt.spawn(returns_at_once);
    rt.run_until_idle();

    EXPECT_FALSE(rt.is_alive(p));
    EXPECT_EQ(rt.exit_reason_of(p), term(atoms::normal));
}

TEST(Lifecycle, S3ProcessCanEndItselfWithAnyTermAsReasonDeliveredVerbatim) {
    runtime rt(deterministic_options());
    term reason = term::tuple({term(atom("custom")), term(std::vector<int>{1, 2}), term("x")});

    pid p = rt.spawn(exits_with, reason);
    rt.run_until_idle();

    ASSERT_TRUE(rt.exit_reason_of(p).has_value());
    EXPECT_TRUE(exactly_equal(*rt.exit_reason_of(p), reason));
    EXPECT_EQ(to_string(*rt.exit_reason_of(p)), "{custom,[1,2],<<\"x\">>}");
}

task<> throws_runtime_error() {
    throw std::runtime_error("boom");
    co_return;
}

task<> throws_badarg() {
    (void)term(atom("not_a_number")).as<int>();
    co_return;
}

struct custom_failure {};

task<> throws_non_standard() {
    throw custom_failure{};
    co_return;
}

TEST(Lifecycle, S4UncaughtExceptionEndsTheProcessWithTypeAndWhat) {
    runtime rt(deterministic_options());

    pid p = rt.spawn(throws_runtime_error);
    rt.run_until_idle();

    EXPECT_EQ(to_string(*rt.exit_reason_of(p)), "{exception,'std::runtime_error',<<\"boom\">>}");
}

TEST(Lifecycle, S4UncaughtBadargEndsTheProcessWithReasonBadarg) {
    runtime rt(deterministic_options());

    pid p = rt.spawn(throws_badarg);
    rt.run_until_idle();

    EXPECT_EQ(rt.exit_reason_of(p), term(atoms::badarg));
}

TEST(Lifecycle, S4AnyThrownTypeEndsTheProcessAbnormally) {
    runtime rt(deterministic_options());

    pid p = rt.spawn(throws_non_standard);
    rt.run_until_idle();

    ASSERT_TRUE(rt.exit_reason_of(p).has_value());
    EXPECT_NE(*rt.exit_reason_of(p), term(atoms::normal));
    EXPECT_EQ(to_string(*rt.exit_reason_of(p)),
              "{exception,'rill::(anonymous namespace)::custom_failure',<<>>}");
}

// Exception types whose demangled names run past 255 bytes in two-byte
// characters. Whatever the length of the namespace prefix, the cut at byte
// 255 falls inside a character for one of them. Each name is one
// identifier, longer than a line, so formatting is off around them.
// clang-format off
struct éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé {};
struct xéééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé {};
using even_failure = éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé;
using odd_failure = xéééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé;

// clang-format on

template <class Exception>
task<> throws_exception_of_type() {
    throw Exception{};
    co_return;
}

TEST(Lifecycle, S4ExceptionTypeNameCutTo255BytesStaysAWholeCharacterAtom) {
    runtime rt(deterministic_options());

    pid even = rt.spawn(throws_exception_of_type<even_failure>);
    pid odd = rt.spawn(throws_exception_of_type<odd_failure>);
    rt.run_until_idle();

    for (const pid p : {even, odd}) {
        ASSERT_TRUE(rt.exit_reason_of(p).has_value());
        const term reason = *rt.exit_reason_of(p);
        ASSERT_TRUE(reason.is_tuple());
        const atom type = reason.elements()[1].as<atom>();
        EXPECT_NE(type, atoms::undefined);
        EXPECT_GE(type.name().size(), max_atom_length - 1);
        EXPECT_LE(type.name().size(), max_atom_length);
        EXPECT_EQ(type.name().back(), '\xa9'); // the last byte of a whole 'é'
    }
}

task<> catches_own_exit(bool* continued) {
    try {
        process::exit(term(atoms::normal));
    } catch (const exit_exception& e) {
        *continued = e.reason() == term(atoms::normal);
    }
    co_await process::yield();
    process::exit(term(atom("after_catch")));
}

TEST(Lifecycle, S5EndingOneselfIsACatchableException) {
    runtime rt(deterministic_options());
    bool continued = false;

    pid p = rt.spawn(catches_own_exit, &continued);
    rt.run_until_idle();

    EXPECT_TRUE(continued);
    EXPECT_EQ(rt.exit_reason_of(p), term(atom("after_catch")));
}

TEST(Lifecycle, S6AProcessThatEndedIsNotAlive) {
    runtime rt(deterministic_options());

    pid waiting = rt.spawn(test::wait_for_anything);
    pid finished = rt.spawn(returns_at_once);
    rt.run_until_idle();

    EXPECT_TRUE(rt.is_alive(waiting));
    EXPECT_FALSE(rt.is_alive(finished));
}

struct destructor_probe {
    int* destroyed;
    destructor_probe(const destructor_probe&) = delete;
    destructor_probe& operator=(const destructor_probe&) = delete;

    explicit destructor_probe(int* counter)
        : destroyed(counter) {}

    ~destructor_probe() { ++*destroyed; }
};

task<> holds_a_local_and_waits(int* destroyed) {
    destructor_probe probe(destroyed);
    (void)co_await process::receive_exact<int>();
}

task<> nested_wait(int* destroyed) {
    destructor_probe outer(destroyed);
    co_await holds_a_local_and_waits(destroyed);
}

TEST(Lifecycle, LocalsOfAProcessStillWaitingAreDestroyedAtShutdown) {
    int destroyed = 0;
    {
        runtime rt(deterministic_options());
        rt.spawn(nested_wait, &destroyed);
        rt.run_until_idle();
        EXPECT_EQ(destroyed, 0);
        EXPECT_EQ(rt.process_count(), 1U);
    }

    EXPECT_EQ(destroyed, 2);
}

task<> root_waits_for_child_result() {
    pid child = process::spawn(report_self, process::self());
    pid got = co_await process::receive_exact<pid>();
    if (got != child) {
        process::exit(term(atom("wrong_child")));
    }
    process::spawn(test::wait_for_anything); // left running: ended at shutdown
}

TEST(Runtime, RunReturnsTheRootsExitReasonAndEndsTheRest) {
    runtime rt(deterministic_options());

    term reason = rt.run(root_waits_for_child_result);

    EXPECT_EQ(reason, term(atoms::normal));
    EXPECT_EQ(rt.process_count(), 0U);
}

TEST(Runtime, RunOnThreadsReturnsTheRootsExitReason) {
    runtime_options options;
    options.workers = 2;
    runtime rt(options);

    term reason = rt.run(exits_with, term(atom("done")));

    EXPECT_EQ(reason, term(atom("done")));
    EXPECT_EQ(rt.process_count(), 0U);
}

TEST(Runtime, ProcessOnlyCallsOutsideAProcessThrowNotInProcess) {
    EXPECT_THROW((void)process::self(), not_in_process);
    EXPECT_THROW(process::send(pid{}, 1), not_in_process);
    EXPECT_THROW((void)process::spawn(returns_at_once), not_in_process);
    EXPECT_THROW((void)process::make_ref(), not_in_process);
}

TEST(Runtime, DeterministicOnlyCallsOnAThreadedRuntimeThrow) {
    runtime_options options;
    options.workers = 1;
    runtime rt(options);

    EXPECT_THROW(rt.run_until_idle(), deterministic_error);
    EXPECT_THROW(rt.advance(std::chrono::milliseconds(1)), deterministic_error);
}

task<> waits_forever() {
    (void)co_await process::receive_exact<int>();
}

TEST(Runtime, DeterministicRunThatCannotProgressThrowsInsteadOfHanging) {
    runtime rt(deterministic_options());

    EXPECT_THROW(rt.run(waits_forever), deterministic_error);
}

TEST(Runtime, TwoRuntimesWorkSideBySideAndTheirPidsDoNotMix) {
    runtime a(deterministic_options(1));
    runtime b(deterministic_options(2));
    std::vector<term> got_a;
    std::vector<term> got_b;

    pid in_a = a.spawn(testing::collect_all, &got_a);
    pid in_b = b.spawn(testing::collect_all, &got_b);
    a.run_until_idle();
    b.run_until_idle();
    a.send(in_a, 1);
    b.send(in_b, 2);
    a.send(in_b, 3); // a pid of the other runtime: not a process of `a`
    a.run_until_idle();
    b.run_until_idle();

    EXPECT_EQ(got_a, std::vector<term>{term(1)});
    EXPECT_EQ(got_b, std::vector<term>{term(2)});
}

} // namespace
} // namespace rill
