// 05 — the name registry: find a process by name instead of by pid.
//
// A name has one holder and a process has at most one name. The name is
// released when its holder dies, before anyone is told of the death, so a
// restarted server can take the same name at once.

#include <rill/rill.hpp>

#include <iostream>

using namespace rill;

struct add {
    pid from;
    int a;
    int b;
};

task<> calculator() {
    for (;;) {
        add request = co_await process::receive_exact<add>();
        if (request.b < 0) {
            process::exit(term(atom("negative_operand")));
        }
        process::send(request.from, request.a + request.b);
    }
}

task<> root() {
    pid first = process::spawn(calculator);
    process::register_name(first, atom("calculator"));

    process::send(atom("calculator"), add{process::self(), 2, 3});
    int five = co_await process::receive_exact<int>();
    std::cout << "calculator says 2 + 3 = " << five << "\n";

    // Misuse is a badarg, and the registry stays as it was.
    try {
        process::register_name(process::self(), atom("calculator"));
    } catch (const badarg& e) {
        std::cout << "badarg: " << e.what() << "\n";
    }

    // Crash it; by the time the DOWN arrives, the name is free again.
    reference ref = process::monitor(atom("calculator"));
    process::send(atom("calculator"), add{process::self(), 1, -1});
    auto down = std::get<down_signal>(co_await process::receive<int>());
    std::cout << "calculator " << down.object << " died: " << down.reason
              << "; whereis(calculator) is "
              << (process::whereis(atom("calculator")) ? "set" : "empty") << "\n";

    pid second = process::spawn(calculator);
    process::register_name(second, atom("calculator"));
    process::send(atom("calculator"), add{process::self(), 20, 22});
    int answer = co_await process::receive_exact<int>();
    std::cout << "the restarted calculator says 20 + 22 = " << answer << "\n";

    bool ok = five == 5 && down.ref == ref && answer == 42 &&
              process::whereis(atom("calculator")) == second;
    if (!ok) {
        process::exit(term(atom("unexpected")));
    }
}

int main() {
    runtime rt;
    term reason = rt.run(root);
    return reason == term(atoms::normal) ? 0 : 1;
}
