// Erlang term order (erts_cmp in erts/emulator/beam/utils.c), in two modes:
//   normal  `==` and `<`: numbers compare by value (1 == 1.0, 0.0 == -0.0);
//   exact   `=:=` and map keys: an integer sorts before every float whatever
//           their values, and -0.0 before 0.0 (OTP 27's =:= on zeros).
// Classes: number < atom < reference < fun < port < pid < tuple < map < [] <
// list < bitstring < local. Lists compare as chains of cons cells, so
// [1|2] vs [1,2] compares 2 with [2]. Maps compare by size, then keys in
// exact order (exactly), then values in key order (in the current mode).
// Integer/float comparison is exact: no rounding of big values to double.

#include "core/term_nodes.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>

namespace rill::internal {

namespace {

using kind = term::kind;

int sign(std::strong_ordering order) noexcept {
    return std::is_lt(order) ? -1 : (std::is_gt(order) ? 1 : 0);
}

template <class T>
int three_way(const T& a, const T& b) noexcept {
    return a < b ? -1 : (b < a ? 1 : 0);
}

int class_rank(kind k) noexcept {
    // integer and float_ are one class; the rest follow the enum order.
    return k == kind::integer ? 0 : static_cast<int>(k) - 1;
}

// Exact comparison of an integer term with a finite double.
int compare_integer_with_double(const term& integer, double d) noexcept {
    constexpr double two_to_63 = 9223372036854775808.0;
    if (!term_access::is_boxed(integer)) {
        const std::int64_t i = term_access::small_integer(integer);
        if (d >= two_to_63) {
            return -1;
        }
        if (d < -two_to_63) {
            return 1;
        }
        // -2^63 <= d < 2^63: its integer part fits int64.
        const double whole = std::trunc(d);
        const auto t = static_cast<std::int64_t>(whole);
        if (i != t) {
            return i < t ? -1 : 1;
        }
        const double fraction = d - whole;
        return fraction > 0 ? -1 : (fraction < 0 ? 1 : 0);
    }
    const big_integer& big = term_access::as<big_integer_node>(integer).value;
    if (std::abs(d) < two_to_63) {
        return big.is_negative() ? -1 : 1; // |big| >= 2^63 > |d|
    }
    // |d| >= 2^63 > 2^53: d is an integer and converts exactly.
    return sign(big <=> big_integer::from_double(d));
}

int compare_integers(const term& a, const term& b) noexcept {
    const bool a_big = term_access::is_boxed(a);
    const bool b_big = term_access::is_boxed(b);
    if (!a_big && !b_big) {
        return three_way(term_access::small_integer(a), term_access::small_integer(b));
    }
    if (a_big && b_big) {
        return sign(term_access::as<big_integer_node>(a).value <=>
                    term_access::as<big_integer_node>(b).value);
    }
    // A big integer lies outside int64, so its sign decides.
    if (a_big) {
        return term_access::as<big_integer_node>(a).value.is_negative() ? -1 : 1;
    }
    return term_access::as<big_integer_node>(b).value.is_negative() ? 1 : -1;
}

int compare_floats(double a, double b, bool exact) noexcept {
    if (a < b) {
        return -1;
    }
    if (b < a) {
        return 1;
    }
    if (exact && std::signbit(a) != std::signbit(b)) {
        return std::signbit(a) ? -1 : 1; // -0.0 vs 0.0
    }
    return 0;
}

int compare_numbers(const term& a, const term& b, bool exact) noexcept {
    const bool a_float = a.is_float();
    const bool b_float = b.is_float();
    if (a_float && b_float) {
        return compare_floats(term_access::float_value(a), term_access::float_value(b), exact);
    }
    if (!a_float && !b_float) {
        return compare_integers(a, b);
    }
    if (exact) {
        return a_float ? 1 : -1; // integers before floats
    }
    if (a_float) {
        return -compare_integer_with_double(b, term_access::float_value(a));
    }
    return compare_integer_with_double(a, term_access::float_value(b));
}

int compare_sequences(std::span<const term> a, std::span<const term> b, bool exact) noexcept {
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (const int result = compare_terms(a[i], b[i], exact); result != 0) {
            return result;
        }
    }
    return three_way(a.size(), b.size());
}

int compare_lists(const term& a, const term& b, bool exact) noexcept {
    const auto& x = term_access::as<list_node>(a);
    const auto& y = term_access::as<list_node>(b);
    const std::size_t n = std::min(x.elements.size(), y.elements.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (const int result = compare_terms(x.elements[i], y.elements[i], exact); result != 0) {
            return result;
        }
    }
    if (x.elements.size() == y.elements.size()) {
        return compare_terms(x.tail, y.tail, exact);
    }
    // One list goes on with more cells (a non-empty list) where the other
    // has reached its tail, which is never a non-empty list: classes decide.
    if (x.elements.size() > y.elements.size()) {
        return three_way(class_rank(kind::list), class_rank(y.tail.type()));
    }
    return three_way(class_rank(x.tail.type()), class_rank(kind::list));
}

int compare_bits(const binary_node& a, const binary_node& b) noexcept {
    const auto bit_size = [](const binary_node& n) {
        return n.bytes.empty() ? std::size_t{0} : n.bytes.size() * 8 - (8U - n.bits_in_last_byte);
    };
    const std::size_t a_bits = bit_size(a);
    const std::size_t b_bits = bit_size(b);
    const std::size_t common = std::min(a_bits, b_bits);
    const std::size_t whole = common / 8;
    if (whole > 0) {
        if (const int result = std::memcmp(a.bytes.data(), b.bytes.data(), whole); result != 0) {
            return result < 0 ? -1 : 1;
        }
    }
    if (const std::size_t rest = common % 8; rest != 0) {
        const unsigned mask = (0xFFU << (8 - rest)) & 0xFFU;
        const unsigned x = std::to_integer<unsigned>(a.bytes[whole]) & mask;
        const unsigned y = std::to_integer<unsigned>(b.bytes[whole]) & mask;
        if (x != y) {
            return x < y ? -1 : 1;
        }
    }
    return three_way(a_bits, b_bits);
}

int compare_maps(const map_node& a, const map_node& b, bool exact) noexcept {
    if (a.entries.size() != b.entries.size()) {
        return three_way(a.entries.size(), b.entries.size());
    }
    for (std::size_t i = 0; i < a.entries.size(); ++i) {
        if (const int result = compare_terms(a.entries[i].first, b.entries[i].first, true);
            result != 0) {
            return result;
        }
    }
    for (std::size_t i = 0; i < a.entries.size(); ++i) {
        if (const int result = compare_terms(a.entries[i].second, b.entries[i].second, exact);
            result != 0) {
            return result;
        }
    }
    return 0;
}

int compare_locals(const term& a, const term& b) noexcept {
    const auto* x = static_cast<const detail::local_node_base*>(term_access::node(a));
    const auto* y = static_cast<const detail::local_node_base*>(term_access::node(b));
    if (x == y) {
        return 0;
    }
    // Different objects are never equal; order by type, then by address
    // (stable for the life of the objects, which is all an order needs).
    if (x->type() != y->type()) {
        return x->type().before(y->type()) ? -1 : 1;
    }
    return std::less<const void*>{}(x, y) ? -1 : 1;
}

int compare_same_class(const term& a, const term& b, bool exact) noexcept {
    switch (a.type()) {
    case kind::integer:
    case kind::float_:
        return compare_numbers(a, b, exact);
    case kind::atom:
        return term_access::atom_index(a) == term_access::atom_index(b)
                   ? 0
                   : sign(a.as_atom() <=> b.as_atom());
    case kind::reference:
        return sign(term_access::as<reference_node>(a).value <=>
                    term_access::as<reference_node>(b).value);
    case kind::fun:
    case kind::port: {
        const auto& x = term_access::as<opaque_node>(a).bytes;
        const auto& y = term_access::as<opaque_node>(b).bytes;
        return sign(std::lexicographical_compare_three_way(x.begin(), x.end(), y.begin(), y.end()));
    }
    case kind::pid:
        return sign(term_access::as<pid_node>(a).value <=> term_access::as<pid_node>(b).value);
    case kind::tuple: {
        const auto& x = term_access::as<tuple_node>(a).elements;
        const auto& y = term_access::as<tuple_node>(b).elements;
        if (x.size() != y.size()) {
            return three_way(x.size(), y.size());
        }
        return compare_sequences(x, y, exact);
    }
    case kind::map:
        return compare_maps(term_access::as<map_node>(a), term_access::as<map_node>(b), exact);
    case kind::nil:
        return 0;
    case kind::list:
        return compare_lists(a, b, exact);
    case kind::binary:
        return compare_bits(term_access::as<binary_node>(a), term_access::as<binary_node>(b));
    case kind::local:
        return compare_locals(a, b);
    }
    return 0;
}

} // namespace

int compare_terms(const term& a, const term& b, bool exact) noexcept {
    const int a_rank = class_rank(a.type());
    const int b_rank = class_rank(b.type());
    if (a_rank != b_rank) {
        return a_rank < b_rank ? -1 : 1;
    }
    if (term_access::is_boxed(a) && term_access::is_boxed(b) &&
        term_access::node(a) == term_access::node(b)) {
        return 0; // copies of one term
    }
    return compare_same_class(a, b, exact);
}

} // namespace rill::internal
