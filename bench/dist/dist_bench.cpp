// The distribution's workloads (the issue "Erlang distribution, part 1";
// BEAM's side is bench/erlang/rill_dist_bench.erl): one program, one
// workload per run, a RESULT line like rill_bench's.
//
//   rill_dist_bench codec ROUNDS          encode/decode of a 1,000-record list
//   rill_dist_bench pingpong M            round trips between two rill nodes
//   rill_dist_bench stream SENDERS PER    SENDERS processes streaming PER small
//                                         messages each to one remote receiver
//   rill_dist_bench bulk COUNT BYTES      COUNT binaries of BYTES, one way
//   rill_dist_bench serve NAME            a node NAME whose `echo` answers
//                                         {From, X} with X, until `stop`
//   rill_dist_bench pingpong_to NODE M    round trips to NODE's `echo` (a BEAM
//                                         or rill node; epmd from ERL_EPMD_PORT)
//   rill_dist_bench stream_to NODE SENDERS PER
//   rill_dist_bench bulk_to NODE COUNT BYTES
//                                         stream and bulk toward NODE's `sink`
//                                         (the protocol of rill_dist_bench.erl)
//   storm, storm_to, rpc, rpc_to          see storm_bench.hpp
//
// The two nodes of pingpong, stream and bulk are two runtimes in this OS
// process (2 workers each), connected over loopback by the distribution as
// any two nodes are (the embedded epmd on a free port).

#include "bench_nodes.hpp"
#include "storm_bench.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace rill;
using namespace rill::bench;

