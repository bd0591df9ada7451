// rill::reference: order and printing.

#include <rill/core/pid.hpp>
#include <rill/core/reference.hpp>

#include <algorithm>
#include <ostream>
#include <string>

namespace rill {

namespace {
std::uint32_t word(const reference& r, std::size_t i) noexcept {
    return i < std::min<std::size_t>(r.size, r.id.size()) ? r.id[i] : 0;
}
} // namespace

std::strong_ordering operator<=>(const reference& a, const reference& b) noexcept {
    if (const auto by_node = a.node <=> b.node; std::is_neq(by_node)) {
        return by_node;
    }
    for (std::size_t i = a.id.size(); i-- > 0;) {
        if (const auto by_word = word(a, i) <=> word(b, i); std::is_neq(by_word)) {
            return by_word;
        }
    }
    if (const auto by_size = a.size <=> b.size; std::is_neq(by_size)) {
        return by_size;
    }
    if (const auto by_creation = a.creation <=> b.creation; std::is_neq(by_creation)) {
        return by_creation;
    }
    // Equal in every word in use; unused words are not part of the value
    // but operator== compares them, so order them too to stay consistent.
    return a.id <=> b.id;
}

std::string to_string(const reference& r) {
    std::string text = "#Ref<";
    if (r.node == atoms::nonode_at_nohost || r.node == detail::local_node_of_this_thread()) {
        text += '0';
    } else {
        text += r.node.name();
    }
    const std::size_t size = std::min<std::size_t>(r.size, r.id.size());
    for (std::size_t i = size; i-- > 0;) {
        text += '.';
        text += std::to_string(r.id[i]);
    }
    text += '>';
    return text;
}

std::ostream& operator<<(std::ostream& out, const reference& r) {
    return out << to_string(r);
}

} // namespace rill
