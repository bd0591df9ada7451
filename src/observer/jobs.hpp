#pragma once

// What the observer asks of the node's processes, each done by a
// short-lived process of the observer's own (spawned from an HTTP thread),
// which hands its answer back through a promise. A job never waits longer
// than its timeout on the process it asks; the HTTP thread waits a little
// longer than that for the job, so a node too loaded to run the job in
// time gives a 503, not a stuck request.

#include <rill/core/pid.hpp>

#include <chrono>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace rill {
class runtime;
}

namespace rill::observer::internal {

class crash_log;

using json = nlohmann::json;
using answer_slot = std::shared_ptr<std::promise<json>>;

/// A process's page: its summary figures, links, monitors, trap_exit, and
/// for a gen_server its class and state (sys:get_state), for a supervisor
/// its children. `null` when it is not alive.
/// `label`: the process's own label, if it has one (process::set_label).
void spawn_process_detail(
    runtime& rt, pid target, std::string label, std::chrono::milliseconds timeout, answer_slot out);

/// Every supervision tree of the node: the supervisors that are no other
/// supervisor's child, each with its children, recursively.
void spawn_supervision_tree(runtime& rt, std::chrono::milliseconds timeout, answer_slot out);

/// exit(target, kill); answers whether it was alive.
void spawn_kill(runtime& rt, pid target, answer_slot out);

/// Adds (or removes) the log handler that feeds `log` with the node's
/// reports at level error and above; `done`, when given, is set once the
/// logger has the request (any report logged after that reaches `log`).
void spawn_crash_subscription(runtime& rt,
                              std::shared_ptr<crash_log> log,
                              bool on,
                              std::shared_ptr<std::promise<void>> done = nullptr);

} // namespace rill::observer::internal
