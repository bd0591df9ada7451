#pragma once

/// \file
/// A process's links, monitors and aliases: plain tables of the signal
/// layer, one set per process, touched only by the process's worker (the
/// signal layer edits them when the process links, monitors or makes an
/// alias and when it handles a signal). Made on the first of those and
/// freed when the process
/// ends, so an idle process that has none pays one null pointer in its
/// control block (`process::relations_slot`). The one piece of this state
/// the process layer keeps itself is the flag "a monitor is held back",
/// which every send checks inline (process.hpp).
///
/// Per link, the state of SEMANTICS.md appendix 2: the id of an unlink this
/// side sent and has not seen acknowledged (64-bit, as UNLINK_ID carries it
/// on the wire), or none: then the link is active.

#include <rill/core/pid.hpp>
#include <rill/core/reference.hpp>
#include <rill/core/term.hpp>

#include "signal/relation_map.hpp"

#include <cstddef>
#include <cstdint>

namespace rill::internal {

struct link_state {
    /// Active: no unlink of ours awaits its ack.
    [[nodiscard]] bool active() const noexcept { return unlink_low_ == 0 && unlink_high_ == 0; }

    /// The id of our unlink awaiting its ack; 0 when active.
    [[nodiscard]] std::uint64_t unlink_id() const noexcept {
        return (std::uint64_t{unlink_high_} << 32U) | unlink_low_;
    }

    /// Marks our unlink `id` (never 0) as sent; 0 makes the link active again.
    void set_unlink_id(std::uint64_t id) noexcept {
        unlink_low_ = static_cast<std::uint32_t>(id);
        unlink_high_ = static_cast<std::uint32_t>(id >> 32U);
    }

private:
    // Two halves rather than one uint64_t: 4-byte alignment keeps a link's
    // slot in the relation table at 28 bytes instead of 32.
    std::uint32_t unlink_low_ = 0;
    std::uint32_t unlink_high_ = 0;
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
/// yet in `monitors`, its signal not yet built.
struct held_monitor {
    reference ref;
    monitor_held held;
};

/// How an alias of the process ends (Erlang's alias/1 options).
enum class alias_lifetime : std::uint8_t {
    until_unalias, ///< `explicit_unalias`: by unalias, or when the process ends
    one_reply,     ///< `reply`: also after the first message through it
};

struct process_relations {
    // From the small-object cache: every process with a link or a monitor
    // has one, and a storm of them must not queue on the global allocator.
    static void* operator new(std::size_t size) { return allocate_small(size); }

    static void operator delete(void* block, std::size_t size) noexcept { free_small(block, size); }

    relation_map<pid, link_state> links;
    relation_map<reference, monitor_held> monitors;
    relation_map<reference, monitor_on_me> monitored_by;
    relation_map<reference, alias_lifetime> aliases; // the process's active aliases
    held_monitor held_back;                          // valid while the process's holds_monitor()
    std::uint64_t next_unlink_id = 1; // 0 means "no unlink pending"; 2^64 ids never wrap
};

class process;

/// The tables of `p`, made on first use (throws `std::bad_alloc`). Owner.
process_relations& relations_of(process& p);

/// The tables of `p`, or null when it never linked or monitored. Owner.
process_relations* relations_if_any(process& p) noexcept;

/// Frees the tables of an ending process (after its links and monitors
/// were signalled).
void free_relations(process& p) noexcept;

/// Publishes the owner's link and monitor counts for introspection
/// (process_table::publish_relation_counts). Called where the tables change; a
/// monitor held back and not yet sent is not counted until it is.
void publish_relation_counts(process& owner) noexcept;

/// Holds back the signal of a monitor just taken on `held.target` instead
/// of sending it (docs/design/0007); a monitor held earlier goes out first.
void hold_monitor(process& owner, const reference& ref, const monitor_held& held);

/// Drops the held-back monitor if it is `ref`'s; returns whether it was
/// (the monitor was active, and no DOWN can exist for it).
bool cancel_held_monitor(process& owner, const reference& ref) noexcept;

/// The held-back monitor, if any.
const held_monitor* held_back_monitor(process& owner) noexcept;

} // namespace rill::internal
