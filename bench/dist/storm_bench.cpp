#include "storm_bench.hpp"

#include "bench_nodes.hpp"

#include <string>
#include <vector>

namespace rill::bench {

namespace {

task<> idle() {
    (void)co_await process::receive_any();
}

// The trapping client: links to (monitors) the N processes `storm` spawns,
// then times their deaths.
task<> storm_client(atom server_node, int n, bool links, double* ms) {
    process::trap_exit(true);
    const std::pair<atom, atom> storm{atom("storm"), server_node};
    const pid me = process::self();
    process::send(storm, term::tuple_of(atom("spawn"), me, n));
    const term spawned = co_await process::receive_exact<term>();
    for (const term& victim : spawned.elements()[1].list_elements()) {
        if (links) {
            process::link(victim.as_pid());
        } else {
            (void)process::monitor(victim.as_pid());
        }
    }
    process::send(storm, term::tuple_of(atom("sync"), me));
    (void)co_await process::receive_exact<term>();
    const auto start = clock_type::now();
    process::send(storm, term::tuple_of(atom("kill_all"), me));
    for (int i = 0; i < n; ++i) {
        if (links) {
            (void)co_await process::receive_exact<exit_signal>();
        } else {
            (void)co_await process::receive_exact<down_signal>();
        }
    }
    *ms = ms_since(start);
}

void print_storm(const char* pair, int n, bool links, double ms) {
    std::printf("RESULT sys=rill bench=dist_%s_storm pair=%s n=%d total_ms=%.1f\n",
                links ? "links" : "monitors",
                pair,
                n,
                ms);
}

task<> rpc_client(atom server_node, int m, double* ms) {
    const atom module{"rill_dist_bench"};
    const atom echo{"echo"};
    std::vector<term> warm_up;
    warm_up.push_back(term::from_int64(0));
    (void)co_await dist::rpc(server_node, module, echo, std::move(warm_up));
    const auto start = clock_type::now();
    for (int i = 1; i <= m; ++i) {
        std::vector<term> args;
        args.push_back(term::from_int64(i));
        const term back = co_await dist::rpc(server_node, module, echo, std::move(args));
        if (back != term::from_int64(i)) {
            std::fprintf(stderr, "rill_dist_bench: rpc answered %s\n", to_string(back).c_str());
            std::exit(1);
        }
    }
    *ms = ms_since(start);
}

void print_rpc(const std::string& pair, int m, double ms) {
    std::printf("RESULT sys=rill bench=dist_rpc pair=%s m=%d total_ms=%.1f call_ns=%.1f\n",
                pair.c_str(),
                m,
                ms,
                ms * 1e6 / m);
}

} // namespace

task<> storm_server(std::promise<void>* registered) {
    process::register_name(process::self(), atom("storm"));
    if (registered != nullptr) {
        registered->set_value();
    }
    std::vector<pid> victims;
    for (;;) {
        const term request = co_await process::receive_exact<term>();
        const auto e = request.elements();
        const pid from = e[1].as_pid();
        if (e[0].is_atom(atom("spawn"))) {
            victims.clear();
            std::vector<term> pids;
            for (std::int64_t i = 0; i < *e[2].to_int64(); ++i) {
                victims.push_back(process::spawn(idle));
                pids.emplace_back(victims.back());
            }
            process::send(from, term::tuple_of(atom("spawned"), term::list(std::move(pids))));
        } else if (e[0].is_atom(atom("sync"))) {
            process::send(from, atom("synced"));
        } else if (e[0].is_atom(atom("kill_all"))) {
            for (const pid& victim : victims) {
                process::exit(victim, atom("kill"));
            }
            victims.clear();
        }
    }
}

void register_bench_functions(dist::net_kernel& net) {
    net.register_function(atom("rill_dist_bench"), atom("echo"), [](std::vector<term> args) {
        return args.empty() ? term() : args.front();
    });
}

int storm(int n, bool links) {
    two_nodes nodes;
    std::promise<void> registered;
    nodes.b.spawn(storm_server, &registered);
    registered.get_future().wait();
    double ms = 0;
    nodes.a.run(storm_client, atom("bench_b@localhost"), n, links, &ms);
    print_storm("rill-rill", n, links, ms);
    return 0;
}

int storm_to(const char* server, int n, bool links) {
    double ms = 0;
    if (!on_client_of(server,
                      [&](runtime& rt) { rt.run(storm_client, atom(server), n, links, &ms); })) {
        return 1;
    }
    print_storm((std::string("rill-") + peer_kind()).c_str(), n, links, ms);
    return 0;
}

int rpc(int m) {
    two_nodes nodes;
    register_bench_functions(nodes.net_b);
    double ms = 0;
    nodes.a.run(rpc_client, atom("bench_b@localhost"), m, &ms);
    print_rpc("rill-rill", m, ms);
    return 0;
}

int rpc_to(const char* server, int m) {
    double ms = 0;
    if (!on_client_of(server, [&](runtime& rt) { rt.run(rpc_client, atom(server), m, &ms); })) {
        return 1;
    }
    print_rpc(std::string("rill-") + peer_kind(), m, ms);
    return 0;
}

} // namespace rill::bench
