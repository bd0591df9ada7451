// term::hash: consistent with both `==` and exactly_equal (`=:=`).
// Canonical node forms (core/term_nodes.hpp) make exactly equal terms
// structurally identical, so hashing the structure gives =:= consistency.
// For ==, the only values that are equal without being identical are an
// integer and a float of the same value (and -0.0 vs 0.0), anywhere inside
// a term: so all numbers share one seed, and an integral float hashes as
// the integer it equals. The walk is iterative (an explicit stack), so
// deep nesting costs heap, not the C++ stack.

#include "core/small_stack.hpp"
#include "core/term_nodes.hpp"

#include <bit>
#include <cmath>
#include <functional>

namespace rill {

namespace {

using internal::small_stack;
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

// A run of terms still to hash, `left` of them from `next` on, contiguous
// (map entries are key, value, key, value...).
struct pending_run {
    const term* next = nullptr;
    std::size_t left = 0;
};

static_assert(sizeof(std::pair<term, term>) == 2 * sizeof(term),
              "map entries are walked as an array of terms");

// Mixes one term into `h`: a leaf's value, or a container's kind and size,
// its elements then queued. Numbers ignore `h`'s kind prefix so that 1 and
// 1.0 mix alike.
std::uint64_t mix_one(std::uint64_t h, const term& t, small_stack<pending_run, 32>& runs) {
    const auto kind_seed = static_cast<std::uint64_t>(t.type());
    switch (t.type()) {
    case term::kind::integer:
        if (term_access::is_boxed(t)) {
            return mix(
                h,
                mix(number_seed ^ 2U, term_access::as<internal::big_integer_node>(t).value.hash()));
        }
        return mix(h, mix(number_seed, static_cast<std::uint64_t>(term_access::small_integer(t))));
    case term::kind::float_:
        return mix(h, hash_float(term_access::float_value(t)));
    case term::kind::atom:
        return mix(mix(h, kind_seed), term_access::atom_index(t));
    case term::kind::nil:
        return mix(h, kind_seed);
    case term::kind::reference:
        return mix(mix(h, kind_seed),
                   std::hash<reference>{}(term_access::as<internal::reference_node>(t).value));
    case term::kind::fun:
    case term::kind::port:
        return hash_bytes(mix(h, kind_seed), term_access::as<internal::opaque_node>(t).bytes);
    case term::kind::pid:
        return mix(mix(h, kind_seed),
                   std::hash<pid>{}(term_access::as<internal::pid_node>(t).value));
    case term::kind::binary: {
        const auto& node = term_access::as<internal::binary_node>(t);
        return mix(hash_bytes(mix(h, kind_seed), node.bytes), node.bits_in_last_byte);
    }
    case term::kind::local:
        return mix(mix(h, kind_seed),
                   static_cast<const detail::local_node_base*>(term_access::node(t))->serial());
    case term::kind::tuple: {
        const auto& elements = term_access::as<internal::tuple_node>(t).elements;
        runs.push_back({elements.data(), elements.size()});
        return mix(mix(h, kind_seed), elements.size());
    }
    case term::kind::map: {
        const auto& entries = term_access::as<internal::map_node>(t).entries;
        runs.push_back({entries.empty() ? nullptr : &entries[0].first, 2 * entries.size()});
        return mix(mix(h, kind_seed), entries.size());
    }
    case term::kind::list: {
        const auto& node = term_access::as<internal::list_node>(t);
        if (!node.tail.is_nil()) {
            runs.push_back({&node.tail, 1});
        }
        runs.push_back({node.elements.data(), node.elements.size()});
        return mix(mix(h, kind_seed), node.elements.size());
    }
    }
    return h;
}

// One running hash over the term's pre-order walk: kinds and sizes mark the
// structure, so different shapes mix differently.
std::uint64_t hash_term(const term& t) {
    small_stack<pending_run, 32> runs;
    std::uint64_t h = mix_one(0, t, runs);
    while (!runs.empty()) {
        pending_run& run = runs.back();
        if (run.left == 0) {
            runs.pop_back();
            continue;
        }
        const term& next = *run.next;
        ++run.next;
        if (--run.left == 0) {
            runs.pop_back(); // before descending: a nest n deep needs O(1) stack
        }
        h = mix_one(h, next, runs);
    }
    return h;
}

} // namespace

std::size_t term::hash() const noexcept {
    return static_cast<std::size_t>(hash_term(*this));
}

} // namespace rill
