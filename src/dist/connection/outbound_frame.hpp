#pragma once

// A frame on its way to a peer: whole, or one fragment of a large message.
// A whole frame is all in `head`. A fragment's `head` holds its length and
// fragment header, and its data is a slice of the message's encoded bytes,
// shared by every fragment of the message so that splitting copies nothing.

#include <rill/core/pid.hpp>
#include <rill/runtime/remote.hpp>

#include "dist/wire/wire_bytes.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <span>

namespace rill::dist::internal {

struct outbound_frame {
    bytes head;
    std::shared_ptr<const bytes> shared; // a fragment's message, else null
    std::size_t offset = 0;              // of the fragment's data in *shared
    std::size_t length = 0;              // of the fragment's data
    // The sending process: its frames leave in the order it sent them.
    pid sender;
    // What to inject locally if the frame never leaves (a link or a
    // monitor answered as unreachable).
    std::optional<remote_signal> answer_if_lost;

    [[nodiscard]] std::size_t size() const noexcept { return head.size() + length; }

    [[nodiscard]] std::span<const std::byte> data() const noexcept {
        return shared ? std::span<const std::byte>(*shared).subspan(offset, length)
                      : std::span<const std::byte>();
    }
};

} // namespace rill::dist::internal
