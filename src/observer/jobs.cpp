// The observer's jobs in the node (src/observer/jobs.hpp).
//
// GCC 12: no co_await inside a condition or next to a braced list; the
// awaited calls are hoisted into named variables.

#include "observer/jobs.hpp"

#include <rill/otp/call.hpp>
#include <rill/otp/logger.hpp>
#include <rill/otp/servers.hpp>
#include <rill/otp/supervisor.hpp>
#include <rill/process/exit.hpp>
#include <rill/process/info.hpp>
#include <rill/process/self.hpp>
#include <rill/process/summary.hpp>
#include <rill/runtime/runtime.hpp>
#include <rill/signal/exit.hpp>

#include "observer/crash_log.hpp"
#include "observer/text.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace rill::observer::internal {

namespace {

const atom handler_id{"rill_observer"};

/// Supervision trees deeper than this are cut (a guard, not a limit anyone meets).
constexpr int max_tree_depth = 64;

std::string text_of(const pid& p) {
    return pid_text(p, process::self().node);
}

json name_of(const std::optional<atom>& name) {
    return name ? json(std::string(name->name())) : json(nullptr);
}

json pids(const std::vector<pid>& list) {
    json out = json::array();
    for (const pid& p : list) {
        out.push_back(text_of(p));
    }
    return out;
}

std::optional<otp::running_server> server_entry(const pid& target) {
    for (otp::running_server& s : otp::running_servers()) {
        if (s.self == target) {
            return std::move(s);
        }
    }
    return std::nullopt;
}

json child_json(const otp::child_info& child) {
    json out;
    out["id"] = to_string(child.id);
    out["pid"] = child.process ? json(text_of(*child.process)) : json(nullptr);
    out["state"] = child.process ? "running" : (child.restarting ? "restarting" : "undefined");
    out["type"] = child.type == otp::child_type::supervisor ? "supervisor" : "worker";
    return out;
}

task<> process_detail_job(pid target,
                          std::string label,
                          std::chrono::milliseconds timeout,
                          answer_slot out) {
    json result;
    try {
        std::optional<process_summary> summary = process::summary(target);
        if (!summary) {
            out->set_value(nullptr);
            co_return;
        }
        result["pid"] = text_of(target);
        result["name"] = name_of(summary->registered_name);
        result["status"] = status_name(summary->status);
        result["mailbox"] = summary->message_queue_length;
        result["message_age_ms"] = summary->oldest_message_age.count();
        result["memory"] = summary->memory;
        result["reductions"] = summary->reductions;

        std::optional<process_info> info = co_await process::info(target, timeout);
        if (info) {
            result["links"] = pids(info->links);
            json monitors = json::array();
            for (const term& m : info->monitors) {
                monitors.push_back(to_string(m));
            }
            result["monitors"] = std::move(monitors);
            result["monitored_by"] = pids(info->monitored_by);
            result["trap_exit"] = info->trap_exit;
            result["memory"] = info->memory; // with the link and monitor tables
        } else if (!process::summary(target)) {
            out->set_value(nullptr); // ended meanwhile
            co_return;
        } else {
            result["info_error"] = "the process did not answer in time";
        }

        std::optional<otp::running_server> server = server_entry(target);
        result["label"] = !label.empty() ? json(label)
                          : server       ? json(server->class_name)
                                         : json(nullptr);
        result["is_supervisor"] = server && server->is_supervisor;
        if (server) {
            std::optional<term> state;
            std::optional<term> failure;
            try {
                term got = co_await otp::get_state(otp::server_ref<>(target), timeout);
                state = std::move(got);
            } catch (const exit_exception& e) {
                failure = e.reason();
            }
            result["state"] = state ? json(to_string(*state)) : json(nullptr);
            if (failure) {
                result["state_error"] = to_string(*failure);
            }
        }
        if (server && server->is_supervisor) {
            std::vector<otp::child_info> children;
            try {
                children = co_await otp::which_children(otp::server_ref<>(target));
            } catch (const exit_exception&) {
                // ended or busy: no children shown
            }
            json listed = json::array();
            for (const otp::child_info& child : children) {
                listed.push_back(child_json(child));
            }
            result["children"] = std::move(listed);
        }
        out->set_value(std::move(result));
    } catch (...) {
        out->set_exception(std::current_exception());
    }
}

/// What the tree job learned: each supervisor's children.
using children_of = std::map<pid, std::vector<otp::child_info>>;

json tree_node(const pid& self,
               const std::map<pid, otp::running_server>& servers,
               const children_of& children,
               int depth) {
    json node;
    node["pid"] = text_of(self);
    std::optional<process_summary> summary = process::summary(self);
    node["name"] = summary ? name_of(summary->registered_name) : json(nullptr);
    auto server = servers.find(self);
    node["label"] = server != servers.end() ? json(server->second.class_name) : json(nullptr);
    auto listed = children.find(self);
    if (listed == children.end()) {
        return node;
    }
    json kids = json::array();
    for (const otp::child_info& child : listed->second) {
        json kid = child_json(child);
        if (child.process) {
            json below = depth < max_tree_depth
                             ? tree_node(*child.process, servers, children, depth + 1)
                             : json::object();
            for (auto& [key, value] : below.items()) {
                if (key != "pid") {
                    kid[key] = value;
                }
            }
        }
        kids.push_back(std::move(kid));
    }
    node["children"] = std::move(kids);
    return node;
}

task<> supervision_tree_job(std::chrono::milliseconds timeout, answer_slot out) {
    (void)timeout; // which_children has its own (OTP's 5 s, as supervisor:which_children)
    try {
        std::map<pid, otp::running_server> servers;
        for (otp::running_server& s : otp::running_servers()) {
            servers.emplace(s.self, std::move(s));
        }
        children_of children;
        for (const auto& [self, server] : servers) {
            if (!server.is_supervisor) {
                continue;
            }
            try {
                std::vector<otp::child_info> listed =
                    co_await otp::which_children(otp::server_ref<>(self));
                children.emplace(self, std::move(listed));
            } catch (const exit_exception&) {
                // ended since it was listed
            }
        }
        std::set<pid> supervised;
        for (const auto& [self, listed] : children) {
            for (const otp::child_info& child : listed) {
                if (child.process) {
                    supervised.insert(*child.process);
                }
            }
        }
        json roots = json::array();
        for (const auto& [self, listed] : children) {
            if (!supervised.contains(self)) {
                roots.push_back(tree_node(self, servers, children, 0));
            }
        }
        out->set_value(json{{"roots", std::move(roots)}});
    } catch (...) {
        out->set_exception(std::current_exception());
    }
}

task<> kill_job(pid target, answer_slot out) {
    const bool alive = process::summary(target).has_value();
    if (alive) {
        process::exit(target, term(atom("kill")));
    }
    out->set_value(json{{"killed", alive}});
    co_return;
}

task<> crash_subscription_job(std::shared_ptr<crash_log> log,
                              bool on,
                              std::shared_ptr<std::promise<void>> done) {
    if (!on) {
        otp::remove_log_handler(handler_id);
        co_return;
    }
    otp::add_log_handler(handler_id, otp::log_level::error, [log](const otp::log_event& event) {
        log->add(json{{"time_ms", event.time.count()},
                      {"level", otp::level_name(event.level)},
                      {"kind", std::string(event.kind.name())},
                      {"origin", pid_text(event.origin, event.origin.node)},
                      {"text", otp::format(event)}});
    });
    if (done) {
        done->set_value(); // the request is in the logger's queue, ahead of later reports
    }
    co_return;
}

} // namespace

void spawn_process_detail(runtime& rt,
                          pid target,
                          std::string label,
                          std::chrono::milliseconds timeout,
                          answer_slot out) {
    rt.spawn(process_detail_job, target, std::move(label), timeout, std::move(out));
}

void spawn_supervision_tree(runtime& rt, std::chrono::milliseconds timeout, answer_slot out) {
    rt.spawn(supervision_tree_job, timeout, std::move(out));
}

void spawn_kill(runtime& rt, pid target, answer_slot out) {
    rt.spawn(kill_job, target, std::move(out));
}

void spawn_crash_subscription(runtime& rt,
                              std::shared_ptr<crash_log> log,
                              bool on,
                              std::shared_ptr<std::promise<void>> done) {
    rt.spawn(crash_subscription_job, std::move(log), on, std::move(done));
}

} // namespace rill::observer::internal
