#pragma once

// Pieces of Erlang's printed syntax shared by atom, term and pid printing:
// what `io_lib` does for `~p` in latin-1 mode. Output is UTF-8: a character
// Erlang would print (a latin-1 code such as 233) is appended as its UTF-8
// encoding, as an `erl` shell on a UTF-8 terminal shows it.

#include <cstdint>
#include <string>
#include <string_view>

namespace rill::internal {

/// Whether `~p` prints `name` (UTF-8) inside single quotes.
bool atom_needs_quotes(std::string_view name) noexcept;

/// Appends the atom `name` as `~p` prints it: `ok`, `'EXIT'`, `'a\'b'`.
void append_atom(std::string& out, std::string_view name);

/// Appends `value` (finite) as Erlang prints a float: the shortest digits
/// that read back to it, in fixed or scientific notation, whichever is
/// shorter (fixed on a tie), scientific always from 2^53 up.
void append_float(std::string& out, double value);

/// Whether the character code belongs to a latin-1 printable string
/// (`io_lib:printable_latin1_list`): 32..126, 160..255 and \n \r \t \v \b \f \e.
bool is_printable_latin1(std::uint32_t code) noexcept;

/// Appends character `code` as it appears inside a quoted string or atom
/// delimited by `quote`: escaped when Erlang escapes it.
void append_quoted_char(std::string& out, std::uint32_t code, char quote);

/// Appends the code point `code` encoded as UTF-8.
void append_utf8(std::string& out, std::uint32_t code);

} // namespace rill::internal
