// observer::take_snapshot (include/rill/observer/snapshot.hpp).

#include <rill/observer/snapshot.hpp>
#include <rill/otp/servers.hpp>
#include <rill/runtime/runtime.hpp>

#include <unordered_map>
#include <utility>

namespace rill::observer {

snapshot take_snapshot(const runtime& rt, const dist::net_kernel* net) {
    snapshot shot;
    shot.node = rt.node();
    shot.schedulers = rt.scheduler_statistics();
    shot.uptime = std::chrono::duration_cast<std::chrono::milliseconds>(shot.schedulers.uptime);
    if (net != nullptr) {
        shot.connections = net->connections();
    }

    std::unordered_map<pid, std::string> labels;
    for (otp::running_server& s : otp::running_servers(rt)) {
        labels.emplace(s.self, std::move(s.class_name));
    }
    shot.totals.servers = labels.size();
    for (auto& [self, label] : rt.labels()) {
        labels.insert_or_assign(self, std::move(label)); // a process's own label wins
    }

    const std::vector<pid> pids = rt.processes();
    shot.processes.reserve(pids.size());
    for (const pid& p : pids) {
        std::optional<process_summary> summary = rt.summary(p);
        if (!summary) {
            continue; // ended since the table was walked
        }
        process_row row{std::move(*summary), {}};
        if (auto label = labels.find(p); label != labels.end()) {
            row.label = std::move(label->second);
        }
        shot.totals.process_memory += row.summary.memory;
        shot.totals.queued_messages += row.summary.message_queue_length;
        shot.totals.queued_bytes += row.summary.message_queue_bytes;
        shot.totals.reductions += row.summary.reductions;
        shot.processes.push_back(std::move(row));
    }
    shot.totals.processes = shot.processes.size();
    shot.totals.memory = rt.memory();
    // After the walk: every process counted alive was spawned by now.
    shot.totals.spawned = rt.spawned_count();
    shot.totals.exited = shot.totals.spawned > shot.totals.processes
                             ? shot.totals.spawned - shot.totals.processes
                             : 0;
    return shot;
}

} // namespace rill::observer
