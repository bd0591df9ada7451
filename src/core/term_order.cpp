// Erlang term order (erts_cmp in erts/emulator/beam/utils.c), in two modes:
//   normal  `==` and `<`: numbers compare by value (1 == 1.0, 0.0 == -0.0);
//   exact   `=:=` and map keys: an integer sorts before every float whatever
//           their values, and -0.0 before 0.0 (OTP 27's =:= on zeros).
// Classes: number < atom < reference < fun < port < pid < tuple < map < [] <
// list < bitstring < local. Lists compare as chains of cons cells, so
// [1|2] vs [1,2] compares 2 with [2]. Maps compare by size, then keys in
// exact order (exactly), then values in key order (in the current mode).
// Integer/float comparison is exact: no rounding of big values to double.
// The walk is iterative (an explicit stack of element runs), so nesting
// depth costs heap, not the C++ stack; running out of heap for that stack
// terminates, as the comparison operators are noexcept.

#include "core/small_stack.hpp"
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

int compare_locals(const term& a, const term& b) noexcept {
    const auto* x = static_cast<const detail::local_node_base*>(term_access::node(a));
    const auto* y = static_cast<const detail::local_node_base*>(term_access::node(b));
    if (x == y) {
        return 0;
    }
    // Different objects are never equal; order by type, then by when they
    // were made (not by address, so that a seed replays the same order).
    if (x->type() != y->type()) {
        return x->type().before(y->type()) ? -1 : 1;
    }
    return three_way(x->serial(), y->serial());
}

// A run of element pairs still to compare, left to right: `left` pairs from
// `a`/`b`, `stride` terms apart (2 for the keys or values of map entries).
// When the run is done, `verdict` decides if it is not 0 (a list that goes
// on where the other one has ended).
struct pending_run {
    const term* a = nullptr;
    const term* b = nullptr;
    std::size_t left = 0;
    std::size_t stride = 1;
    bool exact = false;
    int verdict = 0;
};

using run_stack = small_stack<pending_run, 32>;

static_assert(sizeof(std::pair<term, term>) == 2 * sizeof(term),
              "map entries are walked as an array of terms");

// Compares two lists cell by cell: their common prefix, then either the
// tails (same length) or the class of the next cell against the shorter
// list's tail, which is never a non-empty list.
void push_list_runs(const list_node& x, const list_node& y, bool exact, run_stack& runs) {
    const std::size_t common = std::min(x.elements.size(), y.elements.size());
    if (x.elements.size() == y.elements.size()) {
        if (!x.tail.is_nil() || !y.tail.is_nil()) {
            runs.push_back({.a = &x.tail, .b = &y.tail, .left = 1, .exact = exact});
        }
    } else {
        const int verdict = x.elements.size() > y.elements.size()
                                ? three_way(class_rank(kind::list), class_rank(y.tail.type()))
                                : three_way(class_rank(x.tail.type()), class_rank(kind::list));
        runs.push_back({.verdict = verdict});
    }
    runs.push_back(
        {.a = x.elements.data(), .b = y.elements.data(), .left = common, .exact = exact});
}

// Compares one pair of terms of the same class. Leaves are compared at
// once; tuples, lists and maps push the runs of their elements and give 0
// (undecided) unless their sizes decide.
int compare_same_class(const term& a, const term& b, bool exact, run_stack& runs) {
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
        runs.push_back({.a = x.data(), .b = y.data(), .left = x.size(), .exact = exact});
        return 0;
    }
    case kind::map: {
        // By size, then every key (always exactly), then the values in key order.
        const auto& x = term_access::as<map_node>(a).entries;
        const auto& y = term_access::as<map_node>(b).entries;
        if (x.size() != y.size()) {
            return three_way(x.size(), y.size());
        }
        if (!x.empty()) {
            runs.push_back({.a = &x[0].second,
                            .b = &y[0].second,
                            .left = x.size(),
                            .stride = 2,
                            .exact = exact});
            runs.push_back(
                {.a = &x[0].first, .b = &y[0].first, .left = x.size(), .stride = 2, .exact = true});
        }
        return 0;
    }
    case kind::nil:
        return 0;
    case kind::list:
        push_list_runs(term_access::as<list_node>(a), term_access::as<list_node>(b), exact, runs);
        return 0;
    case kind::binary:
        return compare_bits(term_access::as<binary_node>(a), term_access::as<binary_node>(b));
    case kind::local:
        return compare_locals(a, b);
    }
    return 0;
}

int compare_one(const term& a, const term& b, bool exact, run_stack& runs) {
    const int a_rank = class_rank(a.type());
    const int b_rank = class_rank(b.type());
    if (a_rank != b_rank) {
        return a_rank < b_rank ? -1 : 1;
    }
    if (term_access::is_boxed(a) && term_access::is_boxed(b) &&
        term_access::node(a) == term_access::node(b)) {
        return 0; // copies of one term
    }
    return compare_same_class(a, b, exact, runs);
}

} // namespace

// Walks both terms depth first, left to right, with an explicit stack; the
// first pair that differs decides. A run leaves the stack as its last pair
// is taken, so a tuple or list nested n deep needs O(1) stack, not O(n).
int compare_terms(const term& a, const term& b, bool exact) noexcept {
    run_stack runs;
    const term* x = &a;
    const term* y = &b;
    for (;;) {
        if (const int result = compare_one(*x, *y, exact, runs); result != 0) {
            return result;
        }
        for (;;) {
            if (runs.empty()) {
                return 0;
            }
            pending_run& run = runs.back();
            if (run.left == 0) {
                const int verdict = run.verdict;
                runs.pop_back();
                if (verdict != 0) {
                    return verdict;
                }
                continue;
            }
            x = run.a;
            y = run.b;
            exact = run.exact;
            run.a += run.stride;
            run.b += run.stride;
            if (--run.left == 0 && run.verdict == 0) {
                runs.pop_back(); // nothing left to do after its last pair: keeps deep nests flat
            }
            break;
        }
    }
}

} // namespace rill::internal
