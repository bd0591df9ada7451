#pragma once

// Fragmented messages (DFLAG_FRAGMENTS), as OTP 22 and later send them.
// Once both nodes agree on fragments, every frame starts with a
// distribution header instead of 'p', and its terms have no version byte:
//
//   whole message    131 68 0                        Control Payload
//   first fragment   131 69 Sequence:64 Count:64 0   first bytes of Control Payload
//   next fragments   131 70 Sequence:64 Id:64        the following bytes
//
// (the 0 is the number of atom cache references: this node offers no atom
// cache, so there are none). A message of more than `fragment_size` bytes
// goes as Count fragments whose ids count down from Count to 1; the
// fragments of different messages may interleave on the connection, those
// of one message come in order. The writer uses this to let small frames
// and ticks pass a large message (send_queue.hpp).

#include <rill/dist/etf.hpp>

#include "dist/connection/outbound_frame.hpp"
#include "dist/wire/wire_bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

namespace rill::dist::internal {

/// The most message bytes in one fragment this node sends. BEAM sends 64 KiB
/// (ERTS_DIST_FRAGMENT_SIZE); a receiver takes fragments of any size, and
/// larger ones cost fewer frames and reads per megabyte (a tick still waits
/// for at most two of them: send_queue.hpp).
inline constexpr std::size_t fragment_size = std::size_t{256} << 10U;

inline constexpr std::byte dist_header{68};
inline constexpr std::byte dist_frag_header{69};
inline constexpr std::byte dist_frag_cont{70};

/// Length, 131 68 0: what precedes the terms of a whole message.
inline constexpr std::size_t whole_message_prefix = 4 + 3;

/// The fragments of the message `prefix` followed by `data` (which `owner`
/// keeps alive), each a frame whose `head` holds its length and header (the
/// first one's also `prefix`, which must be shorter than a fragment) and
/// whose `tail` is a slice of `data`. `sequence` must differ from that of
/// every other message of the connection still in flight.
std::vector<outbound_frame> split_into_fragments(std::span<const std::byte> prefix,
                                                 const std::shared_ptr<const void>& owner,
                                                 std::span<const std::byte> data,
                                                 std::uint64_t sequence);

/// Puts fragmented messages back together, for a connection's reader.
/// Bounded: at most `max_buffered` bytes wait in unfinished messages, and at
/// most `max_open` messages are unfinished at once.
class fragment_assembler {
public:
    static constexpr std::size_t max_open = 65'536;

    explicit fragment_assembler(std::size_t max_buffered) noexcept
        : max_buffered_(max_buffered) {}

    /// `body`: a frame after its length, starting with 131 68, 69 or 70.
    /// The message it completes (its control term then its payload, without
    /// version bytes), or nothing while fragments are due. Throws
    /// `protocol_error` for a malformed header, atom cache references, a
    /// fragment out of order or of no open message, a message opened twice,
    /// or past the bounds.
    std::optional<etf::shared_bytes> feed(bytes body);

    /// For a reader that reads a continuation's data straight into place:
    /// `header` is the frame's first 18 bytes (131 70 Sequence Id), checked
    /// as `feed` checks them. Makes room for `data_size` more bytes of the
    /// message and returns where they go; the caller fills all of it, then
    /// calls `finish_continuation(sequence)`. Throws as `feed`.
    std::span<std::byte> begin_continuation(std::span<const std::byte> header,
                                            std::size_t data_size,
                                            std::uint64_t& sequence);

    /// The message the continuation that `begin_continuation` placed
    /// completes, or nothing while fragments are due.
    std::optional<etf::shared_bytes> finish_continuation(std::uint64_t sequence);

    [[nodiscard]] std::size_t open_messages() const noexcept { return open_.size(); }

    [[nodiscard]] std::size_t buffered_bytes() const noexcept { return buffered_; }

private:
    struct partial {
        std::uint64_t next_id = 0; // the id the next fragment must have
        bytes data;                // the first fragment's frame, then the others' data
        std::size_t skip = 0;      // the first fragment's header, in data
        std::size_t charged = 0;   // bytes of data counted in buffered_
    };

    // The open message that fragment `id` of `sequence` extends, checked.
    partial& continued(std::uint64_t sequence, std::uint64_t id);
    // Counts `p.data` growing to `size` bytes against the bound.
    void charge(partial& p, std::size_t size);
    std::optional<etf::shared_bytes> finish(std::unordered_map<std::uint64_t, partial>::iterator p);

    std::unordered_map<std::uint64_t, partial> open_;
    std::size_t buffered_ = 0;
    std::size_t max_buffered_;
};

} // namespace rill::dist::internal
