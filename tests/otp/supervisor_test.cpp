// otp::supervisor (include/rill/otp/supervisor.hpp) on one deterministic
// node. Each case is one tests/otp/erlang/supervisor_oracle.erl runs on
// OTP 25; the expected terms and orders here are what OTP printed. Time
// is virtual: restart windows, shutdown timeouts and backoff delays pass
// when the test advances the clock.

#include <rill/otp.hpp>
#include <rill/rill.hpp>
#include <rill/testing.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace rill {
namespace {

using namespace std::chrono_literals;
using testing::deterministic_options;

struct journal {
    std::vector<std::string> events;
};

/// A worker that writes its start and its end to the journal; a cast
/// `{crash, Reason}` stops it with Reason.
struct member : otp::gen_server {
    member(std::string who, journal* journal_)
        : name(std::move(who))
        , log(journal_) {}

    member(std::string who, journal* journal_, term extra)
        : name(std::move(who) + to_string(extra))
        , log(journal_) {}

    void init() {
        process::trap_exit(true); // so that terminate runs on shutdown
        log->events.push_back("start " + name);
    }

    otp::result handle_cast(const term& request) { return otp::stop_with(request.elements()[1]); }

    void terminate(const term& reason) {
        log->events.push_back("stop " + name + " " + to_string(reason));
    }

    std::string name;
    journal* log;
};

/// A child that does not end on `shutdown`: it traps exits and ignores them.
task<> stubborn(journal* log) {
    process::trap_exit(true);
    log->events.push_back("start stubborn");
    for (;;) {
        (void)co_await process::receive_any();
    }
}

task<otp::start_result<>> start_stubborn(journal* log) {
    co_return otp::start_result<>(term::tuple_of(atom("ok"), process::spawn_link(stubborn, log)));
}

otp::child_spec stubborn_spec(journal* log) {
    otp::child_spec spec;
    spec.id = atom("stubborn");
    spec.start = [log](const term&) {
        return start_stubborn(log);
    };
    return spec;
}

otp::child_spec member_spec(const std::string& name, journal* log) {
    return otp::worker<member>(atom(name), name, log);
}

/// The supervisor's parent: starts it, then records every message it gets.
struct tree {
    std::optional<term> started;
    std::vector<term> parent_saw;
};

task<> supervise(otp::supervisor_flags flags, std::vector<otp::child_spec> children, tree* out) {
    process::trap_exit(true);
    otp::start_result<otp::supervisor> started =
        co_await otp::start_link<otp::supervisor>(flags, children);
    out->started = started.as_term();
    co_await testing::collect_all(&out->parent_saw);
}

task<> query_children(otp::server_ref<> sup, std::vector<otp::child_info>* out) {
    *out = co_await otp::which_children(sup);
}

task<> query_counts(otp::server_ref<> sup, otp::child_counts* out) {
    *out = co_await otp::count_children(sup);
}

task<> crash_child(pid child, term reason) {
    otp::cast(otp::server_ref<>(child), term::tuple_of(atom("crash"), std::move(reason)));
    co_return;
}

struct Supervisor : ::testing::Test {
    journal log;
    tree top;
    runtime rt{deterministic_options()};
    pid parent;

    pid start(otp::supervisor_flags flags, std::vector<otp::child_spec> children) {
        parent = rt.spawn(supervise, flags, std::move(children), &top);
        rt.run_until_idle();
        EXPECT_TRUE(top.started);
        return top.started->is_tuple() && top.started->elements()[1].is_pid()
                   ? top.started->elements()[1].as_pid()
                   : pid{};
    }

    std::vector<otp::child_info> children(pid sup) {
        std::vector<otp::child_info> out;
        rt.spawn(query_children, otp::server_ref<>(sup), &out);
        rt.run_until_idle();
        return out;
    }

    pid child_pid(pid sup, const std::string& id) {
        for (const otp::child_info& c : children(sup)) {
            if (c.id == term(atom(id)) && c.process) {
                return *c.process;
            }
        }
        ADD_FAILURE() << "no running child " << id;
        return pid{};
    }

    void crash(pid child, term reason = term(atom("boom"))) {
        rt.spawn(crash_child, child, std::move(reason));
        rt.run_until_idle();
    }

    std::vector<std::string> events_since(std::size_t n) const {
        return {log.events.begin() + static_cast<std::ptrdiff_t>(n), log.events.end()};
    }

