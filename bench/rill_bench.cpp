// rill_bench: rill's side of the workloads in BENCHMARKS.md.
//
//   rill_bench [--workers N] <workload> <params...>
//
// Each run is one workload in a fresh OS process. A coordinator process on
// the runtime's own scheduler drives it, times only the measured section with
// steady_clock, checks the result and prints one line
//
//   RESULT sys=rill bench=<name> workers=<N> <params> <measures>
//
// (the parameters, e.g. `n=1000 laps=1000`, tell the two ring sizes apart).
// Exit status: 0 on success; 1 when a check fails or the coordinator ends
// abnormally (the reason goes to stderr, no RESULT line); 2 for a workload
// that needs what rill does not have yet; 64 for bad arguments (usage).

#include <rill/rill.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using namespace rill;
using namespace std::chrono_literals;

namespace {

using steady = std::chrono::steady_clock;

// GCC 12 miscompiles a co_await inside an `if` condition in a task that is
// awaited (the task never runs; rill reports `rill::foreign_await`): every
// co_await here stands in its own declaration or statement.

constexpr int exit_check_failed = 1;
constexpr int exit_not_implemented = 2;
constexpr int exit_usage = 64;

// Scheduler threads of this run; set once by main before the runtime starts.
unsigned workers_in_use = 2;

runtime_options bench_options() {
    runtime_options options;
    options.workers = workers_in_use;
    return options;
}

double ns_between(steady::time_point start, steady::time_point end) {
    return static_cast<double>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
}

double ms_between(steady::time_point start, steady::time_point end) {
    return ns_between(start, end) / 1e6;
}

long resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    long pages = 0;
    long resident = 0;
    statm >> pages >> resident;
    return resident * sysconf(_SC_PAGESIZE);
}

/// One `RESULT` line, written to stdout only once every check has passed.
class result_line {
public:
    explicit result_line(std::string_view bench) {
        out_ << "RESULT sys=rill bench=" << bench << " workers=" << workers_in_use;
    }

    result_line& add(std::string_view key, long long value) {
        out_ << ' ' << key << '=' << value;
        return *this;
    }

    result_line& add(std::string_view key, double value, int decimals) {
        char text[64];
        std::snprintf(text, sizeof text, "%.*f", decimals, value);
        out_ << ' ' << key << '=' << text;
        return *this;
    }

    void print() const { std::cout << out_.str() << std::endl; }

private:
    std::ostringstream out_;
};

/// Ends the coordinator: the reason goes to stderr, main exits non-zero.
[[noreturn]] void fail(const std::string& what) {
    std::cerr << "rill_bench: check failed: " << what << std::endl;
    process::exit(term(atom("check_failed")));
}

/// Whether the calling process's mailbox is empty (no duplicated or stray messages).
task<bool> mailbox_empty() {
    co_return !(co_await process::receive_any(0ms)).has_value();
}

// 1. spawn N: spawn N children keeping every pid; each waits for `go`,
// replies `done`, exits.

task<> spawn_child(pid parent) {
    atom go = co_await process::receive_exact<atom>();
    process::send(parent, go == atom("go") ? atom("done") : atom("unexpected"));
}

