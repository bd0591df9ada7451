// 03 — selective receive: take the message you want now, leave the others
// queued in order; wait with a timeout; call/reply matched by reference.

#include <rill/rill.hpp>

#include <chrono>
#include <iostream>

using namespace rill;
using namespace std::chrono_literals;

struct request {
    pid from;
    reference ref;
    int x;
};

struct reply {
    reference ref;
    int value;
};

task<> squarer() {
    for (;;) {
        request r = co_await process::receive_exact<request>();
        process::send(r.from, reply{r.ref, r.x * r.x});
    }
}

/// A synchronous call: send a request tagged with a fresh reference and wait
/// for the reply carrying it. `receive_reply` knows the reply cannot be
/// older than the reference, so it skips whatever was queued before: the
/// call costs the same however full the mailbox is.
task<int> call(pid server, int x) {
    reference ref = process::make_ref();
    process::send(server, request{process::self(), ref, x});
    reply r =
        co_await process::receive_reply<reply>(ref, [ref](const reply& m) { return m.ref == ref; });
    co_return r.value;
}

task<> root() {
    pid self = process::self();
    process::send(self, atom("low"));
    process::send(self, atom("urgent"));
    process::send(self, atom("medium"));

    // Take `urgent` first; `low` and `medium` stay queued, in order.
    co_await process::receive_if<atom>([](atom a) { return a == atom("urgent"); });
    atom first = co_await process::receive_exact<atom>();
    atom second = co_await process::receive_exact<atom>();
    std::cout << "urgent first, then " << first << ", " << second << "\n";

    pid server = process::spawn(squarer);
    int nine = co_await call(server, 3);
    std::cout << "call(server, 3) = " << nine << "\n";

    auto nothing = co_await process::receive_any(20ms);
    std::cout << "receive_any(20ms): " << (nothing ? "a message" : "timed out") << "\n";

    bool ok = first == atom("low") && second == atom("medium") && nine == 9 && !nothing;
    if (!ok) {
        process::exit(term(atom("unexpected")));
    }
}

int main() {
    runtime rt;
    term reason = rt.run(root);
    return reason == term(atoms::normal) ? 0 : 1;
}
