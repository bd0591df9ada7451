#pragma once

// Talking to an epmd (a real one, or another node's embedded one) from the
// I/O thread: register this node, look another up, list the names. Each
// call opens its own connection, as the protocol wants; a registration's
// connection must stay open for as long as the node is registered (epmd
// forgets a name when its connection closes), so it is returned. Every step
// is bounded by `epmd_timeout`: an epmd that accepts and says nothing is
// an error, not a hang.

#include "dist/epmd/epmd_wire.hpp"
#include "dist/io/asio.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rill::dist::internal {

inline constexpr std::chrono::milliseconds epmd_timeout{5000};

struct epmd_registration {
    /// Keep open: closing it unregisters the node.
    std::shared_ptr<tcp::socket> connection;
    std::uint32_t creation = 0;
};

/// Registers `node`. Throws `std::system_error` when no epmd answers at
/// `epmd`, `protocol_error` when it refuses the name (already registered)
/// or answers nonsense, `timeout_error` when it stalls.
awaitable<epmd_registration> epmd_register(tcp::endpoint epmd, epmd_node node);

/// The node registered as `alive`, or nullopt when epmd has none by that
/// name. Throws as epmd_register does.
awaitable<std::optional<epmd_node>> epmd_lookup(tcp::endpoint epmd, std::string alive);

/// Every (name, port) registered. Throws as epmd_register does.
awaitable<std::vector<std::pair<std::string, std::uint16_t>>> epmd_names(tcp::endpoint epmd);

} // namespace rill::dist::internal
