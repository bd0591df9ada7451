#pragma once

// The distribution of one node: what `dist::net_kernel` owns. It holds the
// I/O thread, the listening socket, the epmd registration (or the embedded
// epmd), the table of connections by peer, and the remote route installed
// on the runtime.
//
// Connection table: `connections_`, guarded by `table_mutex_`, maps a peer
// to its one connection (connecting or up). Senders look it up from any
// thread; only the I/O thread removes entries. A send to a node without an
// entry creates one and starts connecting (auto-connect, as BEAM).
//
// Simultaneous connect (both nodes dial each other at once): the acceptor
// that finds this node's own attempt pending answers `ok_simultaneous` when
// the dialler's name sorts after this node's (this node's attempt gives way
// and the accepted socket becomes the connection), else `nok` (the
// dialler's attempt gives way) — BEAM's rule, so a rill node and a BEAM node
// agree on which connection survives.

#include <rill/core/atom.hpp>
#include <rill/dist/net_kernel.hpp>
#include <rill/dist/options.hpp>
#include <rill/runtime/remote.hpp>

#include "dist/connection/connection.hpp"
#include "dist/epmd/embedded_epmd.hpp"
#include "dist/handshake/handshake.hpp"
#include "dist/io/io_thread.hpp"
#include "dist/node/remote_calls.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace rill {
class runtime;
}

namespace rill::dist::internal {

class node_core : public std::enable_shared_from_this<node_core> {
public:
    node_core(runtime& rt, options opts);
    ~node_core();

    node_core(const node_core&) = delete;
    node_core& operator=(const node_core&) = delete;

    /// Listens, registers with epmd, installs the route (the calling thread
    /// waits for the I/O thread). Throws `setup_error`.
    void start();
    /// Closes every connection, unregisters, removes the route, stops the
    /// I/O thread.
    void stop();

    // ---- any thread ----------------------------------------------------------------------

    /// The route's entry: queues `signal` on the connection to its node,
    /// connecting first when there is none.
    void send(const remote_signal& signal);

    /// Connects to `peer` if needed; `done(bool up)` runs on the I/O thread
    /// once the connection is up or the attempt failed.
    void ensure_connected(atom peer, std::function<void(bool)> done);

    /// monitor_node/2 for `watcher`: added (connecting to `peer` if
    /// needed) or one removed.
    void monitor_node(atom peer, const pid& watcher, bool on);
    /// monitor_nodes/1 for `watcher`: one subscription added or removed.
    void monitor_nodes(const pid& watcher, bool on);

    /// The functions other nodes may call here.
    [[nodiscard]] const std::shared_ptr<function_table>& functions() const noexcept {
        return functions_;
    }

    [[nodiscard]] std::vector<atom> connected_nodes() const;
    bool disconnect(atom peer);
    [[nodiscard]] std::vector<connection_statistics> statistics() const;

    [[nodiscard]] atom node() const noexcept { return node_; }

    [[nodiscard]] const options& opts() const noexcept { return options_; }

    [[nodiscard]] runtime& rt() noexcept { return runtime_; }

    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

    [[nodiscard]] std::uint32_t creation() const noexcept { return identity_.creation; }

    [[nodiscard]] std::uint16_t epmd_port() const noexcept { return epmd_port_; }

    [[nodiscard]] bool runs_embedded_epmd() const noexcept { return embedded_ != nullptr; }

    asio::io_context& io() noexcept { return io_->context(); }

    /// Writes a log line (I/O thread or any).
    void log(const std::string& line) const;

    // ---- I/O thread ----------------------------------------------------------------------

    /// Removes `c` from the table (if it is still the entry for its peer)
    /// and runs the waiters of its outcome.
    void forget(const std::shared_ptr<connection>& c);
    /// Runs the waiters of `c`'s peer: it is up.
    void connected(const std::shared_ptr<connection>& c);

private:
    awaitable<void> accept_loop();
    awaitable<void> run_acceptor(tcp::socket socket);
    awaitable<void> run_initiator(std::shared_ptr<connection> c);
    awaitable<tcp::endpoint> locate(atom peer);
    accept_status decide(const peer_identity& peer, std::shared_ptr<connection>& entry);
    void register_with_epmd();
    std::uint32_t fresh_challenge();
    void notify(atom peer, bool up);
    // Tells the node monitors that `peer` came up or went (table_mutex_
    // not held). `was_up`: the connection had come up (monitor_nodes/1 is
    // told only of those).
    void tell_node_watchers(atom peer, bool up, bool was_up);
    void sweep_node_watchers(); // table_mutex_ held

    runtime& runtime_;
    options options_;
    atom node_;
    handshake_identity identity_;
    std::uint16_t epmd_port_ = 0;
    std::uint16_t port_ = 0;

    std::unique_ptr<io_thread> io_; // kept until destruction (see stop)
    bool io_stopped_ = false;
    std::optional<tcp::acceptor> listener_;
    std::shared_ptr<tcp::socket> epmd_registration_;
    std::shared_ptr<embedded_epmd> embedded_;

    mutable std::mutex table_mutex_;
    std::map<atom, std::shared_ptr<connection>> connections_; // guarded by table_mutex_
    // Who waits for a peer's connection (ping, connect_blocking); guarded
    // by table_mutex_.
    std::multimap<atom, std::function<void(bool)>> waiters_;
    bool stopping_ = false; // guarded by table_mutex_
    // Node monitors, guarded by table_mutex_: monitor_node/2's, by node
    // (told of that node's nodedown once, then gone), and monitor_nodes/1's
    // (told of every nodeup and nodedown). Dead watchers are swept out when
    // the tables have doubled since the last sweep.
    std::multimap<atom, pid> node_watchers_;
    std::vector<pid> all_nodes_watchers_;
    std::size_t sweep_watchers_at_ = 1024;

    std::mt19937 challenges_; // I/O thread only
    std::shared_ptr<function_table> functions_ = std::make_shared<function_table>();
};

/// The node_core of the runtime whose node is `node`, if one runs.
std::shared_ptr<node_core> node_core_of(atom node);

} // namespace rill::dist::internal
