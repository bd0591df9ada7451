// rill::atom: a thin handle on the global atom table (core/atom_table.hpp).

#include <rill/core/atom.hpp>

#include "core/atom_table.hpp"
#include "core/erlang_syntax.hpp"

#include <ostream>
#include <string>

namespace rill {

atom::atom(std::string_view name)
    : index_(internal::atom_table::global().intern(name)) {}

std::string_view atom::name() const noexcept {
    return internal::atom_table::global().name(index_);
}

std::strong_ordering operator<=>(atom a, atom b) noexcept {
    if (a == b) {
        return std::strong_ordering::equal;
    }
    // Forged atoms (indices the table has not handed out) sort after every
    // interned one, by index. One size() read classifies both atoms, so they
    // are judged against the same table even while other threads intern.
    const std::size_t interned = internal::atom_table::global().size();
    const bool a_interned = a.index() < interned;
    const bool b_interned = b.index() < interned;
    if (!a_interned || !b_interned) {
        if (a_interned != b_interned) {
            return a_interned ? std::strong_ordering::less : std::strong_ordering::greater;
        }
        return a.index() <=> b.index();
    }
    const int result = a.name().compare(b.name());
    if (result < 0) {
        return std::strong_ordering::less;
    }
    return result > 0 ? std::strong_ordering::greater : std::strong_ordering::equal;
}

std::ostream& operator<<(std::ostream& out, atom a) {
    std::string text;
    internal::append_atom(text, a.name());
    return out << text;
}

} // namespace rill
