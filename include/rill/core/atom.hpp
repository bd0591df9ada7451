#pragma once

/// \file
/// `rill::atom`: an interned symbol, compared by identity.
///
/// Atoms live in one process-wide, append-only table shared by every runtime
/// in the OS process (an atom means the same thing on every node, and the
/// table only ever grows, so sharing it keeps no runtime from working beside
/// another). The table is bounded (`atom_table_capacity`, 1,048,576 like the
/// BEAM's default); interning past the bound throws `atom_table_full` and
/// leaves the table unchanged. A name is UTF-8 text of at most 255
/// characters (code points), as in Erlang: a longer name, or one that is not
/// well-formed UTF-8 (a stray byte, an overlong form, a surrogate, a code
/// point past U+10FFFF, a truncated sequence), throws `badarg`. Latin-1 text
/// must be converted first: Erlang's `'\377'` is the atom `"\u00ff"`.
/// Lookups of existing atoms take no lock.
///
/// An atom is a plain index, so one can be forged: `atom::from_index` with an
/// index that no interned atom has. A forged atom is harmless: its name is
/// `invalid_atom_name`, it prints as `'$invalid_atom'`, it sorts after every
/// interned atom and forged atoms sort among themselves by index; equality
/// and hashing stay by index. Should the table later grow to that index, the
/// atom becomes the atom interned there and from then on prints and sorts as
/// that one.

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string_view>

namespace rill {

/// Default bound of the atom table.
inline constexpr std::size_t atom_table_capacity = 1'048'576;

/// The name of a forged atom (see the file comment). A real atom of that
/// name may be interned too; it stays distinct from every forged atom.
inline constexpr std::string_view invalid_atom_name = "$invalid_atom";

/// Longest atom name in characters (Unicode code points), as in Erlang. A
/// name is UTF-8, so it may take up to four times as many bytes.
inline constexpr std::size_t max_atom_length = 255;

class atom {
public:
    /// The atom `undefined`.
    constexpr atom() noexcept = default;

    /// Interns `name`, UTF-8 text. Any thread. Throws `badarg` for a name
    /// that is not well-formed UTF-8 or has more than `max_atom_length`
    /// characters, `atom_table_full` when the table is full.
    explicit atom(std::string_view name);

    /// The atom's text; valid for the life of the OS process.
    /// `invalid_atom_name` for a forged atom.
    [[nodiscard]] std::string_view name() const noexcept;

    /// Position in the atom table; stable for the life of the OS process.
    [[nodiscard]] constexpr std::uint32_t index() const noexcept { return index_; }

    /// The atom at `index`, which should come from `index()`; any other index
    /// gives a forged atom (see the file comment).
    [[nodiscard]] static constexpr atom from_index(std::uint32_t index) noexcept {
        atom a;
        a.index_ = index;
        return a;
    }

    friend constexpr bool operator==(atom a, atom b) noexcept { return a.index_ == b.index_; }

    /// Erlang term order for atoms: by name, character by character (for
    /// UTF-8, the same as byte by byte); forged atoms after every interned
    /// atom, by index.
    friend std::strong_ordering operator<=>(atom a, atom b) noexcept;

private:
    std::uint32_t index_ = 0; // 0 is `undefined`, see well_known_atoms
};

/// Atoms the runtime itself uses, interned first so they are compile-time
/// constants. The order here is the order of `detail::well_known_atom_names`.
namespace atoms {
inline constexpr atom undefined = atom::from_index(0);
inline constexpr atom normal = atom::from_index(1);
inline constexpr atom kill = atom::from_index(2);
inline constexpr atom killed = atom::from_index(3);
inline constexpr atom noproc = atom::from_index(4);
inline constexpr atom noconnection = atom::from_index(5);
inline constexpr atom shutdown = atom::from_index(6);
inline constexpr atom badarg = atom::from_index(7);
inline constexpr atom true_ = atom::from_index(8);  // NOLINT(readability-identifier-naming)
inline constexpr atom false_ = atom::from_index(9); // NOLINT(readability-identifier-naming)
inline constexpr atom ok = atom::from_index(10);
inline constexpr atom error = atom::from_index(11);
inline constexpr atom exception = atom::from_index(12);
inline constexpr atom nonode_at_nohost = atom::from_index(13);
inline constexpr atom timeout = atom::from_index(14);
inline constexpr atom EXIT = atom::from_index(15); // NOLINT(readability-identifier-naming)
inline constexpr atom DOWN = atom::from_index(16); // NOLINT(readability-identifier-naming)
inline constexpr atom process = atom::from_index(17);
} // namespace atoms

namespace detail {
inline constexpr std::string_view well_known_atom_names[] = {
    "undefined",
    "normal",
    "kill",
    "killed",
    "noproc",
    "noconnection",
    "shutdown",
    "badarg",
    "true",
    "false",
    "ok",
    "error",
    "exception",
    "nonode@nohost",
    "timeout",
    "EXIT",
    "DOWN",
    "process",
};
} // namespace detail

/// Prints the atom in Erlang syntax, quoted where Erlang would quote it
/// (`ok`, `'EXIT'`, `'hello world'`).
std::ostream& operator<<(std::ostream& out, atom a);

} // namespace rill

template <>
struct std::hash<rill::atom> {
    std::size_t operator()(rill::atom a) const noexcept { return a.index(); }
};
