#pragma once

// The heap nodes of boxed terms, and `term_access`, the one door from
// src/core into term's private representation. Every node is immutable
// once built (see detail::term_node for the sharing rules).
//
// Canonical forms, relied on by equality, order and hashing:
//   - an integer that fits int64 is never a big_integer_node;
//   - a list_node has at least one element and its tail is never a list
//     node (term::list splices list tails in);
//   - a map_node's entries are sorted by exact key order, keys unique;
//   - a binary_node's unused low bits of the last byte are zero.

#include <rill/core/term.hpp>

#include "core/big_integer.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

namespace rill::internal {

struct big_integer_node final : detail::term_node {
    explicit big_integer_node(big_integer v)
        : value(std::move(v)) {}

    big_integer value;
};

struct pid_node final : detail::term_node {
    explicit pid_node(const pid& v)
        : value(v) {}

    pid value;
};

struct reference_node final : detail::term_node {
    explicit reference_node(const reference& v)
        : value(v) {}

    reference value;
};

// Tuples, lists and maps free their elements without recursion: their
// destructors (core/term_teardown.cpp) take apart, with an explicit stack,
// every nested tuple, list or map that they alone hold.

struct tuple_node final : detail::term_node {
    explicit tuple_node(std::vector<term> e)
        : elements(std::move(e)) {}

    tuple_node(const tuple_node&) = delete;
    tuple_node& operator=(const tuple_node&) = delete;
    tuple_node(tuple_node&&) = delete;
    tuple_node& operator=(tuple_node&&) = delete;
    ~tuple_node() override;

    std::vector<term> elements;
};

struct list_node final : detail::term_node {
    list_node(std::vector<term> e, term t)
        : elements(std::move(e))
        , tail(std::move(t)) {}

    list_node(const list_node&) = delete;
    list_node& operator=(const list_node&) = delete;
    list_node(list_node&&) = delete;
    list_node& operator=(list_node&&) = delete;
    ~list_node() override;

    std::vector<term> elements; // never empty
    term tail;                  // [] for a proper list; never a non-empty list
};

struct map_node final : detail::term_node {
    explicit map_node(std::vector<std::pair<term, term>> e)
        : entries(std::move(e)) {}

    map_node(const map_node&) = delete;
    map_node& operator=(const map_node&) = delete;
    map_node(map_node&&) = delete;
    map_node& operator=(map_node&&) = delete;
    ~map_node() override;

    std::vector<std::pair<term, term>> entries; // sorted by exact key order, unique keys
};

// A binary's bytes are either its own (`storage`) or a range of a buffer
// that `owner` keeps alive (a sub-binary of a received frame, see
// term::binary(owner, bytes)); `bytes` views whichever it is, and is all
// that equality, order, hashing and printing read.
struct binary_node final : detail::term_node {
    binary_node(std::vector<std::byte> b, std::uint8_t bits)
        : storage(std::move(b))
        , bytes(storage)
        , bits_in_last_byte(bits) {}

    binary_node(std::shared_ptr<const void> keep_alive, std::span<const std::byte> shared)
        : owner(std::move(keep_alive))
        , bytes(shared)
        , bits_in_last_byte(8) {}

    binary_node(const binary_node&) = delete;
    binary_node& operator=(const binary_node&) = delete;
    binary_node(binary_node&&) = delete;
    binary_node& operator=(binary_node&&) = delete;
    ~binary_node() override = default;

    std::vector<std::byte> storage;    // the bytes, unless `owner` holds them
    std::shared_ptr<const void> owner; // null unless the bytes live in a shared buffer
    std::span<const std::byte> bytes;  // into `storage` or into `owner`'s buffer
    std::uint8_t bits_in_last_byte;    // 1..8; 8 for a binary (and for an empty one)
};

struct opaque_node final : detail::term_node {
    explicit opaque_node(std::vector<std::byte> b)
        : bytes(std::move(b)) {}

    std::vector<std::byte> bytes; // external term format, tag byte first
};

struct term_access {
    static bool is_boxed(const term& t) noexcept { return t.boxed_; }

    static std::int64_t small_integer(const term& t) noexcept { return t.payload_.integer; }

    static double float_value(const term& t) noexcept { return t.payload_.float_; }

    static std::uint32_t atom_index(const term& t) noexcept { return t.payload_.atom; }

    static const detail::term_node* node(const term& t) noexcept { return t.payload_.node; }

    template <class Node>
    static const Node& as(const term& t) noexcept {
        return *static_cast<const Node*>(t.payload_.node);
    }

    /// A term owning the freshly made `node` (its initial reference).
    static term adopt(term::kind k, const detail::term_node* node) noexcept {
        return term::boxed(k, node);
    }
};

/// The -1/0/+1 order of two terms; `exact` is the order of `=:=` and map
/// keys (an integer sorts before every float; -0.0 before 0.0).
int compare_terms(const term& a, const term& b, bool exact) noexcept;

/// A term holding `value`, small when it fits int64.
term make_integer(big_integer value);

/// The integer term as a big_integer (small or big).
big_integer to_big_integer(const term& t);

} // namespace rill::internal
