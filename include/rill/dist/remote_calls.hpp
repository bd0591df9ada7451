#pragma once

/// \file
/// Calls between a rill node and other nodes of the cluster.
///
/// Into rill: a C++ function registered under `{Module, Function}` with
/// `net_kernel::register_function` is what Erlang code on other nodes calls
/// as `Module:Function(Args...)`:
///
///     net.register_function(atom("calc"), atom("add"),
///         [](std::vector<term> args) { return term::from_int64(...); });
///     %% on a BEAM node:
///     3 = rpc:call('rill@localhost', calc, add, [1, 2]),
///     3 = erpc:call('rill@localhost', calc, add, [1, 2]),
///     Pid = spawn('rill@localhost', calc, add, [1, 2]).
///
/// Each call runs in a process of its own, spawned for it (as BEAM spawns
/// one for `erpc:call` and `spawn/4`), linked to or monitored by the caller
/// when it asked. A function is a plain one returning a term, or a
/// coroutine returning `task<term>` when it needs to wait (receive, call
/// other processes). What the caller sees is what it would see of an
/// Erlang function: the value; for an `erlang_exception` its class and
/// reason; for any other C++ exception an `error` whose reason is
/// `{exception, Type, What}` (the reason a rill process ends with); for an
/// unregistered function `undef` (rpc:call: `{badrpc, {'EXIT', {undef,
/// [{M, F, Args, []}]}}}`, erpc:call: `error:{exception, undef, [{M, F,
/// Args, []}]}`). Registered functions are the only code other nodes can
/// run here.
///
/// Out of rill: `dist::rpc` calls a function on another node (BEAM's `rex`
/// server answers it) and `dist::spawn` starts a process there.

#include <rill/core/atom.hpp>
#include <rill/core/pid.hpp>
#include <rill/core/term.hpp>
#include <rill/process/task.hpp>

#include <chrono>
#include <functional>
#include <stdexcept>
#include <vector>

namespace rill::dist {

/// A function other nodes call; gets the argument list.
using remote_function = std::function<term(std::vector<term> args)>;
/// The same, as a coroutine.
using remote_coroutine = std::function<task<term>(std::vector<term> args)>;

/// Thrown by a remote function to raise `exception_class:reason` as an
/// Erlang function would: `error`, `exit` or `throw`.
class erlang_exception : public std::runtime_error {
public:
    /// Throws `std::invalid_argument` for a class other than error, exit
    /// or throw.
    erlang_exception(atom exception_class, term reason);

    [[nodiscard]] atom exception_class() const noexcept { return class_; }

    [[nodiscard]] const term& reason() const noexcept { return reason_; }

private:
    atom class_;
    term reason_;
};

/// Waits for ever (the default of `rpc`, as rpc:call/4).
inline constexpr std::chrono::milliseconds infinity = std::chrono::milliseconds::max();

/// rpc:call/5 from a process: `module:function(args...)` on `node`, through
/// that node's `rex` server. The result as rpc:call gives it: the value, or
/// `{badrpc, Reason}` (`nodedown` when the node cannot be reached,
/// `timeout` after `timeout`, `{'EXIT', Why}` when the function failed).
task<term> rpc(atom node,
               atom module,
               atom function,
               std::vector<term> args,
               std::chrono::milliseconds timeout = infinity);

/// erlang:spawn/4 from a process: a new process on `node` running
/// `module:function(args...)`; its pid. Throws `std::runtime_error` when
/// the node cannot be reached or refuses.
task<pid> spawn(atom node, atom module, atom function, std::vector<term> args);

} // namespace rill::dist
