#pragma once

// The signal workloads across nodes (the issue "Erlang distribution, part
// 2"; BEAM's side is bench/erlang/rill_dist_bench.erl):
//
//   storm N links|monitors      N processes on node b, each linked to
//                               (monitored by) one trapping process on
//                               node a, all killed at once: ms from the
//                               kill order to the last EXIT (DOWN)
//   storm_to NODE N links|monitors   the same against NODE's `storm`
//   rpc M                       M dist::rpc calls from node a to b
//   rpc_to NODE M               M dist::rpc calls to NODE
//
// `serve` runs the registered `storm` (storm_server) and registers the
// function rill_dist_bench:echo/1 that BEAM's rpc workload calls.

#include <rill/dist.hpp>

#include <future>

namespace rill::bench {

/// The registered `storm`: {spawn, From, N} -> From ! {spawned, Pids};
/// {sync, From} -> From ! synced; {kill_all, From} kills the last Pids.
/// Fulfils `registered` (unless null) once the name is taken.
task<> storm_server(std::promise<void>* registered);

/// rill_dist_bench:echo(X) -> X, for other nodes' rpc:call.
void register_bench_functions(dist::net_kernel& net);

int storm(int n, bool links);
int storm_to(const char* server, int n, bool links);
int rpc(int m);
int rpc_to(const char* server, int m);

} // namespace rill::bench