    std::vector<otp::child_spec> abc() {
        return {member_spec("a", &log), member_spec("b", &log), member_spec("c", &log)};
    }
};

otp::supervisor_flags with(otp::restart_strategy strategy) {
    otp::supervisor_flags flags;
    flags.strategy = strategy;
    return flags;
}

task<> stop_tree(pid sup) {
    co_await otp::stop(otp::server_ref<>(sup), term(atom("shutdown")));
}

TEST_F(Supervisor, ShutdownOrderChildrenStartInOrderAndStopInReverseOrder) {
    const pid sup = start({}, abc());
    rt.spawn(stop_tree, sup);
    rt.run_until_idle();

    EXPECT_EQ(log.events,
              (std::vector<std::string>{"start a",
                                        "start b",
                                        "start c",
                                        "stop c shutdown",
                                        "stop b shutdown",
                                        "stop a shutdown"}));
    EXPECT_EQ(rt.exit_reason_of(sup), term(atom("shutdown")));
}

TEST_F(Supervisor, OneForOneRestartsTheChildAlone) {
    const pid sup = start(with(otp::one_for_one), abc());
    const pid a = child_pid(sup, "a");
    const pid b = child_pid(sup, "b");
    const std::size_t before = log.events.size();
    crash(b);

    EXPECT_EQ(events_since(before), (std::vector<std::string>{"stop b boom", "start b"}));
    EXPECT_EQ(child_pid(sup, "a"), a);
    EXPECT_NE(child_pid(sup, "b"), b);
}

TEST_F(Supervisor, OneForAllStopsTheOthersInReverseOrderThenStartsAllInOrder) {
    const pid sup = start(with(otp::restart_strategy::one_for_all), abc());
    const std::size_t before = log.events.size();
    crash(child_pid(sup, "b"));

    EXPECT_EQ(
        events_since(before),
        (std::vector<std::string>{
            "stop b boom", "stop c shutdown", "stop a shutdown", "start a", "start b", "start c"}));
}

TEST_F(Supervisor, RestForOneRestartsTheChildAndThoseStartedAfterIt) {
    const pid sup = start(with(otp::restart_strategy::rest_for_one), abc());
    const pid a = child_pid(sup, "a");
    const std::size_t before = log.events.size();
    crash(child_pid(sup, "b"));

    EXPECT_EQ(events_since(before),
              (std::vector<std::string>{"stop b boom", "stop c shutdown", "start b", "start c"}));
    EXPECT_EQ(child_pid(sup, "a"), a);
}

TEST_F(Supervisor, IntensityDefaultASecondRestartWithinThePeriodShutsTheSupervisorDown) {
    const pid sup = start({}, abc());
    crash(child_pid(sup, "a"));
    EXPECT_TRUE(rt.is_alive(sup));
    const std::size_t before = log.events.size();
    crash(child_pid(sup, "a"));

    EXPECT_FALSE(rt.is_alive(sup));
    EXPECT_EQ(rt.exit_reason_of(sup), term(atom("shutdown")));
    EXPECT_EQ(events_since(before),
              (std::vector<std::string>{"stop a boom", "stop c shutdown", "stop b shutdown"}));
    EXPECT_EQ(top.parent_saw, std::vector<term>{testing::exit_message(sup, atom("shutdown"))});
}

// intensity_boundary: OTP 25 counts restarts in whole seconds, and one
// still counts while Now - Then =< Period.
TEST_F(Supervisor, IntensityBoundaryRestartsCountInWholeSeconds) {
    const pid sup = start({}, abc());
    crash(child_pid(sup, "a"));
    rt.advance(5999ms); // second 5 - second 0 =< 5: still within the period
    crash(child_pid(sup, "a"));

    EXPECT_EQ(rt.exit_reason_of(sup), term(atom("shutdown")));
}

TEST_F(Supervisor, IntensityBoundaryRestartsOlderThanThePeriodNoLongerCount) {
    const pid sup = start({}, abc());
    crash(child_pid(sup, "a"));
    rt.advance(6000ms);
    crash(child_pid(sup, "a"));

    EXPECT_TRUE(rt.is_alive(sup));
}

TEST_F(Supervisor, IntensityZeroShutsDownAtTheFirstRestart) {
    otp::supervisor_flags flags;
    flags.intensity = 0;
    const pid sup = start(flags, abc());
    crash(child_pid(sup, "a"));

    EXPECT_EQ(rt.exit_reason_of(sup), term(atom("shutdown")));
}

TEST_F(Supervisor, TransientNormalIsNotRestartedAndTheChildStaysListed) {
    std::vector<otp::child_spec> specs{member_spec("t", &log)};
    specs[0].restart = otp::restart_type::transient;
    const pid sup = start({}, specs);

    crash(child_pid(sup, "t"), term(atom("normal")));
    ASSERT_EQ(children(sup).size(), 1U);
    EXPECT_EQ(children(sup)[0].as_term(),
              term::tuple_of(atom("t"), atom("undefined"), atom("worker"), term{}));
}

TEST_F(Supervisor, TransientAbnormalIsRestarted) {
    std::vector<otp::child_spec> specs{member_spec("t", &log)};
    specs[0].restart = otp::restart_type::transient;
    const pid sup = start({}, specs);
    const pid first = child_pid(sup, "t");
    crash(first, term::tuple_of(atom("shutdown"), atom("x")));
    EXPECT_FALSE(children(sup)[0].process);

    // restart_child brings it back; a crash now restarts it.
    term restarted;
    rt.spawn(
        +[](pid s, term* out) -> task<> {
            *out = co_await otp::restart_child(otp::server_ref<>(s), term(atom("t")));
        },
        sup,
        &restarted);
    rt.run_until_idle();
    ASSERT_TRUE(restarted.is_tuple());
    const pid second = child_pid(sup, "t");
    crash(second, term(atom("boom")));

    EXPECT_NE(child_pid(sup, "t"), second);
}

TEST_F(Supervisor, TemporaryCrashIsNeverRestartedAndIsForgotten) {
    std::vector<otp::child_spec> specs{member_spec("tmp", &log), member_spec("b", &log)};
    specs[0].restart = otp::restart_type::temporary;
    const pid sup = start({}, specs);
    crash(child_pid(sup, "tmp"));

    ASSERT_EQ(children(sup).size(), 1U);
    EXPECT_EQ(children(sup)[0].id, term(atom("b")));
}

task<> ask(pid sup, int what, term argument, term* out) {
    const otp::server_ref<> ref(sup);
    switch (what) {
    case 0:
        *out = co_await otp::terminate_child(ref, std::move(argument));
        break;
    case 1:
        *out = co_await otp::restart_child(ref, std::move(argument));
        break;
    case 2:
        *out = co_await otp::delete_child(ref, std::move(argument));
        break;
    default:
        *out = (co_await otp::start_child(ref, std::move(argument))).as_term();
        break;
    }
}

task<> add_child(pid sup, otp::child_spec spec, term* out) {
    *out = (co_await otp::start_child(otp::server_ref<>(sup), std::move(spec))).as_term();
}

enum request { terminate_it = 0, restart_it = 1, delete_it = 2, start_with = 3 };

term error(term reason) {
    return term::tuple_of(atom("error"), std::move(reason));
}

struct SupervisorChildren : Supervisor {
    term answer(pid sup, request what, term argument) {
        term out;
        rt.spawn(ask, sup, static_cast<int>(what), std::move(argument), &out);
        rt.run_until_idle();
        return out;
    }

