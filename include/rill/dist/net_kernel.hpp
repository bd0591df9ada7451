#pragma once

/// \file
/// `dist::net_kernel`: attaches the Erlang distribution to a runtime, so
/// that its processes and those of other nodes (BEAM or rill) send to,
/// link to and monitor each other with the ordinary process API.
///
///     runtime rt({.node_name = "rill@localhost", .cookie = "secret"});
///     dist::net_kernel net(rt);   // listens, registers with epmd
///     rt.run(root);
///
/// The node listens on `options::listen_address` (loopback by default),
/// registers its name with epmd (starting an embedded epmd when none runs),
/// answers `net_adm:ping/1`, and connects to another node the first time
/// one of its processes sends to it (auto-connect, as BEAM). Inside
/// processes, `co_await dist::ping(node)`, `dist::nodes()` and
/// `dist::disconnect(node)` reach the net_kernel of the caller's node.
/// docs/distribution.md has the design.
///
/// One net_kernel per runtime, created before the runtime's processes need
/// other nodes and destroyed before the runtime (destroying it closes every
/// connection: remote links and monitors fire `noconnection`).

#include <rill/core/atom.hpp>
#include <rill/core/pid.hpp>
#include <rill/dist/options.hpp>
#include <rill/dist/remote_calls.hpp>
#include <rill/process/task.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace rill {
class runtime;
}

namespace rill::dist {

/// Misuse of the distribution's API: a node name that is not `name@host`
/// (or does not fit the name mode), a second net_kernel on a runtime, a
/// listen port in use, no epmd where one was required.
class setup_error : public std::runtime_error {
public:
    explicit setup_error(const std::string& what)
        : std::runtime_error(what) {}
};

/// Figures of one connection (see `net_kernel::connections`).
struct connection_statistics {
    atom peer;
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_received = 0;
    std::uint64_t frames_sent = 0;
    std::uint64_t frames_received = 0;
    std::size_t queued_bytes = 0; ///< written to the queue, not yet to the socket
    /// Ticks (empty frames that keep a quiet connection alive) each way.
    std::uint64_t ticks_sent = 0;
    std::uint64_t ticks_received = 0;
    /// Times the queue went over `options::busy_limit` (BEAM's
    /// busy_dist_port condition).
    std::uint64_t busy_events = 0;
    /// Since the peer was last heard (anything read), to within a quarter
    /// of net_ticktime; a connection is declared lost past net_ticktime.
    std::chrono::milliseconds since_last_heard{0};
};

namespace internal {
class node_core;
}

class net_kernel {
public:
    /// Starts the distribution for `rt`, whose `node_name` must be a node
    /// name (`name@host`). Throws `setup_error`.
    explicit net_kernel(runtime& rt, options opts = {});
    /// Closes every connection and unregisters from epmd.
    ~net_kernel();

    net_kernel(const net_kernel&) = delete;
    net_kernel& operator=(const net_kernel&) = delete;

    /// This node's name.
    [[nodiscard]] atom node() const noexcept;
    /// The port it listens on for other nodes.
    [[nodiscard]] std::uint16_t port() const noexcept;
    /// Its creation (the incarnation number in its pids and references).
    [[nodiscard]] std::uint32_t creation() const noexcept;
    /// The port of the epmd it registered with (0 with `epmd_mode::none`),
    /// and whether this node runs it (embedded).
    [[nodiscard]] std::uint16_t epmd_port() const noexcept;
    [[nodiscard]] bool runs_embedded_epmd() const noexcept;

    /// The nodes connected now (any thread).
    [[nodiscard]] std::vector<atom> nodes() const;
    /// Closes the connection to `node`; false when there was none (any thread).
    bool disconnect(atom node);
    /// Figures of every connection (any thread).
    [[nodiscard]] std::vector<connection_statistics> connections() const;

    /// Makes `function` what other nodes call as `module:function(Args...)`
    /// (rpc:call, erpc:call, spawn/4; see remote_calls.hpp), replacing any
    /// function registered under the same name. Any thread.
    void register_function(atom module, atom function, remote_function f);
    void register_function(atom module, atom function, remote_coroutine f);

    /// Connects to `node` if not connected and waits for the outcome: true
    /// when a connection is up (any thread that is not a process: it blocks;
    /// processes use `co_await dist::ping(node)`).
    bool connect_blocking(atom node);

private:
    std::shared_ptr<internal::node_core> core_;
    runtime* runtime_;
    pid responder_; // the registered `net_kernel` process
    pid rex_;       // the registered `rex` process
};

/// Whether `node` answers: connects if needed (net_adm:ping). Inside a
/// process of a distributed runtime; throws `setup_error` elsewhere.
task<bool> ping(atom node);

/// The nodes the calling process's node is connected to.
std::vector<atom> nodes();

/// Closes the connection to `node`; false when there was none.
bool disconnect(atom node);

/// erlang:monitor_node/2. With `on`, the calling process gets the message
/// `{nodedown, Node}` (a term) once the connection to `node` is lost or
/// cannot be made; it connects if there is no connection yet, so an
/// unreachable node gives `nodedown` at once. Each call adds one such
/// monitor, and `on = false` removes one. Monitoring this node itself does
/// nothing. Inside a process of a distributed runtime.
bool monitor_node(atom node, bool on);

/// net_kernel:monitor_nodes/1: with `on`, the calling process gets
/// `{nodeup, Node}` each time a connection comes up and `{nodedown, Node}`
/// each time one that was up is lost, for every node (hidden ones
/// included); each call adds one subscription, `on = false` removes one.
void monitor_nodes(bool on);

/// The node a pid lives on.
[[nodiscard]] inline atom node(const pid& p) noexcept {
    return p.node;
}

} // namespace rill::dist
