#pragma once

// A frame on its way to a peer: `head` (its length, header and whatever
// was encoded for it), then `tail`, bytes that someone else owns and
// `owner` keeps alive: a slice of a fragmented message's encoded bytes
// (shared by all its fragments, so splitting copies nothing), or of a large
// binary sent as it is, never copied into the frame.

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
    std::shared_ptr<const void> owner; // keeps `tail` alive; null when it is empty
    std::span<const std::byte> tail;
    // The sending process: its frames leave in the order it sent them.
    pid sender;
    // What to inject locally if the frame never leaves (a link or a
    // monitor answered as unreachable).
    std::optional<remote_signal> answer_if_lost;

    [[nodiscard]] std::size_t size() const noexcept { return head.size() + tail.size(); }
};

} // namespace rill::dist::internal
