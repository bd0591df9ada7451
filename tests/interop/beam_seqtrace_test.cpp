// Sequential trace labels between rill and a real Erlang/OTP node
// (include/rill/process/trace.hpp; SEND_TT and REG_SEND_TT on the wire):
// a BEAM process's seq_trace label goes through a rill process and comes
// back with the serial Erlang would give it, rill's follower sees the rill
// side of that request, and a label started in rill goes through a BEAM
// process and comes back (tests/interop/erlang/rill_seqtrace.erl). Skipped
// when erl is not installed.

#include <rill/dist.hpp>
#include <rill/rill.hpp>

#include "interop/beam_node.hpp"
#include "interop/beam_session.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace rill {
namespace {

using test::embedded_epmd_options;
using test::expect_passed;
using test::rill_options;
using BeamSeqTrace = test::needs_erl;

bool is_tuple_of(const term& t, std::size_t size, atom first) {
    return t.is_tuple() && t.elements().size() == size && t.elements()[0].is_atom(first);
}

// Registered as `forwarder`: `{via_rill, To, X}` answers To `{hop, X}`;
// `{call_me, Echo, To}` calls Echo with a label of its own and tells To
// what the echo saw and which label it carries after the answer.
task<> forwarder() {
    process::register_name(process::self(), atom("forwarder"));
    for (;;) {
        const term m = co_await process::receive_exact<term>();
        if (is_tuple_of(m, 3, atom("via_rill"))) {
            process::send(m.elements()[1].as_pid(), term::tuple_of(atom("hop"), m.elements()[2]));
        } else if (is_tuple_of(m, 3, atom("call_me"))) {
            process::set_trace_label(term::tuple_of(atom("rill_request"), 9));
            process::send(m.elements()[1].as_pid(), term::tuple_of(process::self(), atom("x")));
            const term echoed = co_await process::receive_exact<term>(test::event_bound);
            const term held = process::trace_label();
            process::set_trace_label(term());
            const term saw = is_tuple_of(echoed, 3, atom("echoed")) ? echoed.elements()[2]
                                                                    : term(atom("no_echo"));
            process::send(m.elements()[2].as_pid(), term::tuple_of(atom("rill_saw"), saw, held));
            co_return;
        }
    }
}

// What rill's side of the BEAM label shows: events from any worker.
struct recorder final : trace_receiver {
    bool on_event(trace_event&& event) noexcept override {
        const std::lock_guard lock(mutex);
        lines.push_back(std::string(trace_event_kind_name(event.kind)) + " " + event.text);
        return true;
    }

    std::mutex mutex;
    std::vector<std::string> lines;
};

TEST_F(BeamSeqTrace, ALabelCrossesToRillAndBackAndRillsOwnCrossesToBeam) {
    runtime rt(rill_options("rill_seqtrace@localhost"));
    dist::net_kernel net(rt, embedded_epmd_options());
    auto seen = std::make_shared<recorder>();
    rt.follow(term::tuple_of(atom("beam_request"), 42), seen);
    rt.spawn(forwarder);
    test::beam_verdict verdict;
    rt.run(test::run_beam_checks,
           net.epmd_port(),
           std::string("beam_seqtrace"),
           std::string("rill_seqtrace:follow('rill_seqtrace@localhost')"),
           &verdict);
    expect_passed(verdict.report, verdict.status, 6);
    const std::lock_guard lock(seen->mutex);
    ASSERT_EQ(seen->lines.size(), 2U);
    EXPECT_EQ(seen->lines[0].rfind("received {via_rill,", 0), 0U) << seen->lines[0];
    EXPECT_EQ(seen->lines[1], "sent {hop,ping}");
}

} // namespace
} // namespace rill