task<> spawn_bench(long long count) {
    const atom go("go");
    const atom done("done");
    std::vector<pid> children; // kept, as the workload says: counted in the RSS delta
    children.reserve(static_cast<std::size_t>(count));
    long rss_before = resident_bytes();
    auto spawn_start = steady::now();
    for (long long i = 0; i < count; ++i) {
        children.push_back(process::spawn(spawn_child, process::self()));
    }
    auto spawn_end = steady::now();
    co_await process::sleep(1s); // untimed settle: every child reaches its receive
    long rss_after = resident_bytes();

    auto message_start = steady::now();
    for (const pid& child : children) {
        process::send(child, go);
    }
    long long replies = 0;
    for (long long i = 0; i < count; ++i) {
        atom reply = co_await process::receive_exact<atom>();
        replies += reply == done ? 1 : 0;
    }
    auto message_end = steady::now();
    bool stray = !co_await mailbox_empty();
    if (replies != count || stray) {
        fail("spawn: " + std::to_string(replies) + " of " + std::to_string(count) +
             " replies were `done`, or stray messages remain");
    }
    double spawn_ms = ms_between(spawn_start, spawn_end);
    double message_ms = ms_between(message_start, message_end);
    result_line("spawn")
        .add("n", count)
        .add("spawn_ms", spawn_ms, 1)
        .add("msg_exit_ms", message_ms, 1)
        .add("total_ms", spawn_ms + message_ms, 1)
        .add("rss_bytes_per_proc", (rss_after - rss_before) / count)
        .print();
}

// 2. skynet LEAVES FANOUT: a tree of processes sums the numbers of its leaves.

task<> skynet_node(pid parent, std::int64_t num, std::int64_t size, std::int64_t fanout) {
    if (size == 1) {
        process::send(parent, num);
        co_return;
    }
    std::int64_t child_size = size / fanout;
    for (std::int64_t i = 0; i < fanout; ++i) {
        process::spawn(skynet_node, process::self(), num + i * child_size, child_size, fanout);
    }
    std::int64_t sum = 0;
    for (std::int64_t i = 0; i < fanout; ++i) {
        sum += co_await process::receive_exact<std::int64_t>();
    }
    process::send(parent, sum);
}

task<> skynet_bench(long long leaves, long long fanout) {
    auto start = steady::now();
    process::spawn(skynet_node, process::self(), std::int64_t{0}, leaves, fanout);
    std::int64_t sum = co_await process::receive_exact<std::int64_t>();
    auto end = steady::now();
    std::int64_t expected = leaves * (leaves - 1) / 2;
    bool stray = !co_await mailbox_empty();
    if (sum != expected || stray) {
        fail("skynet: sum " + std::to_string(sum) + ", expected " + std::to_string(expected));
    }
    result_line("skynet")
        .add("leaves", leaves)
        .add("fanout", fanout)
        .add("result", sum)
        .add("total_ms", ms_between(start, end), 1)
        .print();
}

// 3. pingpong M: ping sends 1, pong echoes every integer, ping sends i+1 until M.

task<> pong(pid ping) {
    for (;;) {
        int n = co_await process::receive_exact<int>();
        if (n == 0) {
            co_return; // the end of the run, after the measured section
        }
        process::send(ping, n);
    }
}

task<> pingpong_bench(int rounds) {
    pid partner = process::spawn(pong, process::self());
    auto start = steady::now();
    process::send(partner, 1);
    for (int expected = 1;; ++expected) {
        int n = co_await process::receive_exact<int>();
        if (n != expected) {
            fail("pingpong: got " + std::to_string(n) + ", expected " + std::to_string(expected));
        }
        if (n == rounds) {
            break;
        }
        process::send(partner, n + 1);
    }
    auto end = steady::now();
    process::send(partner, 0);
    bool empty = co_await mailbox_empty();
    if (!empty) {
        fail("pingpong: stray messages after the last round trip");
    }
    double ns = ns_between(start, end);
    result_line("pingpong")
        .add("m", static_cast<long long>(rounds))
        .add("total_ms", ns / 1e6, 1)
        .add("rtt_ns", ns / rounds, 1)
        .add("msgs_per_s", 2.0 * rounds / (ns / 1e9), 0)
        .print();
}

// 4. ring N LAPS: node i forwards h-1 to node i+1 (the last to the first);
// the node that receives 0 tells the coordinator. A negative token stops the
// ring: each node passes it on and exits.

task<> ring_node(pid coordinator) {
    pid next = co_await process::receive_exact<pid>();
    for (;;) {
        int hops = co_await process::receive_exact<int>();
        if (hops < 0) {
            process::send(next, hops);
            co_return;
        }
        if (hops == 0) {
            process::send(coordinator, atom("lap_done"));
        } else {
            process::send(next, hops - 1);
        }
    }
}

