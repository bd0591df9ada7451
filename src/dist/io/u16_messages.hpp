#pragma once

// Messages prefixed by a 2-byte big-endian length, as epmd requests and
// handshake messages travel: read one whole, write one whole.

#include "dist/io/asio.hpp"
#include "dist/wire/wire_bytes.hpp"

#include <array>
#include <cstddef>

namespace rill::dist::internal {

/// The body of the next message (its length read and dropped).
inline awaitable<bytes> read_u16_message(tcp::socket& socket) {
    std::array<std::byte, 2> length{};
    co_await asio::async_read(socket, asio::buffer(length), use_awaitable);
    bytes body((std::to_integer<std::size_t>(length[0]) << 8U) |
               std::to_integer<std::size_t>(length[1]));
    co_await asio::async_read(socket, asio::buffer(body), use_awaitable);
    co_return body;
}

/// Writes `message` (prefix included); nothing for an empty one.
inline awaitable<void> write_message(tcp::socket& socket, const bytes& message) {
    if (!message.empty()) {
        co_await asio::async_write(socket, asio::buffer(message), use_awaitable);
    }
}

} // namespace rill::dist::internal
