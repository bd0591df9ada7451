// Dialling and accepting: how a connection of node_core comes up. The
// dialler looks the peer up in the epmd on the peer's host, connects and
// runs the initiator's handshake; the acceptor runs the acceptor's, asking
// the connection table what to answer (`decide`: simultaneous connect,
// BEAM's rule, see node_core.hpp). Each side is bounded by the setup time.

#include "dist/epmd/epmd_client.hpp"
#include "dist/io/deadline.hpp"
#include "dist/io/u16_messages.hpp"
#include "dist/node/node_core.hpp"

#include <utility>

namespace rill::dist::internal {

// ---- connection setup ---------------------------------------------------------------------

awaitable<tcp::endpoint> node_core::locate(atom peer) {
    auto [alive, host] = split_node_name(peer.name());
    tcp::resolver resolver(io());
    auto addresses = co_await resolver.async_resolve(host, "", use_awaitable);
    std::optional<asio::ip::address> address;
    for (const auto& entry : addresses) {
        if (!address || (entry.endpoint().address().is_v4() && !address->is_v4())) {
            address = entry.endpoint().address();
        }
    }
    if (!address) {
        throw protocol_error("host '" + host + "' has no address");
    }
    const std::uint16_t epmd = epmd_port_ != 0 ? epmd_port_ : epmd_port_from_environment();
    std::optional<epmd_node> found = co_await epmd_lookup(tcp::endpoint(*address, epmd), alive);
    if (!found) {
        throw protocol_error("epmd on " + host + " knows no node '" + alive + "'");
    }
    co_return tcp::endpoint(*address, found->port);
}

awaitable<void> node_core::run_initiator(std::shared_ptr<connection> c) {
    auto self = shared_from_this();
    const atom peer = c->peer();
    try {
        if (!is_node_name(peer.name())) {
            throw protocol_error("'" + std::string(peer.name()) + "' is no node name");
        }
        auto setup = [&]() -> awaitable<void> {
            const tcp::endpoint endpoint = co_await locate(peer);
            tcp::socket socket(io());
            co_await socket.async_connect(endpoint, use_awaitable);
            handshake_initiator handshake(
                identity_, std::string(peer.name()), fresh_challenge(), [c] {
                    return c->current_state() != connection::state::up;
                });
            co_await write_message(socket, handshake.start());
            for (;;) {
                const bytes message = co_await read_u16_message(socket);
                handshake_step step = handshake.on_message(message);
                co_await write_message(socket, step.to_send);
                if (handshake.gave_up()) {
                    co_return; // the connection is up on another socket
                }
                if (step.complete) {
                    c->attach(std::move(socket), handshake.peer());
                    co_return;
                }
            }
        };
        co_await within(options_.setup_time, setup(), "connection setup");
    } catch (const simultaneous_connect_lost&) {
        c->initiator_superseded = true;
    } catch (const std::exception& e) {
        // A failed attempt ends the connection, unless another socket made
        // it (the peer's simultaneous connect) or will (superseded).
        if (!c->initiator_superseded && c->current_state() != connection::state::up) {
            c->fail(e.what());
            co_return;
        }
    }
    if (c->initiator_superseded) {
        // Simultaneous connect: the peer's connection to this node is
        // the one that goes on; this attempt only had to get out of
        // its way. Bound the wait for it.
        asio::steady_timer timer(io(), options_.setup_time);
        co_await timer.async_wait(asio::experimental::as_tuple(use_awaitable));
        if (c->current_state() == connection::state::connecting) {
            c->fail("simultaneous connect: the peer's connection did not complete");
        }
    }
}

accept_status node_core::decide(const peer_identity& peer, std::shared_ptr<connection>& entry) {
    const atom name{peer.node};
    std::lock_guard lock(table_mutex_);
    if (stopping_) {
        return accept_status::not_allowed;
    }
    auto found = connections_.find(name);
    if (found == connections_.end()) {
        entry = std::make_shared<connection>(*this, name);
        connections_.emplace(name, entry);
        return accept_status::ok;
    }
    if (found->second->current_state() == connection::state::up) {
        entry = found->second;
        return accept_status::alive;
    }
    // This node dials the peer too. BEAM's rule: the attempt of the node
    // whose name sorts higher goes on.
    if (peer.node > identity_.node) {
        entry = found->second;
        entry->initiator_superseded = true;
        return accept_status::ok_simultaneous;
    }
    return accept_status::nok;
}

awaitable<void> node_core::accept_loop() {
    auto self = shared_from_this();
    for (;;) {
        auto [error, socket] =
            co_await listener_->async_accept(asio::experimental::as_tuple(use_awaitable));
        if (error == asio::error::operation_aborted || !listener_->is_open()) {
            co_return;
        }
        if (!error) {
            asio::co_spawn(io(), run_acceptor(std::move(socket)), asio::detached);
        }
    }
}

awaitable<void> node_core::run_acceptor(tcp::socket socket) {
    auto self = shared_from_this();
    std::shared_ptr<connection> entry;
    // Until its name message names it, the peer is its address: a refusal
    // of garbage or of silence still says whom it refused.
    asio::error_code no_address;
    const tcp::endpoint remote = socket.remote_endpoint(no_address);
    std::string peer_name = no_address ? std::string("a peer")
                                       : "a peer at " + remote.address().to_string() + ":" +
                                             std::to_string(remote.port());
    try {
        auto steps = [&]() -> awaitable<void> {
            handshake_acceptor handshake(
                identity_,
                fresh_challenge(),
                [&](const peer_identity& peer) { return decide(peer, entry); },
                [&](const peer_identity& peer) {
                    // The peer insists its old connection is gone: replace it.
                    std::shared_ptr<connection> old = entry;
                    old->fail("replaced by a new connection from " + peer.node);
                    std::lock_guard lock(table_mutex_);
                    entry = std::make_shared<connection>(*this, atom(peer.node));
                    connections_[atom(peer.node)] = entry;
                });
            for (;;) {
                const bytes message = co_await read_u16_message(socket);
                handshake_step step = handshake.on_message(message);
                peer_name = handshake.peer().node.empty() ? peer_name : handshake.peer().node;
                co_await write_message(socket, step.to_send);
                if (!handshake.refusal().empty()) {
                    throw handshake_refused(handshake.refusal());
                }
                if (step.complete) {
                    entry->attach(std::move(socket), handshake.peer());
                    co_return;
                }
            }
        };
        co_await within(options_.setup_time, steps(), "handshake");
    } catch (const std::exception& e) {
        log("refused a connection from " + peer_name + ": " + e.what());
        // An entry this acceptor made, or took over from this node's own
        // attempt (simultaneous connect), dies with the handshake.
        if (entry != nullptr && entry->current_state() == connection::state::connecting) {
            entry->fail(std::string("the connection from the peer failed: ") + e.what());
        }
    }
}

} // namespace rill::dist::internal
