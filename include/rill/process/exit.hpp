#pragma once

/// \file
/// `process::exit(reason)`: end the calling process (Erlang's `exit/1`).

#include <rill/core/pid.hpp>
#include <rill/core/term.hpp>
#include <rill/detail/process_hooks.hpp>

#include <exception>
#include <utility>

namespace rill {

/// Thrown by `process::exit(reason)`. Like Erlang's exit exception it can
/// be caught; uncaught, it ends the process with `reason` verbatim.
class exit_exception : public std::exception {
public:
    explicit exit_exception(term reason)
        : reason_(std::move(reason)) {}

    [[nodiscard]] const term& reason() const noexcept { return reason_; }

    [[nodiscard]] const char* what() const noexcept override { return "rill::process::exit"; }

private:
    term reason_;
};

namespace process {

/// Ends the calling process with `reason`, delivered verbatim to links and
/// monitors. Throws `exit_exception` (catchable, as in Erlang).
[[noreturn]] inline void exit(term reason) {
    throw exit_exception(std::move(reason));
}

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

/// Whether `p` is alive, as the calling process can know: after the caller
/// sent `exit(p, kill)`, false at once (S6).
[[nodiscard]] inline bool alive(const pid& p) {
    return detail::is_alive(detail::current_runtime("process::alive"), p);
}

} // namespace process
} // namespace rill
