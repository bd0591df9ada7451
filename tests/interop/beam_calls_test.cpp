// Remote calls between rill and real Erlang/OTP nodes
// (include/rill/dist/remote_calls.hpp). Into rill: a BEAM node calls the
// functions the rill node registered with rpc:call, erpc:call and remote
// spawns, and checks each answer against what a BEAM node gives
// (tests/interop/erlang/rill_calls.erl). Out of rill: a rill process calls
// BEAM functions with dist::rpc and starts a BEAM process with
// dist::spawn. Skipped when erl is not installed.

#include <rill/dist.hpp>
#include <rill/rill.hpp>

#include "interop/beam_node.hpp"
#include "interop/beam_session.hpp"

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
using BeamCalls = test::needs_erl;

const std::string& cookie = test::interop_cookie;

task<term> reverse_later(std::vector<term> args) {
    co_await process::yield(); // a coroutine may wait before it answers
    co_return term::list(std::vector<term>(args.rbegin(), args.rend()));
}

// The `calc` module other nodes call: add(A, B), reverse(Args...) (a
// coroutine), fail() (a C++ exception), raise(Class, Reason).
void register_calc(dist::net_kernel& net) {
    const atom calc{"calc"};
    net.register_function(calc, atom("add"), [](std::vector<term> args) {
        if (args.size() != 2 || !args[0].to_int64() || !args[1].to_int64()) {
            throw dist::erlang_exception(atoms::error, term(atoms::badarg));
        }
        return term::from_int64(*args[0].to_int64() + *args[1].to_int64());
    });
    net.register_function(calc, atom("reverse"), dist::remote_coroutine(reverse_later));
    net.register_function(calc, atom("fail"), [](std::vector<term> /*args*/) -> term {
        throw std::runtime_error("boom");
    });
    net.register_function(calc, atom("raise"), [](std::vector<term> args) -> term {
        throw dist::erlang_exception(args.at(0).as_atom(), args.at(1));
    });
}

TEST_F(BeamCalls, RpcErpcAndRemoteSpawnsFromBeamRunRegisteredFunctionsAndFailAsErlangDoes) {
    runtime rt(rill_options("rill_callee@localhost"));
    dist::net_kernel net(rt, embedded_epmd_options());
    register_calc(net);
    test::beam_verdict verdict;
    rt.run(test::run_beam_checks,
           net.epmd_port(),
           std::string("beam_caller"),
           std::string("rill_calls:call_rill('rill_callee@localhost')"),
           &verdict);
    expect_passed(verdict.report, verdict.status, 19);
}

task<> rill_calls_beam(std::uint16_t epmd_port) {
    become_sink();
    test::beam_node beam(
        "beam_callee", cookie, epmd_port, "rill_calls:serve('rill_caller@localhost')", beam_args());
    {
        const std::optional<term> ready = co_await next_report();
        if (ready != std::optional<term>(term(atom("ready")))) {
            ADD_FAILURE() << "no ready report: " << beam.output();
            co_return;
        }
    }
    const atom beam_node{"beam_callee@localhost"};
    {
        std::vector<term> args;
        args.push_back(term::list_of(1, 2, 3));
        const term reversed =
            co_await dist::rpc(beam_node, atom("lists"), atom("reverse"), std::move(args));
        EXPECT_EQ(reversed, term::list_of(3, 2, 1));
    }
    {
        const term undef =
            co_await dist::rpc(beam_node, atom("nosuch"), atom("f"), std::vector<term>());
        const term frame =
            term::tuple_of(atom("nosuch"), atom("f"), term::list_of(), term::list_of());
        const term reason = term::tuple_of(atom("undef"), term::list_of(frame));
        EXPECT_EQ(undef, term::tuple_of(atom("badrpc"), term::tuple_of(atoms::EXIT, reason)));
    }
    {
        const term down = co_await dist::rpc(
            atom("nosuch@localhost"), atom("lists"), atom("reverse"), std::vector<term>());
        EXPECT_EQ(down, term::tuple_of(atom("badrpc"), atom("nodedown")));
    }
    {
        std::vector<term> args;
        args.emplace_back(process::self());
        const pid greeter =
            co_await dist::spawn(beam_node, atom("rill_calls"), atom("greet"), std::move(args));
        EXPECT_EQ(dist::node(greeter), beam_node);
        const std::optional<term> greeting =
            co_await process::receive_exact<term>(test::event_bound);
        EXPECT_EQ(greeting, std::optional<term>(term::tuple_of(atom("greetings_from"), greeter)));
    }
    process::send(std::pair{atom("rill_calls"), beam_node}, atom("stop"));
    EXPECT_EQ(beam.wait(), 0) << beam.output();
}

TEST_F(BeamCalls, ARillProcessCallsBeamFunctionsWithRpcAndStartsBeamProcessesWithSpawn) {
    runtime rt(rill_options("rill_caller@localhost"));
    dist::net_kernel net(rt, embedded_epmd_options());
    rt.run(rill_calls_beam, net.epmd_port());
}

} // namespace
} // namespace rill
