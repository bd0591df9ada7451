// rill against real Erlang/OTP nodes (Debian's erlang-nox), on loopback and
// on a private epmd port: the rill node runs an embedded epmd on a free
// port and each BEAM node is started with ERL_EPMD_PORT set to it, so
// parallel runs never meet. The BEAM side is tests/interop/erlang/
// rill_interop.erl; it reports to the test's `sink` process and exits with
// its verdict, and the test waits on both (no sleeps). Skipped when erl is
// not installed.

#include <rill/dist.hpp>
#include <rill/rill.hpp>

#include "interop/beam_node.hpp"
#include "interop/beam_session.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace rill {
namespace {

using namespace std::chrono_literals;
using test::beam_args;
using test::become_sink;
using test::embedded_epmd_options;
using test::next_report;
using test::rill_options;

const std::string& cookie = test::interop_cookie;

using BeamInterop = test::needs_erl;

task<> ping_from_beam(std::uint16_t epmd_port, std::optional<term>* report, int* status) {
    become_sink();
    test::beam_node beam(
        "beam_ping", cookie, epmd_port, "rill_interop:ping('rill_a@localhost')", beam_args());
    *report = co_await next_report();
    *status = beam.wait();
    if (*status != 0) {
        ADD_FAILURE() << beam.output();
    }
}

TEST_F(BeamInterop, BeamPingsRillAndGetsPong) {
    runtime rt(rill_options("rill_a@localhost"));
    dist::net_kernel net(rt, embedded_epmd_options());
    std::optional<term> report;
    int status = -1;
    rt.run(ping_from_beam, net.epmd_port(), &report, &status);
    ASSERT_TRUE(report.has_value());
    EXPECT_EQ(*report, term::tuple_of(atom("pinged"), atom("pong")));
    EXPECT_EQ(status, 0);
}

// {From, Tag, T} -> From ! {Tag, T}; notes the largest binary T it echoed
// in `largest_binary` unless null.
task<> echo_process(std::atomic<std::size_t>* largest_binary) {
    for (;;) {
        term request = co_await process::receive_exact<term>();
        if (request.is_tuple() && request.elements().size() == 3 &&
            request.elements()[0].is_pid()) {
            const term& echoed = request.elements()[2];
            if (largest_binary != nullptr && echoed.is_binary() &&
                echoed.bytes().size() > largest_binary->load()) {
                largest_binary->store(echoed.bytes().size());
            }
            process::send(request.elements()[0].as_pid(),
                          term::tuple_of(request.elements()[1], echoed));
        }
    }
}

// Registered by the spawner, so the name is taken before anyone can send
// to it.
void spawn_echo(std::atomic<std::size_t>* largest_binary) {
    process::register_name(process::spawn(echo_process, largest_binary), atom("echo"));
}

task<> echo_for_beam(std::uint16_t epmd_port,
                     std::optional<term>* report,
                     int* status,
                     std::atomic<std::size_t>* largest_binary) {
    become_sink();
    spawn_echo(largest_binary);
    test::beam_node beam("beam_echo",
                         cookie,
                         epmd_port,
                         "rill_interop:echo('rill_b@localhost', \"" RILL_ETF_VECTORS_FILE "\")",
                         beam_args());
    *report = co_await next_report();
    *status = beam.wait();
    if (*status != 0) {
        ADD_FAILURE() << beam.output();
    }
}

TEST_F(BeamInterop, EveryVectorBinariesOf1And64MegabytesAndDeepTermsComeBackEqual) {
    std::atomic<std::size_t> largest_binary{0}; // outlives the runtime and its echo process
    runtime rt(rill_options("rill_b@localhost"));
    dist::net_kernel net(rt, embedded_epmd_options());
    std::optional<term> report;
    int status = -1;
    rt.run(echo_for_beam, net.epmd_port(), &report, &status, &largest_binary);
    ASSERT_TRUE(report.has_value());
    ASSERT_TRUE(report->is_tuple()) << *report;
    EXPECT_TRUE(report->elements()[0].is_atom(atom("echoed")));
    EXPECT_GT(*report->elements()[1].to_int64(), 80); // every vector, not a few
    EXPECT_EQ(*report->elements()[2].to_int64(), 0) << *report;
    EXPECT_EQ(largest_binary.load(), std::size_t{64} << 20U); // the 64 MiB binary went through
    EXPECT_EQ(status, 0);
}

task<> talk_to_beam(std::uint16_t epmd_port, std::vector<term>* replies, bool* pinged) {
    become_sink();
    test::beam_node beam(
        "beam_srv", cookie, epmd_port, "rill_interop:serve('rill_c@localhost')", beam_args());
    const atom beam_node{"beam_srv@localhost"};
    std::optional<term> ready = co_await next_report();
    if (!ready || !ready->is_tuple() || ready->elements().size() != 2) {
        ADD_FAILURE() << "no beam_ready: " << beam.output();
        co_return;
    }
    *pinged = co_await dist::ping(beam_node);
    const pid beam_pid = ready->elements()[1].as_pid();
    EXPECT_EQ(dist::node(beam_pid), beam_node);

    // By pid, then by {Name, Node}.
    const reference tag1 = process::make_ref();
    process::send(beam_pid, term::tuple_of(process::self(), tag1, atom("by_pid")));
    replies->push_back(co_await process::receive_reply<term>(tag1));
    const reference tag2 = process::make_ref();
    process::send(std::pair{atom("beam_echo"), beam_node},
                  term::tuple_of(process::self(), tag2, std::string("by name")));
    replies->push_back(co_await process::receive_reply<term>(tag2));
    process::send(beam_pid, atom("stop"));
    EXPECT_EQ(beam.wait(), 0) << beam.output();
}

TEST_F(BeamInterop, RillPingsBeamAndSendsToItsPidsAndNames) {
    runtime rt(rill_options("rill_c@localhost"));
    dist::net_kernel net(rt, embedded_epmd_options());
    std::vector<term> replies;
    bool pinged = false;
    rt.run(talk_to_beam, net.epmd_port(), &replies, &pinged);
    EXPECT_TRUE(pinged);
    ASSERT_EQ(replies.size(), 2U);
    EXPECT_EQ(replies[0], term::tuple_of(atom("beam"), atom("by_pid")));
    EXPECT_EQ(replies[1], term::tuple_of(atom("beam"), term("by name")));
}

task<> ping_nobody(bool* pinged) {
    *pinged = co_await dist::ping(atom("nobody@localhost"));
}

TEST_F(BeamInterop, PingOfANodeNobodyRunsIsPang) {
    runtime rt(rill_options("rill_d@localhost"));
    dist::net_kernel net(rt, embedded_epmd_options());
    bool pinged = true;
    rt.run(ping_nobody, &pinged);
    EXPECT_FALSE(pinged);
}

TEST_F(BeamInterop, EpmdNamesListsARillNodeRegisteredWithTheEmbeddedEpmd) {
    runtime rt(rill_options("rill_e@localhost"));
    dist::net_kernel net(rt, embedded_epmd_options());
    ASSERT_TRUE(net.runs_embedded_epmd());
    const std::string command =
        "ERL_EPMD_PORT=" + std::to_string(net.epmd_port()) + " epmd -names 2>&1";
    std::string output;
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
        char buffer[256];
        while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) {
            output += buffer;
        }
        ::pclose(pipe);
    }
    EXPECT_NE(output.find("name rill_e at port " + std::to_string(net.port())), std::string::npos)
        << output;
}

