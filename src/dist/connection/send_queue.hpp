#pragma once

// The frames waiting for a connection's writer, in two lanes so that a
// large message does not hold up everything behind it.
//
// The quick lane holds whole frames; the bulk lane holds the fragments of
// large messages, and every later frame of a sender that still has frames
// in the bulk lane (so one sender's frames never overtake each other).
// Each write takes the whole quick lane, then bulk frames up to a budget:
// a tick or a small message waits for at most one budget's worth of a
// large message, as on BEAM, where fragments of one message interleave
// with the messages of other processes. Frames of one sender keep their
// order; frames of different senders have no order to keep (Erlang orders
// signals per pair of processes only).
//
// Not thread-safe: the connection guards it with its mutex.

#include <rill/core/pid.hpp>

#include "dist/connection/outbound_frame.hpp"

#include <cstddef>
#include <deque>
#include <span>
#include <unordered_map>
#include <vector>

namespace rill::dist::internal {

class send_queue {
public:
    /// Appends a whole frame: to the quick lane, unless its sender has
    /// frames in the bulk lane.
    void push(outbound_frame frame);

    /// Appends a frame that keeps no order with any other (a tick) to the
    /// quick lane.
    void push_urgent(outbound_frame frame);

    /// Appends the fragments of one message to the bulk lane.
    void push_fragments(std::span<outbound_frame> fragments);

    /// The frames of the next write, in the order they must be written:
    /// the whole quick lane, then bulk frames while they fit `bulk_budget`
    /// bytes (at least one).
    std::vector<outbound_frame> take_batch(std::size_t bulk_budget);

    /// Every frame, quick lane first (for a connection that ends).
    std::vector<outbound_frame> take_all();

    [[nodiscard]] bool empty() const noexcept { return quick_.empty() && bulk_.empty(); }

    [[nodiscard]] std::size_t size_in_bytes() const noexcept { return bytes_; }

private:
    void push_bulk(outbound_frame frame);

    std::vector<outbound_frame> quick_;
    std::deque<outbound_frame> bulk_;
    std::unordered_map<pid, std::size_t> bulk_per_sender_; // frames in bulk_, by sender
    std::size_t bytes_ = 0;
};

} // namespace rill::dist::internal
