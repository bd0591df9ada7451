// term::hash: consistent with both `==` and exactly_equal (`=:=`).
// Canonical node forms (core/term_nodes.hpp) make exactly equal terms
// structurally identical, so hashing the structure gives =:= consistency.
// For ==, the only values that are equal without being identical are an
// integer and a float of the same value (and -0.0 vs 0.0), anywhere inside
// a term: so all numbers share one seed, and an integral float hashes as
// the integer it equals.

#include "core/term_nodes.hpp"

#include <bit>
#include <cmath>
#include <functional>

namespace rill {

namespace {

using internal::term_access;

std::uint64_t mix(std::uint64_t seed, std::uint64_t value) noexcept {
    // Boost-style combine over a 64-bit multiply: cheap, order-sensitive.
    seed ^= value + 0x9E3779B97F4A7C15ULL + (seed << 6U) + (seed >> 2U);
    return seed * 0xBF58476D1CE4E5B9ULL;
}

std::uint64_t hash_bytes(std::uint64_t seed, std::span<const std::byte> bytes) noexcept {
    for (std::byte b : bytes) {
        seed = (seed ^ std::to_integer<std::uint64_t>(b)) * 0x100000001B3ULL;
    }
    return mix(seed, bytes.size());
}

std::uint64_t hash_term(const term& t) noexcept;

// Seed of every number, integer or float, so that 1 and 1.0 can hash alike.
constexpr std::uint64_t number_seed = 0x243F6A8885A308D3ULL;

std::uint64_t hash_float(double d) {
    constexpr double two_to_63 = 9223372036854775808.0;
    if (std::trunc(d) != d) {
        return mix(number_seed ^ 1U, std::bit_cast<std::uint64_t>(d));
    }
    if (d >= -two_to_63 && d < two_to_63) {
        return mix(number_seed, static_cast<std::uint64_t>(static_cast<std::int64_t>(d)));
    }
    return mix(number_seed ^ 2U, internal::big_integer::from_double(d).hash());
}

std::uint64_t hash_node(const term& t, std::uint64_t h) noexcept {
    switch (t.type()) {
    case term::kind::integer:
        return mix(number_seed ^ 2U, term_access::as<internal::big_integer_node>(t).value.hash());
    case term::kind::reference:
        return mix(h, std::hash<reference>{}(term_access::as<internal::reference_node>(t).value));
    case term::kind::fun:
    case term::kind::port:
        return hash_bytes(h, term_access::as<internal::opaque_node>(t).bytes);
    case term::kind::pid:
        return mix(h, std::hash<pid>{}(term_access::as<internal::pid_node>(t).value));
    case term::kind::tuple:
        for (const term& element : term_access::as<internal::tuple_node>(t).elements) {
            h = mix(h, hash_term(element));
        }
        return h;
    case term::kind::map:
        for (const auto& [key, value] : term_access::as<internal::map_node>(t).entries) {
            h = mix(mix(h, hash_term(key)), hash_term(value));
        }
        return h;
    case term::kind::list: {
        const auto& node = term_access::as<internal::list_node>(t);
        for (const term& element : node.elements) {
            h = mix(h, hash_term(element));
        }
        return mix(h, hash_term(node.tail));
    }
    case term::kind::binary: {
        const auto& node = term_access::as<internal::binary_node>(t);
        return mix(hash_bytes(h, node.bytes), node.bits_in_last_byte);
    }
    case term::kind::local:
        return mix(h, std::hash<const void*>{}(term_access::node(t)));
    case term::kind::float_:
    case term::kind::atom:
    case term::kind::nil:
        break;
    }
    return h;
}

std::uint64_t hash_term(const term& t) noexcept {
    const std::uint64_t h = mix(0, static_cast<std::uint64_t>(t.type()));
    if (term_access::is_boxed(t)) {
        return hash_node(t, h);
    }
    switch (t.type()) {
    case term::kind::integer:
        return mix(number_seed, static_cast<std::uint64_t>(term_access::small_integer(t)));
    case term::kind::float_:
        return hash_float(term_access::float_value(t));
    case term::kind::atom:
        return mix(h, term_access::atom_index(t));
    default:
        return h;
    }
}

} // namespace

std::size_t term::hash() const noexcept {
    return static_cast<std::size_t>(hash_term(*this));
}

} // namespace rill
