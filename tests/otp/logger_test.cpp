// The logger and the reports gen_servers and supervisors write
// (include/rill/otp/logger.hpp), on one deterministic node.

#include <rill/otp.hpp>
#include <rill/rill.hpp>
#include <rill/testing.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace rill {
namespace {

using testing::deterministic_options;

task<> install_logger(otp::log_level level, std::vector<otp::log_event>* out) {
    otp::logger_options options;
    options.level = level;
    options.sink = [out](const otp::log_event& e) {
        out->push_back(e);
    };
    (void)otp::start_logger(std::move(options));
    co_return;
}

/// The value of `key` in a report `[{Key, Value}, ...]`.
std::optional<term> item(const term& report, const char* key) {
    for (const term& entry : report.list_elements()) {
        if (entry.is_tuple() && entry.elements().size() == 2 &&
            entry.elements()[0] == term(atom(key))) {
            return entry.elements()[1];
        }
    }
    return std::nullopt;
}

struct crasher : otp::gen_server {
    otp::result handle_cast(const term& request) { return otp::stop_with(request); }
};

task<> start_crasher(pid* out) {
    process::trap_exit(true);
    const otp::local_name name{atom("crasher")}; // not braced inside the co_await (GCC 12)
    otp::start_result<crasher> started = co_await otp::start_link<crasher>(name);
    *out = started.server_pid();
    (void)co_await process::receive_any();
}

struct Logger : ::testing::Test {
    std::vector<otp::log_event> events;
    runtime rt{deterministic_options()};

    void install(otp::log_level level = otp::log_level::notice) {
        rt.spawn(install_logger, level, &events);
        rt.run_until_idle();
    }

