#pragma once

/// \file
/// A process's links and monitors: plain tables owned by the process and
/// touched only by its worker (the signal layer edits them when it handles a
/// signal). Allocated on the first link or monitor, so an idle process that
/// has none pays one null pointer.
///
/// Per link, the state of SEMANTICS.md appendix 2: `active`, and the id of
/// an unlink this side sent and has not seen acknowledged.

#include <rill/core/pid.hpp>
#include <rill/core/reference.hpp>
#include <rill/core/term.hpp>

#include "process/relation_map.hpp"

#include <cstddef>
#include <cstdint>

namespace rill::internal {

struct link_state {
    bool active = true;
    std::uint32_t unlink_id = 0; // non-zero while our unlink awaits its ack
};

/// A monitor this process holds on another. `name` is `undefined` for a
/// monitor by pid; otherwise the DOWN reports `{name, target's node}`.
struct monitor_held {
    pid target;
    atom name;
};

/// A monitor another process holds on this one (`name` as above).
struct monitor_on_me {
    pid watcher;
    atom name;
};

/// What a DOWN for a monitor on `monitored` reports: the pid, or
/// `{Name, Node}` for a monitor taken by name.
inline term monitor_object(const pid& monitored, atom name) {
    if (name == atoms::undefined) {
        return term(monitored);
    }
    return term::tuple({term(name), term(monitored.node)});
}

/// A monitor whose signal the process holds back (docs/design/0007): not
/// yet in `monitors`, its signal not yet built. `name_node` is the node of
/// the name the monitor was taken by, if any.
struct held_monitor {
    reference ref;
    monitor_held held;
    atom name_node;
};

struct process_relations {
    // From the small-object cache: every process with a link or a monitor
    // has one, and a storm of them must not queue on the global allocator.
    static void* operator new(std::size_t size) { return allocate_small(size); }

    static void operator delete(void* block, std::size_t size) noexcept { free_small(block, size); }

    relation_map<pid, link_state> links;
    relation_map<reference, monitor_held> monitors;
    relation_map<reference, monitor_on_me> monitored_by;
    held_monitor held_back;
    std::uint32_t next_unlink_id = 1;
};

} // namespace rill::internal
