// rill_interop_peer: a rill node in an OS process of its own, so that
// tests/interop/rill_peer_test.cpp exchanges messages between two rill
// nodes that share nothing but sockets (rill_nodes_test.cpp runs both in
// one process).
//
//   rill_interop_peer <node name> <cookie> <epmd port> <test node>
//
// Starts a runtime named <node name> whose distribution registers with the
// epmd on <epmd port> (the test's embedded one), registers its main process
// as `peer_echo` and announces it to the test: `{sink, TestNode} !
// {peer_ready, self()}`, which also tells the test that the node is up and
// registered with epmd (no polling). Then answers `{From, Tag, T}` with
// `From ! {Tag, {peer, T}}` until it receives `stop`, and exits with status
// 0; 1 for wrong arguments, 2 when the node cannot start.

#include <rill/dist.hpp>
#include <rill/rill.hpp>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <span>
#include <string_view>
#include <system_error>
#include <utility>

namespace {

using namespace rill;

task<> serve(atom test_node) {
    process::register_name(process::self(), atom("peer_echo"));
    process::send(std::pair{atom("sink"), test_node},
                  term::tuple_of(atom("peer_ready"), process::self()));
    for (;;) {
        term request = co_await process::receive_exact<term>();
        if (request.is_atom(atom("stop"))) {
            co_return;
        }
        if (request.is_tuple() && request.elements().size() == 3 &&
            request.elements()[0].is_pid()) {
            process::send(request.elements()[0].as_pid(),
                          term::tuple_of(request.elements()[1],
                                         term::tuple_of(atom("peer"), request.elements()[2])));
        }
    }
}

} // namespace

int main(int argc, char** argv) {
    const std::span<char*> args(argv, static_cast<std::size_t>(argc));
    std::uint16_t epmd_port = 0;
    const std::string_view port_text = args.size() == 5 ? args[3] : "";
    const auto [end, error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), epmd_port);
    if (args.size() != 5 || error != std::errc{} || end != port_text.data() + port_text.size()) {
        std::fputs("usage: rill_interop_peer <node name> <cookie> <epmd port> <test node>\n",
                   stderr);
        return 1;
    }
    try {
        runtime_options options;
        options.workers = 2;
        options.node_name = args[1];
        options.cookie = args[2];
        runtime rt(options);
        dist::options distribution;
        distribution.epmd = dist::epmd_mode::external;
        distribution.epmd_port = epmd_port;
        dist::net_kernel net(rt, distribution);
        rt.run(serve, atom(args[4]));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rill_interop_peer: %s\n", e.what());
        return 2;
    }
    return 0;
}
