#pragma once

// An epmd inside the node, for machines that run none: the node starts it
// when nothing answers on the epmd port, so a new user needs no separate
// daemon. It speaks what OTP 25's epmd speaks to nodes and tools (ALIVE2,
// PORT_PLEASE2, NAMES; `epmd -names` works against it), so BEAM nodes
// started later register with it too. It lives as long as the node that
// started it: when that node stops, the names registered with it are gone
// (as when a real epmd is killed).
//
// Everything runs on the I/O thread; the name table is touched only there.
// A registration holds its connection open; when the connection closes the
// name is released, as epmd does. A connection that sends no complete
// request within `epmd_request_timeout` is closed. KILL_REQ is answered
// "NO": this daemon ends with its node, not on request.

#include "dist/epmd/epmd_wire.hpp"
#include "dist/io/asio.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace rill::dist::internal {

inline constexpr std::chrono::milliseconds epmd_request_timeout{5000};

class embedded_epmd : public std::enable_shared_from_this<embedded_epmd> {
public:
    /// Binds `endpoint` (throws `std::system_error`, e.g. when another
    /// epmd holds the port). Serves once `start` is called.
    embedded_epmd(asio::io_context& context, tcp::endpoint endpoint);

    /// Starts accepting (any thread).
    void start();

    /// Stops accepting and closes every connection (I/O thread).
    void stop();

    /// The port it listens on.
    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

    /// The nodes registered now (I/O thread).
    [[nodiscard]] std::vector<epmd_node> nodes() const;

private:
    struct registration {
        epmd_node node;
        std::shared_ptr<tcp::socket> connection;
    };

    awaitable<void> accept_loop();
    awaitable<void> serve(std::shared_ptr<tcp::socket> socket);
    awaitable<void> hold_registration(std::shared_ptr<tcp::socket> socket, std::string alive);

    tcp::acceptor acceptor_;
    std::uint16_t port_;
    std::map<std::string, registration> registered_;
    // epmd starts from a random-looking creation and counts up; 0 is never
    // handed out (it means "no creation" on the wire).
    std::uint32_t next_creation_;
};

} // namespace rill::dist::internal