/// Sends a token of `hops` into the ring and waits until it reaches 0.
task<> run_token(pid first, int hops) {
    process::send(first, hops);
    atom reply = co_await process::receive_exact<atom>();
    if (reply != atom("lap_done")) {
        fail("ring: unexpected message to the coordinator");
    }
}

task<> ring_bench(int size, int laps) {
    auto setup_start = steady::now();
    std::vector<pid> nodes;
    nodes.reserve(static_cast<std::size_t>(size));
    for (int i = 0; i < size; ++i) {
        nodes.push_back(process::spawn(ring_node, process::self()));
    }
    for (int i = 0; i < size; ++i) {
        process::send(nodes[static_cast<std::size_t>(i)],
                      nodes[static_cast<std::size_t>((i + 1) % size)]);
    }
    auto setup_end = steady::now();
    co_await run_token(nodes.front(), size); // untimed warm-up lap

    int hops = size * laps;
    auto start = steady::now();
    co_await run_token(nodes.front(), hops);
    auto end = steady::now();
    process::send(nodes.front(), -1);
    bool empty = co_await mailbox_empty();
    if (!empty) {
        fail("ring: stray messages to the coordinator");
    }
    double ns = ns_between(start, end);
    result_line("ring")
        .add("n", static_cast<long long>(size))
        .add("laps", static_cast<long long>(laps))
        .add("setup_ms", ms_between(setup_start, setup_end), 1)
        .add("hops_ms", ns / 1e6, 1)
        .add("ns_per_hop", ns / hops, 1)
        .add("hops_per_s", hops / (ns / 1e9), 0)
        .print();
}

// 5. fanin K PER: K senders, each sends 1..PER to the coordinator. The
// senders are spawned untimed and wait for `go`; timed: `go` to all, then
// every message received.

task<> fanin_sender(pid receiver, int per) {
    (void)co_await process::receive_exact<atom>();
    for (int i = 1; i <= per; ++i) {
        process::send(receiver, i);
    }
}

task<> fanin_bench(int senders, int per) {
    std::vector<pid> pids;
    pids.reserve(static_cast<std::size_t>(senders));
    for (int i = 0; i < senders; ++i) {
        pids.push_back(process::spawn(fanin_sender, process::self(), per));
    }
    const atom go("go");
    long long total = static_cast<long long>(senders) * per;
    std::uint64_t sum = 0; // wraps the same way as `expected` for huge runs
    auto start = steady::now();
    for (const pid& sender : pids) {
        process::send(sender, go);
    }
    for (long long i = 0; i < total; ++i) {
        sum += static_cast<std::uint64_t>(co_await process::receive_exact<int>());
    }
    auto end = steady::now();
    auto per_sender = static_cast<std::uint64_t>(per) * static_cast<std::uint64_t>(per + 1) / 2;
    std::uint64_t expected = per_sender * static_cast<std::uint64_t>(senders);
    bool stray = !co_await mailbox_empty();
    if (sum != expected || stray) {
        fail("fanin: sum of the messages " + std::to_string(sum) + ", expected " +
             std::to_string(expected) + " (lost, duplicated or stray messages)");
    }
    double ns = ns_between(start, end);
    result_line("fanin")
        .add("k", static_cast<long long>(senders))
        .add("per", static_cast<long long>(per))
        .add("total_ms", ns / 1e6, 1)
        .add("msgs_per_s", static_cast<double>(total) / (ns / 1e9), 0)
        .print();
}

// 8. selective QUEUED CALLS: call/reply round trips to a server, the reply
// matched by reference, first with an empty mailbox, then with QUEUED
// unrelated messages queued in front of every reply.

struct call_request {
    pid from;
    reference ref;
    int x; // negative: stop
};

