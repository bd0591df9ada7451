// rill::pid: order, printing, and the thread's "local node" used to print
// pids of this node as <0.id.serial>.

#include <rill/core/pid.hpp>

#include <ostream>
#include <string>

namespace rill {

namespace {
// The node of the runtime running on this thread; nonode@nohost elsewhere.
// Plain thread_local: only its own thread reads or writes it.
// NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables): per-thread by design
thread_local atom local_node = atoms::nonode_at_nohost;
} // namespace

namespace detail {
atom local_node_of_this_thread() noexcept {
    return local_node;
}

void set_local_node_of_this_thread(atom node) noexcept {
    local_node = node;
}
} // namespace detail

std::strong_ordering operator<=>(const pid& a, const pid& b) noexcept {
    if (const auto by_node = a.node <=> b.node; std::is_neq(by_node)) {
        return by_node;
    }
    if (const auto by_serial = a.serial <=> b.serial; std::is_neq(by_serial)) {
        return by_serial;
    }
    if (const auto by_id = a.id <=> b.id; std::is_neq(by_id)) {
        return by_id;
    }
    return a.creation <=> b.creation;
}

std::string to_string(const pid& p) {
    std::string text = "<";
    if (p.node == atoms::nonode_at_nohost || p.node == detail::local_node_of_this_thread()) {
        text += '0';
    } else {
        text += p.node.name();
    }
    text += '.';
    text += std::to_string(p.id);
    text += '.';
    text += std::to_string(p.serial);
    text += '>';
    return text;
}

std::ostream& operator<<(std::ostream& out, const pid& p) {
    return out << to_string(p);
}

} // namespace rill
