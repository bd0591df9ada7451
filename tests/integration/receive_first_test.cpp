// receive_first (Erlang's receive with several clauses), when<T> guards,
// sent_after marks and the one-argument receive_reply.

#include <rill/process/receive_first.hpp>

#include "support/deterministic.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace rill {
namespace {

using namespace std::chrono_literals;
using testing::deterministic_options;

struct apple {
    int n = 0;
};

struct banana {
    int n = 0;
};

// Which clause ran, in order, as "<clause>:<n>".
using clause_log = std::vector<std::string>;

task<> take_two_fruits(clause_log* out) {
    for (int i = 0; i < 2; ++i) {
        out->push_back(co_await process::receive_first(
            [](apple a) { return "apple:" + std::to_string(a.n); },
            [](const banana& b) { return "banana:" + std::to_string(b.n); }));
    }
}

TEST(ReceiveFirst, TheOldestMessageThatAnyClauseAcceptsWinsAcrossClauseTypes) {
    runtime rt(deterministic_options());
    clause_log got;
    pid p = rt.spawn(take_two_fruits, &got);

    rt.send(p, banana{1});
    rt.send(p, apple{2});
    rt.run_until_idle();

    EXPECT_EQ(got, (clause_log{"banana:1", "apple:2"}));
}

task<> two_clauses_for_one_int(clause_log* out) {
    out->push_back(co_await process::receive_first(
        process::when<int>([](int n) { return n > 0; },
                           [](int n) { return "positive:" + std::to_string(n); }),
        [](int n) { return "int:" + std::to_string(n); }));
    out->push_back(co_await process::receive_first(
        [](int n) { return "int:" + std::to_string(n); },
        process::when<int>([](int n) { return n > 0; },
                           [](int n) { return "positive:" + std::to_string(n); })));
}

TEST(ReceiveFirst, TheFirstClauseThatAcceptsTheMessageRunsIt) {
    runtime rt(deterministic_options());
    clause_log got;
    pid p = rt.spawn(two_clauses_for_one_int, &got);

    rt.send(p, 5);
    rt.send(p, 6);
    rt.run_until_idle();

    EXPECT_EQ(got, (clause_log{"positive:5", "int:6"}));
}

task<> positive_then_rest(clause_log* out) {
    out->push_back(co_await process::receive_first(process::when<int>(
        [](int n) { return n > 0; }, [](int n) { return "positive:" + std::to_string(n); })));
    while (std::optional<dyn_message> m = co_await process::receive_any(0ms)) {
        out->push_back(to_string(std::get<term>(*m)));
    }
}

TEST(ReceiveFirst, AFalseGuardLeavesTheMessageQueuedInOrder) {
    runtime rt(deterministic_options());
    clause_log got;
    pid p = rt.spawn(positive_then_rest, &got);

    rt.send(p, -1);
    rt.send(p, atom("x"));
    rt.send(p, -2);
    rt.send(p, 3);
    rt.run_until_idle();

    EXPECT_EQ(got, (clause_log{"positive:3", "-1", "x", "-2"}));
}

task<> wait_with_timeouts(std::vector<std::optional<int>>* values, std::vector<bool>* handled) {
    values->push_back(co_await process::receive_first(10ms, [](int n) { return n; }));
    handled->push_back(co_await process::receive_first(10ms, [](int) {}));
    values->push_back(co_await process::receive_first(10ms, [](int n) { return n; }));
    handled->push_back(co_await process::receive_first(10ms, [](int) {}));
}

TEST(ReceiveFirst, ATimeoutReturnsEmptyAndVoidHandlersReturnWhetherOneRan) {
    runtime rt(deterministic_options());
    std::vector<std::optional<int>> values;
    std::vector<bool> handled;
    pid p = rt.spawn(wait_with_timeouts, &values, &handled);
    rt.run_until_idle();

    rt.advance(10ms);
    rt.advance(10ms);
    rt.send(p, 1);
    rt.send(p, 2);
    rt.run_until_idle();

    EXPECT_EQ(values, (std::vector<std::optional<int>>{std::nullopt, 1}));
    EXPECT_EQ(handled, (std::vector<bool>{false, true}));
}

task<> wait_for_exit_and_down(pid linked, pid monitored, clause_log* out) {
    process::trap_exit(true);
    process::link(linked);
    process::monitor(monitored);
    for (int i = 0; i < 2; ++i) {
        out->push_back(co_await process::receive_first(
            [](int) { return std::string("int"); },
            [](const exit_signal& e) { return "exit:" + to_string(e.reason); },
            [](const down_signal& d) { return "down:" + to_string(d.reason); }));
    }
}

task<> exit_on_int(term reason) {
    (void)co_await process::receive_exact<int>();
    process::exit(std::move(reason));
}

TEST(ReceiveFirst, ExitAndDownSignalsAreTakenByTheirClauses) {
    runtime rt(deterministic_options());
    clause_log got;
    pid linked = rt.spawn(exit_on_int, term(atom("linked_gone")));
    pid monitored = rt.spawn(exit_on_int, term(atom("monitored_gone")));
    rt.spawn(wait_for_exit_and_down, linked, monitored, &got);
    rt.run_until_idle();

    rt.send(monitored, 0);
    rt.run_until_idle();
    rt.send(linked, 0);
    rt.run_until_idle();

    EXPECT_EQ(got, (clause_log{"down:monitored_gone", "exit:linked_gone"}));
}

task<> ints_only_then_any(pid linked, clause_log* out) {
    process::trap_exit(true);
    process::link(linked);
    out->push_back(std::to_string(co_await process::receive_first([](int n) { return n; })));
    dyn_message rest = co_await process::receive_any();
    out->push_back(std::holds_alternative<exit_signal>(rest) ? "exit still queued" : "other");
}

TEST(ReceiveFirst, SignalsWithoutAClauseStayQueued) {
    runtime rt(deterministic_options());
    clause_log got;
    pid linked = rt.spawn(exit_on_int, term(atom("gone")));
    pid p = rt.spawn(ints_only_then_any, linked, &got);
    rt.run_until_idle();

    rt.send(linked, 0);
    rt.run_until_idle();
    rt.send(p, 7);
    rt.run_until_idle();

    EXPECT_EQ(got, (clause_log{"7", "exit still queued"}));
}

task<> terms_of_everything(pid linked, pid monitored, std::vector<term>* out) {
    process::trap_exit(true);
    process::link(linked);
    reference ref = process::monitor(monitored);
    out->push_back(term(ref));
    for (int i = 0; i < 3; ++i) {
        out->push_back(co_await process::receive_first([](term t) { return t; }));
    }
}

TEST(ReceiveFirst, ATermClauseSeesExitAndDownAsErlangTuples) {
    runtime rt(deterministic_options());
    std::vector<term> got;
    pid linked = rt.spawn(exit_on_int, term(atom("bye")));
    pid monitored = rt.spawn(exit_on_int, term(atom("down")));
    rt.spawn(terms_of_everything, linked, monitored, &got);
    rt.run_until_idle();

    rt.send(linked, 0);
    rt.run_until_idle();
    rt.send(monitored, 0);
    rt.run_until_idle();
    ASSERT_EQ(got.size(), 3U);
    // Only the signals arrived, and a third receive is still waiting.
    EXPECT_EQ(got[1], term::tuple_of(atoms::EXIT, linked, atom("bye")));
    EXPECT_EQ(got[2], term::tuple_of(atoms::DOWN, got[0], atoms::process, monitored, atom("down")));
}

TEST(ReceiveFirst, ResultsOfDifferentTypesAreReturnedAsTheirCommonType) {
    using awaiter =
        decltype(process::receive_first([](int) { return 1; }, [](double) { return 2L; }));
    using with_timeout = decltype(process::receive_first(
        1ms, [](int) { return 1; }, [](double) { return 2L; }));
    using void_with_timeout = decltype(process::receive_first(1ms, [](int) {}));

    static_assert(std::is_same_v<awaiter::result_type, long>);
    static_assert(std::is_same_v<with_timeout::result_type, std::optional<long>>);
    static_assert(std::is_same_v<void_with_timeout::result_type, bool>);
}

task<> sum_two(std::vector<long>* out) {
    for (int i = 0; i < 2; ++i) {
        out->push_back(co_await process::receive_first(
            [](int n) { return n * 10; },
            [](const std::string& s) { return static_cast<long>(s.size()); }));
    }
}

TEST(ReceiveFirst, TheRunningHandlersResultIsReturned) {
    runtime rt(deterministic_options());
    std::vector<long> got;
    pid p = rt.spawn(sum_two, &got);

    rt.send(p, "four");
    rt.send(p, 3);
    rt.run_until_idle();

    EXPECT_EQ(got, (std::vector<long>{4, 30}));
}

/// A payload that counts its live instances, to see that nothing leaks.
struct tracked {
    static inline int live = 0; // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)