    std::vector<otp::log_event> of_kind(const char* kind) const {
        std::vector<otp::log_event> out;
        for (const otp::log_event& e : events) {
            if (e.kind == atom(kind)) {
                out.push_back(e);
            }
        }
        return out;
    }
};

TEST_F(Logger, AServerThatEndsAbnormallyWritesACrashReport) {
    install();
    pid server;
    rt.spawn(start_crasher, &server);
    rt.run_until_idle();
    rt.spawn(+[]() -> task<> {
        otp::cast(otp::server_ref<>(atom("crasher")), term(atom("boom")));
        co_return;
    });
    rt.run_until_idle();

    const auto reports = of_kind("crash_report");
    ASSERT_EQ(reports.size(), 1U);
    EXPECT_EQ(reports[0].level, otp::log_level::error);
    EXPECT_EQ(reports[0].origin, server);
    EXPECT_EQ(item(reports[0].report, "reason"), term(atom("boom")));
    EXPECT_EQ(item(reports[0].report, "registered_name"), term(atom("crasher")));
    EXPECT_EQ(item(reports[0].report, "last_message"),
              term::tuple_of(atom("$gen_cast"), atom("boom")));
    const std::string text = otp::format(reports[0]);
    EXPECT_NE(text.find("=CRASH REPORT===="), std::string::npos) << text;
    EXPECT_NE(text.find("reason: boom"), std::string::npos) << text;
}

TEST_F(Logger, AnOrderlyEndWritesNoCrashReport) {
    install();
    pid server;
    rt.spawn(start_crasher, &server);
    rt.run_until_idle();
    rt.spawn(+[]() -> task<> {
        otp::cast(otp::server_ref<>(atom("crasher")),
                  term::tuple_of(atom("shutdown"), atom("bye")));
        co_return;
    });
    rt.run_until_idle();

    EXPECT_FALSE(rt.is_alive(server));
    EXPECT_TRUE(of_kind("crash_report").empty());
}

struct worker : otp::gen_server {
    otp::result handle_cast(const term& request) { return otp::stop_with(request); }
};

task<> start_tree(pid* sup) {
    process::trap_exit(true);
    std::vector<otp::child_spec> children{otp::worker<worker>(atom("w"))};
    otp::start_result<otp::supervisor> started =
        co_await otp::start_link<otp::supervisor>(otp::supervisor_flags{}, children);
    *sup = started.server_pid();
    (void)co_await process::receive_any();
}

task<> crash_worker(pid sup) {
    std::vector<otp::child_info> children = co_await otp::which_children(otp::server_ref<>(sup));
    otp::cast(otp::server_ref<>(*children[0].process), term(atom("boom")));
}

TEST_F(Logger, SupervisorsReportChildrenThatEndAndTheIntensityReached) {
    install(otp::log_level::info);
    pid sup;
    rt.spawn(start_tree, &sup);
    rt.run_until_idle();
    ASSERT_EQ(of_kind("progress").size(), 1U);
    rt.spawn(crash_worker, sup);
    rt.run_until_idle();
    rt.spawn(crash_worker, sup);
    rt.run_until_idle();

    const auto reports = of_kind("supervisor_report");
    ASSERT_EQ(reports.size(), 3U);
    EXPECT_EQ(item(reports[0].report, "errorContext"), term(atom("child_terminated")));
    EXPECT_EQ(item(reports[0].report, "reason"), term(atom("boom")));
    EXPECT_EQ(item(*item(reports[0].report, "offender"), "id"), term(atom("w")));
    EXPECT_EQ(item(reports[2].report, "errorContext"), term(atom("shutdown")));
    EXPECT_EQ(item(reports[2].report, "reason"), term(atom("reached_max_restart_intensity")));
    EXPECT_EQ(of_kind("progress").size(), 2U); // the first start and the one restart
}

TEST_F(Logger, EventsBelowTheLevelAreDropped) {
    install(otp::log_level::notice);
    pid sup;
    rt.spawn(start_tree, &sup);
    rt.run_until_idle();

    EXPECT_TRUE(of_kind("progress").empty());
}

TEST_F(Logger, ANodeHasOneLogger) {
    install();
    bool refused = false;
    rt.spawn(
        +[](bool* out) -> task<> {
            try {
                (void)otp::start_logger({});
            } catch (const badarg&) {
                *out = true;
            }
            co_return;
        },
        &refused);
    rt.run_until_idle();

    EXPECT_TRUE(refused);
}

task<> add_handler(otp::log_level level, std::vector<otp::log_event>* out) {
    otp::add_log_handler(
        atom("extra"), level, [out](const otp::log_event& e) { out->push_back(e); });
    co_return;
}

task<> log_two_events() {
    otp::log(otp::log_level::error, atom("first"), term(1));
    otp::log(otp::log_level::notice, atom("second"), term(2));
    co_return;
}

TEST_F(Logger, AnAddedHandlerSeesTheEventsAtItsLevelAfterTheSink) {
    install();
    std::vector<otp::log_event> handled;
    rt.spawn(add_handler, otp::log_level::error, &handled);
    rt.run_until_idle();
    rt.spawn(log_two_events);
    rt.run_until_idle();

    ASSERT_EQ(events.size(), 2u);
    ASSERT_EQ(handled.size(), 1u);
    EXPECT_EQ(handled[0].kind, atom("first"));
}

TEST_F(Logger, ARemovedHandlerSeesNothingMore) {
    install();
    std::vector<otp::log_event> handled;
    rt.spawn(add_handler, otp::log_level::debug, &handled);
    rt.run_until_idle();
    rt.spawn(+[]() -> task<> {
        otp::remove_log_handler(atom("extra"));
        co_return;
    });
    rt.run_until_idle();
    rt.spawn(log_two_events);
    rt.run_until_idle();

    EXPECT_EQ(events.size(), 2u);
    EXPECT_TRUE(handled.empty());
}

TEST_F(Logger, AddingAHandlerStartsTheLoggerWhenTheNodeHasNone) {
    std::vector<otp::log_event> handled;
    rt.spawn(add_handler, otp::log_level::debug, &handled);
    rt.run_until_idle();
    rt.spawn(+[]() -> task<> {
        otp::log(otp::log_level::error, atom("first"), term(1));
        co_return;
    });
    rt.run_until_idle();

    ASSERT_EQ(handled.size(), 1u);
    EXPECT_EQ(handled[0].report, term(1));
}

} // namespace
} // namespace rill
