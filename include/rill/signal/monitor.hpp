#pragma once

/// \file
/// Monitors: one-way observation of another process's end.
///
/// A monitor fires once, with the target's exit reason (`normal` included),
/// as a `down_signal` message; it ignores trap_exit. Monitoring a dead or
/// unregistered target fires at once with `noproc`. Each call makes an
/// independent monitor (SEMANTICS.md section H).

#include <rill/core/atom.hpp>
#include <rill/core/pid.hpp>
#include <rill/core/reference.hpp>
#include <rill/detail/signal_entry.hpp>
#include <rill/process/spawn.hpp>

#include <utility>

namespace rill {

struct demonitor_options {
    /// Also remove a `down_signal` for this monitor already in the mailbox.
    bool flush = false;
    /// Return whether the monitor was still active (instead of always true).
    bool info = false;
};

namespace process {

/// Monitors `target`; the DOWN's object is the pid. Monitoring oneself
/// returns a reference and creates nothing (S63).
inline reference monitor(const pid& target) {
    return detail::monitor_pid(detail::current_runtime("process::monitor"), target);
}

/// Monitors the process registered as `name` on this node, resolved once,
/// now (S62); the DOWN's object is `{name, node}`.
inline reference monitor(atom name) {
    auto& runtime = detail::current_runtime("process::monitor");
    return detail::monitor_name(runtime, name, detail::current_pid("process::monitor").node);
}

/// Monitors `{name, node}`.
inline reference monitor(const std::pair<atom, atom>& name_at_node) {
    return detail::monitor_name(
        detail::current_runtime("process::monitor"), name_at_node.first, name_at_node.second);
}

/// Removes a monitor: after it returns, no new DOWN for `ref` arrives (S58).
/// Returns true, or with `.info`, whether the monitor was still active
/// (S60). `.flush` also removes a DOWN for `ref` already queued (S59).
inline bool demonitor(const reference& ref, demonitor_options options = {}) {
    return detail::demonitor(
        detail::current_runtime("process::demonitor"), ref, options.flush, options.info);
}

/// Spawns `f(args...)` monitored by the caller, atomically (S65).
template <class F, class... Args>
std::pair<pid, reference> spawn_monitor(F&& f,
                                        Args&&... args) requires detail::process_body<F, Args...> {
    auto& runtime = detail::current_runtime("process::spawn_monitor");
    reference ref;
    pid child = detail::spawn_related(
        runtime,
        detail::make_process_body(std::forward<F>(f), std::forward<Args>(args)...),
        false,
        &ref);
    return {child, ref};
}

} // namespace process
} // namespace rill
