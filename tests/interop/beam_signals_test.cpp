// Links, monitors, exits and node monitors between rill processes and the
// processes of real Erlang/OTP nodes, both ways (SEMANTICS.md S69..S75).
// BEAM watching rill: tests/interop/erlang/rill_signals.erl checks what its
// processes get and reports a verdict; the rill node runs the registered
// `helper` it asks for targets. Rill watching BEAM: a BEAM node provides
// targets (`rill_signals:targets/1`) and the test's process checks what it
// gets. Faults are real: a BEAM node killed with SIGKILL, stopped with
// SIGSTOP (the tick timeout declares it gone), restarted with a new
// creation. Every wait is on an event; skipped when erl is not installed.

#include <rill/dist.hpp>
#include <rill/rill.hpp>
#include <rill/testing.hpp>

#include "interop/beam_node.hpp"
#include "interop/beam_session.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <optional>
#include <string>
#include <vector>

namespace rill {
namespace {

using namespace std::chrono_literals;
using test::beam_args;
using test::become_sink;
using test::embedded_epmd_options;
using test::event_bound;
using test::expect_passed;
using test::next_report;
using test::rill_options;

const std::string& cookie = test::interop_cookie;

using BeamSignals = test::needs_erl;

// ---- the rill side of BEAM-watches-rill ----------------------------------------------------

task<> returns_at_once() {
    co_return;
}

task<> exits_on_request() {
    term request = co_await process::receive_exact<term>();
    if (request.is_tuple() && request.elements().size() == 2) {
        process::exit(request.elements()[1]);
    }
}

// Traps exits and sends each it gets to `report_to` as {trapped, From,
// Reason}; tells `spawner` {trapper_ready, Self} once it traps, so that
// no exit signal can reach it before.
task<> trapper(pid report_to, pid spawner) {
    process::trap_exit(true);
    process::send(spawner, term::tuple_of(atom("trapper_ready"), process::self()));
    for (;;) {
        exit_signal signal = co_await process::receive_exact<exit_signal>();
        process::send(report_to, term::tuple_of(atom("trapped"), signal.from, signal.reason));
    }
}

// The `helper` of rill_signals.erl: {From, What} -> From ! {helper, Answer}.
task<> helper() {
    process::register_name(process::self(), atom("helper"));
    for (;;) {
        term request = co_await process::receive_exact<term>();
        if (!request.is_tuple() || request.elements().size() != 2 ||
            !request.elements()[0].is_pid()) {
            continue;
        }
        const pid from = request.elements()[0].as_pid();
        const term& what = request.elements()[1];
        term answer;
        if (what.is_atom(atom("dead_pid"))) {
            const pid gone = process::spawn(returns_at_once);
            process::monitor(gone);
            (void)co_await process::receive_exact<down_signal>();
            answer = term(gone);
        } else if (what.is_atom(atom("victim"))) {
            answer = term(process::spawn(exits_on_request));
        } else if (what.is_atom(atom("trapper"))) {
            const pid spawned = process::spawn(trapper, pid(from), process::self());
            auto ready = process::when<term>(
                [spawned](const term& t) {
                    return t.is_tuple() && t.elements().size() == 2 &&
                           t.elements()[0].is_atom(atom("trapper_ready")) &&
                           t.elements()[1] == term(spawned);
                },
                [](const term&) {});
            co_await process::receive_first(std::move(ready));
            answer = term(spawned);
        } else if (what.is_atom(atom("disconnect"))) {
            dist::disconnect(dist::node(from));
            continue;
        } else {
            continue;
        }
        process::send(from, term::tuple_of(atom("helper"), answer));
    }
}

// Runs `rill_signals:Function(RillNode[, Behaviour])` on a BEAM node and
// returns its verdict: {Label, Checks, Failed}.
task<> beam_watches_rill(std::uint16_t epmd_port,
                         std::string expression,
                         std::optional<term>* verdict,
                         int* status) {
    become_sink();
    const pid helper_pid = process::spawn(helper);
    test::beam_node beam("beam_watcher", cookie, epmd_port, expression, beam_args());
    *verdict = co_await next_report();
    *status = beam.wait();
    if (*status != 0 || !verdict->has_value()) {
        ADD_FAILURE() << beam.output();
    }
    process::exit(helper_pid, atom("kill"));
}

void run_beam_watches_rill(const char* behaviour, std::size_t checks) {
    runtime rt(rill_options("rill_watched@localhost"));
    dist::net_kernel net(rt, embedded_epmd_options());
    std::optional<term> verdict;
    int status = -1;
    rt.run(beam_watches_rill,
           net.epmd_port(),
           std::string("rill_signals:watch_rill('rill_watched@localhost', ") + behaviour + ")",
           &verdict,
           &status);
    expect_passed(verdict, status, checks);
}

TEST_F(BeamSignals, S69BeamSendsToAnUnregisteredRillNameAndADeadRillPidWithoutError) {
    run_beam_watches_rill("s69", 3);
}

TEST_F(BeamSignals, S70BeamMonitorsOfAMissingRillNameOrDeadPidReportNoproc) {
    run_beam_watches_rill("s70", 2);
}

TEST_F(BeamSignals, S71BeamLinkingToADeadRillPidGetsANoprocExit) {
    run_beam_watches_rill("s71", 2);
}

TEST_F(BeamSignals, S72RillExitsReachBeamUnchangedAndKillNormalActAsInErlang) {
    run_beam_watches_rill("s72", 4);
}

TEST_F(BeamSignals, S75BeamMonitorsRillProcessesThroughMonitorPAndGetsTheRealReason) {
    run_beam_watches_rill("s75", 2);
}

TEST_F(BeamSignals, S74BeamSeesNoconnectionAndNodedownWhenRillDropsTheConnection) {
    runtime rt(rill_options("rill_lost@localhost"));
    dist::net_kernel net(rt, embedded_epmd_options());
    std::optional<term> verdict;
    int status = -1;
    rt.run(beam_watches_rill,
           net.epmd_port(),
           std::string("rill_signals:watch_rill_lost('rill_lost@localhost')"),
           &verdict,
           &status);
    expect_passed(verdict, status, 3);
}

// ---- rill watches BEAM -----------------------------------------------------------------------

struct beam_targets {
    pid dead;
    pid victim;
    pid trapper;
};

// Waits for the {targets, Dead, Victim, Trapper} report of a BEAM node
// running rill_signals:targets/1.
task<std::optional<beam_targets>> targets_of(const test::beam_node& beam) {
    std::optional<term> report = co_await next_report();
    if (!report || !report->is_tuple() || report->elements().size() != 4) {
        ADD_FAILURE() << "no targets: " << beam.output();
        co_return std::nullopt;
    }
    const auto& e = report->elements();
    co_return beam_targets{e[1].as_pid(), e[2].as_pid(), e[3].as_pid()};
}

test::beam_node
start_targets(std::uint16_t epmd_port, const char* rill_node, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = beam_args();
    args.insert(args.end(), extra.begin(), extra.end());
    return test::beam_node("beam_targets",
                           cookie,
                           epmd_port,
                           std::string("rill_signals:targets('") + rill_node + "')",
                           args);
}

const atom beam_node_name{"beam_targets@localhost"};

// The next message that is no report: an exit signal, DOWN or term.
task<std::optional<dyn_message>> next_event() {
    co_return co_await process::receive_any(event_bound);
}

task<> rill_watches_beam_s69_to_s72(std::uint16_t epmd_port) {
    become_sink();
    process::trap_exit(true);
    test::beam_node beam = start_targets(epmd_port, "rill_watcher@localhost");
    std::optional<beam_targets> targets = co_await targets_of(beam);
    if (!targets) {
        co_return;
    }
    // S69: sends to a dead pid or an unregistered name are dropped.
    process::send(targets->dead, atom("x"));
    process::send(std::pair{atom("nobody"), beam_node_name}, atom("x"));
    // S70: monitors of a missing name or a dead pid give noproc.
    const reference by_name = process::monitor(std::pair{atom("nobody"), beam_node_name});
    {
        const auto got = co_await process::receive_exact<down_signal>(event_bound);
        EXPECT_EQ(got,
                  (down_signal{by_name,
                               term::tuple_of(atom("nobody"), beam_node_name),
                               term(atoms::noproc)}));
    }
    const reference by_dead = process::monitor(targets->dead);
    {
        const auto got = co_await process::receive_exact<down_signal>(event_bound);
        EXPECT_EQ(got, (down_signal{by_dead, term(targets->dead), term(atoms::noproc)}));
    }
    // S71: linking to a dead remote pid never raises; noproc arrives.
    process::link(targets->dead);
    {
        const auto got = co_await process::receive_exact<exit_signal>(event_bound);
        EXPECT_EQ(got, (exit_signal{targets->dead, term(atoms::noproc)}));
    }
    // S72: a remote exit reason arrives unchanged, by link and by monitor.
    process::link(targets->victim);
    const reference on_victim = process::monitor(targets->victim);
    const term reason = term::tuple_of(atom("remote"), atom("reason"));
    process::send(targets->victim, term::tuple_of(atom("exit_with"), reason));
    {
        const auto got = co_await process::receive_exact<exit_signal>(event_bound);
        EXPECT_EQ(got, (exit_signal{targets->victim, reason}));
    }
    {
        const auto got = co_await process::receive_exact<down_signal>(event_bound);
        EXPECT_EQ(got, (down_signal{on_victim, term(targets->victim), reason}));
    }
    // S72: normal reaches a trapping target as an EXIT; kill gives killed.
    const reference on_trapper = process::monitor(targets->trapper);
    process::exit(targets->trapper, atom("normal"));
    {
        const auto got = co_await process::receive_exact<term>(event_bound);
        EXPECT_EQ(got, term::tuple_of(atom("trapped"), process::self(), atom("normal")));
    }
    process::exit(targets->trapper, atom("kill"));
    {
        const auto got = co_await process::receive_exact<down_signal>(event_bound);
        EXPECT_EQ(got, (down_signal{on_trapper, term(targets->trapper), term(atoms::killed)}));
    }
    process::send(std::pair{atom("beam_targets"), beam_node_name}, atom("stop"));
    EXPECT_EQ(beam.wait(), 0) << beam.output();
}

TEST_F(BeamSignals, S72RillProcessesWatchBeamProcessesAsErlangDoes) {
    runtime rt(rill_options("rill_watcher@localhost"));
    dist::net_kernel net(rt, embedded_epmd_options());
    rt.run(rill_watches_beam_s69_to_s72, net.epmd_port());
}

task<> unreachable_node() {
    process::trap_exit(true);
    const pid far{atom("nosuch@localhost"), 7, 1, 1};
    process::link(far);
    {
        const auto got = co_await process::receive_exact<exit_signal>(event_bound);
        EXPECT_EQ(got, (exit_signal{far, term(atoms::noconnection)}));
    }
    const reference by_pid = process::monitor(far);
    {
        const auto got = co_await process::receive_exact<down_signal>(event_bound);
        EXPECT_EQ(got, (down_signal{by_pid, term(far), term(atoms::noconnection)}));
    }
    const reference by_name = process::monitor(std::pair{atom("x"), atom("nosuch@localhost")});
    {
        const auto got = co_await process::receive_exact<down_signal>(event_bound);
        EXPECT_EQ(got,
                  (down_signal{by_name,
                               term::tuple_of(atom("x"), atom("nosuch@localhost")),
                               term(atoms::noconnection)}));
    }
    dist::monitor_node(atom("nosuch@localhost"), true);
    {
        const auto got = co_await process::receive_exact<term>(event_bound);
        EXPECT_EQ(got, term::tuple_of(atom("nodedown"), atom("nosuch@localhost")));
    }
}

TEST_F(BeamSignals, S73LinksAndMonitorsOnANodeNobodyRunsGiveNoconnection) {
    runtime rt(rill_options("rill_alone@localhost"));
    dist::net_kernel net(rt, embedded_epmd_options());
    rt.run(unreachable_node);
}

// Links to and monitors the victim, monitors the node, then `fault` (kill
// or stop the BEAM node): every one fires, and later ones at once.
task<>
lose_beam(std::uint16_t epmd_port, int fault, const char* rill_node, const dist::net_kernel* net) {
    become_sink();
    process::trap_exit(true);
    test::beam_node beam = start_targets(epmd_port, rill_node, {"-kernel", "net_ticktime", "4"});
    std::optional<beam_targets> targets = co_await targets_of(beam);
    if (!targets) {
        co_return;
    }
    process::link(targets->victim);
    const reference on_victim = process::monitor(targets->victim);
    const reference by_name = process::monitor(std::pair{atom("beam_targets"), beam_node_name});
    dist::monitor_node(beam_node_name, true);
    // A round trip, so the link and monitors are in place on the BEAM side.
    process::send(targets->victim, atom("not_an_exit_request_tuple"));
    EXPECT_TRUE(co_await dist::ping(beam_node_name));
    // The connection's figures, as the observer shows them, with a BEAM peer.
    const std::vector<dist::connection_statistics> stats = net->connections();
    EXPECT_EQ(stats.size(), 1U);
    for (const dist::connection_statistics& peer : stats) { // no ASSERT in a coroutine
        EXPECT_EQ(peer.peer, beam_node_name);
        EXPECT_GT(peer.frames_received, 0U);
        EXPECT_GT(peer.bytes_sent, 0U);
        EXPECT_LE(peer.since_last_heard, std::chrono::seconds(4)); // its net_ticktime
    }

    beam.signal(fault);
    std::vector<term> events;
    for (int i = 0; i < 4; ++i) {
        std::optional<dyn_message> event = co_await next_event();
        if (!event) {
            ADD_FAILURE() << "only " << events.size() << " of the 4 signals arrived";
            break;
        }
        events.push_back(testing::message_as_term(std::move(*event)));
    }
    const term noconnection(atoms::noconnection);
    EXPECT_NE(std::find(events.begin(),
                        events.end(),
                        testing::exit_message(targets->victim, noconnection)),
              events.end());
    EXPECT_NE(std::find(events.begin(),
                        events.end(),
                        testing::down_message(on_victim, term(targets->victim), noconnection)),
              events.end());
    EXPECT_NE(std::find(events.begin(),
                        events.end(),
                        testing::down_message(by_name,
                                              term::tuple_of(atom("beam_targets"), beam_node_name),
                                              noconnection)),
              events.end());
    EXPECT_NE(
        std::find(events.begin(), events.end(), term::tuple_of(atom("nodedown"), beam_node_name)),
        events.end());
    if (fault == SIGSTOP) {
        beam.signal(SIGKILL);
    }
    (void)beam.wait();
    // Afterwards: the node is gone, so new links and monitors fire at once.
    const reference again = process::monitor(targets->victim);
    {
        const auto got = co_await process::receive_exact<down_signal>(event_bound);
        EXPECT_EQ(got, (down_signal{again, term(targets->victim), noconnection}));
    }
    process::link(targets->victim);
    {
        const auto got = co_await process::receive_exact<exit_signal>(event_bound);
        EXPECT_EQ(got, (exit_signal{targets->victim, noconnection}));
    }
    EXPECT_TRUE(dist::nodes().empty());
}

TEST_F(BeamSignals, S74ABeamNodeKilledWithSigkillBreaksEveryLinkAndMonitorOverIt) {
    runtime rt(rill_options("rill_killer@localhost"));
    dist::net_kernel net(rt, embedded_epmd_options());
    rt.run(lose_beam, net.epmd_port(), int{SIGKILL}, "rill_killer@localhost", &net);
}

TEST_F(BeamSignals, S74ABeamNodeStoppedWithSigstopIsDeclaredGoneAfterTheTickTime) {
    runtime rt(rill_options("rill_ticker@localhost"));
    dist::options options = embedded_epmd_options();
    options.net_ticktime = 2s;
    dist::net_kernel net(rt, options);
    rt.run(lose_beam, net.epmd_port(), int{SIGSTOP}, "rill_ticker@localhost", &net);
}

// A BEAM node restarted under the same name has a new creation: pids of
// the old incarnation reach nobody there, and links and monitors on them
// are answered noproc, as between BEAM nodes; the new incarnation's pids
// work.
task<> restart_beam(std::uint16_t epmd_port) {
    become_sink();
    process::trap_exit(true);
    std::optional<beam_targets> old_targets;
    {
        test::beam_node first = start_targets(epmd_port, "rill_restart@localhost");
        old_targets = co_await targets_of(first);
        if (!old_targets) {
            co_return;
        }
        dist::monitor_node(beam_node_name, true);
        process::send(std::pair{atom("beam_targets"), beam_node_name}, atom("stop"));
        EXPECT_EQ(first.wait(), 0);
        {
            const auto got = co_await process::receive_exact<term>(event_bound);
            EXPECT_EQ(got, term::tuple_of(atom("nodedown"), beam_node_name));
        }
    }
    test::beam_node second = start_targets(epmd_port, "rill_restart@localhost");
    std::optional<beam_targets> new_targets = co_await targets_of(second);
    if (!new_targets) {
        co_return;
    }
    EXPECT_NE(new_targets->victim.creation, old_targets->victim.creation);
    // Old pids: the message goes nowhere, the link and monitor get noproc.
    process::send(old_targets->victim, term::tuple_of(atom("exit_with"), atom("wrong")));
    process::link(old_targets->victim);
    {
        const auto got = co_await process::receive_exact<exit_signal>(event_bound);
        EXPECT_EQ(got, (exit_signal{old_targets->victim, term(atoms::noproc)}));
    }
    const reference on_old = process::monitor(old_targets->victim);
    {
        const auto got = co_await process::receive_exact<down_signal>(event_bound);
        EXPECT_EQ(got, (down_signal{on_old, term(old_targets->victim), term(atoms::noproc)}));
    }
    // New pids: the exit request that arrives is the right one.
    process::link(new_targets->victim);
    process::send(new_targets->victim, term::tuple_of(atom("exit_with"), atom("right")));
    {
        const auto got = co_await process::receive_exact<exit_signal>(event_bound);
        EXPECT_EQ(got, (exit_signal{new_targets->victim, term(atom("right"))}));
    }
    process::send(std::pair{atom("beam_targets"), beam_node_name}, atom("stop"));
    EXPECT_EQ(second.wait(), 0) << second.output();
}

TEST_F(BeamSignals, S74PidsOfARestartedBeamNodesEarlierIncarnationReachNobody) {
    runtime rt(rill_options("rill_restart@localhost"));
    dist::net_kernel net(rt, embedded_epmd_options());
    rt.run(restart_beam, net.epmd_port());
}

} // namespace
} // namespace rill
