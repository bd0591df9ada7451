// 02 — ping-pong: two processes bounce a counter; typed messages are moved
// into the mailbox once, never serialized.

#include <rill/rill.hpp>

#include <chrono>
#include <iostream>

using namespace rill;

struct ping {
    pid from;
    int n;
};

struct pong {
    int n;
};

task<> ponger() {
    for (;;) {
        ping p = co_await process::receive_exact<ping>();
        process::send(p.from, pong{p.n + 1});
    }
}

task<> pinger(int rounds) {
    pid partner = process::spawn(ponger);
    auto start = std::chrono::steady_clock::now();
    int n = 0;
    for (int i = 0; i < rounds; ++i) {
        process::send(partner, ping{process::self(), n});
        n = (co_await process::receive_exact<pong>()).n;
    }
    auto elapsed = std::chrono::steady_clock::now() - start;
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count();
    std::cout << rounds << " round trips, counter " << n << ", " << ns / rounds
              << " ns per round trip\n";
    if (n != rounds) {
        process::exit(term(atom("lost_messages")));
    }
}

int main() {
    runtime rt;
    term reason = rt.run(pinger, 100'000);
    return reason == term(atoms::normal) ? 0 : 1;
}