    term add(pid sup, otp::child_spec spec) {
        term out;
        rt.spawn(add_child, sup, std::move(spec), &out);
        rt.run_until_idle();
        return out;
    }
};

TEST_F(SupervisorChildren, OneForOneChildOpsAnswerAsOtp) {
    const pid sup = start({}, abc());
    EXPECT_EQ(answer(sup, restart_it, term(atom("a"))), error(atom("running")));
    EXPECT_EQ(answer(sup, delete_it, term(atom("a"))), error(atom("running")));
    EXPECT_EQ(answer(sup, terminate_it, term(atom("a"))), term(atom("ok")));
    EXPECT_EQ(log.events.back(), "stop a shutdown");
    EXPECT_FALSE(children(sup).back().process); // newest first: a is last

    const term restarted = answer(sup, restart_it, term(atom("a")));
    ASSERT_TRUE(restarted.is_tuple());
    EXPECT_EQ(restarted.elements()[0], term(atom("ok")));
    EXPECT_EQ(restarted.elements()[1], term(child_pid(sup, "a")));

    EXPECT_EQ(answer(sup, terminate_it, term(atom("a"))), term(atom("ok")));
    EXPECT_EQ(answer(sup, delete_it, term(atom("a"))), term(atom("ok")));
    EXPECT_EQ(children(sup).size(), 2U);
    for (const request what : {terminate_it, restart_it, delete_it}) {
        EXPECT_EQ(answer(sup, what, term(atom("zz"))), error(atom("not_found")));
    }
}

TEST_F(SupervisorChildren, StartChildDuplicateIsAlreadyStartedOrAlreadyPresent) {
    const pid sup = start({}, abc());
    EXPECT_EQ(add(sup, member_spec("a", &log)),
              error(term::tuple_of(atom("already_started"), child_pid(sup, "a"))));
    (void)answer(sup, terminate_it, term(atom("a")));
    EXPECT_EQ(add(sup, member_spec("a", &log)), error(atom("already_present")));

    const term added = add(sup, member_spec("d", &log));
    EXPECT_EQ(added, term::tuple_of(atom("ok"), child_pid(sup, "d")));
    EXPECT_EQ(children(sup).front().id, term(atom("d"))); // newest first, as OTP
}

struct refuses : otp::gen_server {
    explicit refuses(term how)
        : mode(std::move(how)) {}

