// observer::take_snapshot and observer::prometheus_metrics
// (include/rill/observer/), on a deterministic node: what a snapshot lists
// and what /metrics says, checked by parsing the exposition text.

#include <rill/observer.hpp>
#include <rill/otp.hpp>
#include <rill/rill.hpp>
#include <rill/testing.hpp>

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace rill {
namespace {

using testing::deterministic_options;

task<> waits_for_a_string() {
    (void)co_await process::receive_exact<std::string>();
}

struct counter : otp::gen_server {
    term state() const { return term(count); }

    int count = 41;
};

task<> start_counter(pid* out) {
    const otp::local_name name{atom("counter")};
    otp::start_result<counter> started = co_await otp::start<counter>(name);
    *out = started.server_pid();
}

/// A node with `idle` waiting processes, one holding three queued
/// messages, and one registered gen_server.
struct busy_node {
    runtime rt{deterministic_options()};
    pid holder;
    pid server;

    explicit busy_node(int idle) {
        for (int i = 0; i < idle; ++i) {
            rt.spawn(waits_for_a_string);
        }
        holder = rt.spawn(waits_for_a_string);
        rt.run_until_idle();
        for (int i = 0; i < 3; ++i) {
            rt.send(holder, i); // not a string: stays queued
        }
        rt.spawn(start_counter, &server);
        rt.run_until_idle();
    }
};

const observer::process_row* row_of(const observer::snapshot& shot, const pid& p) {
    for (const observer::process_row& row : shot.processes) {
        if (row.summary.self == p) {
            return &row;
        }
    }
    return nullptr;
}

task<> labelled_worker() {
    process::set_label("batch importer");
    (void)co_await process::receive_exact<std::string>();
}

TEST(ObserverSnapshot, AProcessLabelIsShownAsItsLabel) {
    runtime rt(deterministic_options());
    const pid worker = rt.spawn(labelled_worker);
    rt.run_until_idle();
    const observer::snapshot shot = observer::take_snapshot(rt);
    const observer::process_row* row = row_of(shot, worker);
    ASSERT_NE(row, nullptr);
    EXPECT_EQ(row->label, "batch importer");
}

TEST(ObserverSnapshot, ListsEveryProcessWithItsQueueNameAndClass) {
    busy_node node(2000);
    const observer::snapshot shot = observer::take_snapshot(node.rt);

    EXPECT_EQ(shot.node, node.rt.node());
    EXPECT_EQ(shot.totals.processes, node.rt.process_count());
    EXPECT_EQ(shot.processes.size(), 2002U);
    EXPECT_EQ(shot.totals.servers, 1U);
    EXPECT_EQ(shot.totals.queued_messages, 3U);
    EXPECT_EQ(shot.totals.spawned, node.rt.spawned_count());
    EXPECT_EQ(shot.totals.exited, shot.totals.spawned - shot.totals.processes);
    EXPECT_GT(shot.totals.exited, 0U); // the starter of the gen_server
    EXPECT_EQ(shot.schedulers.workers.size(), 1U);
    EXPECT_TRUE(shot.connections.empty());

    const observer::process_row* holder = row_of(shot, node.holder);
    ASSERT_NE(holder, nullptr);
    EXPECT_EQ(holder->summary.message_queue_length, 3U);
    EXPECT_EQ(holder->summary.status, process_status::waiting);
    EXPECT_TRUE(holder->label.empty());

    const observer::process_row* server = row_of(shot, node.server);
    ASSERT_NE(server, nullptr);
    EXPECT_EQ(server->summary.registered_name, atom("counter"));
    EXPECT_NE(server->label.find("counter"), std::string::npos) << server->label;

    std::size_t memory = 0;
    for (const observer::process_row& row : shot.processes) {
        memory += row.summary.memory;
    }
    EXPECT_EQ(shot.totals.process_memory, memory);
}

/// One sample of the exposition text.
struct sample {
    std::string name;
    std::map<std::string, std::string> labels;
    double value = 0;
};

/// The exposition format 0.0.4, strictly: HELP and TYPE before a family's
/// samples, names and labels of the allowed characters, a number last.
/// Fails the test on any other line.
std::vector<sample> parse_exposition(const std::string& text,
                                     std::map<std::string, std::string>* types) {
    static const std::regex help(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$)");
    static const std::regex type(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge)$)");
    static const std::regex line(
        R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?[0-9.eE+-]+|NaN|\+Inf|-Inf)$)");
    static const std::regex label(R"re(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?)re");
    std::vector<sample> samples;
    std::set<std::string> helped;
    std::istringstream in(text);
    std::string row;
    while (std::getline(in, row)) {
        std::smatch m;
        if (std::regex_match(row, m, help)) {
            helped.insert(m[1]);
        } else if (std::regex_match(row, m, type)) {
            EXPECT_TRUE(helped.contains(m[1])) << "TYPE before HELP: " << row;
            EXPECT_FALSE(types->contains(m[1])) << "family twice: " << row;
            (*types)[m[1]] = m[2];
        } else if (std::regex_match(row, m, line)) {
            EXPECT_TRUE(types->contains(m[1])) << "sample before its TYPE: " << row;
            sample s{m[1], {}, std::stod(m[4])};
            const std::string labels = m[3];
            for (auto it = std::sregex_iterator(labels.begin(), labels.end(), label);
                 it != std::sregex_iterator();
                 ++it) {
                s.labels[(*it)[1]] = (*it)[2];
            }
            samples.push_back(std::move(s));
        } else {
            ADD_FAILURE() << "not exposition format: " << row;
        }
    }
    return samples;
}

