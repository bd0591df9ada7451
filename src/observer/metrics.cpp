// Prometheus text exposition (include/rill/observer/metrics.hpp).
//
// Format 0.0.4: one `# HELP` and one `# TYPE` line per family, then its
// samples, `name{label="value"} number`. Label values escape backslash,
// double quote and newline. Counters end in `_total`; durations are in
// seconds and sizes in bytes.

#include <rill/observer/metrics.hpp>

#include "observer/text.hpp"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace rill::observer {

namespace {

std::string escaped(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

class exposition {
public:
    void family(std::string_view name, std::string_view type, std::string_view help) {
        text_ += "# HELP ";
        text_ += name;
        text_ += ' ';
        text_ += help;
        text_ += "\n# TYPE ";
        text_ += name;
        text_ += ' ';
        text_ += type;
        text_ += '\n';
    }

    using labels = std::vector<std::pair<std::string_view, std::string>>;

    void sample(std::string_view name, const labels& with, double value) {
        text_ += name;
        if (!with.empty()) {
            text_ += '{';
            bool first = true;
            for (const auto& [key, label_value] : with) {
                if (!first) {
                    text_ += ',';
                }
                first = false;
                text_ += key;
                text_ += "=\"";
                text_ += escaped(label_value);
                text_ += '"';
            }
            text_ += '}';
        }
        text_ += ' ';
        text_ += internal::number_text(value);
        text_ += '\n';
    }

    void single(std::string_view name, std::string_view type, std::string_view help, double value) {
        family(name, type, help);
        sample(name, {}, value);
    }

    std::string take() { return std::move(text_); }

private:
    std::string text_;
};

double seconds(std::chrono::nanoseconds ns) {
    return static_cast<double>(ns.count()) / 1e9;
}

void write_workers(exposition& out, const scheduler_statistics& s) {
    const double uptime = seconds(s.uptime);
    auto per_worker =
        [&](std::string_view name, std::string_view type, std::string_view help, auto figure) {
            out.family(name, type, help);
            for (std::size_t i = 0; i < s.workers.size(); ++i) {
                out.sample(name, {{"worker", std::to_string(i)}}, figure(s.workers[i]));
            }
        };
    per_worker("rill_scheduler_utilization",
               "gauge",
               "Share of the time since start a worker was not asleep.",
               [&](const worker_statistics& w) {
                   return uptime > 0 ? std::min(1.0, seconds(w.busy_time) / uptime) : 0.0;
               });
    per_worker("rill_scheduler_busy_seconds_total",
               "counter",
               "Time a worker was not asleep.",
               [](const worker_statistics& w) { return seconds(w.busy_time); });
    per_worker("rill_scheduler_slices_total",
               "counter",
               "Time slices a worker ran.",
               [](const worker_statistics& w) { return static_cast<double>(w.slices); });
    per_worker("rill_scheduler_steals_total",
               "counter",
               "Runnable processes a worker took from another's queue.",
               [](const worker_statistics& w) { return static_cast<double>(w.steals); });
    per_worker("rill_scheduler_parks_total",
               "counter",
               "Times a worker went to sleep for lack of work.",
               [](const worker_statistics& w) { return static_cast<double>(w.parks); });
    per_worker("rill_scheduler_run_queue_length",
               "gauge",
               "Processes waiting in a worker's run queue.",
               [](const worker_statistics& w) { return static_cast<double>(w.run_queue_length); });
    per_worker("rill_scheduler_timers",
               "gauge",
               "Timers armed on a worker's wheel.",
               [](const worker_statistics& w) { return static_cast<double>(w.armed_timers); });
    out.single("rill_scheduler_injector_length",
               "gauge",
               "Runnable processes waiting in the shared queue.",
               static_cast<double>(s.injector_length));
    std::uint64_t sent = 0;
    for (const worker_statistics& w : s.workers) {
        sent += w.messages_sent;
    }
    out.single("rill_messages_sent_total",
               "counter",
               "Messages sent by processes (to pids, names and aliases, here or elsewhere).",
               static_cast<double>(sent));
}

void write_connections(exposition& out, const std::vector<dist::connection_statistics>& peers) {
    out.single("rill_dist_connections",
               "gauge",
               "Connections to other nodes.",
               static_cast<double>(peers.size()));
    auto per_peer =
        [&](std::string_view name, std::string_view type, std::string_view help, auto figure) {
            out.family(name, type, help);
            for (const dist::connection_statistics& c : peers) {
                out.sample(name, {{"peer", std::string(c.peer.name())}}, figure(c));
            }
        };
    using stats = dist::connection_statistics;
    per_peer("rill_dist_bytes_sent_total",
             "counter",
             "Bytes written to a connection.",
             [](const stats& c) { return static_cast<double>(c.bytes_sent); });
    per_peer("rill_dist_bytes_received_total",
             "counter",
             "Bytes read from a connection.",
             [](const stats& c) { return static_cast<double>(c.bytes_received); });
    per_peer("rill_dist_frames_sent_total",
             "counter",
             "Frames (messages, signals, ticks) written to a connection.",
             [](const stats& c) { return static_cast<double>(c.frames_sent); });
    per_peer("rill_dist_frames_received_total",
             "counter",
             "Frames read from a connection.",
             [](const stats& c) { return static_cast<double>(c.frames_received); });
    per_peer("rill_dist_ticks_sent_total",
             "counter",
             "Ticks (keep-alive frames) written to a connection.",
             [](const stats& c) { return static_cast<double>(c.ticks_sent); });
    per_peer("rill_dist_ticks_received_total",
             "counter",
             "Ticks read from a connection.",
             [](const stats& c) { return static_cast<double>(c.ticks_received); });
    per_peer("rill_dist_busy_events_total",
             "counter",
             "Times a connection's queue went over its busy limit (BEAM's busy_dist_port).",
             [](const stats& c) { return static_cast<double>(c.busy_events); });
    per_peer("rill_dist_last_heard_seconds",
             "gauge",
             "Time since the peer was last heard, to within a quarter of net_ticktime.",
             [](const stats& c) { return static_cast<double>(c.since_last_heard.count()) / 1e3; });
    per_peer("rill_dist_queued_bytes",
             "gauge",
             "Bytes queued for a connection, not yet written to its socket.",
             [](const stats& c) { return static_cast<double>(c.queued_bytes); });
}

void write_top_queues(exposition& out, const snapshot& shot, std::size_t top_n) {
    std::vector<const process_row*> longest;
    for (const process_row& row : shot.processes) {
        if (row.summary.message_queue_length > 0) {
            longest.push_back(&row);
        }
    }
    const std::size_t n = std::min(top_n, longest.size());
    std::partial_sort(longest.begin(),
                      longest.begin() + static_cast<std::ptrdiff_t>(n),
                      longest.end(),
                      [](const process_row* a, const process_row* b) {
                          return a->summary.message_queue_length > b->summary.message_queue_length;
                      });
    out.family("rill_process_message_queue_length",
               "gauge",
               "Queued messages of the processes with the longest queues (top N).");
    for (std::size_t i = 0; i < n; ++i) {
        const process_summary& s = longest[i]->summary;
        out.sample("rill_process_message_queue_length",
                   {{"pid", internal::pid_text(s.self, shot.node)},
                    {"name", s.registered_name ? std::string(s.registered_name->name()) : ""}},
                   static_cast<double>(s.message_queue_length));
    }
}

} // namespace

std::string prometheus_metrics(const snapshot& shot, metrics_options options) {
    exposition out;
    out.single("rill_uptime_seconds",
               "gauge",
               "Time since the runtime started.",
               seconds(shot.schedulers.uptime));
    out.single(
        "rill_processes", "gauge", "Live processes.", static_cast<double>(shot.totals.processes));
    out.single("rill_process_memory_bytes",
               "gauge",
               "Bytes held for processes' control blocks and queued messages.",
               static_cast<double>(shot.totals.process_memory));
    const memory_statistics& memory = shot.totals.memory;
    out.family("rill_memory_bytes", "gauge", "Bytes the node holds, by kind.");
    for (const auto& [kind, bytes] :
         {std::pair<std::string_view, std::size_t>{"process_blocks", memory.process_blocks},
          {"process_table", memory.process_table},
          {"small_blocks", memory.small_blocks},
          {"atoms", memory.atoms},
          {"queued_messages", shot.totals.queued_bytes}}) {
        out.sample("rill_memory_bytes", {{"kind", std::string(kind)}}, static_cast<double>(bytes));
    }
    out.single("rill_queued_messages",
               "gauge",
               "Messages queued in all mailboxes.",
               static_cast<double>(shot.totals.queued_messages));
    out.single("rill_live_process_reductions",
               "gauge",
               "Reductions spent so far by the processes alive now.",
               static_cast<double>(shot.totals.reductions));
    out.single("rill_processes_spawned_total",
               "counter",
               "Processes started since the node started.",
               static_cast<double>(shot.totals.spawned));
    out.single("rill_processes_exited_total",
               "counter",
               "Processes ended since the node started.",
               static_cast<double>(shot.totals.exited));
    out.single("rill_otp_servers",
               "gauge",
               "gen_servers and supervisors alive.",
               static_cast<double>(shot.totals.servers));
    write_workers(out, shot.schedulers);
    write_connections(out, shot.connections);
    if (options.top_n > 0) {
        write_top_queues(out, shot, options.top_n);
    }
    return out.take();
}

} // namespace rill::observer
