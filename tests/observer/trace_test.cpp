// observer::trace (include/rill/observer/trace.hpp) on a deterministic
// node: recon_trace's limits (a number of events, a rate), the requester's
// end, the process's exit, a name, a file, and misuse.

#include <rill/observer.hpp>
#include <rill/rill.hpp>
#include <rill/testing.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace rill {
namespace {

using testing::deterministic_options;

task<> echo(pid to) {
    for (;;) {
        term t = co_await process::receive_exact<term>();
        if (t == term(atom("stop"))) {
            co_return;
        }
        process::send(to, t);
    }
}

task<> sink() {
    for (;;) {
        (void)co_await process::receive_any();
    }
}

struct ObserverTrace : ::testing::Test {
    runtime rt{deterministic_options()};
    pid out = rt.spawn(sink);
    pid traced = rt.spawn(echo, out);

    void SetUp() override { rt.run_until_idle(); }

    void send_many(int n) {
        for (int i = 0; i < n; ++i) {
            rt.send(traced, term(i));
        }
        rt.run_until_idle();
    }
};

TEST_F(ObserverTrace, StopsItselfAfterMaxEvents) {
    observer::trace_limits limits;
    limits.max_events = 5;
    observer::trace_session session = observer::trace(rt, traced, limits);
    rt.run_until_idle();
    send_many(10);

    EXPECT_EQ(session.state(), observer::trace_end::max_events);
    EXPECT_EQ(session.count(), 5U);
    const std::vector<observer::numbered_trace_event> events = session.events();
    ASSERT_EQ(events.size(), 5U);
    EXPECT_EQ(events[0].seq, 1U);
    EXPECT_EQ(events[0].event.kind, trace_event_kind::received);
    EXPECT_EQ(events[1].event.kind, trace_event_kind::sent);
    EXPECT_EQ(session.events(3).size(), 2U);
}

TEST_F(ObserverTrace, StopsItselfPastTheRate) {
    observer::trace_limits limits;
    limits.max_events = 1000;
    limits.max_rate = 10; // in one second of the node's clock
    observer::trace_session session = observer::trace(rt, traced, limits);
    rt.run_until_idle();
    send_many(4); // 8 events
    EXPECT_EQ(session.state(), observer::trace_end::running);
    rt.advance(std::chrono::milliseconds(1500)); // a new window
    send_many(4);
    EXPECT_EQ(session.state(), observer::trace_end::running);
    send_many(2); // 12 in this window
    EXPECT_EQ(session.state(), observer::trace_end::max_rate);
    EXPECT_EQ(session.count(), 18U);
}

TEST_F(ObserverTrace, EndsWhenTheRequesterGoesAwayOrTheProcessExits) {
    {
        observer::trace_session gone = observer::trace(rt, traced);
        rt.run_until_idle();
        send_many(1);
        EXPECT_EQ(gone.count(), 2U);
    } // destroyed: the trace ends
    rt.run_until_idle();
    observer::trace_session next = observer::trace(rt, traced);
    rt.run_until_idle();
    rt.send(traced, term(atom("stop")));
    rt.run_until_idle();
    EXPECT_EQ(next.state(), observer::trace_end::exited);
    const std::vector<observer::numbered_trace_event> events = next.events();
    ASSERT_EQ(events.size(), 2U);
    EXPECT_EQ(events.back().event.kind, trace_event_kind::exited);
    EXPECT_EQ(events.back().event.text, "normal");
}

TEST_F(ObserverTrace, AnOldSessionDoesNotEndTheNextOne) {
    observer::trace_limits one;
    one.max_events = 1;
    std::optional<observer::trace_session> first = observer::trace(rt, traced, one);
    rt.run_until_idle();
    send_many(1); // the first ends at its limit
    observer::trace_session second = observer::trace(rt, traced);
    rt.run_until_idle();
    first.reset(); // stops only its own
    rt.run_until_idle();
    send_many(1);
    EXPECT_EQ(second.count(), 2U);
    EXPECT_EQ(second.state(), observer::trace_end::running);
}

TEST_F(ObserverTrace, ByNameAndToAFile) {
    rt.spawn(
        +[](pid p) -> task<> {
            process::register_name(p, atom("echo"));
            co_return;
        },
        traced);
    rt.run_until_idle();
    const std::string path = ::testing::TempDir() + "rill_observer_trace.txt";
    std::remove(path.c_str());
    {
        observer::trace_session session =
            observer::trace(rt, atom("echo"), {}, observer::trace_to_file(path));
        rt.run_until_idle();
        rt.send(traced, term(atom("ping")));
        rt.run_until_idle();
    }
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    EXPECT_NE(text.str().find(" received <0."), std::string::npos) << text.str();
    EXPECT_NE(text.str().find(" - - ping\n"), std::string::npos) << text.str();
    EXPECT_NE(text.str().find(" sent <0."), std::string::npos) << text.str();
}

TEST_F(ObserverTrace, FollowSeesTheProcessesTheTargetsMessagesReach) {
    observer::trace_limits limits;
    limits.follow = true;
    observer::trace_session session = observer::trace(rt, traced, limits);
    ASSERT_TRUE(session.label().is_tuple());
    EXPECT_EQ(session.label().elements()[0], term(atom("rill_observer")));
    rt.run_until_idle();
    rt.send(traced, term(atom("ping")));
    rt.run_until_idle();

    const std::vector<observer::numbered_trace_event> events = session.events();
    ASSERT_EQ(events.size(), 3U);
    EXPECT_EQ(events[0].event.traced, traced);
    EXPECT_TRUE(events[0].event.label.is_nil()); // taken from outside: no label
    EXPECT_EQ(events[1].event.kind, trace_event_kind::sent);
    EXPECT_EQ(events[1].event.label, session.label());
    EXPECT_EQ(events[2].event.traced, out); // reached by the target's message
    EXPECT_EQ(events[2].event.kind, trace_event_kind::received);
    EXPECT_EQ(events[2].event.label, session.label());
    EXPECT_EQ(events[2].event.serial, 1U);

    session.stop(); // the follow ends with the session
    rt.run_until_idle();
    rt.send(traced, term(atom("ping")));
    rt.run_until_idle();
    EXPECT_EQ(session.events().size(), 3U);
}

TEST_F(ObserverTrace, MisuseIsAClearError) {
    EXPECT_THROW((void)observer::trace(rt, atom("nobody")), std::invalid_argument);
    pid elsewhere = traced;
    elsewhere.node = atom("other@host");
    EXPECT_THROW((void)observer::trace(rt, elsewhere), std::invalid_argument);
    observer::trace_limits nothing;
    nothing.messages = false;
    nothing.signals = false;
    EXPECT_THROW((void)observer::trace(rt, traced, nothing), std::invalid_argument);
    EXPECT_THROW((void)observer::trace_to_file("/nonexistent/dir/file"), std::runtime_error);
}

} // namespace
} // namespace rill