struct call_reply {
    reference ref;
    int value;
};

task<> call_server() {
    for (;;) {
        call_request request = co_await process::receive_exact<call_request>();
        if (request.x < 0) {
            co_return;
        }
        process::send(request.from, call_reply{request.ref, request.x + 1});
    }
}

/// Makes `calls` calls to `server`; returns the time per call in ns.
task<double> timed_calls(pid server, int calls) {
    pid self = process::self();
    auto start = steady::now();
    for (int i = 0; i < calls; ++i) {
        reference ref = process::make_ref();
        process::send(server, call_request{self, ref, i});
        call_reply reply = co_await process::receive_if<call_reply>(
            [ref](const call_reply& r) { return r.ref == ref; });
        if (reply.value != i + 1) {
            fail("selective: call " + std::to_string(i) + " got " + std::to_string(reply.value));
        }
    }
    co_return ns_between(start, steady::now()) / calls;
}

task<> selective_bench(int queued, int calls) {
    pid server = process::spawn(call_server);
    (void)co_await timed_calls(server, std::min(calls, 1000)); // untimed warm-up
    double empty_ns = co_await timed_calls(server, calls);
    for (int i = 0; i < queued; ++i) {
        process::send(process::self(), i);
    }
    double loaded_ns = co_await timed_calls(server, calls);
    for (int i = 0; i < queued; ++i) { // the unrelated messages are all there, in order
        int n = co_await process::receive_exact<int>();
        if (n != i) {
            fail("selective: queued message " + std::to_string(i) + " is " + std::to_string(n));
        }
    }
    process::send(server, call_request{process::self(), reference{}, -1});
    bool empty = co_await mailbox_empty();
    if (!empty) {
        fail("selective: stray messages after the calls");
    }
    result_line("selective")
        .add("queued", static_cast<long long>(queued))
        .add("calls", static_cast<long long>(calls))
        .add("ns_per_call", loaded_ns, 1)
        .add("ns_per_call_empty", empty_ns, 1)
        .add("ratio", loaded_ns / empty_ns, 2)
        .print();
}

// idle: a runtime with one process blocked in receive; the process's CPU time
// over 1 s of wall time (100 = one core busy). The main thread measures.

task<> blocked_in_receive() { (void)co_await process::receive_exact<atom>(); }

double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

int idle_bench() {
    runtime rt(bench_options());
    pid blocked = rt.spawn(blocked_in_receive);
    std::this_thread::sleep_for(200ms); // untimed: it reaches its receive, the workers park
    double cpu_start = cpu_seconds();
    auto start = steady::now();
    std::this_thread::sleep_for(1s);
    double cpu_used = cpu_seconds() - cpu_start;
    double wall = ns_between(start, steady::now()) / 1e9;
    if (!rt.is_alive(blocked)) {
        std::cerr << "rill_bench: check failed: idle: the blocked process died\n";
        return exit_check_failed;
    }
    rt.send(blocked, atom("stop"));
    result_line("idle").add("cpu_percent", 100.0 * cpu_used / wall, 2).print();
    return 0;
}

// Arguments.

struct workload_spec {
    std::string_view name;
    std::string_view params; // for the usage text; the count is the arity
    int arity;
    std::string_view sizes; // BENCHMARKS.md's sizes
};

constexpr workload_spec workloads[] = {
    {"spawn", "N", 1, "1000000"},
    {"skynet", "LEAVES FANOUT", 2, "1000000 10 (LEAVES a power of FANOUT)"},
    {"pingpong", "M", 1, "1000000"},
    {"ring", "N LAPS", 2, "1000 1000, 100000 10"},
    {"fanin", "K PER", 2, "1000 1000"},
    {"linkstorm", "N", 1, "100000, 30000 (not implemented yet)"},
    {"monitor", "PAIRS", 1, "1000000 (not implemented yet)"},
    {"selective", "QUEUED CALLS", 2, "10000 100000"},
    {"idle", "", 0, "one process blocked in receive; CPU use over 1 s"},
};

