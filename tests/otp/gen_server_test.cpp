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
#include <stdexcept>
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
    std::vector<term> exits; // what a trapping parent received
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
    const otp::local_name registered{name}; // not braced inside the co_await (GCC 12)
    out->started.emplace(co_await otp::start_link<kv>(registered, log));
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

TEST_F(GenServer, GenServerCallSelfExitsCallingSelf) {
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

TEST_F(GenServer, GenServerLateReplyIsDroppedAfterTheFiveSecondTimeout) {
    const otp::server_ref<kv> server = start();
    outcome out;
    const pid caller = rt.spawn(
        +[](otp::server_ref<kv> s, outcome* o) -> task<> {
            const hold request;
            co_await call_typed<hold>(s, request, o);
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

TEST_F(GenServer, GenServerCallCrashEndsTheCallWithTheServersReason) {
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

TEST_F(GenServer, GenServerStopTerminateRunsTerminateAndWaitsForTheEnd) {
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

// ---- init, continue, timeouts, the parent ------------------------------------------------------

/// A server whose init does what its argument says.
struct starter : otp::gen_server {
    starter(term how, journal* journal_)
        : mode(std::move(how))
        , log(journal_) {}

    otp::init_result init() {
        if (mode.is_atom(atom("ignore"))) {
            return otp::ignore();
        }
        if (mode.is_atom(atom("throw"))) {
            throw std::runtime_error("init failed");
        }
        if (mode.is_tuple()) {
            return otp::stop_with(mode.elements()[1]);
        }
        if (mode.is_atom(atom("trap"))) {
            process::trap_exit(true);
        }
        if (mode.is_atom(atom("continue"))) {
            return otp::ok().then_continue(atom("warm_up"));
        }
        if (mode.is_atom(atom("idle"))) {
            return otp::ok().after(std::chrono::milliseconds(50));
        }
        return otp::ok();
    }

    otp::result handle_continue(const term& c) {
        log->events.push_back("continue " + to_string(c));
        return otp::noreply();
    }

    otp::result handle_info(const term& message) {
        log->events.push_back("info " + to_string(message));
        if (message.is_atom(atom("timeout"))) {
            return otp::noreply().after(std::chrono::milliseconds(50));
        }
        return otp::noreply();
    }

    void terminate(const term& reason) { log->terminated.push_back(reason); }

    term mode;
    journal* log;
};

task<> test_kill(pid p) {
    process::exit(p, atom("kill"));
    co_return;
}

struct start_outcome {
    std::optional<otp::start_result<starter>> result;
};

task<> start_starter(term how, journal* log, start_outcome* out) {
    process::trap_exit(true); // survives its server, to read the result
    out->result.emplace(co_await otp::start_link<starter>(std::move(how), log));
    co_await testing::collect_all(nullptr == log ? nullptr : &log->exits);
}

struct GenServerStart : ::testing::Test {
    journal log;
    start_outcome out;
    runtime rt{deterministic_options()};
    pid parent;

    otp::start_result<starter> start(term how) {
        parent = rt.spawn(start_starter, std::move(how), &log, &out);
        rt.run_until_idle();
        EXPECT_TRUE(out.result);
        return *out.result;
    }
};

TEST_F(GenServerStart, GenServerStartInitIgnoreReturnsIgnore) {
    EXPECT_EQ(start(term(atom("ignore"))).as_term(), term(atom("ignore")));
    EXPECT_TRUE(log.exits.size() == 1 && log.exits[0].elements()[2] == term(atom("normal")));
}

TEST_F(GenServerStart, GenServerStartInitStopReturnsTheErrorAndExitsWithTheReason) {
    const auto result = start(term::tuple_of(atom("stop"), atom("oops")));
    EXPECT_EQ(result.as_term(), term::tuple_of(atom("error"), atom("oops")));
    ASSERT_EQ(log.exits.size(), 1U);
    EXPECT_EQ(log.exits[0].elements()[2], term(atom("oops")));
    EXPECT_TRUE(log.terminated.empty()); // as OTP: init's failure is no terminate
}

TEST_F(GenServerStart, GenServerStartInitCrashReturnsTheExceptionsReason) {
    const term reason =
        term::tuple_of(atom("exception"), atom("std::runtime_error"), "init failed");
    EXPECT_EQ(start(term(atom("throw"))).as_term(), term::tuple_of(atom("error"), reason));
    ASSERT_EQ(log.exits.size(), 1U);
    EXPECT_EQ(log.exits[0].elements()[2], reason);
}

TEST_F(GenServerStart, HandleContinueRunsFirst) {
    const pid server = start(term(atom("continue"))).server_pid();
    rt.send(server, term(atom("hello")));
    rt.run_until_idle();

    EXPECT_EQ(log.events, (std::vector<std::string>{"continue warm_up", "info hello"}));
}

TEST_F(GenServerStart, AnIdleTimeoutBecomesHandleInfoTimeout) {
    (void)start(term(atom("idle")));
    rt.advance(std::chrono::milliseconds(49));
    EXPECT_TRUE(log.events.empty());
    rt.advance(std::chrono::milliseconds(1));
    EXPECT_EQ(log.events, std::vector<std::string>{"info timeout"});
    rt.advance(std::chrono::milliseconds(50));
    EXPECT_EQ(log.events, (std::vector<std::string>{"info timeout", "info timeout"}));
}

TEST_F(GenServerStart, AMessageBeforeTheTimeoutCancelsIt) {
    const pid server = start(term(atom("idle"))).server_pid();
    rt.advance(std::chrono::milliseconds(30));
    rt.send(server, term(atom("hello")));
    rt.run_until_idle();
    rt.advance(std::chrono::milliseconds(100));

    EXPECT_EQ(log.events, std::vector<std::string>{"info hello"});
}

TEST_F(GenServerStart, TheParentsExitRunsTerminateWhenTheServerTrapsExits) {
    const pid server = start(term(atom("trap"))).server_pid();
    rt.spawn(test_kill, parent);
    rt.run_until_idle();

    EXPECT_EQ(log.terminated, std::vector<term>{term(atom("killed"))});
    EXPECT_EQ(rt.exit_reason_of(server), term(atom("killed")));
}

TEST_F(GenServerStart, TheParentsExitEndsAServerThatDoesNotTrapWithoutTerminate) {
    const pid server = start(term(atom("plain"))).server_pid();
    rt.spawn(test_kill, parent);
    rt.run_until_idle();

    EXPECT_TRUE(log.terminated.empty());
    EXPECT_EQ(rt.exit_reason_of(server), term(atom("killed")));
}

TEST_F(GenServerStart, ATermCallToAServerWithoutHandleCallEndsItWithBadCall) {
    const pid server = start(term(atom("plain"))).server_pid();
    outcome call;
    rt.spawn(call_term, otp::server_ref<>(server), term(atom("x")), &call);
    rt.run_until_idle();

    const term bad_call = term::tuple_of(atom("bad_call"), atom("x"));
    EXPECT_EQ(rt.exit_reason_of(server), bad_call);
    EXPECT_EQ(log.terminated, std::vector<term>{bad_call});
    ASSERT_TRUE(call.exit_reason);
    EXPECT_EQ(call.exit_reason->elements()[0], bad_call);
}

TEST_F(GenServerStart, ATypedCallToAServerOfAnotherClassEndsItWithBadCall) {
    const pid server = start(term(atom("plain"))).server_pid();
    outcome call;
    rt.spawn(call_typed<get>, otp::server_ref<kv>(server), get{"a"}, &call);
    rt.run_until_idle();

    EXPECT_EQ(rt.exit_reason_of(server),
              term::tuple_of(atom("bad_call"), atom("rill::(anonymous namespace)::get")));
    EXPECT_TRUE(call.exit_reason);
}

TEST_F(GenServer, SysGetStateAndGetStatusAnswerAsOtp) {
    (void)start();
    const pid server = boot.started->server_pid();
    const pid asker = rt.spawn(testing::puppet, false);
    reference tag;
    testing::run_in(rt, asker, [&] {
        tag = process::make_ref();
        process::send(
            server, term::tuple_of(atom("system"), term::tuple_of(asker, tag), atom("get_state")));
        process::send(
            server, term::tuple_of(atom("system"), term::tuple_of(asker, tag), atom("get_status")));
        process::send(
            server,
            term::tuple_of(
                atom("system"),
                term::tuple_of(asker, tag),
                term::tuple_of(atom("debug"), term::tuple_of(atom("statistics"), atom("get")))));
        process::send(server,
                      term::tuple_of(atom("system"), term::tuple_of(asker, tag), atom("what")));
    });
    const std::vector<term> replies = testing::take_mailbox(rt, asker);

    ASSERT_EQ(replies.size(), 4U);
    EXPECT_EQ(replies[0], term::tuple_of(tag, 0));
    const term status = replies[1].elements()[1];
    EXPECT_EQ(status.elements()[0], term(atom("status")));
    EXPECT_EQ(status.elements()[1], term(server));
    EXPECT_EQ(status.elements()[2], term::tuple_of(atom("module"), atom("gen_server")));
    EXPECT_EQ(status.elements()[3].list_elements()[2], term(parent));
    EXPECT_EQ(replies[2], term::tuple_of(tag, term::tuple_of(atom("ok"), atom("no_statistics"))));
    EXPECT_EQ(
        replies[3],
        term::tuple_of(tag,
                       term::tuple_of(atom("error"),
                                      term::tuple_of(atom("unknown_system_msg"), atom("what")))));
}

task<> ask_state(otp::server_ref<> server, outcome* out) {
    try {
        term state = co_await otp::get_state(server, std::chrono::milliseconds(1000));
        out->replies.push_back(std::move(state));
    } catch (const exit_exception& e) {
        out->exit_reason = e.reason();
    }
}

TEST_F(GenServer, GetStateIsSysGetStateAndExitsAsSysDoes) {
    (void)start();
    const pid server = boot.started->server_pid();
    outcome asked;
    rt.spawn(ask_state, otp::server_ref<>(server), &asked);
    rt.run_until_idle();
    ASSERT_EQ(asked.replies.size(), 1U);
    EXPECT_EQ(asked.replies[0], term(0));

    outcome missing;
    rt.spawn(ask_state, otp::server_ref<>(atom("nobody")), &missing);
    rt.run_until_idle();
    EXPECT_EQ(
        missing.exit_reason,
        term::tuple_of(
            atom("noproc"),
            term::tuple_of(atom("sys"), atom("get_state"), term::list_of(atom("nobody"), 1000))));
}

/// A server whose handle_call is a coroutine that calls another server.
struct proxy : otp::gen_server {
    explicit proxy(otp::server_ref<kv> target)
        : to(target) {}

    task<std::optional<int>> handle_call(get g) { co_return co_await otp::call(to, std::move(g)); }

    otp::server_ref<kv> to;
};

task<> call_through_proxy(otp::server_ref<kv> target, outcome* out) {
    otp::start_result<proxy> started = co_await otp::start_link<proxy>(target);
    get request{"a"};
    std::optional<int> value = co_await otp::call(started.server(), std::move(request));
    out->replies.emplace_back(value);
}

TEST_F(GenServer, AHandleCallMayAwaitAnotherCall) {
    const otp::server_ref<kv> server = start();
    rt.spawn(
        +[](otp::server_ref<kv> s) -> task<> {
            otp::cast(s, put{"a", 5});
            co_return;
        },
        server);
    rt.run_until_idle();
    outcome out;
    rt.spawn(call_through_proxy, server, &out);
    rt.run_until_idle();

    EXPECT_EQ(out.replies, std::vector<term>{term(std::optional<int>(5))});
}

TEST_F(GenServer, ACastToAnUnregisteredNameIsDropped) {
    bool returned = false;
    rt.spawn(
        +[](bool* done) -> task<> {
            otp::cast(otp::server_ref<>(atom("nobody")), term(atom("x")));
            *done = true;
            co_return;
        },
        &returned);
    rt.run_until_idle();

    EXPECT_TRUE(returned);
}

struct throws_in_call {
    std::string what;
};

struct thrower : otp::gen_server {
    explicit thrower(journal* journal_)
        : log(journal_) {}

    int handle_call(const throws_in_call& request) { throw std::runtime_error(request.what); }

    void terminate(const term& reason) { log->terminated.push_back(reason); }

    journal* log;
};

task<> start_thrower_and_call(journal* log, outcome* out) {
    process::trap_exit(true);
    otp::start_result<thrower> started = co_await otp::start_link<thrower>(log);
    throws_in_call request{"bad request"};
    try {
        (void)co_await otp::call(started.server(), std::move(request));
    } catch (const exit_exception& e) {
        out->exit_reason = e.reason();
    }
    co_await process::receive_any();
}

TEST_F(GenServer, AHandleCallThatThrowsEndsTheServerAndTheCallWithTheExceptionsReason) {
    outcome out;
    rt.spawn(start_thrower_and_call, &log, &out);
    rt.run_until_idle();

    const term reason =
        term::tuple_of(atom("exception"), atom("std::runtime_error"), "bad request");
    ASSERT_TRUE(out.exit_reason);
    EXPECT_EQ(out.exit_reason->elements()[0], reason);
    EXPECT_EQ(log.terminated, std::vector<term>{reason});
}

TEST_F(GenServer, AReplyToAnEmptyFromIsBadarg) {
    bool refused = false;
    rt.spawn(
        +[](bool* out) -> task<> {
            try {
                otp::reply(otp::from{}, 1);
            } catch (const badarg&) {
                *out = true;
            }
            co_return;
        },
        &refused);
    rt.run_until_idle();

    EXPECT_TRUE(refused);
}

TEST_F(GenServer, AReplyToACallerThatIsGoneIsDropped) {
    const otp::server_ref<kv> server = start();
    outcome out;
    const pid caller = rt.spawn(call_typed<hold>, server, hold{}, &out);
    rt.run_until_idle();
    rt.spawn(test_kill, caller);
    rt.run_until_idle();
    rt.spawn(
        +[](otp::server_ref<kv> s) -> task<> {
            otp::cast(s, release{7});
            co_return;
        },
        server);
    rt.run_until_idle();

    EXPECT_TRUE(out.replies.empty());
    EXPECT_TRUE(rt.is_alive(boot.started->server_pid()));
}

TEST_F(GenServer, SysSuspendKeepsEverythingButSystemMessagesQueuedUntilResume) {
    (void)start();
    const pid server = boot.started->server_pid();
    const pid asker = rt.spawn(testing::puppet, false);
    reference tag;
    testing::run_in(rt, asker, [&] { tag = process::make_ref(); });
    auto system = [&](term message) {
        testing::run_in(rt, asker, [&] {
            process::send(server,
                          term::tuple_of(atom("system"), term::tuple_of(asker, tag), message));
        });
    };
    system(term(atom("suspend")));
    rt.spawn(
        +[](otp::server_ref<kv> s) -> task<> {
            otp::cast(s, put{"a", 1});
            co_return;
        },
        otp::server_ref<kv>(server));
    rt.run_until_idle();
    system(term(atom("get_state"))); // answered while suspended: no put yet
    system(term(atom("get_status")));
    system(term(atom("resume")));
    system(term(atom("get_state"))); // the put ran after the resume
    const std::vector<term> replies = testing::take_mailbox(rt, asker);

    ASSERT_EQ(replies.size(), 5U);
    EXPECT_EQ(replies[0], term::tuple_of(tag, atom("ok")));
    EXPECT_EQ(replies[1], term::tuple_of(tag, 0));
    EXPECT_EQ(replies[2].elements()[1].elements()[3].list_elements()[1], term(atom("suspended")));
    EXPECT_EQ(replies[3], term::tuple_of(tag, atom("ok")));
    EXPECT_EQ(replies[4], term::tuple_of(tag, 1));
}

} // namespace
} // namespace rill
