// UTF-8 validation after Unicode 15, table 3-7 ("Well-Formed UTF-8 Byte
// Sequences"): the lead byte fixes the sequence length and the range of the
// second byte, which is where overlong forms (E0 80..9F, F0 80..8F),
// surrogates (ED A0..BF) and code points past U+10FFFF (F4 90..BF) are
// excluded; every later byte is a plain continuation byte 80..BF. C0, C1 and
// F5..FF never appear.

#include "core/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace rill::internal {

namespace {

struct sequence_shape {
    std::size_t length = 0; // 0: the byte cannot start a sequence
    unsigned char second_min = 0x80;
    unsigned char second_max = 0xBF;
};

// The shape of a sequence led by a non-ASCII byte.
constexpr sequence_shape shape_of(unsigned char lead) noexcept {
    if (lead < 0xC2) {
        return {}; // a continuation byte, or C0/C1 (overlong two-byte forms)
    }
    if (lead <= 0xDF) {
        return {2, 0x80, 0xBF};
    }
    if (lead == 0xE0) {
        return {3, 0xA0, 0xBF}; // E0 80..9F would be overlong
    }
    if (lead == 0xED) {
        return {3, 0x80, 0x9F}; // ED A0..BF would be a surrogate
    }
    if (lead <= 0xEF) {
        return {3, 0x80, 0xBF};
    }
    if (lead == 0xF0) {
        return {4, 0x90, 0xBF}; // F0 80..8F would be overlong
    }
    if (lead <= 0xF3) {
        return {4, 0x80, 0xBF};
    }
    if (lead == 0xF4) {
        return {4, 0x80, 0x8F}; // F4 90..BF would pass U+10FFFF
    }
    return {}; // F5..FF
}

bool is_continuation(char byte) noexcept {
    return (static_cast<unsigned char>(byte) & 0xC0U) == 0x80U;
}

// True when the eight bytes at `bytes` are all ASCII.
bool is_ascii_word(const char* bytes) noexcept {
    std::uint64_t word = 0;
    std::memcpy(&word, bytes, sizeof word);
    return (word & 0x8080'8080'8080'8080ULL) == 0;
}

// True when the sequence of `shape` at `text[at]` is complete and well-formed.
bool is_well_formed(std::string_view text, std::size_t at, sequence_shape shape) noexcept {
    if (shape.length == 0 || text.size() - at < shape.length) {
        return false;
    }
    const auto second = static_cast<unsigned char>(text[at + 1]);
    if (second < shape.second_min || second > shape.second_max) {
        return false;
    }
    for (std::size_t k = 2; k < shape.length; ++k) {
        if (!is_continuation(text[at + k])) {
            return false;
        }
    }
    return true;
}

} // namespace

utf8_length_result utf8_length(std::string_view text) noexcept {
    std::size_t code_points = 0;
    std::size_t at = 0;
    while (at < text.size()) {
        if (text.size() - at >= 8 && is_ascii_word(text.data() + at)) {
            at += 8;
            code_points += 8;
            continue;
        }
        const auto lead = static_cast<unsigned char>(text[at]);
        if (lead < 0x80) {
            ++at;
            ++code_points;
            continue;
        }
        const sequence_shape shape = shape_of(lead);
        if (!is_well_formed(text, at, shape)) {
            return {false, code_points, at};
        }
        at += shape.length;
        ++code_points;
    }
    return {true, code_points, 0};
}

} // namespace rill::internal
