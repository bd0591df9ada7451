// gen_server (include/rill/otp/gen_server.hpp) on one deterministic node:
// each case is one that tests/otp/erlang/gen_server_oracle.erl runs on
// OTP 25, and the test checks what OTP does there (exit reasons, replies,
// the order of callbacks). Time is virtual: timeouts fire when the test
// advances the clock.

#include <rill/otp.hpp>
#include <rill/rill.hpp>
#include <rill/testing.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rill {
namespace {

using namespace std::chrono_literals;
using testing::deterministic_options;

// ---- a key-value server ------------------------------------------------------------------------

struct get {
    std::string key;
};

struct put {
    std::string key;
    int value;
};

struct hold {}; // a call answered later, by `release`

struct release {
    int value;
};

struct crash {
    term reason;
};

struct stop_now {
    term reason;
};

/// What the servers of these tests did, in order, for the test to read.
struct journal {
    std::vector<std::string> events;
    std::vector<term> terminated;
};

struct kv : otp::gen_server {
    explicit kv(journal* journal_)
        : log(journal_) {}

    std::optional<int> handle_call(const get& g) {
        auto it = data.find(g.key);
        return it == data.end() ? std::nullopt : std::optional<int>(it->second);
    }

    otp::call_result<int> handle_call(hold, const otp::from& caller) {
        held = caller;
        return otp::noreply();
    }

    int handle_call(const crash& c) { process::exit(c.reason); }

    otp::call_result<std::string> handle_call(const stop_now& s) {
        return otp::stop_with(s.reason, std::string("bye"));
    }

    /// Requests from other nodes and untyped callers.
    term handle_call(term request, const otp::from&) {
        log->events.push_back("call " + to_string(request));
        if (request.is_atom(atom("size"))) {
            return term(static_cast<std::int64_t>(data.size()));
        }
        return term::tuple_of(atom("echo"), request);
    }

    void handle_cast(put p) { data[p.key] = p.value; }

    void handle_cast(release r) {
        if (held) {
            otp::reply(*held, r.value);
            held.reset();
        }
    }

    void handle_cast(const term& request) { log->events.push_back("cast " + to_string(request)); }

    void handle_info(const term& message) { log->events.push_back("info " + to_string(message)); }

    void terminate(const term& reason) { log->terminated.push_back(reason); }

    term state() const { return term(static_cast<std::int64_t>(data.size())); }

    journal* log;
    std::map<std::string, int> data;
    std::optional<otp::from> held;
};

// ---- processes the tests run --------------------------------------------------------------------

/// Where a test process leaves what it saw.
struct outcome {
    std::optional<otp::start_result<kv>> started;
    std::vector<term> replies;
    std::optional<term> exit_reason; // of a call that exited the caller
};

task<> start_kv(journal* log, outcome* out) {
    out->started.emplace(co_await otp::start_link<kv>(log));
    co_await process::receive_any(); // stays, so the server keeps its parent
}

task<> start_kv_named(atom name, journal* log, outcome* out) {
    out->started.emplace(co_await otp::start_link<kv>(otp::local_name{name}, log));
    co_await process::receive_any();
}

template <class Req>
task<> call_typed(otp::server_ref<kv> server, Req request, outcome* out) {
    try {
        auto reply = co_await otp::call(server, std::move(request));
        out->replies.emplace_back(reply);
    } catch (const exit_exception& e) {
        out->exit_reason = e.reason();
    }
}

template <class Req>
task<> call_typed_within(otp::server_ref<kv> server,
                         Req request,
                         std::chrono::milliseconds timeout,
                         outcome* out) {
    try {
        auto reply = co_await otp::call(server, std::move(request), timeout);
        out->replies.emplace_back(reply);
    } catch (const exit_exception& e) {
        out->exit_reason = e.reason();
    }
}

task<> call_term(otp::server_ref<> server, term request, outcome* out) {
    try {
        term reply = co_await otp::call(server, std::move(request));
        out->replies.push_back(reply);
    } catch (const exit_exception& e) {
        out->exit_reason = e.reason();
    }
}

struct GenServer : ::testing::Test {
    journal log;
    outcome boot;
    runtime rt{deterministic_options()};

    /// Starts a kv server linked to a parent process; returns it.
    otp::server_ref<kv> start() {
        parent = rt.spawn(start_kv, &log, &boot);
        rt.run_until_idle();
        EXPECT_TRUE(boot.started && boot.started->ok());
        return boot.started->server();
    }

