#pragma once

/// \file
/// Links: bidirectional failure propagation between two processes.
///
/// When a linked process ends, its partner receives an exit signal carrying
/// the reason: a partner that traps exits gets `exit_signal{from, reason}`;
/// one that does not dies with the same reason, except that `normal` is
/// ignored (SEMANTICS.md section D). Links follow OTP's link protocol
/// (SEMANTICS.md appendix 2): once `unlink` returns, the link can no longer
/// hurt the caller.

#include <rill/core/pid.hpp>
#include <rill/detail/signal_entry.hpp>
#include <rill/process/spawn.hpp>

#include <utility>

namespace rill::process {

/// Links the caller and `to` (at most one link per pair; linking oneself
/// does nothing). If `to` is dead the caller receives a `noproc` exit
/// signal through the new link — it dies with `noproc` unless it traps
/// exits (a deliberate difference from Erlang's local `link/1`, S31).
inline void link(const pid& to) {
    detail::link(detail::current_runtime("process::link"), to);
}

/// Removes the link between the caller and `from`, idempotently. Exit
/// messages already queued stay queued (S34).
inline void unlink(const pid& from) {
    detail::unlink(detail::current_runtime("process::unlink"), from);
}

/// Spawns `f(args...)` linked to the caller, atomically: the link exists
/// before the child runs, so its exit is never reported as `noproc` (S36).
template <class F, class... Args>
pid spawn_link(F&& f, Args&&... args) requires detail::process_body<F, Args...> {
    auto& runtime = detail::current_runtime("process::spawn_link");
    return detail::spawn_related(
        runtime,
        detail::make_process_body(std::forward<F>(f), std::forward<Args>(args)...),
        true,
        nullptr);
}

} // namespace rill::process
