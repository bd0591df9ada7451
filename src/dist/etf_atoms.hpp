#pragma once

// Atoms on the wire. Read: ATOM_EXT (100) and SMALL_ATOM_EXT (115) hold
// Latin-1, converted to UTF-8 before interning; ATOM_UTF8_EXT (118) and
// SMALL_ATOM_UTF8_EXT (119) hold UTF-8, checked to be well-formed. Either
// way at most 255 characters. Written: always the UTF-8 forms, 119 when the
// name fits 255 bytes, else 118, as OTP 25's distribution writes them.

#include <rill/core/atom.hpp>

#include "dist/etf_reader.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace rill::internal {

/// Whether `tag` starts an atom.
[[nodiscard]] bool is_atom_tag(std::uint8_t tag) noexcept;

/// The atom whose tag (`tag`, an atom tag, at `tag_offset`) was just read.
/// Throws `decode_error`: atom_too_long, invalid_atom_utf8, atom_table_full, truncated.
atom read_atom_body(etf_reader& in, std::uint8_t tag, std::size_t tag_offset);

/// A field that must be an atom, tag included (a pid's node, a fun's
/// module). Throws `decode_error` (not_an_atom, atom_cache_ref, and as
/// `read_atom_body`).
atom read_atom(etf_reader& in);

/// The name of `a` as the encoder writes it. Throws `encode_error`
/// (forged_atom) for an atom no table entry holds.
[[nodiscard]] std::string_view wire_name(atom a);

/// Appends `a` as SMALL_ATOM_UTF8_EXT or ATOM_UTF8_EXT. Throws
/// `encode_error` (forged_atom) for an atom no table entry holds.
void write_atom(std::vector<std::byte>& out, atom a);

} // namespace rill::internal
