// list_builder: elements pushed to the front are kept reversed, so both ends
// grow by push_back; build() joins the two halves once.

#include <rill/core/list_builder.hpp>

#include <algorithm>
#include <iterator>
#include <utility>

namespace rill {

list_builder& list_builder::push_back(term element) {
    back_.push_back(std::move(element));
    return *this;
}

list_builder& list_builder::push_front(term element) {
    front_.push_back(std::move(element));
    return *this;
}

void list_builder::reserve_back(std::size_t count) {
    back_.reserve(back_.size() + count);
}

term list_builder::build(term tail) && {
    std::vector<term> elements;
    if (front_.empty()) {
        elements = std::move(back_);
    } else {
        elements.reserve(size());
        std::move(front_.rbegin(), front_.rend(), std::back_inserter(elements));
        std::move(back_.begin(), back_.end(), std::back_inserter(elements));
    }
    front_.clear();
    back_.clear();
    return term::list(std::move(elements), std::move(tail));
}

} // namespace rill
