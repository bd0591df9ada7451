#pragma once

/// \file
/// The layers above the process layer, put together for one node: the
/// signal layer's handlers, the name registry and the remote route. The
/// runtime owns one and hands it to its core as `upper_layers`, the only
/// way the process layer reaches upwards. It also converts between signal
/// nodes and `remote_signal`, in both directions (the route's two seams).

#include <rill/runtime/remote.hpp>

#include "process/upper_layers.hpp"
#include "registry/registry.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

namespace rill::internal {

class node_layers final : public upper_layers {
public:
    explicit node_layers(detail::runtime_core& core);
    node_layers(const node_layers&) = delete;
    node_layers& operator=(const node_layers&) = delete;
    node_layers(node_layers&&) = delete;
    node_layers& operator=(node_layers&&) = delete;
    ~node_layers() = default;

    [[nodiscard]] registry& names() noexcept { return names_; }

    /// Installs `route` (null: none). Any thread. A route once installed is
    /// kept alive until the node is destroyed, so a call in flight on
    /// another thread never outlives it.
    void set_remote_route(std::shared_ptr<remote_route> route);

    /// Delivers a signal from another node to a local process (inbound
    /// seam); returns the local pid it went to (default: none). Any thread.
    pid inject(remote_signal signal);

    // upper_layers
    void handle_signal(process& owner, detail::mailbox_node* node) noexcept override;
    void process_ending(process& dying, const term& reason) noexcept override;
    void answer_undeliverable(detail::mailbox_node* node, atom reason) noexcept override;
    void send_held_monitor(process& owner) noexcept override;
    void send_remote(process* sender, const pid& to, detail::mailbox_node* node) override;
    void send_remote_to_name(process* sender,
                             atom name,
                             atom node,
                             detail::mailbox_node* message) override;
    [[nodiscard]] std::string describe_signal(const detail::mailbox_node* node,
                                              pid& sender) const override;
    [[nodiscard]] std::optional<pid> whereis(atom name) const override;

private:
    // Hands `signal` (built from `node`) to the route; answers `node` as
    // unreachable when there is none or it throws. Takes the node.
    void route(remote_signal signal, detail::mailbox_node* node) noexcept;

    detail::runtime_core& core_;
    registry names_;

    // The installed route, or null. Release store after the route is kept
    // in `installed_`; acquire load by every remote send, so the route's
    // construction is visible to the thread that calls it.
    std::atomic<remote_route*> route_{nullptr};
    std::mutex install_mutex_;
    std::vector<std::shared_ptr<remote_route>> installed_; // under install_mutex_
};

} // namespace rill::internal
