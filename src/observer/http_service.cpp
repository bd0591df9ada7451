// The observer's HTTP server (src/observer/http_service.hpp).
//
// cpp-httplib runs the listener on `listener_` and each connection on a
// thread of its pool. Handlers read the node through `take_snapshot`
// (cached for half a second) and ask processes through jobs (jobs.hpp),
// waiting at most `answer_timeout` and a little more. Every error is a
// JSON object `{"error": "..."}` with the status: 400 for a malformed
// request, 401 without the token, 403 for an action not allowed, 404 for
// an unknown path or a process that is not alive here, 503 when the node
// did not answer in time.

#include "observer/http_service.hpp"

#include <rill/observer/metrics.hpp>
#include <rill/runtime/runtime.hpp>

#include "observer/jobs.hpp"
#include "observer/page.hpp"
#include "observer/text.hpp"

#include <charconv>
#include <future>
#include <httplib.h>
#include <map>
#include <string>
#include <sys/socket.h>
#include <utility>

namespace rill::observer::internal {

namespace {

constexpr auto snapshot_lifetime = std::chrono::milliseconds(500);
constexpr auto load_interval = std::chrono::milliseconds(500);
constexpr auto job_grace = std::chrono::milliseconds(1000);
constexpr std::size_t max_body = 4096;
constexpr std::size_t max_api_traces = 8;
constexpr std::size_t max_trace_events = 10000;
constexpr auto trace_idle_limit = std::chrono::seconds(30);

/// A flag parameter: absent gives `otherwise`, "1"/"true" and "0"/"false" are read.
std::optional<bool> flag(const httplib::Request& request, const char* name, bool otherwise) {
    if (!request.has_param(name)) {
        return otherwise;
    }
    const std::string value = request.get_param_value(name);
    if (value == "1" || value == "true") {
        return true;
    }
    if (value == "0" || value == "false") {
        return false;
    }
    return std::nullopt;
}

void reply_json(httplib::Response& response, const json& body, int status = 200) {
    response.status = status;
    response.set_header("Cache-Control", "no-store");
    response.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace),
                         "application/json");
}

void reply_error(httplib::Response& response, int status, const std::string& message) {
    reply_json(response, json{{"error", message}}, status);
}

/// Waits for a job's answer; nullopt (and a 503 already written) when the
/// node did not give it in time.
std::optional<json> await_answer(std::future<json>& future,
                                 std::chrono::milliseconds timeout,
                                 httplib::Response& response) {
    if (future.wait_for(timeout + job_grace) != std::future_status::ready) {
        reply_error(response, 503, "the node did not answer in time");
        return std::nullopt;
    }
    try {
        return future.get();
    } catch (const std::exception& e) {
        reply_error(response, 503, std::string("the node could not answer: ") + e.what());
        return std::nullopt;
    }
}

json worker_json(std::size_t index,
                 const worker_statistics& now,
                 const worker_statistics* before,
                 std::chrono::nanoseconds elapsed) {
    const auto busy =
        now.busy_time - (before != nullptr ? before->busy_time : std::chrono::nanoseconds(0));
    double utilization = elapsed.count() > 0 ? static_cast<double>(busy.count()) /
                                                   static_cast<double>(elapsed.count())
                                             : 0.0;
    utilization = std::clamp(utilization, 0.0, 1.0);
    return {{"worker", index},
            {"utilization", utilization},
            {"slices", now.slices},
            {"steals", now.steals},
            {"parks", now.parks},
            {"run_queue", now.run_queue_length},
            {"timers", now.armed_timers}};
}

} // namespace

