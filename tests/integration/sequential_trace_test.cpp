// Following a request across processes (include/rill/process/trace.hpp):
// a sequential trace label goes with every message its carrier sends, is
// taken up by the process that takes such a message, and is dropped when
// that process takes a message without one, as Erlang's seq_trace token;
// the events of every carrier reach the trace's receiver, ordered by their
// serials; the tokens kept aside for messages in flight never outlive the
// messages.

#include <rill/rill.hpp>
#include <rill/testing.hpp>

#include "process/tracing.hpp"
#include "support/trace_recorder.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace rill {
namespace {

using testing::deterministic_options;

using recorder = test::trace_recorder;

/// Passes each term on to `next`, as `{hop, T}`; ends on `stop`.
task<> forwarder(pid next) {
    for (;;) {
        term t = co_await process::receive_exact<term>();
        if (t == term(atom("stop"))) {
            co_return;
        }
        process::send(next, term::tuple_of(atom("hop"), t));
    }
}

/// Answers each term with `{label, L}`: the label it carries once it took it.
task<> label_reporter(pid to) {
    for (;;) {
        (void)co_await process::receive_exact<term>();
        process::send(to, term::tuple_of(atom("label"), process::trace_label()));
    }
}

task<> sink() {
    for (;;) {
        (void)co_await process::receive_any();
    }
}

std::string describe(const trace_event& e, const pid& a, const pid& b, const pid& c) {
    const std::string who = e.traced == a ? "a" : e.traced == b ? "b" : e.traced == c ? "c" : "?";
    return who + " " + trace_event_kind_name(e.kind) + " " + to_string(e.label);
}

struct SequentialTrace : ::testing::Test {
    runtime rt{deterministic_options()};
    std::shared_ptr<recorder> seen = std::make_shared<recorder>();
    term label = term::tuple_of(atom("request"), 7);