    otp::init_result init() {
        if (mode.is_atom(atom("throw"))) {
            throw std::runtime_error("no");
        }
        return otp::stop_with(mode);
    }

    term mode;
};

TEST_F(SupervisorChildren, StartChildErrorLeavesNoChild) {
    const pid sup = start({}, abc());
    EXPECT_EQ(add(sup, otp::worker<refuses>(atom("r"), term(atom("bad")))), error(atom("bad")));
    EXPECT_EQ(add(sup, otp::worker<refuses>(atom("r"), term(atom("throw")))),
              error(term::tuple_of(atom("exception"), atom("std::runtime_error"), "no")));
    EXPECT_EQ(children(sup).size(), 3U);
    EXPECT_TRUE(rt.is_alive(sup));
}

TEST_F(Supervisor, InitChildFailsStopsTheOthersAndTheStart) {
    std::vector<otp::child_spec> specs{member_spec("a", &log),
                                       otp::worker<refuses>(atom("r"), term(atom("oops"))),
                                       member_spec("c", &log)};
    (void)start({}, specs);

    EXPECT_EQ(*top.started,
              error(term::tuple_of(
                  atom("shutdown"),
                  term::tuple_of(atom("failed_to_start_child"), atom("r"), atom("oops")))));
    EXPECT_EQ(log.events, (std::vector<std::string>{"start a", "stop a shutdown"}));
}

TEST_F(Supervisor, InitDuplicateIdIsRefused) {
    (void)start({}, {member_spec("a", &log), member_spec("a", &log)});

    ASSERT_TRUE(top.started);
    EXPECT_EQ(*top.started,
              error(term::tuple_of(atom("start_spec"),
                                   term::tuple_of(atom("duplicate_child_name"), atom("a")))));
    EXPECT_TRUE(log.events.empty());
}

TEST_F(Supervisor, WhichChildrenExactAndCountChildrenAreOtpsTerms) {
    std::vector<otp::child_spec> specs{
        member_spec("a", &log), otp::supervisor_child(atom("inner"), {}, {member_spec("x", &log)})};
    const pid sup = start({}, specs);
    const std::vector<otp::child_info> listed = children(sup);
    otp::child_counts counts;
    rt.spawn(query_counts, otp::server_ref<>(sup), &counts);
    rt.run_until_idle();

    ASSERT_EQ(listed.size(), 2U);
    EXPECT_EQ(listed[0].as_term(),
              term::tuple_of(atom("inner"),
                             *listed[0].process,
                             atom("supervisor"),
                             term::list_of(atom("supervisor"))));
    EXPECT_EQ(listed[1].as_term(),
              term::tuple_of(atom("a"), *listed[1].process, atom("worker"), term{}));
    EXPECT_EQ(counts.as_term(),
              term::list_of(term::tuple_of(atom("specs"), 2),
                            term::tuple_of(atom("active"), 2),
                            term::tuple_of(atom("supervisors"), 1),
                            term::tuple_of(atom("workers"), 1)));
}

TEST_F(Supervisor, ANestedSupervisorRestartsItsOwnChildrenAndStopsWithItsParent) {
    std::vector<otp::child_spec> specs{
        member_spec("a", &log),
        otp::supervisor_child(atom("inner"), {}, {member_spec("x", &log), member_spec("y", &log)})};
    const pid sup = start({}, specs);
    const pid inner = child_pid(sup, "inner");
    crash(child_pid(inner, "x"));
    EXPECT_EQ(child_pid(sup, "inner"), inner);
    rt.spawn(stop_tree, sup);
    rt.run_until_idle();

    EXPECT_EQ(log.events,
              (std::vector<std::string>{"start a",
                                        "start x",
                                        "start y",
                                        "stop x boom",
                                        "start x",
                                        "stop y shutdown",
                                        "stop x shutdown",
                                        "stop a shutdown"}));
}

TEST_F(Supervisor, BrutalKillKillsAtOnce) {
    std::vector<otp::child_spec> specs{stubborn_spec(&log)};
    specs[0].shutdown = otp::brutal_kill;
    const pid sup = start({}, specs);
    const pid child = child_pid(sup, "stubborn");
    term done;
    rt.spawn(ask, sup, 0, term(atom("stubborn")), &done);
    rt.run_until_idle();

    EXPECT_EQ(done, term(atom("ok")));
    EXPECT_EQ(rt.exit_reason_of(child), term(atom("killed")));
}

TEST_F(Supervisor, ShutdownTimeoutKillsAChildThatIgnoresShutdown) {
    std::vector<otp::child_spec> specs{stubborn_spec(&log)};
    specs[0].shutdown = std::chrono::milliseconds(1000);
    const pid sup = start({}, specs);
    const pid child = child_pid(sup, "stubborn");
    term done;
    rt.spawn(ask, sup, 0, term(atom("stubborn")), &done);
    rt.run_until_idle();
    rt.advance(999ms);
    EXPECT_TRUE(rt.is_alive(child));
    EXPECT_TRUE(done.is_nil());
    rt.advance(1ms);

    EXPECT_EQ(done, term(atom("ok")));
    EXPECT_EQ(rt.exit_reason_of(child), term(atom("killed")));
}

TEST_F(Supervisor, UnderOneForAllAChildRestartsOnlyOnceItsSlowSiblingIsGone) {
    std::vector<otp::child_spec> specs{stubborn_spec(&log), member_spec("b", &log)};
    specs[0].shutdown = std::chrono::milliseconds(1000);
    const pid sup = start(with(otp::restart_strategy::one_for_all), specs);
    const std::size_t before = log.events.size();
    crash(child_pid(sup, "b"));
    EXPECT_EQ(events_since(before), std::vector<std::string>{"stop b boom"});
    rt.advance(1000ms);

    EXPECT_EQ(events_since(before),
              (std::vector<std::string>{"stop b boom", "start stubborn", "start b"}));
}

TEST_F(Supervisor, SimpleOneForOneStartsChildrenWithTheirArgumentsAndRestartsThem) {
    otp::supervisor_flags flags = with(otp::restart_strategy::simple_one_for_one);
    flags.intensity = 5;
    const pid sup = start(flags, {member_spec("w", &log)});
    std::vector<term> started;
    for (int n = 1; n <= 3; ++n) {
        term out;
        rt.spawn(ask, sup, 3, term::list_of(n), &out);
        rt.run_until_idle();
        started.push_back(out);
    }
    EXPECT_EQ(log.events, (std::vector<std::string>{"start w[1]", "start w[2]", "start w[3]"}));
    otp::child_counts counts;
    rt.spawn(query_counts, otp::server_ref<>(sup), &counts);
    rt.run_until_idle();
    EXPECT_EQ(counts, (otp::child_counts{1, 3, 0, 3}));

    crash(started[1].elements()[1].as_pid());
    EXPECT_EQ(log.events.back(), "start w[2]");

    term terminated;
    rt.spawn(ask, sup, 0, started[0].elements()[1], &terminated);
    rt.run_until_idle();
    EXPECT_EQ(terminated, term(atom("ok")));
    term by_id;
    rt.spawn(ask, sup, 0, term(atom("w")), &by_id);
    rt.run_until_idle();
    EXPECT_EQ(by_id, error(atom("simple_one_for_one")));
    EXPECT_EQ(children(sup).size(), 2U);
    EXPECT_EQ(children(sup)[0].id, term(atom("undefined")));
}

TEST_F(Supervisor, SimpleOneForOneStopsAllItsChildrenAtOnce) {
    const pid sup =
        start(with(otp::restart_strategy::simple_one_for_one), {member_spec("w", &log)});
    for (int n = 1; n <= 3; ++n) {
        term out;
        rt.spawn(ask, sup, 3, term::list_of(n), &out);
        rt.run_until_idle();
    }
    rt.spawn(stop_tree, sup);
    rt.run_until_idle();

    EXPECT_EQ(std::count_if(log.events.begin(),
                            log.events.end(),
                            [](const std::string& e) { return e.starts_with("stop w"); }),
              3);
    EXPECT_EQ(rt.exit_reason_of(sup), term(atom("shutdown")));
}

TEST_F(Supervisor, BackoffDelaysRestartsAndTheChildIsRestartingMeanwhile) {
    otp::supervisor_flags flags;
    flags.intensity = 10;
    flags.backoff = otp::restart_backoff{100ms, 1000ms};
    const pid sup = start(flags, {member_spec("a", &log)});
    crash(child_pid(sup, "a"));
    EXPECT_EQ(children(sup)[0].as_term().elements()[1], term(atom("restarting")));
    rt.advance(99ms);
    EXPECT_EQ(log.events.back(), "stop a boom");
    rt.advance(1ms);
    EXPECT_EQ(log.events.back(), "start a");

    crash(child_pid(sup, "a"));
    rt.advance(199ms);
    EXPECT_EQ(log.events.back(), "stop a boom");
    rt.advance(1ms);
    EXPECT_EQ(log.events.back(), "start a");
}

TEST_F(SupervisorChildren, AChildSpecWithoutAStartFunctionIsRefused) {
    const pid sup = start({}, abc());
    otp::child_spec no_start;
    no_start.id = atom("nothing");

    EXPECT_EQ(add(sup, no_start), error(atom("missing_start")));
    EXPECT_EQ(children(sup).size(), 3U);
}

TEST_F(Supervisor, AChildSpecWithoutAStartFunctionFailsTheSupervisorsStart) {
    otp::child_spec no_start;
    no_start.id = atom("nothing");
    (void)start({}, {member_spec("a", &log), no_start});

    EXPECT_EQ(*top.started,
              error(term::tuple_of(atom("start_spec"),
                                   term::tuple_of(atom("missing_start"), atom("nothing")))));
    EXPECT_TRUE(log.events.empty());
}

task<> start_child_catching(pid sup, otp::child_spec spec, term* out) {
    try {
        *out = (co_await otp::start_child(otp::server_ref<>(sup), std::move(spec))).as_term();
    } catch (const exit_exception& e) {
        *out = e.reason();
    }
}

TEST_F(SupervisorChildren, StartChildOnASupervisorThatIsShuttingDownExitsWithItsReason) {
    std::vector<otp::child_spec> specs{stubborn_spec(&log)};
    specs[0].shutdown = std::chrono::milliseconds(1000);
    const pid sup = start({}, specs);
    rt.spawn(stop_tree, sup);
    rt.run_until_idle(); // the supervisor waits for its stubborn child now
    term got;
    rt.spawn(start_child_catching, sup, member_spec("late", &log), &got);
    rt.run_until_idle();
    EXPECT_TRUE(got.is_nil());
    rt.advance(1000ms);

    ASSERT_TRUE(got.is_tuple());
    EXPECT_EQ(got.elements()[0], term(atom("shutdown")));
    EXPECT_EQ(std::count(log.events.begin(), log.events.end(), "start late"), 0);
    EXPECT_FALSE(rt.is_alive(sup));
}

TEST_F(Supervisor, RunningServersListsTheSupervisorAndItsChildrenWhileTheyLive) {
    EXPECT_TRUE(otp::running_servers(rt).empty());
    const pid sup = start(otp::supervisor_flags{}, abc());
    const pid a = child_pid(sup, "a");

    std::vector<otp::running_server> listed = otp::running_servers(rt);
    ASSERT_EQ(listed.size(), 4u);
    int supervisors = 0;
    for (const otp::running_server& s : listed) {
        if (s.self == sup) {
            EXPECT_TRUE(s.is_supervisor);
            EXPECT_EQ(s.class_name, "otp::supervisor");
            ++supervisors;
        } else {
            EXPECT_FALSE(s.is_supervisor);
            EXPECT_NE(s.class_name.find("member"), std::string::npos) << s.class_name;
        }
    }
    EXPECT_EQ(supervisors, 1);

    rt.spawn(
        +[](pid child) -> task<> {
            process::exit(child, term(atom("kill")));
            co_return;
        },
        a);
    rt.run_until_idle(); // a is killed, then restarted under a new pid
    listed = otp::running_servers(rt);
    EXPECT_EQ(listed.size(), 4u);
    for (const otp::running_server& s : listed) {
        EXPECT_NE(s.self, a);
    }

    rt.spawn(stop_tree, sup);
    rt.run_until_idle();
    EXPECT_TRUE(otp::running_servers(rt).empty());
}

} // namespace
} // namespace rill