// ---- Elixir ---------------------------------------------------------------------------------

class ElixirInterop : public ::testing::Test {
protected:
    void SetUp() override {
        if (!test::command_succeeds("elixir --version >/dev/null 2>&1")) {
            GTEST_SKIP() << "elixir is not installed";
        }
    }
};

// tests/interop/elixir/rill_client.exs on an Elixir node: it sends to the
// registered `echo` by {Name, Node}, checks the reply, reports it to `sink`.
task<> echo_for_elixir(std::uint16_t epmd_port, std::optional<term>* report, int* status) {
    become_sink();
    spawn_echo(nullptr);
    test::child_process elixir("elixir",
                               {"--sname",
                                "elixir_client@localhost",
                                "--cookie",
                                cookie,
                                "--hidden",
                                "--erl",
                                "-kernel inet_dist_use_interface {127,0,0,1}",
                                RILL_INTEROP_ELIXIR_DIR "/rill_client.exs",
                                "rill_f@localhost"},
                               {{"ERL_EPMD_PORT", std::to_string(epmd_port)}});
    *report = co_await next_report();
    *status = elixir.wait();
    if (*status != 0 || !report->has_value()) {
        ADD_FAILURE() << elixir.output();
    }
}

TEST_F(ElixirInterop, AnElixirNodeSendsToARegisteredRillProcessByNameAndGetsTheReply) {
    runtime rt(rill_options("rill_f@localhost"));
    dist::net_kernel net(rt, embedded_epmd_options());
    std::optional<term> report;
    int status = -1;

    rt.run(echo_for_elixir, net.epmd_port(), &report, &status);

    ASSERT_TRUE(report.has_value());
    ASSERT_TRUE(report->is_tuple() && report->elements().size() == 2) << *report;
    EXPECT_TRUE(report->elements()[0].is_atom(atom("elixir_echoed"))) << *report;
    const term& echoed = report->elements()[1];
    ASSERT_TRUE(echoed.is_tuple() && echoed.elements().size() == 4) << *report;
    EXPECT_EQ(echoed.elements()[0], term(atom("elixir")));
    EXPECT_EQ(echoed.elements()[1], term("hello from Elixir"));
    EXPECT_EQ(echoed.elements()[2],
              term::list_of(
                  1, term::from_double(2.5), term::map({{term(atom("a")), term::from_int64(1)}})));
    EXPECT_EQ(dist::node(echoed.elements()[3].as_pid()), atom("elixir_client@localhost"));
    EXPECT_EQ(status, 0); // the Elixir side found the reply equal to what it sent
}

} // namespace
} // namespace rill