int usage(const std::string& error) {
    std::cerr << "rill_bench: " << error << "\n"
              << "usage: rill_bench [--workers N] <workload> <params...>\n"
              << "  --workers N   scheduler threads (default 2, as BENCHMARKS.md runs rill)\n";
    for (const auto& w : workloads) {
        std::string line = std::string(w.name) + " " + std::string(w.params);
        std::fprintf(stderr, "  %-24s %s\n", line.c_str(), std::string(w.sizes).c_str());
    }
    return exit_usage;
}

/// A positive integer no larger than INT_MAX (the messages are ints), or 0.
long long parse_positive(std::string_view text) {
    long long value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || value <= 0 ||
        value > INT_MAX) {
        return 0;
    }
    return value;
}

bool is_power_of(long long value, long long base) {
    while (value % base == 0) {
        value /= base;
    }
    return value == 1;
}

/// Runs a coordinator to its end; 0 when it ended `normal`.
template <class F, class... Args>
int run_coordinator(F body, Args... args) {
    runtime rt(bench_options());
    term reason = rt.run(body, args...);
    if (reason == term(atoms::normal)) {
        return 0;
    }
    std::cerr << "rill_bench: the coordinator ended with " << reason << "\n";
    return exit_check_failed;
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string_view> args(argv + 1, argv + argc);
    if (args.size() >= 2 && args[0] == "--workers") {
        long long workers = parse_positive(args[1]);
        if (workers == 0 || workers > 4096) {
            return usage("--workers needs a positive number of threads");
        }
        workers_in_use = static_cast<unsigned>(workers);
        args.erase(args.begin(), args.begin() + 2);
    }
    if (args.empty()) {
        return usage("no workload given");
    }
    std::string_view name = args[0];
    const auto* spec = std::find_if(std::begin(workloads), std::end(workloads), [&](auto& w) {
        return w.name == name;
    });
    if (spec == std::end(workloads)) {
        return usage("unknown workload '" + std::string(name) + "'");
    }
    if (name == "linkstorm" || name == "monitor") {
        std::cerr << "rill_bench: " << name << " is not implemented yet: it needs links and "
                  << "monitors, which rill does not have yet\n";
        return exit_not_implemented;
    }
    if (args.size() != static_cast<std::size_t>(spec->arity) + 1) {
        return usage(std::string(name) + " takes " + std::to_string(spec->arity) + " parameters");
    }
    std::vector<long long> p;
    for (std::size_t i = 1; i < args.size(); ++i) {
        p.push_back(parse_positive(args[i]));
        if (p.back() == 0) {
            return usage("'" + std::string(args[i]) + "' is not a positive integer <= INT_MAX");
        }
    }

    if (name == "spawn") {
        return run_coordinator(spawn_bench, p[0]);
    }
    if (name == "skynet") {
        if (p[1] < 2 || !is_power_of(p[0], p[1])) {
            return usage("skynet: FANOUT must be >= 2 and LEAVES a power of FANOUT");
        }
        return run_coordinator(skynet_bench, p[0], p[1]);
    }
    if (name == "pingpong") {
        return run_coordinator(pingpong_bench, static_cast<int>(p[0]));
    }
    if (name == "ring") {
        if (p[0] * p[1] > INT_MAX) {
            return usage("ring: N * LAPS must be <= INT_MAX");
        }
        return run_coordinator(ring_bench, static_cast<int>(p[0]), static_cast<int>(p[1]));
    }
    if (name == "fanin") {
        return run_coordinator(fanin_bench, static_cast<int>(p[0]), static_cast<int>(p[1]));
    }
    if (name == "selective") {
        return run_coordinator(selective_bench, static_cast<int>(p[0]), static_cast<int>(p[1]));
    }
    return idle_bench();
}
