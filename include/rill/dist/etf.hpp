#pragma once

/// \file
/// The Erlang external term format (ETF): `rill::term` to bytes and back,
/// as `term_to_binary/2` and `binary_to_term/1` of OTP 25 do it.
///
/// `encode` writes exactly what OTP 25's `term_to_binary(T, [{minor_version, 2}])`
/// writes (atoms always in their UTF-8 forms, lists of bytes as STRING_EXT,
/// maps in key order), except that a map of more than 32 keys is written in
/// key order where OTP writes its internal hash order (both decode alike).
/// `decode` reads every tag OTP 25 writes or reads, except those that need
/// state the codec does not keep (ATOM_CACHE_REF, LOCAL_EXT: a `decode_error`).
/// Funs and ports are kept as their bytes (`term::opaque`) and written back
/// byte for byte. docs/etf.md lists the tags, limits and errors.
///
/// Decoding is safe on hostile input: it never reads outside the input,
/// never allocates more than the input could describe, nests no deeper than
/// `decode_options::max_depth` (an explicit stack: no recursion) and inflates
/// a compressed term only up to `decode_options::max_uncompressed_size`.
///
/// Sub-binaries: decoding from `shared_bytes` makes every binary of
/// `shared_binary_threshold` bytes or more refer to the input buffer instead
/// of copying it (`term::binary(owner, bytes)`); such a binary keeps the
/// whole buffer alive. Smaller binaries, bitstrings, and every binary
/// decoded from a plain span are copied. The binaries of a compressed term
/// share its inflated buffer.
///
/// All functions may be called from any thread; they keep no state between
/// calls besides the atoms they intern.

#include <rill/core/term.hpp>
#include <rill/dist/etf_error.hpp>

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

namespace rill::etf {

/// The byte every encoded term starts with (131).
inline constexpr std::byte version_byte{131};

/// Default nesting limit of a decoded term: tuples, lists and maps inside
/// each other (a list's tail does not nest). Far deeper than terms BEAM
/// programs send; raise it per call for deeper ones.
inline constexpr std::size_t default_max_depth = 100'000;

/// Default bound on the stated uncompressed size of a compressed term (64 MiB).
inline constexpr std::size_t default_max_uncompressed_size = std::size_t{64} << 20U;

/// Binaries at least this long are shared with a `shared_bytes` input
/// rather than copied; shorter ones are copied (a copy is cheaper than
/// holding a large buffer alive for a few bytes).
inline constexpr std::size_t shared_binary_threshold = 64;

struct encode_options {
    /// Compress with zlib (COMPRESSED, tag 80), as OTP's `compressed`
    /// option: the compressed form is written only when it is smaller.
    bool compressed = false;
    /// zlib level when `compressed`: 0 (store, so never smaller) to 9;
    /// OTP's default is 6. Another value throws `badarg`.
    int compression_level = 6;
};

struct decode_options {
    std::size_t max_depth = default_max_depth;
    std::size_t max_uncompressed_size = default_max_uncompressed_size;
};

/// Bytes and the reference-counted object that keeps them alive (a frame
/// buffer). Decoding from it lets binaries share the buffer.
struct shared_bytes {
    std::shared_ptr<const void> owner;
    std::span<const std::byte> bytes;

    /// The bytes of `buffer`, moved into a shared owner.
    static shared_bytes adopt(std::vector<std::byte> buffer);
};

/// A term decoded from the front of some bytes, and how many bytes it took.
struct decoded_term {
    term value;
    std::size_t size = 0; ///< version byte included
};

/// `t` in the external term format: the version byte 131, then the term.
/// Throws `encode_error` for a term that cannot go on the wire (a local C++
/// object, a forged atom, a count past 2^32 - 1), `badarg` for an invalid
/// compression level.
[[nodiscard]] std::vector<std::byte> encode(const term& t, const encode_options& options = {});

/// Appends what `encode(t, options)` returns to `out` (a frame being
/// built). On an exception, `out` is as it was.
void append_encoded(std::vector<std::byte>& out, const term& t, const encode_options& options = {});

/// The term `input` holds: the version byte, one term, nothing after it.
/// Binaries are copied. Throws `decode_error`.
[[nodiscard]] term decode(std::span<const std::byte> input, const decode_options& options = {});

/// As `decode`, with binaries of `shared_binary_threshold` bytes or more
/// sharing `input.owner`'s buffer.
[[nodiscard]] term decode(const shared_bytes& input, const decode_options& options = {});

/// The term starting at `input[offset]` (its version byte), and its size;
/// bytes after it are left alone. A distribution frame holds a control
/// term then a payload term, each with its own version byte: decode one at
/// `offset`, the next at `offset + size`. Throws `decode_error` (offsets in
/// it count from the start of `input`).
[[nodiscard]] decoded_term
decode_at(std::span<const std::byte> input, std::size_t offset, const decode_options& options = {});

/// As `decode_at`, with binaries sharing `input.owner`'s buffer.
[[nodiscard]] decoded_term
decode_at(const shared_bytes& input, std::size_t offset, const decode_options& options = {});

} // namespace rill::etf
