#pragma once

/// \file
/// `observer::start`: serves a live view of a node over HTTP — a web page
/// (process table, process pages, scheduler load, nodes, the supervision
/// tree, crash reports), the JSON API behind it, and Prometheus `/metrics`.
///
///     runtime rt;
///     auto view = observer::start(rt, {.port = 8080});
///     std::cout << view.url() << '\n';    // http://127.0.0.1:8080/
///
/// Off unless started; loopback unless told otherwise; read-only unless
/// `allow_actions` (killing a process). With `token`, every request must
/// carry `Authorization: Bearer <token>` (the page passes it on when
/// opened as `/#token=<token>`). The server runs on its own threads; it
/// reads the node without stopping it, and what needs a process's answer
/// (its links and monitors, a gen_server's state, a supervisor's children)
/// is asked by short-lived processes of the observer's own. docs/observer.md
/// lists the API.
///
/// The returned `server` stops serving when destroyed; destroy it before
/// the runtime (and before the net_kernel it was given).

#include <rill/dist/net_kernel.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace rill {
class runtime;
}

namespace rill::observer {

/// The observer could not start: the address is not one to listen on, or
/// the port is taken.
class setup_error : public std::runtime_error {
public:
    explicit setup_error(const std::string& what)
        : std::runtime_error(what) {}
};

struct options {
    std::string address = "127.0.0.1";
    /// 0: any free port (see `server::port`).
    std::uint16_t port = 0;
    /// Empty: no token asked.
    std::string token;
    /// Lets the API kill processes (POST /api/processes/<pid>/kill).
    bool allow_actions = false;
    /// The node's distribution, for the nodes panel and the per-connection
    /// metrics; may be null.
    const dist::net_kernel* net = nullptr;
    /// How long a request waits for a process's answer.
    std::chrono::milliseconds answer_timeout{2000};
};

namespace internal {
class http_service;
}

class server {
public:
    server(server&&) noexcept;
    server& operator=(server&&) noexcept;
    /// Stops serving (closes the port, waits for requests in progress).
    ~server();

    /// The port it listens on.
    [[nodiscard]] std::uint16_t port() const noexcept;
    /// `http://ADDRESS:PORT/`.
    [[nodiscard]] std::string url() const;

private:
    friend server start(runtime& rt, options opts);
    explicit server(std::unique_ptr<internal::http_service> service);

    std::unique_ptr<internal::http_service> service_;
};

/// Starts serving `rt`'s node. Throws `setup_error`.
[[nodiscard]] server start(runtime& rt, options opts = {});

} // namespace rill::observer
