#pragma once

/// \file
/// `process::exit(reason)`: end the calling process (Erlang's `exit/1`);
/// `process::alive`. Exit signals to other processes (`exit(pid, reason)`,
/// `trap_exit`) are the signal layer's: signal/exit.hpp.

#include <rill/core/pid.hpp>
#include <rill/core/term.hpp>
#include <rill/detail/process_entry.hpp>

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

/// The exit reason a process would end with if `error` escaped its body:
/// verbatim for `exit_exception` (`process::exit`), `badarg` for `badarg`,
/// `{exception, Type, What}` for anything else. For code that catches an
/// exception, runs its own cleanup, and reports how the process ends
/// (a gen_server's `terminate`, a crash report). Callable from any thread.
[[nodiscard]] term exit_reason(const std::exception_ptr& error) noexcept;

/// Whether `p` is alive, as the calling process can know: after the caller
/// sent `exit(p, kill)`, false at once (S6).
[[nodiscard]] inline bool alive(const pid& p) {
    return detail::is_alive(detail::current_runtime("process::alive"), p);
}

} // namespace process
} // namespace rill
