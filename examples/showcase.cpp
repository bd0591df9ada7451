// The rill showcase: what the runtime does, shown with numbers.
//
//   showcase [--quick]
//
// 1. spawns a crowd of processes and measures what an idle one costs;
// 2. passes a token around a ring of processes on every core;
// 3. bounces messages between two processes (round-trip latency);
// 4. selective receive and timers;
// 5. a crash becomes an exit reason, never a silent death;
// 6. the deterministic runtime replays a concurrent run exactly.

#include <rill/rill.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace rill;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

long resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    long pages = 0;
    long resident = 0;
    statm >> pages >> resident;
    return resident * 4096;
}

double ns_since(steady::time_point start) {
    return static_cast<double>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(steady::now() - start).count());
}

void check(bool ok, const char* what) {
    if (!ok) {
        process::exit(term::tuple({term(atom("failed")), term(std::string(what))}));
    }
}

// 1. A crowd of idle processes.
task<> idle_child(pid parent) {
    (void)co_await process::receive_exact<atom>();
    process::send(parent, atom("done"));
}

task<> crowd(int count) {
    std::vector<pid> children;
    children.reserve(static_cast<std::size_t>(count));
    long before = resident_bytes();
    auto start = steady::now();
    for (int i = 0; i < count; ++i) {
        children.push_back(process::spawn(idle_child, process::self()));
        if (i % 10'000 == 9'999) {
            co_await process::yield(); // a long loop lets others run (the watchdog checks)
        }
    }
    double spawn_ns = ns_since(start);
    co_await process::sleep(50ms); // let every child reach its receive
    long per_process = (resident_bytes() - before) / count;
    start = steady::now();
    for (pid child : children) {
        process::send(child, atom("go"));
    }
    for (int i = 0; i < count; ++i) {
        (void)co_await process::receive_exact<atom>();
    }
    std::printf("1. %d processes: spawned in %.1f ms (%.0f ns each), ~%ld bytes per idle "
                "process, all messaged and exited in %.1f ms\n",
                count,
                spawn_ns / 1e6,
                spawn_ns / count,
                per_process,
                ns_since(start) / 1e6);
}

// 2. A ring.
task<> ring_node(pid next) {
    for (;;) {
        int hops = co_await process::receive_exact<int>();
        process::send(next, hops - 1);
        if (hops <= 0) {
            co_return;
        }
    }
}

task<> ring(int size, int laps) {
    pid first = process::self();
    pid next = first;
    for (int i = 0; i < size - 1; ++i) {
        next = process::spawn(ring_node, next);
    }
    int total = size * laps;
    auto start = steady::now();
    process::send(next, total - 1);
    for (;;) {
        int hops = co_await process::receive_exact<int>();
        if (hops <= 0) {
            break;
        }
        process::send(next, hops - 1);
    }
    double ns = ns_since(start);
    std::printf("2. ring of %d processes x %d laps: %.0f ns per hop\n", size, laps, ns / total);
}

// 3. Ping-pong.
task<> echo() {
    for (;;) {
        auto [from, n] = co_await process::receive_exact<std::pair<pid, int>>();
        process::send(from, n);
    }
}

task<> ping_pong(int rounds) {
    pid partner = process::spawn(echo);
    auto start = steady::now();
    for (int i = 0; i < rounds; ++i) {
        process::send(partner, std::pair{process::self(), i});
        check(co_await process::receive_exact<int>() == i, "echo");
    }
    std::printf(
        "3. ping-pong: %d round trips, %.0f ns per round trip\n", rounds, ns_since(start) / rounds);
}

// 4. Selective receive and timers.
task<> selective() {
    pid self = process::self();
    for (int i = 0; i < 10'000; ++i) {
        process::send(self, i); // a full mailbox of unrelated messages
    }
    process::send_after(self, atom("tick"), 10ms);
    reference cancelled = process::send_after(self, atom("never"), 20ms);
    check(process::cancel_timer(cancelled).has_value(), "cancel");
    auto start = steady::now();
    atom tick = co_await process::receive_exact<atom>();
    std::printf("4. selective receive: '%s' found behind 10,000 queued messages after %.1f ms; "
                "the cancelled timer never fired\n",
                std::string(tick.name()).c_str(),
                ns_since(start) / 1e6);
    check(!(co_await process::receive_exact<atom>(30ms)).has_value(), "cancelled timer fired");
    for (int i = 0; i < 10'000; ++i) {
        check(co_await process::receive_exact<int>() == i, "queued order");
    }
}

task<> showcase(int scale) {
    co_await crowd(100'000 * scale);
    co_await ring(1'000, 100 * scale);
    co_await ping_pong(200'000 * scale);
    co_await selective();
}

// 5. Let it crash.
task<> divide(int a, int b) {
    if (b == 0) {
        throw std::domain_error("division by zero");
    }
    std::printf("%d\n", a / b);
    co_return;
}

// 6. Deterministic replay.
task<> gossip(pid peer, int rounds) {
    for (int i = 0; i < rounds; ++i) {
        process::send(peer, i);
        co_await process::yield();
    }
}

task<> listener() {
    for (;;) {
        (void)co_await process::receive_any();
    }
}

std::vector<pid> deterministic_trace(std::uint64_t seed) {
    runtime rt(runtime_options{.deterministic = true, .seed = seed});
    pid sink = rt.spawn(listener);
    for (int i = 0; i < 4; ++i) {
        rt.spawn(gossip, sink, 25);
    }
    rt.run_until_idle();
    return rt.schedule_trace();
}

} // namespace

int main(int argc, char** argv) {
    bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
    unsigned cores = std::thread::hardware_concurrency();
    std::printf("rill showcase: Erlang-style processes on %u scheduler threads\n\n", cores);

    term reason;
    {
        runtime rt;
        reason = rt.run(showcase, quick ? 1 : 10);
    }
    if (reason != term(atoms::normal)) {
        std::cout << "showcase failed: " << reason << "\n";
        return 1;
    }

    runtime crashing;
    term crash = crashing.run(divide, 1, 0);
    std::cout << "5. a process that throws ends with an exit reason, not a silent death: " << crash
              << "\n";

    std::vector<pid> first = deterministic_trace(7);
    std::vector<pid> again = deterministic_trace(7);
    std::vector<pid> other = deterministic_trace(8);
    std::printf("6. deterministic runtime: %zu slices; same seed replays the same schedule: %s; "
                "another seed interleaves differently: %s\n",
                first.size(),
                first == again ? "yes" : "NO",
                first != other ? "yes" : "no");
    return first == again ? 0 : 1;
}
