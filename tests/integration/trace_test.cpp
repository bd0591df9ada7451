// Tracing one process (include/rill/process/trace.hpp) on a deterministic
// node: what a traced process sends, takes and is signalled, in order,
// until its receiver, untrace or its exit ends the trace; an untraced
// process is not seen.

#include <rill/rill.hpp>
#include <rill/testing.hpp>

#include "support/trace_recorder.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace rill {
namespace {

using testing::deterministic_options;

using recorder = test::trace_recorder;

/// Echoes each term it gets back to `to`, as `{echo, T}`; ends on `stop`.
task<> echo(pid to) {
    for (;;) {
        term t = co_await process::receive_exact<term>();
        if (t == term(atom("stop"))) {
            co_return;
        }
        process::send(to, term::tuple_of(atom("echo"), t));
    }
}

task<> sink() {
    for (;;) {
        (void)co_await process::receive_any();
    }
}

struct Trace : ::testing::Test {
    runtime rt{deterministic_options()};
    std::shared_ptr<recorder> seen = std::make_shared<recorder>();
    pid out = rt.spawn(sink);
    pid traced = rt.spawn(echo, out);

    void SetUp() override { rt.run_until_idle(); }

    void send(const pid& to, term t) {
        rt.send(to, std::move(t));
        rt.run_until_idle();
    }
};

TEST_F(Trace, SentAndTakenMessagesInOrderWithTheirPeers) {
    rt.trace(traced, seen);
    rt.run_until_idle();
    send(traced, term(1));
    send(traced, term::tuple_of(atom("hello"), "world"));

    EXPECT_EQ(seen->lines(),
              (std::vector<std::string>{"received 1",
                                        "sent {echo,1}",
                                        "received {hello,<<\"world\">>}",
                                        "sent {echo,{hello,<<\"world\">>}}"}));
    for (const trace_event& e : seen->events) {
        EXPECT_EQ(e.traced, traced);
    }
    EXPECT_EQ(seen->events[1].peer, out);
}

TEST_F(Trace, AnUntracedProcessIsNotSeenAndUntraceEndsATrace) {
    send(traced, term(1)); // before the trace
    rt.trace(traced, seen);
    rt.run_until_idle();
    send(traced, term(2));
    rt.untrace(traced);
    rt.run_until_idle();
    send(traced, term(3));

    EXPECT_EQ(seen->lines(), (std::vector<std::string>{"received 2", "sent {echo,2}"}));
}

TEST_F(Trace, TheReceiverEndsTheTraceByRefusing) {
    auto two = std::make_shared<recorder>(2);
    rt.trace(traced, two);
    rt.run_until_idle();
    send(traced, term(1));
    send(traced, term(2));
    EXPECT_EQ(two->events.size(), 2U);
}

TEST_F(Trace, SignalsAndTheExitAreSeenAndEndTheTrace) {
    const pid watcher = rt.spawn(testing::puppet, false);
    rt.run_until_idle();
    rt.trace(traced, seen);
    rt.run_until_idle();
    testing::run_in(rt, watcher, [&] {
        process::monitor(traced);
        process::link(traced);
    });
    send(traced, term(atom("stop")));

    const std::vector<std::string> lines = seen->lines();
    ASSERT_GE(lines.size(), 4U);
    EXPECT_EQ(lines[0], "signal_received monitor");
    EXPECT_EQ(lines[1], "signal_received link");
    EXPECT_EQ(lines[2], "received stop");
    EXPECT_EQ(lines.back(), "exited normal");
    EXPECT_EQ(seen->events[0].peer, watcher);
    const std::size_t count = seen->events.size();
    send(traced, term(1)); // dead: nothing more
    EXPECT_EQ(seen->events.size(), count);
}

TEST_F(Trace, OptionsChooseMessagesOrSignals) {
    auto signals_only = std::make_shared<recorder>();
    trace_options options;
    options.messages = false;
    rt.trace(traced, signals_only, options);
    rt.run_until_idle();
    send(traced, term(1));
    rt.spawn(
        +[](pid t) -> task<> {
            process::exit(t, term(atom("bye")));
            co_return;
        },
        traced);
    rt.run_until_idle();

    EXPECT_EQ(signals_only->lines(),
              (std::vector<std::string>{"signal_received exit bye", "exited bye"}));
}

TEST_F(Trace, ATraceOnADeadProcessSeesNothing) {
    send(traced, term(atom("stop")));
    rt.trace(traced, seen);
    rt.run_until_idle();
    EXPECT_TRUE(seen->events.empty());
}

TEST_F(Trace, LongMessagesAreCut) {
    rt.trace(traced, seen);
    rt.run_until_idle();
    send(traced, term(std::string(1000, 'x')));
    ASSERT_FALSE(seen->events.empty());
    EXPECT_EQ(seen->events[0].text.size(), trace_text_limit);
    EXPECT_TRUE(seen->events[0].text.ends_with("..."));
}

// Without printing, a term or integer message is handed over as it is and
// printed on demand (trace_text); a C++ value still comes printed.
TEST_F(Trace, WithoutPrintingMessagesComeAsTermsAndPrintOnDemand) {
    rt.trace(traced, seen, {.print = false});
    rt.run_until_idle();
    const term big = term(std::string(1000, 'x'));
    send(traced, term::tuple_of(atom("hello"), 1));
    send(traced, big);
    ASSERT_EQ(seen->events.size(), 4U);
    const trace_event& got = seen->events[0];
    EXPECT_TRUE(got.text.empty());
    EXPECT_EQ(got.message, term::tuple_of(atom("hello"), 1));
    EXPECT_EQ(trace_text(got), "{hello,1}");
    EXPECT_EQ(trace_text(seen->events[1]), "{echo,{hello,1}}");
    EXPECT_EQ(trace_text(seen->events[2]).size(), trace_text_limit); // cut as printed ones are
    EXPECT_TRUE(trace_text(seen->events[2]).ends_with("..."));

    struct blob {
        int x;
    };

    const pid taker = rt.spawn(+[]() -> task<> { (void)co_await process::receive_any(); });
    rt.run_until_idle();
    auto more = std::make_shared<recorder>();
    rt.trace(taker, more, {.print = false});
    rt.run_until_idle();
    rt.send(taker, blob{1});
    rt.send(taker, 7);
    rt.run_until_idle();
    ASSERT_EQ(more->events.size(), 2U); // the blob, then the exit
    EXPECT_TRUE(more->events[0].message.is_nil());
    EXPECT_NE(more->events[0].text.find("C++ value"), std::string::npos);
}

} // namespace
} // namespace rill
