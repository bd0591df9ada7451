#pragma once

// Terms without their version byte: how a distribution frame that starts
// with a distribution header (131 68, or the fragment headers 131 69 and
// 131 70) holds its control message and payload. The codec is the public
// one (include/rill/dist/etf.hpp) with the leading 131 left out; such
// terms are never compressed.

#include <rill/core/term.hpp>
#include <rill/dist/etf.hpp>

#include <cstddef>
#include <vector>

namespace rill::internal {

/// Appends `t` in the external term format without the version byte.
/// Throws `etf::encode_error` as `etf::append_encoded` does (`out` then as it was).
void etf_append_bare(std::vector<std::byte>& out, const term& t);

/// The term starting at `input.bytes[offset]` (its tag, no version byte)
/// and its size in bytes; binaries share `input.owner`. Throws
/// `etf::decode_error`.
[[nodiscard]] etf::decoded_term etf_decode_bare_at(const etf::shared_bytes& input,
                                                   std::size_t offset);

} // namespace rill::internal
