#pragma once

// The tag bytes of the external term format (erts/emulator/beam/external.h
// in OTP; reference/erlang-distribution.md). A term on the wire is the
// version byte 131, then one tag and its fields, nested.

#include <cstdint>

namespace rill::internal::etf_tag {

inline constexpr std::uint8_t version = 131;

inline constexpr std::uint8_t new_float = 70;      // NEW_FLOAT_EXT: IEEE 754 double, big-endian
inline constexpr std::uint8_t bit_binary = 77;     // BIT_BINARY_EXT: len32, bits8, bytes
inline constexpr std::uint8_t compressed = 80;     // COMPRESSED: size32, zlib stream
inline constexpr std::uint8_t atom_cache_ref = 82; // ATOM_CACHE_REF: index8 (dist header only)
inline constexpr std::uint8_t new_pid = 88;        // NEW_PID_EXT: atom, id32, serial32, creation32
inline constexpr std::uint8_t new_port = 89;       // NEW_PORT_EXT: atom, id32, creation32
inline constexpr std::uint8_t newer_reference =
    90; // NEWER_REFERENCE_EXT: n16, atom, creation32, n*id32
inline constexpr std::uint8_t small_integer = 97;  // SMALL_INTEGER_EXT: u8
inline constexpr std::uint8_t integer = 98;        // INTEGER_EXT: i32
inline constexpr std::uint8_t float_text = 99;     // FLOAT_EXT: 31 bytes of "%.20e" text
inline constexpr std::uint8_t atom_latin1 = 100;   // ATOM_EXT: len16, Latin-1
inline constexpr std::uint8_t reference = 101;     // REFERENCE_EXT: atom, id32, creation8
inline constexpr std::uint8_t port = 102;          // PORT_EXT: atom, id32, creation8
inline constexpr std::uint8_t pid = 103;           // PID_EXT: atom, id32, serial32, creation8
inline constexpr std::uint8_t small_tuple = 104;   // SMALL_TUPLE_EXT: arity8, elements
inline constexpr std::uint8_t large_tuple = 105;   // LARGE_TUPLE_EXT: arity32, elements
inline constexpr std::uint8_t nil = 106;           // NIL_EXT
inline constexpr std::uint8_t string = 107;        // STRING_EXT: len16, bytes
inline constexpr std::uint8_t list = 108;          // LIST_EXT: len32, elements, tail
inline constexpr std::uint8_t binary = 109;        // BINARY_EXT: len32, bytes
inline constexpr std::uint8_t small_big = 110;     // SMALL_BIG_EXT: n8, sign8, n digits
inline constexpr std::uint8_t large_big = 111;     // LARGE_BIG_EXT: n32, sign8, n digits
inline constexpr std::uint8_t new_fun = 112;       // NEW_FUN_EXT: size32 (itself included), ...
inline constexpr std::uint8_t export_fun = 113;    // EXPORT_EXT: atom, atom, small integer
inline constexpr std::uint8_t new_reference = 114; // NEW_REFERENCE_EXT: n16, atom, creation8, ids
inline constexpr std::uint8_t small_atom_latin1 = 115; // SMALL_ATOM_EXT: len8, Latin-1
inline constexpr std::uint8_t map = 116;               // MAP_EXT: arity32, key-value pairs
inline constexpr std::uint8_t atom_utf8 = 118;         // ATOM_UTF8_EXT: len16, UTF-8
inline constexpr std::uint8_t small_atom_utf8 = 119;   // SMALL_ATOM_UTF8_EXT: len8, UTF-8
inline constexpr std::uint8_t v4_port = 120;           // V4_PORT_EXT: atom, id64, creation32
inline constexpr std::uint8_t local = 121;             // LOCAL_EXT: only its writer can read it

} // namespace rill::internal::etf_tag
