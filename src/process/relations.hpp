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

#include <cstdint>
#include <unordered_map>

namespace rill::internal {

struct link_state {
    bool active = true;
    std::uint64_t unlink_id = 0; // non-zero while our unlink awaits its ack
};

/// A monitor this process holds on another.
struct monitor_held {
    pid target;
    term object; // what the DOWN reports: the pid, or {Name, Node}
};

/// A monitor another process holds on this one.
struct monitor_on_me {
    pid watcher;
    term object;
};

struct process_relations {
    std::unordered_map<pid, link_state> links;
    std::unordered_map<reference, monitor_held> monitors;
    std::unordered_map<reference, monitor_on_me> monitored_by;
    std::uint64_t next_unlink_id = 1;
};

} // namespace rill::internal
