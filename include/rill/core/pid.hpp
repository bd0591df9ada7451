#pragma once

/// \file
/// `rill::pid`: a process identifier, a plain value valid across nodes.
///
/// A pid names a process on a node: the node's name, the slot of the process
/// in that node's process table (`id`), the slot's generation when the
/// process was made (`serial`, so a stale pid never reaches a later process
/// in the same slot) and the node's incarnation (`creation`). Holding a pid
/// keeps nothing alive. A default-constructed pid names no process.
///
/// Every field is public, so a pid may name a node atom that was never
/// interned (a forged atom, see atom.hpp). Such a pid is still an ordinary
/// value: it compares by that atom's order (after every real node name) and
/// prints the node as `$invalid_atom`; it names no process anywhere.

#include <rill/core/atom.hpp>

#include <compare>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>

namespace rill {

struct pid {
    atom node = atoms::nonode_at_nohost;
    std::uint32_t id = 0;
    std::uint32_t serial = 0;
    std::uint32_t creation = 0;

    friend constexpr bool operator==(const pid&, const pid&) noexcept = default;

    /// Erlang order for pids: node name first, then serial, then id.
    friend std::strong_ordering operator<=>(const pid& a, const pid& b) noexcept;
};

/// Prints `<0.id.serial>` for a pid of the node the calling thread belongs to
/// (or of `nonode@nohost`), `<node.id.serial>` otherwise.
std::ostream& operator<<(std::ostream& out, const pid& p);
std::string to_string(const pid& p);

namespace detail {
/// The node whose pids print as `<0.x.y>` on this thread; set by a runtime
/// on the threads it runs processes on. Defaults to `nonode@nohost`.
atom local_node_of_this_thread() noexcept;
void set_local_node_of_this_thread(atom node) noexcept;
} // namespace detail

} // namespace rill

template <>
struct std::hash<rill::pid> {
    std::size_t operator()(const rill::pid& p) const noexcept {
        std::uint64_t h = (std::uint64_t{p.id} << 32) ^ p.serial;
        h ^= (std::uint64_t{p.node.index()} << 16) ^ p.creation;
        return std::hash<std::uint64_t>{}(h * 0x9E3779B97F4A7C15ULL);
    }
};