    template <class Req>
    outcome call(otp::server_ref<kv> server, Req request) {
        outcome out;
        rt.spawn(call_typed<Req>, server, std::move(request), &out);
        rt.run_until_idle();
        return out;
    }

    pid parent;
};

term gen_server_call(term server, term request) {
    return term::tuple_of(
        atom("gen_server"), atom("call"), term::list_of(std::move(server), std::move(request)));
}

TEST_F(GenServer, TypedCallsAndCastsReachTheirOverloads) {
    const otp::server_ref<kv> server = start();
    rt.spawn(
        +[](otp::server_ref<kv> s) -> task<> {
            otp::cast(s, put{"a", 1});
            otp::cast(s, put{"b", 2});
            co_return;
        },
        server);
    rt.run_until_idle();

    outcome a = call(server, get{"a"});
    outcome missing = call(server, get{"zz"});

    ASSERT_EQ(a.replies.size(), 1U);
    EXPECT_EQ(a.replies[0], term(std::optional<int>(1)));
    EXPECT_EQ(missing.replies, std::vector<term>{term(std::optional<int>())});
}

TEST_F(GenServer, TermCallsReachTheTermOverload) {
    const otp::server_ref<kv> server = start();
    outcome out;
    rt.spawn(call_term, otp::server_ref<>(server), term(atom("size")), &out);
    rt.run_until_idle();

    EXPECT_EQ(out.replies, std::vector<term>{term(0)});
    EXPECT_EQ(log.events, std::vector<std::string>{"call size"});
}

TEST_F(GenServer, StartLinkRegistersTheNameAndCallsReachIt) {
    rt.spawn(start_kv_named, atom("store"), &log, &boot);
    rt.run_until_idle();
    ASSERT_TRUE(boot.started && boot.started->ok());

    outcome out;
    rt.spawn(call_term, otp::server_ref<>(atom("store")), term(atom("size")), &out);
    rt.run_until_idle();

    EXPECT_EQ(out.replies, std::vector<term>{term(0)});
}

TEST_F(GenServer, StartWithATakenNameIsAlreadyStarted) {
    rt.spawn(start_kv_named, atom("store"), &log, &boot);
    rt.run_until_idle();
    outcome second;
    rt.spawn(start_kv_named, atom("store"), &log, &second);
    rt.run_until_idle();

    ASSERT_TRUE(second.started);
    EXPECT_FALSE(second.started->ok());
    EXPECT_EQ(second.started->as_term(),
              term::tuple_of(atom("error"),
                             term::tuple_of(atom("already_started"), boot.started->server_pid())));
}

TEST_F(GenServer, CallToADeadServerExitsNoproc) {
    const otp::server_ref<kv> server = start();
    rt.spawn(
        +[](pid p) -> task<> {
            process::exit(p, atom("kill"));
            co_return;
        },
        boot.started->server_pid());
    rt.run_until_idle();

    outcome out;
    rt.spawn(call_term, otp::server_ref<>(server), term(atom("x")), &out);
    rt.run_until_idle();

    ASSERT_TRUE(out.exit_reason);
    EXPECT_EQ(*out.exit_reason,
              term::tuple_of(atom("noproc"),
                             gen_server_call(term(boot.started->server_pid()), term(atom("x")))));
}

TEST_F(GenServer, CallToAnUnregisteredNameExitsNoproc) {
    outcome out;
    rt.spawn(call_term, otp::server_ref<>(atom("nobody")), term(atom("x")), &out);
    rt.run_until_idle();

    ASSERT_TRUE(out.exit_reason);
    EXPECT_EQ(
        *out.exit_reason,
        term::tuple_of(atom("noproc"), gen_server_call(term(atom("nobody")), term(atom("x")))));
}

task<> call_self(outcome* out) {
    try {
        (void)co_await otp::call(otp::server_ref<>(process::self()), term(atom("x")));
    } catch (const exit_exception& e) {
        out->exit_reason = e.reason();
    }
}

TEST_F(GenServer, CallingOneselfExitsCallingSelf) {
    outcome out;
    const pid caller = rt.spawn(call_self, &out);
    rt.run_until_idle();

    ASSERT_TRUE(out.exit_reason);
    EXPECT_EQ(*out.exit_reason,
              term::tuple_of(atom("calling_self"), gen_server_call(term(caller), term(atom("x")))));
}

TEST_F(GenServer, ADeferredReplyReachesTheCaller) {
    const otp::server_ref<kv> server = start();
    outcome out;
    rt.spawn(call_typed<hold>, server, hold{}, &out);
    rt.run_until_idle();
    EXPECT_TRUE(out.replies.empty());

    rt.spawn(
        +[](otp::server_ref<kv> s) -> task<> {
            otp::cast(s, release{7});
            co_return;
        },
        server);
    rt.run_until_idle();

    EXPECT_EQ(out.replies, std::vector<term>{term(7)});
}

TEST_F(GenServer, ACallTimesOutAfterFiveSecondsAndItsLateReplyIsDropped) {
    const otp::server_ref<kv> server = start();
    outcome out;
    const pid caller = rt.spawn(
        +[](otp::server_ref<kv> s, outcome* o) -> task<> {
            co_await call_typed<hold>(s, hold{}, o);
            co_await process::receive_any(); // stays alive, to show its mailbox
        },
        server,
        &out);
    rt.run_until_idle();
    rt.advance(4999ms);
    EXPECT_FALSE(out.exit_reason);
    rt.advance(1ms);
    ASSERT_TRUE(out.exit_reason);
    EXPECT_EQ(*out.exit_reason,
              term::tuple_of(atom("timeout"),
                             gen_server_call(term(boot.started->server_pid()),
                                             term(atom("rill::(anonymous namespace)::hold")))));

    // The server answers now; the reply goes to an alias that is gone.
    rt.spawn(
        +[](otp::server_ref<kv> s) -> task<> {
            otp::cast(s, release{7});
            co_return;
        },
        server);
    rt.run_until_idle();
    const auto summary = rt.summary(caller);
    ASSERT_TRUE(summary);
    EXPECT_EQ(summary->message_queue_length, 0U);
}

TEST_F(GenServer, ACallWithATimeoutNamesItInTheExitReason) {
    const otp::server_ref<kv> server = start();
    outcome out;
    rt.spawn(call_typed_within<hold>, server, hold{}, std::chrono::milliseconds(100), &out);
    rt.run_until_idle();
    rt.advance(100ms);

    ASSERT_TRUE(out.exit_reason);
    EXPECT_EQ(out.exit_reason->elements()[1].elements()[2].list_elements().size(), 3U);
    EXPECT_EQ(out.exit_reason->elements()[1].elements()[2].list_elements()[2], term(100));
}

TEST_F(GenServer, AServerThatCrashesInACallEndsTheCallWithItsReasonAndRunsTerminate) {
    const otp::server_ref<kv> server = start();
    outcome out = call(server, crash{term(atom("boom"))});

    ASSERT_TRUE(out.exit_reason);
    EXPECT_EQ(out.exit_reason->elements()[0], term(atom("boom")));
    EXPECT_EQ(log.terminated, std::vector<term>{term(atom("boom"))});
    EXPECT_EQ(rt.exit_reason_of(boot.started->server_pid()), term(atom("boom")));
}

TEST_F(GenServer, StopWithAReplyRepliesThenTerminates) {
    const otp::server_ref<kv> server = start();
    outcome out = call(server, stop_now{term(atom("normal"))});

    EXPECT_EQ(out.replies, std::vector<term>{term("bye")});
    EXPECT_EQ(log.terminated, std::vector<term>{term(atom("normal"))});
    EXPECT_EQ(rt.exit_reason_of(boot.started->server_pid()), term(atom("normal")));
}

TEST_F(GenServer, UnknownMessagesGoToHandleInfo) {
    (void)start();
    rt.send(boot.started->server_pid(), term(atom("hello")));
    rt.run_until_idle();

    EXPECT_EQ(log.events, std::vector<std::string>{"info hello"});
}

task<> stop_server(otp::server_ref<> server, term reason, outcome* out) {
    try {
        co_await otp::stop(server, reason);
        out->replies.emplace_back(atom("ok"));
    } catch (const exit_exception& e) {
        out->exit_reason = e.reason();
    }
}

TEST_F(GenServer, StopRunsTerminateAndWaitsForTheEnd) {
    const otp::server_ref<kv> server = start();
    outcome out;
    rt.spawn(stop_server, otp::server_ref<>(server), term(atom("my_reason")), &out);
    rt.run_until_idle();

    EXPECT_EQ(out.replies, std::vector<term>{term(atom("ok"))});
    EXPECT_EQ(log.terminated, std::vector<term>{term(atom("my_reason"))});
    EXPECT_FALSE(rt.is_alive(boot.started->server_pid()));
}

TEST_F(GenServer, StopOfADeadServerExitsNoproc) {
    outcome out;
    rt.spawn(stop_server, otp::server_ref<>(atom("nobody")), term(atom("normal")), &out);
    rt.run_until_idle();

    EXPECT_EQ(out.exit_reason, term(atom("noproc")));
}

} // namespace
} // namespace rill
