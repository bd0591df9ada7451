#pragma once

/// \file
/// The errors of the external term format codec (`<rill/dist/etf.hpp>`):
/// `etf::decode_error` for bytes that are not a term the decoder accepts,
/// `etf::encode_error` for a term that cannot go on the wire.

#include <rill/core/errors.hpp>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace rill::etf {

/// Why bytes did not decode. Each names one class of malformed (or merely
/// unsupported) input; docs/etf.md lists them with examples.
enum class decode_errc : std::uint8_t {
    truncated,               ///< the input ends inside a term
    missing_version,         ///< the term does not start with the version byte 131
    trailing_bytes,          ///< `decode`: bytes follow the term (`decode_at` allows them)
    unknown_tag,             ///< a tag byte the format does not define here
    atom_cache_ref,          ///< ATOM_CACHE_REF (82), and no atom cache is in use
    local_ext,               ///< LOCAL_EXT (121), which only the node that wrote it can read
    length_exceeds_input,    ///< a count or length larger than the remaining input could hold
    depth_limit,             ///< nesting deeper than `decode_options::max_depth`
    atom_too_long,           ///< an atom of more than 255 characters
    invalid_atom_utf8,       ///< a UTF-8 atom that is not well-formed UTF-8
    atom_table_full,         ///< interning a new atom would pass the atom table's bound
    not_an_atom,             ///< a pid, reference, port or fun field that must be an atom is not
    invalid_float,           ///< NaN, an infinity, or an unreadable FLOAT_EXT text
    invalid_bitstring,       ///< BIT_BINARY_EXT with a bit count that does not fit its length
    invalid_reference,       ///< a reference of more than 5 id words
    invalid_fun,             ///< a NEW_FUN_EXT size or EXPORT_EXT arity that does not fit
    duplicate_map_key,       ///< a map with two `=:=` keys
    compressed_too_large,    ///< a compressed term's stated size is over the limit or implausible
    invalid_compressed_data, ///< zlib data that does not inflate to exactly the stated size
};

/// A short name of `reason` (`"truncated"`, `"depth_limit"`, ...).
[[nodiscard]] std::string_view to_string(decode_errc reason) noexcept;

/// Bytes that are not a term the decoder accepts. Nothing was returned; the
/// atoms interned before the error stay interned (as in Erlang).
class decode_error : public std::runtime_error {
public:
    /// `offset` is where in the input the bad part starts (for an error
    /// inside a compressed term, the offset of its tag 80); `detail` says
    /// more for a person.
    decode_error(decode_errc reason, std::size_t offset, const std::string& detail);

    [[nodiscard]] decode_errc reason() const noexcept { return reason_; }

    /// Byte offset in the input given to `decode` / `decode_at`.
    [[nodiscard]] std::size_t offset() const noexcept { return offset_; }

private:
    decode_errc reason_;
    std::size_t offset_;
};

/// Why a term could not be encoded.
enum class encode_errc : std::uint8_t {
    local_term,   ///< a `term::local` C++ object, which never leaves its OS process
    forged_atom,  ///< an atom whose index no interned atom has (see atom.hpp)
    too_large,    ///< a binary, list, tuple or map longer than the format's 32-bit counts
    invalid_term, ///< a reference of more than 5 id words
};

/// A short name of `reason` (`"local_term"`, ...).
[[nodiscard]] std::string_view to_string(encode_errc reason) noexcept;

/// A term that cannot go on the wire. A `badarg`: uncaught in a process it
/// ends the process with `badarg`, as sending an unconvertible value to
/// another node does.
class encode_error : public badarg {
public:
    encode_error(encode_errc reason, const std::string& detail);

    [[nodiscard]] encode_errc reason() const noexcept { return reason_; }

private:
    encode_errc reason_;
};

} // namespace rill::etf