    tracked() { ++live; }

    tracked(tracked&& /*other*/) noexcept { ++live; }

    tracked(const tracked&) = delete;
    tracked& operator=(const tracked&) = delete;
    tracked& operator=(tracked&&) = delete;

    ~tracked() { --live; }
};

task<> throw_in_handler() {
    co_await process::receive_first([](tracked) -> int { throw std::runtime_error("boom"); });
}

TEST(ReceiveFirst, AnExceptionInAHandlerEndsTheProcessAndFreesTheMessage) {
    runtime rt(deterministic_options());
    pid p = rt.spawn(throw_in_handler);
    rt.run_until_idle();

    rt.send(p, tracked{});
    ASSERT_EQ(tracked::live, 1);
    rt.run_until_idle();

    EXPECT_EQ(to_string(*rt.exit_reason_of(p)), "{exception,'std::runtime_error',<<\"boom\">>}");
    EXPECT_EQ(tracked::live, 0);
}

task<> guard_throws_then_int(clause_log* out) {
    out->push_back(
        co_await process::receive_first(process::when<int>(
                                            [](int n) -> bool {
                                                if (n < 0) {
                                                    throw std::runtime_error("guard");
                                                }
                                                return false;
                                            },
                                            [](int) { return std::string("never"); }),
                                        [](int n) { return "int:" + std::to_string(n); }));
}

TEST(ReceiveFirst, AGuardThatThrowsRejectsTheMessageForItsClauseOnly) {
    runtime rt(deterministic_options());
    clause_log got;
    pid p = rt.spawn(guard_throws_then_int, &got);

    rt.send(p, -4);
    rt.run_until_idle();

    EXPECT_EQ(got, clause_log{"int:-4"});
}

// sent_after marks and replies.

/// Fills the caller's message queue with `count` messages of the types the
/// call below waits for, none of them its reply: replies tagged with an
/// older reference and the DOWN of a monitor on the dead pid `dead`.
task<> queue_unrelated(int count, pid dead) {
    reference old_ref = process::make_ref();
    for (int i = 0; i < count; ++i) {
        process::send(process::self(), std::pair<reference, int>{old_ref, i});
    }
    process::monitor(dead); // its DOWN (noproc) is queued by the receive below
    // A zero-timeout receive that matches nothing moves the inbox into the
    // message queue.
    (void)co_await process::receive_exact<apple>(0ms);
}

task<> returns_at_once() {
    co_return;
}

task<> echo_server() {
    for (;;) {
        auto [from, ref, n] = co_await process::receive_exact<std::tuple<pid, reference, int>>();
        if (n < 0) {
            process::exit(term(atom("asked_to_die")));
        }
        process::send(from, std::pair<reference, int>{ref, n * 2});
    }
}

struct call_record {
    std::optional<int> reply;
    int guard_calls = 0;
};

/// A call as OTP makes it: monitor the server, tag the request with the
/// monitor's reference, wait for the reply or the DOWN.
task<> call_after_unrelated(pid server, pid dead, int request, bool use_mark, call_record* out) {
    co_await queue_unrelated(10000, dead);
    reference mref = process::monitor(server);
    process::send(server, std::tuple<pid, reference, int>{process::self(), mref, request});
    int* calls = &out->guard_calls;
    auto reply_clause = process::when<std::pair<reference, int>>(
        [mref, calls](const std::pair<reference, int>& r) {
            ++*calls;
            return r.first == mref;
        },
        [](std::pair<reference, int> r) { return std::optional<int>(r.second); });
    auto down_clause = process::when<down_signal>(
        [mref, calls](const down_signal& d) {
            ++*calls;
            return d.ref == mref;
        },
        []() { return std::optional<int>(); });
    if (use_mark) {
        out->reply =
            co_await process::receive_first(process::sent_after(mref), reply_clause, down_clause);
    } else {
        out->reply = co_await process::receive_first(reply_clause, down_clause);
    }
    process::demonitor(mref, {.flush = true});
}

TEST(ReceiveFirst, ACallMarkedWithItsMonitorReferenceScansNoneOfTheQueuedMessages) {
    runtime rt(deterministic_options());
    call_record record;
    pid server = rt.spawn(echo_server);
    pid dead = rt.spawn(returns_at_once);
    rt.run_until_idle();

    rt.spawn(call_after_unrelated, server, dead, 21, true, &record);
    rt.run_until_idle();

    EXPECT_EQ(record.reply, 42);
    EXPECT_EQ(record.guard_calls, 1); // the reply only
}

TEST(ReceiveFirst, ACallMarkedWithItsMonitorReferenceSeesTheDownWithoutAScan) {
    runtime rt(deterministic_options());
    call_record record;
    pid server = rt.spawn(echo_server);
    pid dead = rt.spawn(returns_at_once);
    rt.run_until_idle();

    rt.spawn(call_after_unrelated, server, dead, -1, true, &record);
    rt.run_until_idle();

    EXPECT_EQ(record.reply, std::nullopt);
    // The DOWN, offered to both clauses' types: one guard call (the reply
    // clause does not accept a down_signal, so its guard is not called).
    EXPECT_EQ(record.guard_calls, 1);
}

TEST(ReceiveFirst, WithoutTheMarkTheSameCallExaminesEveryQueuedMessage) {
    runtime rt(deterministic_options());
    call_record record;
    pid server = rt.spawn(echo_server);
    pid dead = rt.spawn(returns_at_once);
    rt.run_until_idle();

    rt.spawn(call_after_unrelated, server, dead, 21, false, &record);
    rt.run_until_idle();

    EXPECT_EQ(record.reply, 42);
    EXPECT_EQ(record.guard_calls, 10000 + 1 + 1); // replies, the old DOWN, the reply
}

task<> marked_receives(std::vector<std::optional<int>>* out) {
    process::send(process::self(), 1);
    (void)co_await process::receive_exact<apple>(0ms); // 1 is now queued
    reference ref = process::make_ref();
    process::send(process::self(), 2);
    out->push_back(
        co_await process::receive_first(process::sent_after(ref), 5ms, [](int n) { return n; }));
    out->push_back(
        co_await process::receive_first(process::sent_after(ref), 5ms, [](int n) { return n; }));
    out->push_back(co_await process::receive_first(5ms, [](int n) { return n; }));
}

TEST(ReceiveFirst, SentAfterLooksOnlyAtMessagesQueuedAfterTheReferenceWasMade) {
    runtime rt(deterministic_options());
    std::vector<std::optional<int>> got;
    rt.spawn(marked_receives, &got);
    rt.run_until_idle();

    rt.advance(5ms);

    // 2 first although 1 is older; then 1 is not seen (the caller promised
    // no older message matters); an unmarked receive finds it.
    EXPECT_EQ(got, (std::vector<std::optional<int>>{2, std::nullopt, 1}));
}

task<> reply_forms(std::vector<term>* out) {
    reference ref = process::make_ref();
    reference other = process::make_ref();
    process::send(process::self(), std::pair<reference, int>{other, 1});
    process::send(process::self(), std::pair<reference, int>{ref, 2});
    out->push_back(term(co_await process::receive_reply<int>(ref)));

    reference tagged = process::make_ref();
    process::send(process::self(), term::tuple_of(other, atom("no")));
    process::send(process::self(), term::tuple_of(tagged, atom("yes")));
    out->push_back(co_await process::receive_reply(tagged));

    reference never = process::make_ref();
    std::optional<int> nothing = co_await process::receive_reply<int>(never, 5ms);
    out->push_back(term(nothing.has_value()));
    while (std::optional<dyn_message> m = co_await process::receive_any(0ms)) {
        out->push_back(std::get<term>(*m));
    }
}

TEST(ReceiveFirst, ReceiveReplyTakesAPairOrAnOtpStyleTupleTaggedWithTheReference) {
    runtime rt(deterministic_options());
    std::vector<term> got;
    rt.spawn(reply_forms, &got);
    rt.run_until_idle();

    rt.advance(5ms);

    ASSERT_EQ(got.size(), 5U);
    EXPECT_EQ(got[0], term(2));
    EXPECT_EQ(got[1], term(atom("yes")));
    EXPECT_EQ(got[2], term(false));
    // Replies to other references stay queued, in order.
    EXPECT_TRUE(got[3].is_tuple());
    EXPECT_EQ(got[3].elements()[1], term(1));
    EXPECT_EQ(got[4].elements()[1], term(atom("no")));
}

} // namespace
} // namespace rill
