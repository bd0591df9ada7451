#pragma once

/// \file
/// `rill::reference`: a unique reference (`make_ref()` in Erlang), a plain
/// value valid across nodes. Up to five 32-bit id words, as the external term
/// format allows; references made by rill use three. A default-constructed
/// reference equals no reference a runtime makes. A reference whose node atom
/// is forged orders and prints as a pid on a forged node does (see pid.hpp).

#include <rill/core/atom.hpp>

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>

namespace rill {

struct reference {
    atom node = atoms::nonode_at_nohost;
    std::uint32_t creation = 0;
    std::uint32_t size = 0;            // id words in use, 0..5
    std::array<std::uint32_t, 5> id{}; // least significant word first

    friend constexpr bool operator==(const reference&, const reference&) noexcept = default;

    /// Erlang order for references: node first, then id words from the most
    /// significant down.
    friend std::strong_ordering operator<=>(const reference& a, const reference& b) noexcept;
};

/// Prints `#Ref<0.w2.w1.w0>` (most significant word first, as Erlang does).
std::ostream& operator<<(std::ostream& out, const reference& r);
std::string to_string(const reference& r);

} // namespace rill

template <>
struct std::hash<rill::reference> {
    std::size_t operator()(const rill::reference& r) const noexcept {
        std::uint64_t h = r.node.index();
        for (std::uint32_t i = 0; i < r.size && i < r.id.size(); ++i) {
            h = (h ^ r.id[i]) * 0x100000001B3ULL;
        }
        return std::hash<std::uint64_t>{}(h);
    }
};
