// Process aliases between rill and real Erlang/OTP nodes (ALIAS_SEND,
// include/rill/signal/alias.hpp): BEAM's gen_server:call to a rill process
// gets its reply through the call's alias, and a reply after the call timed
// out is dropped on the BEAM side; a rill process calls a BEAM gen_server
// with an alias tag and drops the reply that comes after it gave up; plain
// sends to aliases cross both ways (tests/interop/erlang/rill_aliases.erl).
// Skipped when erl is not installed.

#include <rill/dist.hpp>
#include <rill/rill.hpp>

#include "dist/node/gen_reply.hpp"
#include "interop/beam_node.hpp"
#include "interop/beam_session.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace rill {
namespace {

using dist::internal::alias_of_tag;
using dist::internal::alias_tag;
using dist::internal::reply_to_call;
using test::beam_args;
using test::become_sink;
using test::embedded_epmd_options;
using test::expect_passed;
using test::next_report;
using test::rill_options;
using BeamAliases = test::needs_erl;

const std::string& cookie = test::interop_cookie;
const atom gen_call{"$gen_call"};
const atom gen_cast{"$gen_cast"};

bool is_tuple_of(const term& t, std::size_t size, atom first) {
    return t.is_tuple() && t.elements().size() == size && t.elements()[0].is_atom(first);
}

// The rill process BEAM calls (see rill_aliases:call_rill/1), answering as
// gen:reply does (reply_to_call: through the alias of an `[alias | Alias]`
// tag). Counts the calls whose tag was an alias in `alias_tagged`.
task<> replier(int* alias_tagged) {
    process::register_name(process::self(), atom("replier"));
    std::optional<std::pair<pid, term>> held;
    for (;;) {
        const term m = co_await process::receive_exact<term>();
        if (is_tuple_of(m, 3, gen_call)) {
            const pid caller = m.elements()[1].elements()[0].as_pid();
            const term tag = m.elements()[1].elements()[1];
            const term& request = m.elements()[2];
            *alias_tagged += alias_of_tag(tag) ? 1 : 0;
            if (request.is_atom(atom("hold"))) {
                held.emplace(caller, tag);
            } else if (is_tuple_of(request, 2, atom("echo"))) {
                reply_to_call(caller, tag, request.elements()[1]);
            }
        } else if (is_tuple_of(m, 2, atom("release")) && held) {
            reply_to_call(held->first, held->second, term(atom("late")));
            process::send(m.elements()[1].as_pid(), atom("released"));
        } else if (is_tuple_of(m, 3, atom("send_to"))) {
            const term& target = m.elements()[1];
            if (target.is_reference()) {
                process::send(target.as_reference(), m.elements()[2]);
            } else {
                process::send(target.as_pid(), m.elements()[2]);
            }
        } else if (is_tuple_of(m, 2, atom("make_alias"))) {
            process::send(m.elements()[1].as_pid(),
                          term::tuple_of(atom("rill_alias"), process::alias()));
        } else if (is_tuple_of(m, 2, atom("from_beam"))) {
            process::send(m.elements()[1].as_pid(), term::tuple_of(atom("got_through_alias"), m));
            co_return;
        }
    }
}

TEST_F(BeamAliases, BeamCallsARillProcessRepliedThroughItsAliasAndALateReplyIsDropped) {
    runtime rt(rill_options("rill_aliased@localhost"));
    dist::net_kernel net(rt, embedded_epmd_options());
    int alias_tagged = 0;
    rt.spawn(replier, &alias_tagged);
    test::beam_verdict verdict;
    rt.run(test::run_beam_checks,
           net.epmd_port(),
           std::string("beam_alias_caller"),
           std::string("rill_aliases:call_rill('rill_aliased@localhost')"),
           &verdict);
    expect_passed(verdict.report, verdict.status, 9);
    EXPECT_EQ(alias_tagged, 2) << "OTP 25's gen_server:call tags its calls [alias | Ref]";
}

// One gen_server call from rill with an alias tag; the reply, or none
// within `wait`. The alias is ended either way.
task<std::optional<term>>
call_with_alias(std::pair<atom, atom> server, term request, std::chrono::milliseconds wait) {
    const reference alias = process::alias();
    const term tag = alias_tag(alias);
    process::send(server, term::tuple_of(gen_call, term::tuple_of(process::self(), tag), request));
    std::optional<term> got = co_await process::receive_reply<term>(
        alias,
        [&tag](const term& t) {
            return t.is_tuple() && t.elements().size() == 2 && t.elements()[0] == tag;
        },
        wait);
    const bool was_active = process::unalias(alias);
    EXPECT_TRUE(was_active);
    if (!got) {
        co_return std::nullopt;
    }
    co_return got->elements()[1];
}

task<> rill_calls_beam(std::uint16_t epmd_port) {
    become_sink();
    test::beam_node beam("beam_alias_server",
                         cookie,
                         epmd_port,
                         "rill_aliases:serve('rill_alias_caller@localhost')",
                         beam_args());
    {
        const std::optional<term> ready = co_await next_report();
        if (ready != std::optional<term>(term(atom("ready")))) {
            ADD_FAILURE() << "no ready report: " << beam.output();
            co_return;
        }
    }
    const std::pair<atom, atom> server{atom("rill_aliases"), atom("beam_alias_server@localhost")};
    {
        const std::optional<term> echoed =
            co_await call_with_alias(server, term::tuple_of(atom("echo"), 5), test::event_bound);
        EXPECT_EQ(echoed, std::optional<term>(term(5))) << "the reply came through the alias";
    }
    {
        // The server holds this call: it gives up after 100 ms, as a
        // gen_server:call with that timeout would.
        const std::optional<term> held =
            co_await call_with_alias(server, term(atom("hold")), std::chrono::milliseconds(100));
        EXPECT_FALSE(held.has_value());
        process::send(server,
                      term::tuple_of(gen_cast, term::tuple_of(atom("release"), process::self())));
        // The late reply left the server before `released`, so it is here
        // by now unless it was dropped.
        const std::optional<term> released =
            co_await process::receive_exact<term>(test::event_bound);
        EXPECT_EQ(released, std::optional<term>(term(atom("released"))));
        const std::optional<term> left =
            co_await process::receive_exact<term>(std::chrono::milliseconds(0));
        EXPECT_FALSE(left.has_value()) << "a late reply was kept: " << *left;
    }
    {
        const std::optional<term> stopped =
            co_await call_with_alias(server, term(atom("stop")), test::event_bound);
        EXPECT_EQ(stopped, std::optional<term>(term(atom("ok"))));
    }
    EXPECT_EQ(beam.wait(), 0) << beam.output();
}

TEST_F(BeamAliases, ARillCallToABeamGenServerTakesItsReplyThroughAnAliasAndDropsALateOne) {
    runtime rt(rill_options("rill_alias_caller@localhost"));
    dist::net_kernel net(rt, embedded_epmd_options());
    rt.run(rill_calls_beam, net.epmd_port());
}

} // namespace
} // namespace rill
