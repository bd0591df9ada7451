#pragma once

// What the distribution benchmarks share (dist_bench.cpp, storm_bench.cpp):
// the clock, the RESULT line's peer kind, nodes and their connections.

#include <rill/dist.hpp>
#include <rill/rill.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace rill::bench {

using clock_type = std::chrono::steady_clock;

inline double ms_since(clock_type::time_point start) {
    return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

// The kind of node at the other end, for the RESULT line (beam or rill).
inline const char* peer_kind() {
    const char* peer = std::getenv("RILL_BENCH_PEER");
    return peer != nullptr ? peer : "peer";
}

inline runtime_options node(const char* name) {
    runtime_options options;
    options.workers = 2;
    options.node_name = name;
    options.cookie = "bench";
    return options;
}

// Two connected nodes: `a` runs the embedded epmd; b registers with it.
struct two_nodes {
    two_nodes()
        : a(node("bench_a@localhost"))
        , net_a(a,
                [] {
                    dist::options o;
                    o.epmd = dist::epmd_mode::embedded;
                    o.epmd_port = 0;
                    return o;
                }())
        , b(node("bench_b@localhost"))
        , net_b(b, [this] {
            dist::options o;
            o.epmd = dist::epmd_mode::external;
            o.epmd_port = net_a.epmd_port();
            return o;
        }()) {
        if (!net_a.connect_blocking(atom("bench_b@localhost"))) {
            std::fprintf(stderr, "rill_dist_bench: the nodes did not connect\n");
            std::exit(1);
        }
    }

    runtime a;
    dist::net_kernel net_a;
    runtime b;
    dist::net_kernel net_b;
};

// Starts a client node, connects it to `server` and runs `workload` on it;
// false (with a message) when the server cannot be reached.
template <class Workload>
bool on_client_of(const char* server, Workload workload) {
    runtime rt(node("bench_client@localhost"));
    dist::net_kernel net(rt);
    if (!net.connect_blocking(atom(server))) {
        std::fprintf(stderr, "rill_dist_bench: cannot reach %s\n", server);
        return false;
    }
    workload(rt);
    return true;
}

} // namespace rill::bench
