#pragma once

// The observer's HTTP server (include/rill/observer/server.hpp): routes,
// the bearer token, the cached snapshot, and the thread cpp-httplib's
// listener runs on.

#include <rill/observer/server.hpp>
#include <rill/observer/snapshot.hpp>
#include <rill/observer/trace.hpp>

#include "observer/crash_log.hpp"
#include "observer/process_table.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace httplib {
class Server;
struct Request;
struct Response;
} // namespace httplib

namespace rill::observer::internal {

class http_service {
public:
    http_service(runtime& rt, options opts);
    ~http_service();

    http_service(const http_service&) = delete;
    http_service& operator=(const http_service&) = delete;

    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

    [[nodiscard]] const std::string& address() const noexcept { return options_.address; }

private:
    void install_routes();
    [[nodiscard]] bool authorized(const httplib::Request& request) const;

    /// The node's snapshot, taken again when the cached one is older than
    /// half a second (so that many clients cost one walk of the table).
    std::shared_ptr<const snapshot> current_snapshot();

    void overview(httplib::Response& response);
    void processes(const httplib::Request& request, httplib::Response& response);
    void process_detail(const std::string& pid_text, httplib::Response& response);
    void kill(const std::string& pid_text, httplib::Response& response);
    void nodes(httplib::Response& response);
    void supervision(httplib::Response& response);
    void crashes(const httplib::Request& request, httplib::Response& response);
    void metrics(httplib::Response& response);
    void start_trace(const httplib::Request& request, httplib::Response& response);
    void
    read_trace(const std::string& id, const httplib::Request& request, httplib::Response& response);
    void stop_trace(const std::string& id, httplib::Response& response);
    /// Ends the traces nobody has read for `trace_idle_limit` (requester gone).
    void forget_idle_traces();

    runtime& runtime_;
    options options_;
    std::unique_ptr<httplib::Server> http_;
    std::uint16_t port_ = 0;
    std::thread listener_;
    // Set by the listener thread when listen_after_bind returns; read by
    // the constructor while it waits for the listener to run (acquire,
    // pairs with the release store).
    std::atomic<bool> listener_done_{false};

    std::shared_ptr<crash_log> crashes_ = std::make_shared<crash_log>();
    process_table table_;

    std::mutex snapshot_mutex_;
    std::shared_ptr<const snapshot> snapshot_;            // guarded by snapshot_mutex_
    std::chrono::steady_clock::time_point snapshot_time_; // guarded by snapshot_mutex_

    /// Traces started through the API, by id.
    struct api_trace {
        trace_session session;
        std::chrono::steady_clock::time_point last_read;
    };

    std::mutex traces_mutex_;
    std::map<std::uint64_t, api_trace> traces_; // guarded by traces_mutex_
    std::uint64_t last_trace_id_ = 0;           // guarded by traces_mutex_

    /// The schedulers at the previous overview, for the load over the
    /// last interval rather than since start.
    std::mutex load_mutex_;
    scheduler_statistics load_before_; // guarded by load_mutex_
};

} // namespace rill::observer::internal
