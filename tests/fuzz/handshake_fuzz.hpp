#pragma once

// Shared by the handshake fuzz targets: the input is what the peer sends,
// as on the wire (messages each prefixed by a 2-byte length); each message
// is fed to the state machine in turn until the input ends, the handshake
// completes, or it throws the refusal it is allowed to throw.

#include "dist/wire/wire_bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

namespace rill::fuzz {

template <class Feed>
void feed_messages(std::span<const std::uint8_t> input, Feed&& feed) {
    while (input.size() >= 2) {
        const std::size_t length = (std::size_t{input[0]} << 8U) | input[1];
        input = input.subspan(2);
        if (length > input.size()) {
            return;
        }
        const auto body = std::as_bytes(input.first(length));
        input = input.subspan(length);
        if (!feed(body)) {
            return;
        }
    }
}

} // namespace rill::fuzz