http_service::http_service(runtime& rt, options opts)
    : runtime_(rt)
    , options_(std::move(opts))
    , http_(std::make_unique<httplib::Server>()) {
    http_->set_read_timeout(5, 0);
    http_->set_write_timeout(5, 0);
    http_->set_keep_alive_timeout(5);
    http_->set_keep_alive_max_count(100);
    http_->set_payload_max_length(max_body);
    // SO_REUSEADDR only: cpp-httplib's default adds SO_REUSEPORT, which
    // would let a second server share a port that is in use.
    http_->set_socket_options([](int sock) {
        int yes = 1;
        (void)::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    install_routes();

    const int bound =
        options_.port == 0
            ? http_->bind_to_any_port(options_.address)
            : (http_->bind_to_port(options_.address, options_.port) ? options_.port : -1);
    if (bound <= 0) {
        throw setup_error("rill::observer::start: cannot listen on " + options_.address + ":" +
                          std::to_string(options_.port) +
                          " (the port is in use, or the address is not one of this machine's)");
    }
    port_ = static_cast<std::uint16_t>(bound);
    listener_ = std::thread([this] {
        http_->listen_after_bind();
        listener_done_.store(true, std::memory_order_release);
    });
    // cpp-httplib's stop() does nothing before the listener runs: wait for
    // it (a few microseconds), so that destroying the service at once
    // still stops it.
    while (!http_->is_running() && !listener_done_.load(std::memory_order_acquire)) {
        std::this_thread::yield();
    }
    // Reports logged after start returns reach the page. A deterministic
    // node runs the subscription at its next run_until_idle instead.
    auto subscribed = std::make_shared<std::promise<void>>();
    std::future<void> done = subscribed->get_future();
    spawn_crash_subscription(runtime_, crashes_, true, std::move(subscribed));
    if (!runtime_.deterministic()) {
        (void)done.wait_for(options_.answer_timeout);
    }
}

http_service::~http_service() {
    http_->stop();
    if (listener_.joinable()) {
        listener_.join();
    }
    spawn_crash_subscription(runtime_, crashes_, false);
}

bool http_service::authorized(const httplib::Request& request) const {
    if (options_.token.empty()) {
        return true;
    }
    if (request.get_header_value("Authorization") == "Bearer " + options_.token) {
        return true;
    }
    // The page itself is opened by a browser, which cannot add the header.
    return request.path == "/" && request.get_param_value("token") == options_.token;
}

void http_service::install_routes() {
    http_->set_pre_routing_handler(
        [this](const httplib::Request& request, httplib::Response& response) {
            if (!authorized(request)) {
                response.set_header("WWW-Authenticate", "Bearer");
                reply_error(response, 401, "a bearer token is required");
                return httplib::Server::HandlerResponse::Handled;
            }
            return httplib::Server::HandlerResponse::Unhandled;
        });
    http_->set_exception_handler(
        [](const httplib::Request&, httplib::Response& response, std::exception_ptr error) {
            std::string what = "internal error";
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                what += std::string(": ") + e.what();
            } catch (...) {
            }
            reply_error(response, 500, what);
        });
    http_->set_error_handler([](const httplib::Request& request, httplib::Response& response) {
        if (response.body.empty()) {
            reply_error(response,
                        response.status,
                        response.status == 404 ? "no such path: " + request.path.substr(0, 200)
                                               : "request refused (HTTP status " +
                                                     std::to_string(response.status) + ")");
        }
    });

    http_->Get("/", [](const httplib::Request&, httplib::Response& response) {
        response.set_header("Cache-Control", "no-store");
        response.set_header("Content-Security-Policy",
                            "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                            "script-src 'self' 'unsafe-inline'; img-src 'self' data:");
        response.set_content(std::string(page_html()), "text/html; charset=utf-8");
    });
    http_->Get("/api/overview", [this](const httplib::Request&, httplib::Response& response) {
        overview(response);
    });
    http_->Get("/api/processes",
               [this](const httplib::Request& request, httplib::Response& response) {
                   processes(request, response);
               });
    http_->Get(R"(/api/processes/([^/]+))",
               [this](const httplib::Request& request, httplib::Response& response) {
                   process_detail(request.matches[1], response);
               });
    http_->Post(R"(/api/processes/([^/]+)/kill)",
                [this](const httplib::Request& request, httplib::Response& response) {
                    kill(request.matches[1], response);
                });
    http_->Get("/api/nodes",
               [this](const httplib::Request&, httplib::Response& response) { nodes(response); });
    http_->Get("/api/supervision", [this](const httplib::Request&, httplib::Response& response) {
        supervision(response);
    });
    http_->Get("/api/crashes",
               [this](const httplib::Request& request, httplib::Response& response) {
                   crashes(request, response);
               });
    http_->Get("/metrics",
               [this](const httplib::Request&, httplib::Response& response) { metrics(response); });
    http_->Post("/api/trace", [this](const httplib::Request& request, httplib::Response& response) {
        start_trace(request, response);
    });
    http_->Get(R"(/api/trace/([^/]+))",
               [this](const httplib::Request& request, httplib::Response& response) {
                   read_trace(request.matches[1], request, response);
               });
    http_->Delete(R"(/api/trace/([^/]+))",
                  [this](const httplib::Request& request, httplib::Response& response) {
                      stop_trace(request.matches[1], response);
                  });
}

std::shared_ptr<const snapshot> http_service::current_snapshot() {
    const std::lock_guard lock(snapshot_mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (!snapshot_ || now - snapshot_time_ >= snapshot_lifetime) {
        snapshot_ = std::make_shared<const snapshot>(take_snapshot(runtime_, options_.net));
        snapshot_time_ = now;
    }
    return snapshot_;
}

void http_service::overview(httplib::Response& response) {
    const std::shared_ptr<const snapshot> shot = current_snapshot();
    const scheduler_statistics& now = shot->schedulers;
    json workers = json::array();
    {
        const std::lock_guard lock(load_mutex_);
        const bool comparable =
            load_before_.workers.size() == now.workers.size() && now.uptime > load_before_.uptime;
        const std::chrono::nanoseconds elapsed =
            comparable ? now.uptime - load_before_.uptime : now.uptime;
        for (std::size_t i = 0; i < now.workers.size(); ++i) {
            workers.push_back(worker_json(
                i, now.workers[i], comparable ? &load_before_.workers[i] : nullptr, elapsed));
        }
        if (!comparable || elapsed >= load_interval) {
            load_before_ = now;
        }
    }
    const node_totals& t = shot->totals;
    reply_json(response,
               json{{"node", std::string(shot->node.name())},
                    {"uptime_ms", shot->uptime.count()},
                    {"totals",
                     {{"processes", t.processes},
                      {"process_memory", t.process_memory},
                      {"queued_messages", t.queued_messages},
                      {"reductions", t.reductions},
                      {"servers", t.servers},
                      {"spawned", t.spawned},
                      {"exited", t.exited},
                      {"memory",
                       {{"process_blocks", t.memory.process_blocks},
                        {"process_table", t.memory.process_table},
                        {"small_blocks", t.memory.small_blocks},
                        {"atoms", t.memory.atoms},
                        {"queued_messages", t.queued_bytes}}}}},
                    {"schedulers", std::move(workers)},
                    {"injector_length", now.injector_length},
                    {"connections", shot->connections.size()},
                    {"distributed", options_.net != nullptr},
                    {"actions", options_.allow_actions}});
}

void http_service::processes(const httplib::Request& request, httplib::Response& response) {
    std::multimap<std::string, std::string> params(request.params.begin(), request.params.end());
    auto parsed = parse_table_query(params);
    if (const std::string* error = std::get_if<std::string>(&parsed)) {
        reply_error(response, 400, *error);
        return;
    }
    reply_json(response, table_.page(*current_snapshot(), std::get<table_query>(parsed)));
}

void http_service::process_detail(const std::string& text, httplib::Response& response) {
    std::optional<pid> target = parse_local_pid(text, runtime_.node(), runtime_.creation());
    if (!target) {
        reply_error(response,
                    404,
                    "not a pid of this node: " + text.substr(0, 40) + " (write it <0.ID.SERIAL>)");
        return;
    }
    auto promise = std::make_shared<std::promise<json>>();
    std::future<json> future = promise->get_future();
    std::string label;
    for (auto& [self, own] : runtime_.labels()) {
        if (self == *target) {
            label = std::move(own);
        }
    }
    spawn_process_detail(
        runtime_, *target, std::move(label), options_.answer_timeout, std::move(promise));
    std::optional<json> answer = await_answer(future, options_.answer_timeout, response);
    if (!answer) {
        return;
    }
    if (answer->is_null()) {
        reply_error(response, 404, "no such process: " + text);
        return;
    }
    reply_json(response, *answer);
}

void http_service::kill(const std::string& text, httplib::Response& response) {
    if (!options_.allow_actions) {
        reply_error(response, 403, "actions are off (start the observer with allow_actions)");
        return;
    }
    std::optional<pid> target = parse_local_pid(text, runtime_.node(), runtime_.creation());
    if (!target) {
        reply_error(response, 404, "not a pid of this node: " + text.substr(0, 40));
        return;
    }
    auto promise = std::make_shared<std::promise<json>>();
    std::future<json> future = promise->get_future();
    spawn_kill(runtime_, *target, std::move(promise));
    std::optional<json> answer = await_answer(future, options_.answer_timeout, response);
    if (!answer) {
        return;
    }
    if (!(*answer)["killed"].get<bool>()) {
        reply_error(response, 404, "no such process: " + text);
        return;
    }
    reply_json(response, *answer);
}

void http_service::nodes(httplib::Response& response) {
    const std::shared_ptr<const snapshot> shot = current_snapshot();
    json peers = json::array();
    for (const dist::connection_statistics& c : shot->connections) {
        peers.push_back({{"peer", std::string(c.peer.name())},
                         {"bytes_sent", c.bytes_sent},
                         {"bytes_received", c.bytes_received},
                         {"frames_sent", c.frames_sent},
                         {"frames_received", c.frames_received},
                         {"queued_bytes", c.queued_bytes},
                         {"ticks_sent", c.ticks_sent},
                         {"ticks_received", c.ticks_received},
                         {"busy_events", c.busy_events},
                         {"since_last_heard_ms", c.since_last_heard.count()}});
    }
    reply_json(response,
               json{{"node", std::string(shot->node.name())},
                    {"distributed", options_.net != nullptr},
                    {"connections", std::move(peers)}});
}

void http_service::supervision(httplib::Response& response) {
    auto promise = std::make_shared<std::promise<json>>();
    std::future<json> future = promise->get_future();
    spawn_supervision_tree(runtime_, options_.answer_timeout, std::move(promise));
    // which_children waits up to OTP's 5 s per supervisor.
    std::optional<json> answer = await_answer(future, std::chrono::milliseconds(5000), response);
    if (answer) {
        reply_json(response, *answer);
    }
}

void http_service::crashes(const httplib::Request& request, httplib::Response& response) {
    const std::optional<std::uint64_t> since = request.has_param("since")
                                                   ? parse_count(request.get_param_value("since"))
                                                   : std::uint64_t{0};
    if (!since) {
        reply_error(response, 400, "since is a non-negative integer");
        return;
    }
    reply_json(response, crashes_->since(*since));
}

void http_service::forget_idle_traces() {
    const auto now = std::chrono::steady_clock::now();
    std::erase_if(traces_, [&](const auto& entry) {
        return now - entry.second.last_read > trace_idle_limit; // the session's end stops it
    });
}

void http_service::start_trace(const httplib::Request& request, httplib::Response& response) {
    if (!options_.allow_actions) {
        reply_error(response, 403, "actions are off (start the observer with allow_actions)");
        return;
    }
    std::optional<pid> target;
    if (request.has_param("pid")) {
        target =
            parse_local_pid(request.get_param_value("pid"), runtime_.node(), runtime_.creation());
    } else if (request.has_param("name")) {
        const std::string name = request.get_param_value("name");
        if (name.empty() || name.size() > 255) {
            reply_error(response, 400, "name is 1 to 255 characters");
            return;
        }
        target = runtime_.whereis(atom(name));
    } else {
        reply_error(response, 400, "trace needs pid=<0.ID.SERIAL> or name=NAME");
        return;
    }
    if (!target || !runtime_.is_alive(*target)) {
        reply_error(response, 404, "no such process");
        return;
    }
    trace_limits limits;
    const std::optional<bool> messages = flag(request, "messages", true);
    const std::optional<bool> signals = flag(request, "signals", true);
    const std::optional<bool> follow = flag(request, "follow", false);
    const std::optional<std::uint64_t> max_events =
        request.has_param("limit") ? parse_count(request.get_param_value("limit"))
                                   : std::uint64_t{100};
    const std::optional<std::uint64_t> rate =
        request.has_param("rate") ? parse_count(request.get_param_value("rate")) : std::uint64_t{0};
    if (!messages || !signals || !follow || (!*messages && !*signals)) {
        reply_error(
            response, 400, "messages, signals and follow are 0 or 1, and messages or signals is 1");
        return;
    }
    if (!max_events || *max_events == 0 || *max_events > max_trace_events) {
        reply_error(response, 400, "limit is an integer from 1 to 10000");
        return;
    }
    if (!rate || *rate > max_trace_events) {
        reply_error(response, 400, "rate is an integer from 0 (none) to 10000 events a second");
        return;
    }
    limits.messages = *messages;
    limits.signals = *signals;
    limits.max_events = *max_events;
    limits.max_rate = *rate;
    limits.follow = *follow;
    const std::lock_guard lock(traces_mutex_);
    forget_idle_traces();
    std::size_t running = 0;
    for (const auto& [id, entry] : traces_) {
        running += entry.session.state() == trace_end::running ? 1 : 0;
    }
    if (running >= max_api_traces) {
        reply_error(response, 429, "8 traces run already; stop one first");
        return;
    }
    const std::uint64_t id = ++last_trace_id_;
    traces_.emplace(id,
                    api_trace{trace(runtime_, *target, limits), std::chrono::steady_clock::now()});
    reply_json(response, json{{"id", id}, {"pid", pid_text(*target, runtime_.node())}});
}

void http_service::read_trace(const std::string& id_text,
                              const httplib::Request& request,
                              httplib::Response& response) {
    const std::optional<std::uint64_t> since = request.has_param("since")
                                                   ? parse_count(request.get_param_value("since"))
                                                   : std::uint64_t{0};
    if (!since) {
        reply_error(response, 400, "since is a non-negative integer");
        return;
    }
    const std::lock_guard lock(traces_mutex_);
    forget_idle_traces();
    const std::optional<std::uint64_t> id = parse_count(id_text);
    auto found = id ? traces_.find(*id) : traces_.end();
    if (found == traces_.end()) {
        reply_error(response, 404, "no such trace");
        return;
    }
    found->second.last_read = std::chrono::steady_clock::now();
    const trace_session& session = found->second.session;
    json events = json::array();
    for (const numbered_trace_event& e : session.events(*since)) {
        events.push_back(
            {{"seq", e.seq},
             {"kind", trace_event_kind_name(e.event.kind)},
             {"process", pid_text(e.event.traced, runtime_.node())},
             {"label", e.event.label.is_nil() ? json(nullptr) : json(to_string(e.event.label))},
             {"serial", e.event.serial},
             {"peer",
              e.event.peer == pid{} ? json(nullptr)
                                    : json(pid_text(e.event.peer, runtime_.node()))},
             {"text", e.event.text},
             {"time_ms", e.event.time.count()}});
    }
    reply_json(
        response,
        json{{"id", *id},
             {"pid", pid_text(session.target(), runtime_.node())},
             {"label", session.label().is_nil() ? json(nullptr) : json(to_string(session.label()))},
             {"state", trace_end_name(session.state())},
             {"count", session.count()},
             {"events", std::move(events)}});
}

void http_service::stop_trace(const std::string& id_text, httplib::Response& response) {
    if (!options_.allow_actions) {
        reply_error(response, 403, "actions are off (start the observer with allow_actions)");
        return;
    }
    const std::lock_guard lock(traces_mutex_);
    const std::optional<std::uint64_t> id = parse_count(id_text);
    auto found = id ? traces_.find(*id) : traces_.end();
    if (found == traces_.end()) {
        reply_error(response, 404, "no such trace");
        return;
    }
    traces_.erase(found); // the session's end stops the trace
    reply_json(response, json{{"stopped", *id}});
}

void http_service::metrics(httplib::Response& response) {
    response.set_header("Cache-Control", "no-store");
    response.set_content(prometheus_metrics(*current_snapshot()),
                         "text/plain; version=0.0.4; charset=utf-8");
}

} // namespace rill::observer::internal
