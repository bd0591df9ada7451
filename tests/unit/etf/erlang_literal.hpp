#pragma once

// Reads the Erlang text of tests/data/etf-vectors.txt into terms, so the
// vector tests can check what a decoded term is, not only its bytes.
//
// The subset it reads: integers (any size) and floats, atoms (bare or
// quoted, with \x{...} escapes), strings and $c characters (lists of
// codes), lists (with `|` tails), tuples, maps (`#{K => V}`), binaries and
// bitstrings (`<<1, "ab", 15:4>>`), `A bsl B`, and the calls the vectors
// use: list_to_atom/1, list_to_tuple/1, lists:duplicate/2, lists:seq/2,
// list_to_pid/1 and list_to_ref/1 (on nonode@nohost), and the capture
// notation of section 5, Pid(Node, Id, Serial, Creation) and
// Ref(Node, Creation, [Words]) with words in wire order. Anything else
// (funs, comprehensions, `<8981.42.0>`) gives an empty result.

#include <rill/core/term.hpp>

#include <optional>
#include <string_view>

namespace rill::test {

/// The term `text` denotes, or empty when `text` is outside the subset.
std::optional<term> parse_erlang(std::string_view text);

} // namespace rill::test
