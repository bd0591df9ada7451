#pragma once

// Big-endian integers in and out of byte buffers, for the distribution's
// own protocols (epmd, handshake, frame headers). `wire_reader` checks that
// every byte it reads is there and throws `protocol_error` otherwise, so a
// parser built on it cannot read past a short message.

#include "dist/wire/protocol_error.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rill::dist::internal {

using bytes = std::vector<std::byte>;

inline void put_u8(bytes& out, std::uint8_t value) {
    out.push_back(static_cast<std::byte>(value));
}

inline void put_u16(bytes& out, std::uint16_t value) {
    put_u8(out, static_cast<std::uint8_t>(value >> 8U));
    put_u8(out, static_cast<std::uint8_t>(value));
}

inline void put_u32(bytes& out, std::uint32_t value) {
    put_u16(out, static_cast<std::uint16_t>(value >> 16U));
    put_u16(out, static_cast<std::uint16_t>(value));
}

inline void put_u64(bytes& out, std::uint64_t value) {
    put_u32(out, static_cast<std::uint32_t>(value >> 32U));
    put_u32(out, static_cast<std::uint32_t>(value));
}

/// Overwrites the 4 bytes at `at` with `value`, big-endian (a length
/// written once what it counts is known).
inline void store_u32(std::byte* at, std::uint32_t value) {
    for (int i = 0; i < 4; ++i) {
        at[i] = static_cast<std::byte>((value >> (8U * static_cast<unsigned>(3 - i))) & 0xFFU);
    }
}

inline void put_text(bytes& out, std::string_view text) {
    for (char c : text) {
        out.push_back(static_cast<std::byte>(c));
    }
}

/// Overwrites the 16-bit length prefix at the front of `message` with the
/// size of what follows it. Throws `protocol_error` past 65535 bytes.
inline void seal_u16_length(bytes& message) {
    const std::size_t body = message.size() - 2;
    if (body > 0xFFFF) {
        throw protocol_error("message of " + std::to_string(body) +
                             " bytes is too long for a 16-bit length");
    }
    message[0] = static_cast<std::byte>(body >> 8U);
    message[1] = static_cast<std::byte>(body & 0xFFU);
}

class wire_reader {
public:
    /// Reads `input`; `what` names the message in error texts.
    wire_reader(std::span<const std::byte> input, const char* what) noexcept
        : input_(input)
        , what_(what) {}

    [[nodiscard]] std::size_t remaining() const noexcept { return input_.size() - position_; }

    std::uint8_t u8() {
        require(1);
        return std::to_integer<std::uint8_t>(input_[position_++]);
    }

    std::uint16_t u16() {
        const auto high = static_cast<std::uint16_t>(u8() << 8U);
        return static_cast<std::uint16_t>(high | u8());
    }

    std::uint32_t u32() {
        const std::uint32_t high = u16();
        return (high << 16U) | u16();
    }

    std::uint64_t u64() {
        const std::uint64_t high = u32();
        return (high << 32U) | u32();
    }

    /// The next `count` bytes as text.
    std::string text(std::size_t count) {
        require(count);
        std::string out(reinterpret_cast<const char*>(input_.data() + position_), count);
        position_ += count;
        return out;
    }

    /// Everything not read yet, as text.
    std::string rest_as_text() { return text(remaining()); }

    /// Throws unless every byte was read.
    void expect_end() const {
        if (remaining() != 0) {
            throw protocol_error(std::string(what_) + ": " + std::to_string(remaining()) +
                                 " unexpected bytes at the end");
        }
    }

private:
    void require(std::size_t count) const {
        if (count > remaining()) {
            throw protocol_error(std::string(what_) + ": truncated (needs " +
                                 std::to_string(count) + " more bytes, " +
                                 std::to_string(remaining()) + " left)");
        }
    }

    std::span<const std::byte> input_;
    std::size_t position_ = 0;
    const char* what_;
};

} // namespace rill::dist::internal
