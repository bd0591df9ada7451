#pragma once

/// \file
/// Exit signals: `process::exit(pid, reason)` (Erlang's `exit/2`) and
/// `process::trap_exit`. Ending the calling process itself,
/// `process::exit(reason)`, is in process/exit.hpp.

#include <rill/core/pid.hpp>
#include <rill/core/term.hpp>
#include <rill/detail/signal_entry.hpp>

#include <utility>

namespace rill::process {

/// Sends an exit signal to `target` (Erlang's `exit/2`), following
/// SEMANTICS.md section F: `kill` ends the target with `killed` whether it
/// traps or not; a trapping target receives `exit_signal{self(), reason}`;
/// otherwise `normal` is ignored (unless the target is the caller) and any
/// other reason ends it. Asynchronous: ordered with the caller's other
/// signals to `target`; a dead target is silently accepted (S50). The
/// signal takes effect when the target next handles signals (at its next
/// suspension point; for the caller itself, its next receive or yield).
inline void exit(const pid& target, term reason) {
    detail::send_exit(detail::current_runtime("process::exit"), target, std::move(reason));
}

/// Sets whether the calling process traps exit signals (receives them as
/// `exit_signal` messages); returns the previous value. Default: false.
inline bool trap_exit(bool trap) {
    return detail::set_trap_exit(trap);
}

} // namespace rill::process
