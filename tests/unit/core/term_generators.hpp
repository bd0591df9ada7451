#pragma once

// RapidCheck generators of terms for the core property tests: nested
// tuples, lists (proper and improper), maps, binaries, bitstrings, small
// and big integers, floats (often equal in value to generated integers, so
// 1 vs 1.0 cases come up), atoms, pids and references from small domains
// so that equal terms are generated often enough to matter.

#include <rill/core/term.hpp>

#include <cstddef>
#include <cstdint>
#include <rapidcheck.h>
#include <string>
#include <vector>

namespace rill::test {

/// Vectors of 0..max_size-1 elements drawn from `element`.
template <class T>
rc::Gen<std::vector<T>> sized_vector(std::size_t max_size, rc::Gen<T> element) {
    return rc::gen::mapcat(rc::gen::inRange<std::size_t>(0, max_size), [element](std::size_t size) {
        return rc::gen::container<std::vector<T>>(size, element);
    });
}

inline rc::Gen<term> gen_small_number() {
    return rc::gen::oneOf(
        rc::gen::map(rc::gen::inRange<std::int64_t>(-3, 4), [](std::int64_t v) { return term{v}; }),
        rc::gen::map(rc::gen::inRange<std::int64_t>(-6, 7),
                     [](std::int64_t v) { return term{static_cast<double>(v) / 2.0}; }),
        rc::gen::just(term{-0.0}));
}

inline rc::Gen<term> gen_integer() {
    return rc::gen::oneOf(
        rc::gen::map(rc::gen::arbitrary<std::int64_t>(), [](std::int64_t v) { return term{v}; }),
        rc::gen::map(rc::gen::pair(rc::gen::arbitrary<bool>(),
                                   sized_vector(20, rc::gen::arbitrary<std::uint8_t>())),
                     [](const std::pair<bool, std::vector<std::uint8_t>>& p) {
                         return term::big_integer(p.first, p.second);
                     }));
}

inline rc::Gen<term> gen_float() {
    return rc::gen::map(rc::gen::arbitrary<double>(),
                        [](double d) { return std::isfinite(d) ? term{d} : term{1.5}; });
}

inline rc::Gen<term> gen_atom() {
    return rc::gen::map(rc::gen::element<std::string>("a", "b", "ok", "EXIT", "", "undefined"),
                        [](const std::string& name) { return term{atom(name)}; });
}

inline rc::Gen<term> gen_bitstring() {
    return rc::gen::map(rc::gen::pair(sized_vector(4, rc::gen::inRange<std::uint8_t>(95, 100)),
                                      rc::gen::inRange<std::uint8_t>(1, 9)),
                        [](const std::pair<std::vector<std::uint8_t>, std::uint8_t>& p) {
                            const auto bytes = std::as_bytes(std::span(p.first));
                            return p.second == 8 ? term::binary(bytes)
                                                 : term::bitstring(bytes, p.second);
                        });
}

inline rc::Gen<term> gen_pid_or_reference() {
    return rc::gen::oneOf(
        rc::gen::map(rc::gen::pair(rc::gen::inRange<std::uint32_t>(0, 3),
                                   rc::gen::inRange<std::uint32_t>(0, 3)),
                     [](const std::pair<std::uint32_t, std::uint32_t>& p) {
                         return term{pid{atoms::nonode_at_nohost, p.first, p.second, 0}};
                     }),
        rc::gen::map(rc::gen::inRange<std::uint32_t>(0, 3), [](std::uint32_t w) {
            return term{reference{atoms::nonode_at_nohost, 0, 3, {w, 1, w, 0, 0}}};
        }));
}

inline rc::Gen<term> gen_leaf() {
    return rc::gen::weightedOneOf<term>({{4, gen_small_number()},
                                         {2, gen_integer()},
                                         {1, gen_float()},
                                         {3, gen_atom()},
                                         {2, gen_bitstring()},
                                         {1, rc::gen::just(term{})},
                                         {1, gen_pid_or_reference()}});
}

inline rc::Gen<std::vector<term>> gen_elements(const rc::Gen<term>& element) {
    return sized_vector(4, element);
}

/// A term nested at most `depth` levels.
inline rc::Gen<term> gen_term(int depth = 3) {
    if (depth == 0) {
        return gen_leaf();
    }
    const rc::Gen<term> inner = gen_term(depth - 1);
    return rc::gen::weightedOneOf<term>(
        {{4, gen_leaf()},
         {1,
          rc::gen::map(gen_elements(inner),
                       [](std::vector<term> e) { return term::tuple(std::move(e)); })},
         {1,
          rc::gen::map(gen_elements(inner),
                       [](std::vector<term> e) { return term::list(std::move(e)); })},
         {1,
          rc::gen::map(rc::gen::pair(gen_elements(inner), gen_leaf()),
                       [](std::pair<std::vector<term>, term> p) {
                           return term::list(std::move(p.first), std::move(p.second));
                       })},
         {1,
          rc::gen::map(rc::gen::pair(gen_elements(gen_leaf()), gen_elements(inner)),
                       [](std::pair<std::vector<term>, std::vector<term>> p) {
                           std::vector<std::pair<term, term>> entries;
                           for (std::size_t i = 0; i < p.first.size(); ++i) {
                               entries.emplace_back(p.first[i],
                                                    i < p.second.size() ? p.second[i] : term{});
                           }
                           return term::map(std::move(entries));
                       })}});
}

/// A structurally identical term built afresh (no node shared with `t`).
inline term rebuild(const term& t) {
    switch (t.type()) {
    case term::kind::tuple: {
        std::vector<term> elements;
        for (const term& e : t.elements()) {
            elements.push_back(rebuild(e));
        }
        return term::tuple(std::move(elements));
    }
    case term::kind::list: {
        std::vector<term> elements;
        for (const term& e : t.list_elements()) {
            elements.push_back(rebuild(e));
        }
        return term::list(std::move(elements), rebuild(t.list_tail()));
    }
    case term::kind::map: {
        std::vector<std::pair<term, term>> entries;
        for (const auto& [k, v] : t.map_entries()) {
            entries.emplace_back(rebuild(k), rebuild(v));
        }
        return term::map(std::move(entries));
    }
    case term::kind::binary: {
        const std::size_t bits = t.bit_size();
        return bits % 8 == 0 ? term::binary(t.bytes())
                             : term::bitstring(t.bytes(), static_cast<std::uint8_t>(bits % 8));
    }
    case term::kind::integer: {
        const auto magnitude = t.as_integer_magnitude();
        return term::big_integer(magnitude.negative, magnitude.little_endian);
    }
    case term::kind::pid:
        return term{t.as_pid()};
    case term::kind::reference:
        return term{t.as_reference()};
    default:
        return t;
    }
}

} // namespace rill::test
