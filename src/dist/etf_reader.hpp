#pragma once

// A cursor over the bytes being decoded. Every read checks the bytes are
// there first and throws `decode_error` (truncated) when not, so the
// decoder above it never reads outside its input. Positions are offsets in
// the span it was given, which is the caller's whole input: error offsets
// come out as the caller counts them.

#include <rill/dist/etf_error.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace rill::internal {

class etf_reader {
public:
    etf_reader(std::span<const std::byte> input, std::size_t position) noexcept
        : input_(input)
        , position_(position) {}

    [[nodiscard]] std::size_t position() const noexcept { return position_; }

    [[nodiscard]] std::size_t remaining() const noexcept {
        return position_ < input_.size() ? input_.size() - position_ : 0;
    }

    [[nodiscard]] std::span<const std::byte> input() const noexcept { return input_; }

    /// The next byte, not consumed.
    [[nodiscard]] std::uint8_t peek() const {
        require(1);
        return std::to_integer<std::uint8_t>(input_[position_]);
    }

    std::uint8_t u8() {
        require(1);
        return std::to_integer<std::uint8_t>(input_[position_++]);
    }

    std::uint16_t u16() {
        require(2);
        const auto value = static_cast<std::uint16_t>((byte_at(0) << 8U) | byte_at(1));
        position_ += 2;
        return value;
    }

    std::uint32_t u32() {
        require(4);
        const std::uint32_t value =
            (byte_at(0) << 24U) | (byte_at(1) << 16U) | (byte_at(2) << 8U) | byte_at(3);
        position_ += 4;
        return value;
    }

    std::uint64_t u64() {
        const std::uint64_t high = u32();
        return (high << 32U) | u32();
    }

    /// The next `count` bytes, consumed.
    std::span<const std::byte> take(std::size_t count) {
        require(count);
        const auto bytes = input_.subspan(position_, count);
        position_ += count;
        return bytes;
    }

    /// Throws `length_exceeds_input` unless `count` more bytes remain: for a
    /// length field, checked before anything of that length is allocated.
    void check_length(std::size_t count, const char* what) const {
        if (count > remaining()) [[unlikely]] {
            fail_length(count, what);
        }
    }

    /// Throws `decode_error` for `reason` at the current position.
    [[noreturn]] void fail(etf::decode_errc reason, const std::string& detail) const {
        fail_at(position_, reason, detail);
    }

    [[noreturn]] static void
    fail_at(std::size_t offset, etf::decode_errc reason, const std::string& detail) {
        throw etf::decode_error(reason, offset, detail);
    }

private:
    // The checks are inline, their failures (which build a message) not.
    void require(std::size_t count) const {
        if (count > remaining()) [[unlikely]] {
            fail_truncated(count);
        }
    }

    [[noreturn, gnu::cold, gnu::noinline]] void fail_truncated(std::size_t count) const {
        fail(etf::decode_errc::truncated,
             "needs " + std::to_string(count) + " more bytes, " + std::to_string(remaining()) +
                 " left");
    }

    [[noreturn, gnu::cold, gnu::noinline]] void fail_length(std::size_t count,
                                                            const char* what) const {
        fail(etf::decode_errc::length_exceeds_input,
             std::string(what) + " of " + std::to_string(count) + " with " +
                 std::to_string(remaining()) + " bytes left");
    }

    [[nodiscard]] std::uint32_t byte_at(std::size_t i) const noexcept {
        return std::to_integer<std::uint32_t>(input_[position_ + i]);
    }

    std::span<const std::byte> input_;
    std::size_t position_;
};

} // namespace rill::internal
