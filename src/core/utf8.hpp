#pragma once

// UTF-8 validation and code point counting, as the Unicode standard defines
// well-formed UTF-8 (Unicode 15, table 3-7): no overlong encodings, no
// surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated
// sequences. Atom names are checked with it before they are interned.

#include <cstddef>
#include <string_view>

namespace rill::internal {

struct utf8_length_result {
    bool valid = true;
    /// Code points in the text; only meaningful when `valid`.
    std::size_t code_points = 0;
    /// Byte offset of the first ill-formed sequence; only meaningful when not `valid`.
    std::size_t invalid_offset = 0;
};

/// Counts the code points of `text` if it is well-formed UTF-8; otherwise
/// says where the first ill-formed sequence starts. ASCII runs are counted
/// eight bytes at a time.
[[nodiscard]] utf8_length_result utf8_length(std::string_view text) noexcept;

} // namespace rill::internal
