// 07 — a rill node that an Erlang shell talks to. It registers `echo`, which
// answers `{From, Msg}` with `{echo, Msg}`, and stops when it gets `stop`;
// and a C++ function that Erlang calls as `calc:add(A, B)`.
//
// Run it, then talk to it from an Erlang shell (Debian: apt install erlang-nox):
//
//     $ ./build/release/examples/example_10_erlang_node
//     rill@localhost is up (cookie rill_example); waiting for Erlang
//
//     $ erl -sname beam@localhost -setcookie rill_example -hidden
//     1> net_adm:ping('rill@localhost').
//     pong
//     2> {echo, 'rill@localhost'} ! {self(), hello}.
//     3> flush().
//     Shell got {echo,hello}
//     4> rpc:call('rill@localhost', calc, add, [1, 2]).
//     3
//     5> monitor(process, {echo, 'rill@localhost'}), {echo, 'rill@localhost'} ! stop, flush().
//     Shell got {'DOWN',#Ref<...>,process,{echo,'rill@localhost'},normal}
//
// The node registers with the epmd on port 4369 (or ERL_EPMD_PORT), and
// starts one inside itself when none runs, so nothing else is needed.
// `--check` runs those shell commands itself (an `erl` child on a private
// epmd port) and exits 0 when the echo came back: how CTest runs it.

#include <rill/dist.hpp>
#include <rill/rill.hpp>

#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using namespace rill;

/// `{From, Msg}` -> `From ! {echo, Msg}`, until `stop`; counts the echoes.
task<> echo(int* echoed) {
    process::register_name(process::self(), atom("echo"));
    for (;;) {
        term message = co_await process::receive_exact<term>();
        if (message.is_atom(atom("stop"))) {
            co_return;
        }
        if (message.is_tuple() && message.elements().size() == 2 &&
            message.elements()[0].is_pid()) {
            process::send(message.elements()[0].as_pid(),
                          term::tuple_of(atom("echo"), message.elements()[1]));
            ++*echoed;
        }
    }
}

/// The root: lives as long as the echo server.
task<> until_done(pid server) {
    process::monitor(server);
    co_await process::receive<down_signal>();
}

int main(int argc, char** argv) {
    const bool check = argc > 1 && std::string_view(argv[1]) == "--check";
    runtime rt({.workers = 2, .node_name = "rill@localhost", .cookie = "rill_example"});

    dist::options options;
    if (check) {
        options.epmd = dist::epmd_mode::embedded; // a private epmd on a free port
        options.epmd_port = 0;
    }
    dist::net_kernel net(rt, options);
    std::cout << net.node().name() << " is up (cookie rill_example); waiting for Erlang"
              << std::endl;

    // calc:add(A, B) for other nodes: rpc:call, erpc:call, spawn/4.
    net.register_function(atom("calc"), atom("add"), [](std::vector<term> args) {
        if (args.size() != 2 || !args[0].to_int64() || !args[1].to_int64()) {
            throw dist::erlang_exception(atoms::error, term(atoms::badarg));
        }
        return term::from_int64(*args[0].to_int64() + *args[1].to_int64());
    });

    int echoed = 0;
    const pid server = rt.spawn(echo, &echoed);
    std::thread erlang_side;
    int erlang_status = 0;
    if (check) {
        if (std::system("erl -version >/dev/null 2>&1") != 0) { // NOLINT
            std::cout << "erl is not installed: nothing to check against\n";
            return 0;
        }
        const std::string command =
            "ERL_EPMD_PORT=" + std::to_string(net.epmd_port()) +
            " erl -sname beam@localhost -setcookie rill_example -hidden -noshell -eval '"
            "pong = net_adm:ping(rill@localhost),"
            "{echo, rill@localhost} ! {self(), hello},"
            "receive {echo, hello} -> ok after 10000 -> halt(1) end,"
            "3 = rpc:call(rill@localhost, calc, add, [1, 2]),"
            "{echo, rill@localhost} ! stop, halt(0).'";
        erlang_side = std::thread([&rt, &erlang_status, server, command] {
            erlang_status = std::system(command.c_str()); // NOLINT
            // Its own `stop` may not have left: halt/1 does not flush the
            // distribution. (A stop to a server that has stopped is dropped.)
            rt.send(server, atom("stop"));
        });
    }
    rt.run(until_done, server);
    if (erlang_side.joinable()) {
        erlang_side.join();
    }
    std::cout << "echoed " << echoed << " message(s)\n";
    return check && (erlang_status != 0 || echoed != 1) ? 1 : 0;
}
