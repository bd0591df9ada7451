// rill::otp against real Erlang/OTP 25 nodes (include/rill/otp/): BEAM's
// gen_server, sys and supervisor client functions reach a rill gen_server
// and supervisor, and otp::call reaches a BEAM gen_server with OTP's
// results and exit reasons (tests/interop/erlang/rill_otp.erl). Skipped
// when erl is not installed.

#include <rill/dist.hpp>
#include <rill/otp.hpp>
#include <rill/rill.hpp>

#include "interop/beam_node.hpp"
#include "interop/beam_session.hpp"
#include "interop/child_process.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace rill {
namespace {

using test::beam_args;
using test::become_sink;
using test::embedded_epmd_options;
using test::expect_passed;
using test::next_report;
using test::rill_options;
using BeamOtp = test::needs_erl;

const std::string& cookie = test::interop_cookie;

/// The server BEAM calls: `{add, N}` and `get` answer the total; `slow`
/// is answered only after `release` is, and late for a caller that gave
/// up after 100 ms.
struct counter : otp::gen_server {
    otp::call_result<term> handle_call(const term& request, const otp::from& caller) {
        if (request.is_tuple() && request.elements().size() == 2) {
            total += request.elements()[1].as<std::int64_t>();
            return term(total);
        }
        if (request.is_atom(atom("slow"))) {
            held = caller;
            return otp::noreply();
        }
        if (request.is_atom(atom("release")) && held) {
            otp::reply(caller, atom("released"));
            otp::reply(*held, atom("late"));
            held.reset();
            return otp::noreply();
        }
        return term(total);
    }

    void handle_cast(const term& request) { total += request.elements()[1].as<std::int64_t>(); }

    [[nodiscard]] term state() const { return term(total); }