TEST(ObserverMetrics, ExpositionParsesWithConventionalNamesAndBoundedLabels) {
    busy_node node(500);
    const std::string text = observer::prometheus_metrics(observer::take_snapshot(node.rt));
    std::map<std::string, std::string> types;
    const std::vector<sample> samples = parse_exposition(text, &types);

    std::map<std::string, double> single;
    std::map<std::string, double> memory_by_kind;
    std::size_t top_series = 0;
    bool holder_on_top = false;
    for (const sample& s : samples) {
        if (s.labels.empty()) {
            single[s.name] = s.value;
        }
        if (s.name == "rill_process_message_queue_length") {
            ++top_series;
            holder_on_top = holder_on_top ||
                            (s.labels.at("pid") == "<0." + std::to_string(node.holder.id) + "." +
                                                       std::to_string(node.holder.serial) + ">" &&
                             s.value == 3);
        }
        if (s.name == "rill_memory_bytes") {
            memory_by_kind[s.labels.at("kind")] = s.value;
        }
        if (s.name == "rill_scheduler_utilization") {
            EXPECT_EQ(s.labels.at("worker"), "0");
            EXPECT_GE(s.value, 0.0);
            EXPECT_LE(s.value, 1.0);
        }
    }
    for (const auto& [name, kind] : types) {
        EXPECT_EQ(name.rfind("rill_", 0), 0U) << name;
        EXPECT_EQ(kind == "counter", name.ends_with("_total")) << name;
    }
    EXPECT_EQ(single.at("rill_processes"), static_cast<double>(node.rt.process_count()));
    EXPECT_EQ(single.at("rill_queued_messages"), 3.0);
    EXPECT_EQ(types.at("rill_memory_bytes"), "gauge");
    EXPECT_EQ(types.at("rill_messages_sent_total"), "counter");
    EXPECT_GE(memory_by_kind.at("process_blocks"), 500.0 * 64);
    EXPECT_GT(memory_by_kind.at("process_table"), 0.0);
    EXPECT_GT(memory_by_kind.at("atoms"), 0.0);
    EXPECT_GT(memory_by_kind.at("queued_messages"), 0.0); // the holder's three
    EXPECT_TRUE(memory_by_kind.contains("small_blocks"));
    EXPECT_EQ(single.at("rill_otp_servers"), 1.0);
    EXPECT_EQ(single.at("rill_processes_spawned_total"),
              single.at("rill_processes") + single.at("rill_processes_exited_total"));
    EXPECT_EQ(single.at("rill_dist_connections"), 0.0);
    EXPECT_TRUE(types.contains("rill_scheduler_slices_total"));
    EXPECT_TRUE(types.contains("rill_dist_bytes_sent_total"));
    EXPECT_EQ(types.at("rill_dist_busy_events_total"), "counter");
    EXPECT_EQ(top_series, 1U); // only the holder has a queue
    EXPECT_TRUE(holder_on_top);
    // Bounded: one series per worker, per peer, per top-N process; not per process.
    EXPECT_LT(samples.size(), 60U);
}

TEST(ObserverMetrics, TopNCutsTheQueueFamily) {
    runtime rt(deterministic_options());
    std::vector<pid> holders;
    for (int i = 0; i < 30; ++i) {
        holders.push_back(rt.spawn(waits_for_a_string));
    }
    rt.run_until_idle();
    for (std::size_t i = 0; i < holders.size(); ++i) {
        for (std::size_t k = 0; k <= i; ++k) {
            rt.send(holders[i], 0);
        }
    }
    rt.run_until_idle();
    observer::metrics_options options;
    options.top_n = 5;
    const std::string text = observer::prometheus_metrics(observer::take_snapshot(rt), options);
    std::map<std::string, std::string> types;
    std::vector<double> queues;
    for (const sample& s : parse_exposition(text, &types)) {
        if (s.name == "rill_process_message_queue_length") {
            queues.push_back(s.value);
        }
    }
    EXPECT_EQ(queues, (std::vector<double>{30, 29, 28, 27, 26}));
}

} // namespace
} // namespace rill
