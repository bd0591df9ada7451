// Big integers as sign + magnitude in 32-bit limbs (least significant
// first, no trailing zero limbs, zero is non-negative with no limbs), so
// equal values have one representation and == is member-wise. Printing
// converts to base 10^9 by Horner's rule (quadratic, with cheap steps:
// about 0.2 s for a 100 KB integer; bounded printing skips huge ones);
// parsing multiplies by 10 and adds.

#include "core/big_integer.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>

namespace rill::internal {

big_integer big_integer::from_uint64(std::uint64_t value) {
    big_integer result;
    while (value != 0) {
        result.limbs_.push_back(static_cast<std::uint32_t>(value));
        value >>= 32U;
    }
    return result;
}

big_integer big_integer::from_int64(std::int64_t value) {
    // Negate in unsigned arithmetic so INT64_MIN does not overflow.
    const auto magnitude =
        value < 0 ? ~static_cast<std::uint64_t>(value) + 1 : static_cast<std::uint64_t>(value);
    big_integer result = from_uint64(magnitude);
    result.negative_ = value < 0;
    return result;
}

big_integer big_integer::from_double(double value) {
    const bool negative = value < 0;
    int exponent = 0;
    const double fraction =
        std::frexp(std::abs(value), &exponent); // |value| = fraction * 2^exponent
    auto mantissa = static_cast<std::uint64_t>(std::ldexp(fraction, 53));
    int shift = exponent - 53;
    if (shift < 0) {
        mantissa >>= static_cast<unsigned>(-shift); // exact: value has no fraction
        shift = 0;
    }
    big_integer result = from_uint64(mantissa);
    if (!result.is_zero() && shift > 0) {
        const auto limb_shift = static_cast<std::size_t>(shift / 32);
        const auto bit_shift = static_cast<unsigned>(shift % 32);
        std::vector<std::uint32_t> shifted(limb_shift, 0);
        std::uint32_t carry = 0;
        for (std::uint32_t limb : result.limbs_) {
            shifted.push_back(bit_shift == 0 ? limb : (limb << bit_shift) | carry);
            carry = bit_shift == 0 ? 0 : limb >> (32 - bit_shift);
        }
        if (carry != 0) {
            shifted.push_back(carry);
        }
        result.limbs_ = std::move(shifted);
    }
    result.negative_ = negative;
    result.normalize();
    return result;
}

big_integer big_integer::from_bytes(bool negative, std::span<const std::uint8_t> magnitude) {
    big_integer result;
    result.limbs_.assign((magnitude.size() + 3) / 4, 0);
    for (std::size_t i = 0; i < magnitude.size(); ++i) {
        result.limbs_[i / 4] |= std::uint32_t{magnitude[i]} << (8 * (i % 4));
    }
    result.negative_ = negative;
    result.normalize();
    return result;
}

std::optional<big_integer> big_integer::from_decimal(std::string_view text) {
    bool negative = false;
    if (!text.empty() && text.front() == '-') {
        negative = true;
        text.remove_prefix(1);
    }
    if (text.empty()) {
        return std::nullopt;
    }
    big_integer result;
    for (char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        result.multiply_add_magnitude(10, static_cast<std::uint32_t>(c - '0'));
    }
    result.negative_ = negative;
    result.normalize();
    return result;
}

void big_integer::normalize() noexcept {
    while (!limbs_.empty() && limbs_.back() == 0) {
        limbs_.pop_back();
    }
    if (limbs_.empty()) {
        negative_ = false;
    }
}

void big_integer::multiply_add_magnitude(std::uint32_t factor, std::uint32_t addend) {
    std::uint64_t carry = addend;
    for (std::uint32_t& limb : limbs_) {
        const std::uint64_t current = std::uint64_t{limb} * factor + carry;
        limb = static_cast<std::uint32_t>(current);
        carry = current >> 32U;
    }
    if (carry != 0) {
        limbs_.push_back(static_cast<std::uint32_t>(carry));
    }
}

std::optional<std::uint64_t> big_integer::to_uint64() const noexcept {
    if (negative_ || limbs_.size() > 2) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    for (std::size_t i = limbs_.size(); i-- > 0;) {
        value = (value << 32U) | limbs_[i];
    }
    return value;
}

std::optional<std::int64_t> big_integer::to_int64() const noexcept {
    if (limbs_.size() > 2) {
        return std::nullopt;
    }
    std::uint64_t magnitude = 0;
    for (std::size_t i = limbs_.size(); i-- > 0;) {
        magnitude = (magnitude << 32U) | limbs_[i];
    }
    constexpr std::uint64_t limit = std::uint64_t{1} << 63U;
    if (negative_) {
        if (magnitude > limit) {
            return std::nullopt;
        }
        return static_cast<std::int64_t>(~magnitude + 1); // two's complement, INT64_MIN included
    }
    if (magnitude >= limit) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(magnitude);
}

std::vector<std::uint8_t> big_integer::magnitude_bytes() const {
    std::vector<std::uint8_t> bytes;
    bytes.reserve(limbs_.size() * 4);
    for (std::uint32_t limb : limbs_) {
        for (unsigned shift = 0; shift < 32; shift += 8) {
            bytes.push_back(static_cast<std::uint8_t>(limb >> shift));
        }
    }
    while (!bytes.empty() && bytes.back() == 0) {
        bytes.pop_back();
    }
    return bytes;
}

std::size_t big_integer::bit_length() const noexcept {
    if (limbs_.empty()) {
        return 0;
    }
    return (limbs_.size() - 1) * 32 + static_cast<std::size_t>(std::bit_width(limbs_.back()));
}

std::string big_integer::to_string() const {
    if (is_zero()) {
        return "0";
    }
    // Base 10^9 chunks, least significant first, built by Horner's rule
    // from the most significant limb: chunks = chunks * 2^32 + limb. Each
    // step divides by the constant 10^9, which compiles to a multiply: the
    // work is quadratic in the length but several times cheaper than
    // dividing the whole number by 10^9 once per nine digits.
    constexpr std::uint64_t chunk = 1'000'000'000;
    std::vector<std::uint32_t> chunks;
    chunks.reserve(limbs_.size() * 32 / 29 + 1); // 2^32 < 10^(9 * 32/29)
    for (std::size_t i = limbs_.size(); i-- > 0;) {
        std::uint64_t carry = limbs_[i];
        for (std::uint32_t& c : chunks) {
            const std::uint64_t value = (std::uint64_t{c} << 32U) + carry; // < 2^62
            c = static_cast<std::uint32_t>(value % chunk);
            carry = value / chunk;
        }
        while (carry != 0) {
            chunks.push_back(static_cast<std::uint32_t>(carry % chunk));
            carry /= chunk;
        }
    }
    std::string text = negative_ ? "-" : "";
    text.reserve(text.size() + chunks.size() * 9);
    text += std::to_string(chunks.back());
    for (std::size_t i = chunks.size() - 1; i-- > 0;) {
        const std::string digits = std::to_string(chunks[i]);
        text.append(9 - digits.size(), '0');
        text += digits;
    }
    return text;
}

std::size_t big_integer::hash() const noexcept {
    std::uint64_t h = negative_ ? 0x9E3779B97F4A7C15ULL : 0x6A09E667F3BCC909ULL;
    for (std::uint32_t limb : limbs_) {
        h = (h ^ limb) * 0x100000001B3ULL;
    }
    return std::hash<std::uint64_t>{}(h);
}

std::strong_ordering big_integer::compare_magnitude(const big_integer& other) const noexcept {
    if (limbs_.size() != other.limbs_.size()) {
        return limbs_.size() <=> other.limbs_.size();
    }
    for (std::size_t i = limbs_.size(); i-- > 0;) {
        if (limbs_[i] != other.limbs_[i]) {
            return limbs_[i] <=> other.limbs_[i];
        }
    }
    return std::strong_ordering::equal;
}

std::strong_ordering operator<=>(const big_integer& a, const big_integer& b) noexcept {
    if (a.negative_ != b.negative_) {
        return a.negative_ ? std::strong_ordering::less : std::strong_ordering::greater;
    }
    // Of two negative numbers the one of larger magnitude is smaller.
    return a.negative_ ? b.compare_magnitude(a) : a.compare_magnitude(b);
}

} // namespace rill::internal
