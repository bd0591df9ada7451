#pragma once

// zlib for compressed terms (COMPRESSED, tag 80): the one file that includes
// <zlib.h>. Deflate writes what OTP's term_to_binary writes (compress2's
// zlib stream at the given level); inflate fills a buffer of the size the
// term states and reports whether the stream ends exactly there.

#include <cstddef>
#include <span>
#include <vector>

namespace rill::internal {

/// `input` as a zlib stream compressed at `level` (0..9).
[[nodiscard]] std::vector<std::byte> zlib_deflate(std::span<const std::byte> input, int level);

enum class inflate_status {
    ok,        ///< the stream ended with exactly `output.size()` bytes out
    truncated, ///< the input ended inside the stream
    corrupt,   ///< not a valid zlib stream (bad header, bad data, bad checksum)
    too_long,  ///< the stream holds more than `output.size()` bytes
    too_short, ///< the stream ended before filling `output`
};

struct inflate_result {
    inflate_status status = inflate_status::ok;
    std::size_t consumed = 0; ///< input bytes of the stream, when `ok`
};

/// Inflates the zlib stream at the start of `input` into `output`, never
/// writing past it; input after the stream's end is left unread.
[[nodiscard]] inflate_result zlib_inflate(std::span<const std::byte> input,
                                          std::span<std::byte> output);

} // namespace rill::internal
