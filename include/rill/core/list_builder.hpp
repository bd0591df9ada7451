#pragma once

/// \file
/// `rill::list_builder`: builds a list term in time linear in its length.
///
/// A list term holds its elements in one array, so consing onto an existing
/// list (`term::list({head}, tail)`) copies the tail and a list built one
/// cons at a time costs O(n^2). A builder collects the elements first, at
/// either end, and makes the list once:
///
///     list_builder b;
///     for (int i = 0; i < n; ++i) b.push_back(i);   // [0, 1, ..., n-1]
///     b.push_front(atom("first"));                   // [first, 0, ...]
///     term list = std::move(b).build();              // or build(tail)

#include <rill/core/term.hpp>

#include <cstddef>
#include <vector>

namespace rill {

class list_builder {
public:
    /// Adds `element` after every element added so far. Amortized O(1).
    list_builder& push_back(term element);

    /// Adds `element` before every element added so far, as a cons does.
    /// Amortized O(1).
    list_builder& push_front(term element);

    /// Room for `count` more elements at the back.
    void reserve_back(std::size_t count);

    /// Elements added so far.
    [[nodiscard]] std::size_t size() const noexcept { return front_.size() + back_.size(); }

    /// The list of the elements, first to last, ending in `tail` (proper
    /// when `tail` is `[]`; a list `tail` is appended, as `term::list`
    /// does). O(n); the builder is used up.
    [[nodiscard]] term build(term tail = term{}) &&;

private:
    std::vector<term> front_; // pushed to the front, last pushed last (reversed)
    std::vector<term> back_;  // pushed to the back, in order
};

} // namespace rill
