#pragma once

// Helpers shared by the ETF tests: hex <-> bytes, and what a failed decode
// reported.

#include <rill/dist/etf.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rill::test {

/// The bytes of lowercase or uppercase hex text (no separators).
inline std::vector<std::byte> from_hex(std::string_view hex) {
    const auto digit = [](char c) -> unsigned {
        return c <= '9' ? static_cast<unsigned>(c - '0')
                        : static_cast<unsigned>((c | 0x20) - 'a' + 10);
    };
    std::vector<std::byte> bytes;
    bytes.reserve(hex.size() / 2);
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        bytes.push_back(static_cast<std::byte>(digit(hex[i]) * 16 + digit(hex[i + 1])));
    }
    return bytes;
}

inline std::string to_hex(std::span<const std::byte> bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    for (const std::byte b : bytes) {
        const auto v = std::to_integer<unsigned>(b);
        hex.push_back(digits[v >> 4U]);
        hex.push_back(digits[v & 15U]);
    }
    return hex;
}

/// Bytes from a list of small values: `bytes_of({131, 97, 1})`.
inline std::vector<std::byte> bytes_of(std::initializer_list<unsigned> values) {
    std::vector<std::byte> bytes;
    for (const unsigned v : values) {
        bytes.push_back(static_cast<std::byte>(v));
    }
    return bytes;
}

/// The reason `etf::decode(input)` failed with, or empty when it decoded.
inline std::optional<etf::decode_errc> decode_failure(std::span<const std::byte> input,
                                                      const etf::decode_options& options = {}) {
    try {
        (void)etf::decode(input, options);
        return std::nullopt;
    } catch (const etf::decode_error& e) {
        return e.reason();
    }
}

} // namespace rill::test
