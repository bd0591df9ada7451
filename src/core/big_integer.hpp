#pragma once

// Arbitrary-precision integers, just what terms need: construction from
// int64/uint64/doubles/little-endian bytes/decimal text, comparison,
// decimal printing and conversion back to bytes. Values that fit int64 are
// normally held as plain integer terms; this type itself holds any value.

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rill::internal {

class big_integer {
public:
    /// Zero.
    big_integer() = default;

    static big_integer from_int64(std::int64_t value);
    static big_integer from_uint64(std::uint64_t value);

    /// The integer `value`; `value` must be finite and have no fraction.
    static big_integer from_double(double value);

    /// `-magnitude` or `magnitude`, the magnitude as little-endian bytes.
    static big_integer from_bytes(bool negative, std::span<const std::uint8_t> magnitude);

    /// Parses `[-]digits`; empty for anything else.
    static std::optional<big_integer> from_decimal(std::string_view text);

    [[nodiscard]] bool is_zero() const noexcept { return limbs_.empty(); }

    [[nodiscard]] bool is_negative() const noexcept { return negative_; }

    [[nodiscard]] std::optional<std::int64_t> to_int64() const noexcept;
    [[nodiscard]] std::optional<std::uint64_t> to_uint64() const noexcept;

    /// The magnitude as little-endian bytes, without trailing zero bytes.
    [[nodiscard]] std::vector<std::uint8_t> magnitude_bytes() const;

    /// Bits in the magnitude: 0 for zero, else one more than the highest set bit's index.
    [[nodiscard]] std::size_t bit_length() const noexcept;

    /// Decimal text, `-` first when negative.
    [[nodiscard]] std::string to_string() const;

    [[nodiscard]] std::size_t hash() const noexcept;

    friend bool operator==(const big_integer&, const big_integer&) noexcept = default;
    friend std::strong_ordering operator<=>(const big_integer& a, const big_integer& b) noexcept;

private:
    void normalize() noexcept;
    void multiply_add_magnitude(std::uint32_t factor, std::uint32_t addend);
    [[nodiscard]] std::strong_ordering compare_magnitude(const big_integer& other) const noexcept;

    bool negative_ = false;            // never true for zero
    std::vector<std::uint32_t> limbs_; // magnitude, least significant first, no trailing zeros
};

} // namespace rill::internal
