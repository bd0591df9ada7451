// Freeing deep terms without recursion.
//
// Dropping the last reference to a tuple, list or map frees its elements,
// which free theirs: a term nested a million levels deep would take a
// million C++ frames. Instead, a container node's destructor first moves
// out every element that is itself a container held by nobody else (those
// are exactly the ones whose freeing would recurse) onto an explicit stack,
// then takes each of them apart the same way before it dies, so every
// destructor on the way runs with no such element left and returns at once.
// Elements that other terms still hold are only released (a decrement).
//
// "Held by nobody else" is `term_node::is_unique()`: the node's one
// reference is the one being freed here, so no other thread can take a new
// one. Running out of heap for the stack terminates (destructors are
// noexcept), as running out of C++ stack would have, but much later.

#include "core/term_nodes.hpp"

#include <algorithm>
#include <vector>

namespace rill::internal {

namespace {

// Whether freeing `t` would free a tuple, list or map node with elements.
bool frees_container(const term& t) noexcept {
    switch (t.type()) {
    case term::kind::tuple:
    case term::kind::list:
    case term::kind::map:
        return term_access::node(t)->is_unique();
    default:
        return false;
    }
}

// Calls `f` on every element of the container node that `t` holds.
template <class F>
void for_each_element(const term& t, F&& f) {
    // The node is immutable to everyone who can see it; here its only
    // holder is taking it apart, so changing its elements is safe.
    switch (t.type()) {
    case term::kind::tuple:
        for (term& element : const_cast<tuple_node&>(term_access::as<tuple_node>(t)).elements) {
            f(element);
        }
        return;
    case term::kind::list: {
        auto& node = const_cast<list_node&>(term_access::as<list_node>(t));
        for (term& element : node.elements) {
            f(element);
        }
        f(node.tail);
        return;
    }
    case term::kind::map:
        for (auto& [key, value] : const_cast<map_node&>(term_access::as<map_node>(t)).entries) {
            f(key);
            f(value);
        }
        return;
    default:
        return;
    }
}

void move_out_containers(const term& t, std::vector<term>& pending) {
    for_each_element(t, [&pending](term& element) {
        if (frees_container(element)) {
            pending.push_back(std::move(element)); // leaves [] behind
        }
    });
}

// Takes apart the nested containers that `elements` alone hold. Called by
// a node's destructor before its members die; a no-op for shallow terms.
template <class Elements>
void dismantle(Elements& elements, term* tail = nullptr) noexcept {
    const auto frees = [](const auto& element) {
        if constexpr (std::is_same_v<std::decay_t<decltype(element)>, term>) {
            return frees_container(element);
        } else {
            return frees_container(element.first) || frees_container(element.second);
        }
    };
    if (std::none_of(elements.begin(), elements.end(), frees) &&
        (tail == nullptr || !frees_container(*tail))) {
        return;
    }
    std::vector<term> pending;
    for (auto& element : elements) {
        if constexpr (std::is_same_v<std::decay_t<decltype(element)>, term>) {
            if (frees_container(element)) {
                pending.push_back(std::move(element));
            }
        } else {
            for (term* part : {&element.first, &element.second}) {
                if (frees_container(*part)) {
                    pending.push_back(std::move(*part));
                }
            }
        }
    }
    if (tail != nullptr && frees_container(*tail)) {
        pending.push_back(std::move(*tail));
    }
    while (!pending.empty()) {
        const term next = std::move(pending.back());
        pending.pop_back();
        move_out_containers(next, pending);
        // `next` dies here: its node's destructor finds nothing to take apart.
    }
}

} // namespace

tuple_node::~tuple_node() {
    dismantle(elements);
}

list_node::~list_node() {
    dismantle(elements, &tail);
}

map_node::~map_node() {
    dismantle(entries);
}

} // namespace rill::internal
