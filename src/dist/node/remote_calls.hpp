#pragma once

// Calls into this node from others (include/rill/dist/remote_calls.hpp):
// the table of registered functions, and the process a SPAWN_REQUEST
// starts. The connection that reads the request spawns the process, which
// first waits for `spawn_go`; meanwhile the connection sets up the link and
// the monitor the caller asked for and queues the SPAWN_REPLY, then sends
// `spawn_go`. So the reply leaves before anything the process sends, and
// the process's end finds its link and monitor in place.
//
// What the process runs:
//   {erpc, execute_call, [Res, M, F, A]}  M:F(A...), ending with erpc's
//       reasons: {Res, return, V}, {Res, throw, T}, {Res, exit, R},
//       {Res, error, E, [{M, F, A, []}]} (rpc:call and erpc:call arrive so)
//   {erpc, execute_cast, [M, F, A]}       M:F(A...), its result dropped
//   {M, F} with arguments A               M:F(A...) (spawn/4 and friends),
//       ending `normal`, or as an Erlang process that failed would
// An unregistered M:F fails with `undef`, as in Erlang.

#include <rill/core/atom.hpp>
#include <rill/dist/remote_calls.hpp>
#include <rill/process/task.hpp>

#include "dist/connection/control.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

namespace rill::dist::internal {

/// The functions other nodes may call (any thread).
class function_table {
public:
    void add(atom module, atom function, remote_coroutine f);
    [[nodiscard]] std::optional<remote_coroutine> find(atom module, atom function) const;

private:
    mutable std::mutex mutex_;
    std::map<std::pair<atom, atom>, remote_coroutine> functions_; // guarded by mutex_
};

/// How a call ended, in Erlang's terms: `how` is return (and `value` the
/// result), or error, exit or throw (and `value` the reason).
struct call_outcome {
    atom how;
    term value;
};

/// Runs the function registered as `module:function` with the argument
/// list `args` (undef when there is none). Inside a process.
task<call_outcome>
call_registered(const function_table& functions, atom module, atom function, term args);

/// The outcome as rpc:call returns it: the value (a thrown one too), or
/// `{badrpc, {'EXIT', Why}}`.
term rpc_result(const call_outcome& outcome, atom module, atom function, const term& args);

/// The registered `rex` process: rpc's server, for the callers that still
/// use it (rpc:block_call, erl_call, gen_server calls to `rex`). It answers
/// `{'$gen_call', {From, Tag}, {call | block_call, M, F, A, GroupLeader}}`
/// with `{Tag, Result}` and the older `{From, {call, M, F, A, GL}}` with
/// `{rex, Result}`, each call in a process of its own; anything else is
/// dropped. Ends on `stop_rex`.
task<> rex_server(std::shared_ptr<const function_table> functions);

struct stop_rex {};

/// Starts a spawned request's work (see above).
struct spawn_go {};

/// The body of the process a SPAWN_REQUEST starts.
task<> run_spawn_request(std::shared_ptr<const function_table> functions, spawn_request request);

} // namespace rill::dist::internal