    std::int64_t total = 0;
    std::optional<otp::from> held;
};

struct plain_worker : otp::gen_server {};

task<> serve_beam(std::uint16_t epmd_port, test::beam_verdict* verdict, bool* stopped) {
    // Not linked to what it starts: the test process is the sink of BEAM's
    // reports, and must see nothing else.
    const otp::local_name counter_name{atom("counter")};
    otp::start_result<counter> server = co_await otp::start<counter>(counter_name);
    std::vector<otp::child_spec> children{otp::worker<plain_worker>(atom("worker_one"))};
    const otp::local_name sup_name{atom("rill_sup")};
    const otp::supervisor_flags flags;
    otp::start_result<otp::supervisor> sup =
        co_await otp::start<otp::supervisor>(sup_name, flags, children);
    EXPECT_TRUE(server.ok() && sup.ok());
    co_await test::run_beam_checks(epmd_port,
                                   std::string("beam_otp_caller"),
                                   std::string("rill_otp:call_rill('rill_otp@localhost')"),
                                   verdict);
    // gen_server:stop returned (a check) only once the server was gone.
    *stopped = !process::alive(server.server_pid());
}

TEST_F(BeamOtp, BeamsClientFunctionsReachRillsGenServerAndSupervisor) {
    runtime rt(rill_options("rill_otp@localhost"));
    dist::net_kernel net(rt, embedded_epmd_options());
    test::beam_verdict verdict;
    bool stopped = false;
    rt.run(serve_beam, net.epmd_port(), &verdict, &stopped);

    expect_passed(verdict.report, verdict.status, 15);
    EXPECT_TRUE(stopped) << "gen_server:stop ended the server";
}

/// What rill's calls to BEAM's `beam_counter` gave.
struct beam_results {
    std::vector<term> replies;
    std::vector<term> exits;
    std::size_t left_in_mailbox = 0;
};

task<> try_call(std::pair<atom, atom> server,
                term request,
                std::optional<std::chrono::milliseconds> timeout,
                beam_results* out) {
    try {
        term reply;
        if (timeout) {
            reply = co_await otp::call(server, std::move(request), *timeout);
        } else {
            reply = co_await otp::call(server, std::move(request));
        }
        out->replies.push_back(std::move(reply));
    } catch (const exit_exception& e) {
        out->exits.push_back(e.reason());
    }
}

task<> call_beam(std::uint16_t epmd_port, beam_results* out) {
    become_sink();
    test::beam_node beam("beam_otp_server",
                         cookie,
                         epmd_port,
                         "rill_otp:serve('rill_otp_caller@localhost')",
                         beam_args());
    const std::optional<term> ready = co_await next_report();
    if (ready != std::optional<term>(term(atom("ready")))) {
        ADD_FAILURE() << "no ready report: " << beam.output();
        co_return;
    }
    const std::pair<atom, atom> server{atom("beam_counter"), atom("beam_otp_server@localhost")};
    co_await try_call(server, term::tuple_of(atom("add"), 4), std::nullopt, out);
    otp::cast(server, term::tuple_of(atom("add"), 1));
    co_await try_call(server, term(atom("get")), std::nullopt, out);
    co_await try_call(server, term(atom("hold")), std::chrono::milliseconds(100), out);
    co_await try_call(server, term(atom("crash")), std::nullopt, out);
    co_await try_call(server, term(atom("get")), std::nullopt, out);
    process::send(std::pair<atom, atom>(atom("rill_otp"), atom("beam_otp_server@localhost")),
                  atom("stop"));
    out->left_in_mailbox = (co_await process::info(process::self()))->message_queue_length;
    EXPECT_EQ(beam.wait(), 0) << beam.output();
}

TEST_F(BeamOtp, OtpCallReachesABeamGenServerWithOtpsResultsAndExitReasons) {
    runtime rt(rill_options("rill_otp_caller@localhost"));
    dist::net_kernel net(rt, embedded_epmd_options());
    beam_results got;
    rt.run(call_beam, net.epmd_port(), &got);

    const term server = term::tuple_of(atom("beam_counter"), atom("beam_otp_server@localhost"));
    EXPECT_EQ(got.replies, (std::vector<term>{term(4), term(5)}));
    ASSERT_EQ(got.exits.size(), 3U);
    EXPECT_EQ(got.exits[0],
              term::tuple_of(atom("timeout"),
                             term::tuple_of(atom("gen_server"),
                                            atom("call"),
                                            term::list_of(server, atom("hold"), 100))));
    EXPECT_EQ(got.exits[1],
              term::tuple_of(atom("boom"),
                             term::tuple_of(atom("gen_server"),
                                            atom("call"),
                                            term::list_of(server, atom("crash")))));
    EXPECT_EQ(
        got.exits[2],
        term::tuple_of(
            atom("noproc"),
            term::tuple_of(atom("gen_server"), atom("call"), term::list_of(server, atom("get")))));
    EXPECT_EQ(got.left_in_mailbox, 0U);
}

class ElixirGenServer : public ::testing::Test {
protected:
    void SetUp() override {
        if (!test::command_succeeds("elixir --version >/dev/null 2>&1")) {
            GTEST_SKIP() << "elixir is not installed";
        }
    }
};

task<> serve_elixir(std::uint16_t epmd_port, std::optional<term>* report, int* status) {
    become_sink();
    const otp::local_name counter_name{atom("counter")};
    otp::start_result<counter> server = co_await otp::start<counter>(counter_name);
    EXPECT_TRUE(server.ok());
    test::child_process elixir("elixir",
                               {"--sname",
                                "elixir_gen_client@localhost",
                                "--cookie",
                                cookie,
                                "--hidden",
                                "--erl",
                                "-kernel inet_dist_use_interface {127,0,0,1}",
                                RILL_INTEROP_ELIXIR_DIR "/rill_genserver_client.exs",
                                "rill_ex_otp@localhost"},
                               {{"ERL_EPMD_PORT", std::to_string(epmd_port)}});
    *report = co_await next_report();
    *status = elixir.wait();
    if (*status != 0) {
        ADD_FAILURE() << elixir.output();
    }
}

TEST_F(ElixirGenServer, ElixirsGenServerCallAndCastReachARillGenServer) {
    runtime rt(rill_options("rill_ex_otp@localhost"));
    dist::net_kernel net(rt, embedded_epmd_options());
    std::optional<term> report;
    int status = -1;
    rt.run(serve_elixir, net.epmd_port(), &report, &status);

    EXPECT_EQ(report,
              std::optional<term>(term::tuple_of(
                  atom("elixir_calls"), term::list_of(2, atom("ok"), 42, atom("noproc")))));
    EXPECT_EQ(status, 0);
}

} // namespace
} // namespace rill