    void TearDown() override { EXPECT_EQ(internal::stamps_in_flight(), 0U); }
};

TEST_F(SequentialTrace, TheLabelFollowsTheRequestThroughEveryProcessItReaches) {
    const pid c = rt.spawn(sink);
    const pid b = rt.spawn(forwarder, c);
    const pid a = rt.spawn(forwarder, b);
    rt.run_until_idle();
    rt.trace(a, seen, {.follow = label});
    rt.run_until_idle();
    rt.send(a, term(1));
    rt.run_until_idle();

    std::vector<std::string> lines;
    for (const trace_event& e : seen->events) {
        lines.push_back(describe(e, a, b, c));
    }
    // a is the origin: what it takes from outside has no label, what it
    // sends has; b and c are seen only because the label reached them.
    EXPECT_EQ(lines,
              (std::vector<std::string>{"a received []",
                                        "a sent {request,7}",
                                        "b received {request,7}",
                                        "b sent {request,7}",
                                        "c received {request,7}"}));
    // Serials: each send counts one up from its sender's counter, and a
    // taker moves past the message's serial.
    ASSERT_EQ(seen->events.size(), 5U);
    EXPECT_EQ(seen->events[1].serial, 1U);
    EXPECT_EQ(seen->events[2].serial, 1U);
    EXPECT_EQ(seen->events[3].previous_serial, 1U);
    EXPECT_EQ(seen->events[3].serial, 2U);
    EXPECT_EQ(seen->events[4].serial, 2U);
    EXPECT_EQ(seen->events[3].text, "{hop,{hop,1}}");
}

TEST_F(SequentialTrace, ATakerCarriesTheLabelUntilItTakesAMessageWithoutOne) {
    const pid collector = rt.spawn(testing::puppet, false);
    const pid reporter = rt.spawn(label_reporter, collector);
    const pid origin = rt.spawn(testing::puppet, false);
    rt.run_until_idle();
    testing::run_in(rt, origin, [&] {
        process::set_trace_label(label);
        EXPECT_EQ(process::trace_label(), label);
        process::send(reporter, term(1)); // stamped: the reporter takes the label
    });
    rt.run_until_idle();
    rt.send(reporter, term(2)); // from outside: no label, the reporter drops it
    rt.run_until_idle();

    const std::vector<term> answers = testing::take_mailbox(rt, collector);
    ASSERT_EQ(answers.size(), 2U);
    EXPECT_EQ(answers[0], term::tuple_of(atom("label"), label));
    EXPECT_EQ(answers[1], term::tuple_of(atom("label"), term()));
}

TEST_F(SequentialTrace, FollowSeesTheCarriersOfALabelStartedInsideAProcess) {
    const pid c = rt.spawn(sink);
    const pid b = rt.spawn(forwarder, c);
    const pid a = rt.spawn(testing::puppet, false);
    rt.run_until_idle();
    rt.follow(label, seen);
    testing::run_in(rt, a, [&] {
        process::set_trace_label(label);
        process::send(b, term(5));
        process::set_trace_label(term()); // stops carrying: this one goes bare
        process::send(b, term(6));
    });
    rt.run_until_idle();

    std::vector<std::string> lines;
    for (const trace_event& e : seen->events) {
        lines.push_back(describe(e, a, b, c));
    }
    EXPECT_EQ(lines,
              (std::vector<std::string>{"a sent {request,7}",
                                        "b received {request,7}",
                                        "b sent {request,7}",
                                        "c received {request,7}"}));

    rt.unfollow(label);
    testing::run_in(rt, a, [&] {
        process::set_trace_label(label);
        process::send(b, term(7));
    });
    rt.run_until_idle();
    EXPECT_EQ(seen->events.size(), 4U);
}

TEST_F(SequentialTrace, TheFollowEndsWithTheTraceAndTheReceiversRefusal) {
    const pid c = rt.spawn(sink);
    const pid b = rt.spawn(forwarder, c);
    const pid a = rt.spawn(forwarder, b);
    rt.run_until_idle();
    auto three = std::make_shared<recorder>(3);
    rt.trace(a, three, {.follow = label});
    rt.run_until_idle();
    rt.send(a, term(1));
    rt.run_until_idle();
    EXPECT_EQ(three->events.size(), 3U); // refused at the third: nothing more

    rt.send(a, term(2));
    rt.run_until_idle();
    EXPECT_EQ(three->events.size(), 3U);

    rt.trace(a, seen, {.follow = label});
    rt.run_until_idle();
    rt.untrace(a);
    rt.run_until_idle();
    rt.send(a, term(3));
    rt.run_until_idle();
    EXPECT_TRUE(seen->events.empty());
}

// A trace without follow that replaces a follow ends the follow: the
// target stops stamping what it sends.
TEST_F(SequentialTrace, ATraceReplacingAFollowEndsIt) {
    const pid c = rt.spawn(sink);
    const pid b = rt.spawn(forwarder, c);
    const pid a = rt.spawn(forwarder, b);
    rt.run_until_idle();
    rt.trace(a, seen, {.follow = label});
    rt.run_until_idle();
    auto plain = std::make_shared<recorder>();
    rt.trace(a, plain);
    rt.run_until_idle();
    rt.send(a, term(1));
    rt.run_until_idle();

    EXPECT_TRUE(seen->events.empty());
    ASSERT_EQ(plain->events.size(), 2U); // a's own: taken, sent
    EXPECT_TRUE(plain->events[1].label.is_nil());
}

TEST_F(SequentialTrace, StampsOfMessagesNeverTakenAreDropped) {
    const pid parked = rt.spawn(testing::puppet, false); // keeps what it gets
    const pid dead = rt.spawn(forwarder, parked);
    const pid a = rt.spawn(testing::puppet, false);
    rt.run_until_idle();
    rt.send(dead, term(atom("stop")));
    rt.run_until_idle();
    ASSERT_FALSE(rt.is_alive(dead));
    testing::run_in(rt, a, [&] {
        process::set_trace_label(label);
        process::send(parked, term(1)); // queued, never taken
        process::send(dead, term(2));   // dropped at once (S68)
    });
    rt.run_until_idle();
    EXPECT_EQ(internal::stamps_in_flight(), 1U);
    // It ends, its queue goes, and the stamp with it.
    testing::run_in(rt, parked, [] { process::exit(atom("done")); });
    EXPECT_EQ(internal::stamps_in_flight(), 0U);
}

TEST_F(SequentialTrace, MisuseIsRefused) {
    EXPECT_THROW(rt.follow(label, nullptr), badarg);
    EXPECT_THROW(rt.follow(term(), seen), badarg);
    EXPECT_THROW(process::set_trace_label(label), not_in_process);
    EXPECT_THROW((void)process::trace_label(), not_in_process);
}

TEST_F(SequentialTrace, TheTokenHasErlangsShape) {
    internal::seq_token token;
    token.flags = internal::seq_flag_send | internal::seq_flag_receive;
    token.label = label;
    token.serial = 9;
    token.previous = 4;
    token.from = rt.spawn(sink);
    const term wire = internal::token_term(token);
    EXPECT_EQ(wire, term::tuple_of(3, label, 9, token.from, 4));
    const std::optional<internal::seq_token> back = internal::token_from_term(wire);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->label, label);
    EXPECT_EQ(back->serial, 9U);
    EXPECT_EQ(back->previous, 4U);
    EXPECT_EQ(back->from, token.from);
    // What a peer may send that is no token: ignored, never a crash.
    for (const term& bad : {term(),
                            term(1),
                            term::tuple_of(1, label, 2, 3, 4),
                            term::tuple_of(-1, label, 1, token.from, 0),
                            term::tuple_of(1, term(), 1, token.from, 0),
                            term::tuple_of(1, label, -5, token.from, 0)}) {
        EXPECT_FALSE(internal::token_from_term(bad).has_value()) << to_string(bad);
    }
}

} // namespace
} // namespace rill
