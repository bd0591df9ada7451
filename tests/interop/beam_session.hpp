#pragma once

// What the tests against real BEAM nodes share: the rill node's options
// (an embedded epmd on a free port, whose port the BEAM nodes get as
// ERL_EPMD_PORT, so parallel runs never meet), the BEAM nodes' arguments,
// and the `sink` protocol: the BEAM side sends `{report, From, Message}` to
// the rill process registered as `sink`, which acknowledges it (the BEAM
// node halts only then, so nothing it sent is lost).

#include <rill/dist.hpp>
#include <rill/rill.hpp>

#include "interop/beam_node.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace rill::test {

// A generous bound on waits that normally end in milliseconds: it only
// turns a hang into a failure.
inline constexpr std::chrono::seconds event_bound{60};

inline const std::string interop_cookie = "interop";

inline runtime_options rill_options(const char* name) {
    runtime_options options;
    options.workers = 2;
    options.node_name = name;
    options.cookie = interop_cookie;
    options.long_slice_threshold = std::chrono::milliseconds(0); // erl runs in a worker's slice
    return options;
}

inline dist::options embedded_epmd_options() {
    dist::options options;
    options.epmd = dist::epmd_mode::embedded;
    options.epmd_port = 0; // any free port: ERL_EPMD_PORT for the BEAM nodes
    return options;
}

inline std::vector<std::string> beam_args() {
    return {"-pa", RILL_INTEROP_BEAM_DIR};
}

// A test that needs `erl`: skipped when it is not installed.
class needs_erl : public ::testing::Test {
protected:
    void SetUp() override {
        if (!erl_available()) {
            GTEST_SKIP() << "erl is not installed (Debian package erlang-nox)";
        }
    }
};

// The test's mailbox on the rill node: registered as `sink`.
inline void become_sink() {
    process::register_name(process::self(), atom("sink"));
}

// The next `{report, From, Message}` from the BEAM side: acknowledged and
// its Message returned.
inline task<std::optional<term>> next_report() {
    std::optional<term> report = co_await process::receive_exact<term>(event_bound);
    if (!report || !report->is_tuple() || report->elements().size() != 3 ||
        !report->elements()[1].is_pid()) {
        co_return report;
    }
    process::send(report->elements()[1].as_pid(), atom("report_ack"));
    co_return report->elements()[2];
}

// The verdict a checking BEAM node reports ({Label, Checks, Failed}) and
// its exit status.
struct beam_verdict {
    std::optional<term> report;
    int status = -1;
};

// Runs `expression` on a BEAM node called `name`, with the calling process
// as the sink, and takes its verdict.
inline task<> run_beam_checks(std::uint16_t epmd_port,
                              std::string name,
                              std::string expression,
                              beam_verdict* verdict) {
    become_sink();
    beam_node beam(name, interop_cookie, epmd_port, expression, beam_args());
    verdict->report = co_await next_report();
    verdict->status = beam.wait();
    if (verdict->status != 0 || !verdict->report.has_value()) {
        ADD_FAILURE() << beam.output();
    }
}

// A verdict of `checks` checks with none failed, from a node that exited 0.
inline void expect_passed(const std::optional<term>& verdict, int status, std::size_t checks) {
    ASSERT_TRUE(verdict.has_value());
    ASSERT_TRUE(verdict->is_tuple() && verdict->elements().size() == 3) << *verdict;
    EXPECT_EQ(verdict->elements()[1], term::from_int64(static_cast<std::int64_t>(checks)));
    EXPECT_EQ(verdict->elements()[2], term::list_of()) << "failed checks: " << *verdict;
    EXPECT_EQ(status, 0);
}

} // namespace rill::test