namespace {

// {user, I, I*10^12, I/3, <<I:128>>, [a, b, I], Pid} for I in 1..1000.
term mixed_records(const pid& owner) {
    std::vector<term> records;
    records.reserve(1000);
    for (std::int64_t i = 1; i <= 1000; ++i) {
        std::vector<std::byte> bits(16, std::byte{0});
        for (int b = 0; b < 8; ++b) {
            bits[15 - static_cast<std::size_t>(b)] =
                static_cast<std::byte>((static_cast<std::uint64_t>(i) >> (8 * b)) & 0xFF);
        }
        records.push_back(term::tuple_of(atom("user"),
                                         i,
                                         i * 1'000'000'000'000,
                                         static_cast<double>(i) / 3.0,
                                         term::binary(bits),
                                         term::list_of(atom("a"), atom("b"), i),
                                         owner));
    }
    return term::list(std::move(records));
}

int codec(int rounds) {
    const term value = mixed_records(pid{atom("bench@localhost"), 42, 0, 7});
    const std::vector<std::byte> bytes = etf::encode(value);
    auto start = clock_type::now();
    std::size_t sink = 0;
    for (int r = 0; r < rounds; ++r) {
        sink += etf::encode(value).size();
    }
    const double encode_ms = ms_since(start);
    start = clock_type::now();
    for (int r = 0; r < rounds; ++r) {
        sink += etf::decode(bytes).list_elements().size();
    }
    const double decode_ms = ms_since(start);
    const double mb = static_cast<double>(bytes.size()) * rounds / 1e6;
    std::printf("RESULT sys=rill bench=codec rounds=%d bytes=%zu encode_ms=%.1f decode_ms=%.1f "
                "encode_mb_per_s=%.1f decode_mb_per_s=%.1f check=%zu\n",
                rounds,
                bytes.size(),
                encode_ms,
                decode_ms,
                mb / (encode_ms / 1000),
                mb / (decode_ms / 1000),
                sink);
    return 0;
}

task<> echo_server() {
    for (;;) {
        term request = co_await process::receive_exact<term>();
        if (!request.is_tuple()) {
            co_return;
        }
        process::send(request.elements()[0].as_pid(), request.elements()[1]);
    }
}

task<> pinger(pid server, int rounds, double* ms) {
    const pid me = process::self();
    // One warm-up round trip, then the measured ones.
    process::send(server, term::tuple_of(me, 0));
    (void)co_await process::receive_exact<term>();
    const auto start = clock_type::now();
    for (int i = 1; i <= rounds; ++i) {
        process::send(server, term::tuple_of(me, i));
        (void)co_await process::receive_exact<term>();
    }
    *ms = ms_since(start);
    process::send(server, atom("stop"));
}

int pingpong(int rounds) {
    two_nodes nodes;
    const pid server = nodes.b.spawn(echo_server);
    double ms = 0;
    nodes.a.run(pinger, server, rounds, &ms);
    std::printf("RESULT sys=rill bench=dist_pingpong pair=rill-rill m=%d total_ms=%.1f "
                "rtt_ns=%.1f\n",
                rounds,
                ms,
                ms * 1e6 / rounds);
    return 0;
}

// The receivers of stream and bulk run on node b, spawned from main; the
// root on node a tells them where to report with a first `{start, Pid}`,
// which reaches them before anything its processes send later (one
// connection, in order).
task<pid> await_start() {
    const term start = co_await process::receive_exact<term>();
    co_return start.elements()[1].as_pid();
}

task<> stream_receiver(std::int64_t expected) {
    const pid report_to = co_await await_start();
    for (std::int64_t n = 0; n < expected; ++n) {
        (void)co_await process::receive_exact<std::int64_t>();
    }
    process::send(report_to, atom("done"));
}

task<> stream_sender(pid to, int per) {
    for (int i = 0; i < per; ++i) {
        process::send(to, std::int64_t{i});
    }
    co_return;
}

task<> stream_root(pid receiver, int senders, int per, double* ms) {
    const auto start = clock_type::now();
    process::send(receiver, term::tuple_of(atom("start"), process::self()));
    for (int s = 0; s < senders; ++s) {
        process::spawn(stream_sender, receiver, per);
    }
    (void)co_await process::receive_exact<term>();
    *ms = ms_since(start);
}

int stream(int senders, int per) {
    two_nodes nodes;
    const pid receiver = nodes.b.spawn(stream_receiver, std::int64_t{senders} * per);
    double ms = 0;
    nodes.a.run(stream_root, receiver, senders, per, &ms);
    const double total = static_cast<double>(senders) * per;
    std::printf("RESULT sys=rill bench=dist_stream pair=rill-rill senders=%d per=%d "
                "total_ms=%.1f msgs_per_s=%.0f\n",
                senders,
                per,
                ms,
                total / (ms / 1000));
    return 0;
}

task<> bulk_receiver(int count) {
    const pid report_to = co_await await_start();
    std::int64_t bytes = 0;
    for (int n = 0; n < count; ++n) {
        term t = co_await process::receive_exact<term>();
        bytes += static_cast<std::int64_t>(t.bytes().size());
    }
    process::send(report_to, bytes);
}

task<> bulk_root(pid receiver, int count, int size, double* ms) {
    const term blob = term::binary(std::vector<std::byte>(static_cast<std::size_t>(size)));
    const auto start = clock_type::now();
    process::send(receiver, term::tuple_of(atom("start"), process::self()));
    for (int i = 0; i < count; ++i) {
        process::send(receiver, blob);
    }
    (void)co_await process::receive_exact<std::int64_t>();
    *ms = ms_since(start);
}

int bulk(int count, int size) {
    two_nodes nodes;
    const pid receiver = nodes.b.spawn(bulk_receiver, count);
    double ms = 0;
    nodes.a.run(bulk_root, receiver, count, size, &ms);
    const double mb = static_cast<double>(count) * size / 1e6;
    std::printf("RESULT sys=rill bench=dist_bulk pair=rill-rill count=%d bytes=%d "
                "total_ms=%.1f mb_per_s=%.1f\n",
                count,
                size,
                ms,
                mb / (ms / 1000));
    return 0;
}

task<> echo_registered() {
    process::register_name(process::self(), atom("echo"));
    for (;;) {
        term request = co_await process::receive_exact<term>();
        if (!request.is_tuple()) {
            co_return; // stop
        }
        process::send(request.elements()[0].as_pid(), request.elements()[1]);
    }
}

// The `sink` of serve: {start, From, Expected} -> {ready, Self}, then
// `done` to From once Expected messages came.
task<> sink_registered() {
    process::register_name(process::self(), atom("sink"));
    for (;;) {
        const term start = co_await process::receive_exact<term>();
        const pid from = start.elements()[1].as_pid();
        const std::int64_t expected = *start.elements()[2].to_int64();
        process::send(from, term::tuple_of(atom("ready"), process::self()));
        for (std::int64_t n = 0; n < expected; ++n) {
            (void)co_await process::receive_exact<term>();
        }
        process::send(from, atom("done"));
    }
}

int serve(const char* name) {
    runtime rt(node(name));
    dist::net_kernel net(rt);
    register_bench_functions(net);
    rt.spawn(sink_registered);
    rt.spawn(storm_server, static_cast<std::promise<void>*>(nullptr));
    std::printf("serving %s on port %u\n", name, static_cast<unsigned>(net.port()));
    std::fflush(stdout);
    rt.run(echo_registered);
    return 0;
}

task<> remote_pinger(atom server_node, int rounds, double* ms) {
    const std::pair<atom, atom> echo{atom("echo"), server_node};
    const pid me = process::self();
    process::send(echo, term::tuple_of(me, 0));
    (void)co_await process::receive_exact<term>();
    const auto start = clock_type::now();
    for (int i = 1; i <= rounds; ++i) {
        process::send(echo, term::tuple_of(me, i));
        (void)co_await process::receive_exact<term>();
    }
    *ms = ms_since(start);
}

int pingpong_to(const char* server, int rounds) {
    double ms = 0;
    if (!on_client_of(server,
                      [&](runtime& rt) { rt.run(remote_pinger, atom(server), rounds, &ms); })) {
        return 1;
    }
    std::printf("RESULT sys=rill bench=dist_pingpong pair=rill-%s m=%d total_ms=%.1f "
                "rtt_ns=%.1f\n",
                peer_kind(),
                rounds,
                ms,
                ms * 1e6 / rounds);
    return 0;
}

// The remote sink's pid, once it expects `expected` messages.
task<pid> open_sink(atom server_node, std::int64_t expected) {
    process::send(std::pair<atom, atom>{atom("sink"), server_node},
                  term::tuple_of(atom("start"), process::self(), expected));
    const term ready = co_await process::receive_exact<term>();
    co_return ready.elements()[1].as_pid();
}

task<> remote_streamer(atom server_node, int senders, int per, double* ms) {
    const pid sink = co_await open_sink(server_node, std::int64_t{senders} * per);
    const auto start = clock_type::now();
    for (int s = 0; s < senders; ++s) {
        process::spawn(stream_sender, sink, per);
    }
    (void)co_await process::receive_exact<atom>();
    *ms = ms_since(start);
}

task<> remote_bulk(atom server_node, int count, int size, double* ms) {
    const term blob = term::binary(std::vector<std::byte>(static_cast<std::size_t>(size)));
    const pid sink = co_await open_sink(server_node, count);
    const auto start = clock_type::now();
    for (int i = 0; i < count; ++i) {
        process::send(sink, blob);
    }
    (void)co_await process::receive_exact<atom>();
    *ms = ms_since(start);
}

int stream_to(const char* server, int senders, int per) {
    double ms = 0;
    if (!on_client_of(server, [&](runtime& rt) {
            rt.run(remote_streamer, atom(server), senders, per, &ms);
        })) {
        return 1;
    }
    std::printf("RESULT sys=rill bench=dist_stream pair=rill-%s senders=%d per=%d "
                "total_ms=%.1f msgs_per_s=%.0f\n",
                peer_kind(),
                senders,
                per,
                ms,
                static_cast<double>(senders) * per / (ms / 1000));
    return 0;
}

int bulk_to(const char* server, int count, int size) {
    double ms = 0;
    if (!on_client_of(server,
                      [&](runtime& rt) { rt.run(remote_bulk, atom(server), count, size, &ms); })) {
        return 1;
    }
    std::printf("RESULT sys=rill bench=dist_bulk pair=rill-%s count=%d bytes=%d "
                "total_ms=%.1f mb_per_s=%.1f\n",
                peer_kind(),
                count,
                size,
                ms,
                static_cast<double>(count) * size / 1e6 / (ms / 1000));
    return 0;
}

int usage() {
    std::fprintf(stderr,
                 "usage: rill_dist_bench codec ROUNDS | pingpong M | stream SENDERS PER"
                 " | bulk COUNT BYTES | serve NAME | pingpong_to NODE M"
                 " | stream_to NODE SENDERS PER | bulk_to NODE COUNT BYTES"
                 " | storm N links|monitors | storm_to NODE N links|monitors | rpc M"
                 " | rpc_to NODE M\n");
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        return usage();
    }
    const std::string workload = argv[1];
    if (workload == "serve") {
        return serve(argv[2]);
    }
    if (workload == "pingpong_to" && argc > 3) {
        return pingpong_to(argv[2], std::atoi(argv[3]));
    }
    if (workload == "stream_to" && argc > 4) {
        return stream_to(argv[2], std::atoi(argv[3]), std::atoi(argv[4]));
    }
    if (workload == "storm_to" && argc > 4) {
        return storm_to(argv[2], std::atoi(argv[3]), std::string(argv[4]) == "links");
    }
    if (workload == "rpc_to" && argc > 3) {
        return rpc_to(argv[2], std::atoi(argv[3]));
    }
    if (workload == "storm" && argc > 3) {
        return storm(std::atoi(argv[2]), std::string(argv[3]) == "links");
    }
    if (workload == "bulk_to" && argc > 4) {
        return bulk_to(argv[2], std::atoi(argv[3]), std::atoi(argv[4]));
    }
    const int first = std::atoi(argv[2]);
    const int second = argc > 3 ? std::atoi(argv[3]) : 0;
    if (workload == "codec") {
        return codec(first);
    }
    if (workload == "pingpong") {
        return pingpong(first);
    }
    if (workload == "rpc") {
        return rpc(first);
    }
    if (workload == "stream" && argc > 3) {
        return stream(first, second);
    }
    if (workload == "bulk" && argc > 3) {
        return bulk(first, second);
    }
    return usage();
}
