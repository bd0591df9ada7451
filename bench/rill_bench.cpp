// rill_bench: rill's side of the workloads in BENCHMARKS.md.
//
//   rill_bench [--observe] [--workers N] <workload> <params...>
//
// Each run is one workload in a fresh OS process. A coordinator process on
// the runtime's own scheduler drives it, times only the measured section with
// steady_clock, checks the result and prints one line
//
//   RESULT sys=rill bench=<name> workers=<N> <params> <measures>
//
// (the parameters, e.g. `n=1000 laps=1000`, tell the two ring sizes apart).
// Exit status: 0 on success; 1 when a check fails or the coordinator ends
// abnormally (the reason goes to stderr, no RESULT line); 64 for bad
// arguments (usage).

#include <rill/rill.hpp>

#ifdef RILL_BENCH_OBSERVER
#include "observer/observed.hpp"
#endif

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cinttypes>
#include <climits>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>
#include <unordered_set>
#include <vector>

using namespace rill;
using namespace std::chrono_literals;

namespace {

using steady = std::chrono::steady_clock;

// GCC 12 miscompiles a co_await inside an `if` condition in a task that is
// awaited (the task never runs; rill reports `rill::foreign_await`): every
// co_await here stands in its own declaration or statement.

enum exit_status : int { exit_check_failed = 1, exit_usage = 64 };

// Scheduler threads of this run; set once by main before the runtime starts.
unsigned workers_in_use = 2;
// --observe: the observer on and loaded as a page and a scraper would.
bool observe = false;

runtime_options bench_options() {
    runtime_options options;
    options.workers = workers_in_use;
    return options;
}

double ns_between(steady::time_point start, steady::time_point end) {
    return static_cast<double>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
}

long resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    long pages = 0;
    long resident = 0;
    statm >> pages >> resident;
    return resident * sysconf(_SC_PAGESIZE);
}

/// Prints the `RESULT` line: the prefix, then `format` (space-separated key=value pairs).
/// Called only once every check has passed.
[[gnu::format(printf, 2, 3)]] void print_result(const char* bench, const char* format, ...) {
    std::printf("RESULT sys=rill bench=%s workers=%u ", bench, workers_in_use);
    std::va_list values;
    va_start(values, format);
    std::vprintf(format, values);
    va_end(values);
    std::printf("\n");
    std::fflush(stdout);
}

/// Ends the coordinator: the reason goes to stderr, main exits non-zero.
[[noreturn]] void fail(const std::string& what) {
    std::cerr << "rill_bench: check failed: " << what << std::endl;
    process::exit(term(atom("check_failed")));
}

/// Fails unless the mailbox is empty: no duplicated or stray message. Waits up
/// to 1 ms, untimed (a zero timeout would do, but a zero-timeout receive that
/// starts with the reduction budget spent never returns: a runtime bug).
task<> expect_empty_mailbox(std::string_view bench) {
    auto stray = co_await process::receive_any(1ms);
    if (stray) {
        fail(std::string(bench) + ": a stray or duplicated message is left in the mailbox");
    }
}

// 1. spawn N: spawn N children keeping every pid; each waits for `go`,
// replies `done`, exits.

// Interned once, as an Erlang module's atom literals are at load time.
const atom go_atom("go");
const atom done_atom("done");
const atom unexpected_atom("unexpected");

task<> spawn_child(pid parent) {
    atom go = co_await process::receive_exact<atom>();
    process::send(parent, go == go_atom ? done_atom : unexpected_atom);
}

task<> spawn_bench(int count) {
    const atom go("go");
    const atom done("done");
    std::vector<pid> children; // kept, as the workload says: counted in the RSS delta
    children.reserve(static_cast<std::size_t>(count));
    long rss_before = resident_bytes();
    auto spawn_start = steady::now();
    for (int i = 0; i < count; ++i) {
        children.push_back(process::spawn(spawn_child, process::self()));
    }
    auto spawn_end = steady::now();
    co_await process::sleep(1s); // untimed settle: every child reaches its receive
    long rss_after = resident_bytes();

    auto message_start = steady::now();
    for (const pid& child : children) {
        process::send(child, go);
    }
    int replies = 0;
    for (int i = 0; i < count; ++i) {
        atom reply = co_await process::receive_exact<atom>();
        replies += reply == done ? 1 : 0;
    }
    auto message_end = steady::now();
    if (replies != count) {
        fail("spawn: " + std::to_string(replies) + " of " + std::to_string(count) +
             " replies were `done`");
    }
    co_await expect_empty_mailbox("spawn");
    double spawn_ms = ns_between(spawn_start, spawn_end) / 1e6;
    double message_ms = ns_between(message_start, message_end) / 1e6;
    print_result("spawn",
                 "n=%d spawn_ms=%.1f msg_exit_ms=%.1f total_ms=%.1f rss_bytes_per_proc=%ld",
                 count,
                 spawn_ms,
                 message_ms,
                 spawn_ms + message_ms,
                 (rss_after - rss_before) / count);
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

task<> skynet_bench(int leaves, int fanout) {
    auto start = steady::now();
    process::spawn(
        skynet_node, process::self(), std::int64_t{0}, std::int64_t{leaves}, std::int64_t{fanout});
    std::int64_t sum = co_await process::receive_exact<std::int64_t>();
    auto end = steady::now();
    co_await expect_empty_mailbox("skynet");
    std::int64_t expected = std::int64_t{leaves} * (leaves - 1) / 2;
    if (sum != expected) {
        fail("skynet: sum " + std::to_string(sum) + ", expected " + std::to_string(expected));
    }
    print_result("skynet",
                 "leaves=%d fanout=%d result=%" PRId64 " total_ms=%.1f",
                 leaves,
                 fanout,
                 sum,
                 ns_between(start, end) / 1e6);
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

// Runs M round trips against a new `partner_body(self)`, which must echo
// every integer and end on 0; returns nanoseconds per round trip.
template <class Pong>
task<double> timed_pingpong(const char* name, int rounds, Pong partner_body) {
    pid partner = process::spawn(partner_body, process::self());
    auto start = steady::now();
    process::send(partner, 1);
    for (int expected = 1;; ++expected) {
        int n = co_await process::receive_exact<int>();
        if (n != expected) {
            fail(std::string(name) + ": got " + std::to_string(n) + ", expected " +
                 std::to_string(expected));
        }
        if (n == rounds) {
            break;
        }
        process::send(partner, n + 1);
    }
    auto end = steady::now();
    process::send(partner, 0);
    co_return ns_between(start, end) / rounds;
}

task<> pingpong_bench(int rounds) {
    double rtt_ns = co_await timed_pingpong("pingpong", rounds, pong);
    co_await expect_empty_mailbox("pingpong");
    print_result("pingpong",
                 "m=%d total_ms=%.1f rtt_ns=%.1f msgs_per_s=%.0f",
                 rounds,
                 rtt_ns * rounds / 1e6,
                 rtt_ns,
                 2.0 / (rtt_ns / 1e9));
}

// 3b. clauses M: pingpong twice in one run, pong receiving first with
// receive_exact<int>, then with receive_first over two clauses whose first
// (std::string) never matches: what a second clause costs a receive.

task<> pong_two_clauses(pid ping) {
    for (;;) {
        int n = co_await process::receive_first(
            [](const std::string& s) { return static_cast<int>(s.size()) - 1; },
            [](int value) { return value; });
        if (n == 0) {
            co_return;
        }
        process::send(ping, n);
    }
}

task<> clauses_bench(int rounds) {
    double exact_ns = co_await timed_pingpong("clauses", rounds, pong);
    double first_ns = co_await timed_pingpong("clauses", rounds, pong_two_clauses);
    co_await expect_empty_mailbox("clauses");
    print_result("clauses",
                 "m=%d rtt_ns_exact=%.1f rtt_ns_two_clauses=%.1f ratio=%.3f",
                 rounds,
                 exact_ns,
                 first_ns,
                 first_ns / exact_ns);
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
    co_await expect_empty_mailbox("ring");
    double ns = ns_between(start, end);
    print_result("ring",
                 "n=%d laps=%d setup_ms=%.1f hops_ms=%.1f ns_per_hop=%.1f hops_per_s=%.0f",
                 size,
                 laps,
                 ns_between(setup_start, setup_end) / 1e6,
                 ns / 1e6,
                 ns / hops,
                 hops / (ns / 1e9));
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
    auto per_sender = static_cast<std::uint64_t>(per) * (static_cast<std::uint64_t>(per) + 1) / 2;
    std::uint64_t expected = per_sender * static_cast<std::uint64_t>(senders);
    if (sum != expected) {
        fail("fanin: sum of the messages " + std::to_string(sum) + ", expected " +
             std::to_string(expected) + " (lost or duplicated messages)");
    }
    co_await expect_empty_mailbox("fanin");
    double ns = ns_between(start, end);
    print_result("fanin",
                 "k=%d per=%d total_ms=%.1f msgs_per_s=%.0f",
                 senders,
                 per,
                 ns / 1e6,
                 static_cast<double>(total) / (ns / 1e9));
}

task<> blocked_in_receive();

// 6. linkstorm N ORDER: the coordinator traps exits and spawn_links N
// workers, each blocked in receive; timed: `exit(w, kill)` to every worker,
// oldest or newest first, then N `exit_signal{w, killed}` received.

task<> ready_then_block(pid coordinator) {
    process::send(coordinator, atom("ready"));
    (void)co_await process::receive_exact<atom>(); // never comes: killed here
}

task<> linkstorm_bench(int count, bool newest_first) {
    process::trap_exit(true);
    std::vector<pid> workers;
    workers.reserve(static_cast<std::size_t>(count));
    auto spawn_start = steady::now();
    for (int i = 0; i < count; ++i) {
        workers.push_back(process::spawn_link(ready_then_block, process::self()));
    }
    auto spawn_end = steady::now();
    for (int i = 0; i < count; ++i) { // untimed: every worker reaches its receive
        atom ready = co_await process::receive_exact<atom>();
        if (ready != atom("ready")) {
            fail("linkstorm: a worker sent something other than `ready`");
        }
    }

    std::vector<pid> exited;
    exited.reserve(static_cast<std::size_t>(count));
    int not_killed = 0;
    auto kill_start = steady::now();
    if (newest_first) {
        for (auto w = workers.rbegin(); w != workers.rend(); ++w) {
            process::exit(*w, term(atoms::kill));
        }
    } else {
        for (const pid& w : workers) {
            process::exit(w, term(atoms::kill));
        }
    }
    for (int i = 0; i < count; ++i) {
        exit_signal signal = co_await process::receive_exact<exit_signal>();
        not_killed += signal.reason.is_atom(atoms::killed) ? 0 : 1;
        exited.push_back(signal.from);
    }
    auto kill_end = steady::now();
    if (not_killed != 0) {
        fail("linkstorm: " + std::to_string(not_killed) + " of " + std::to_string(count) +
             " exit signals carry a reason other than `killed`");
    }
    std::unordered_set<pid> pending(workers.begin(), workers.end());
    for (const pid& from : exited) {
        if (pending.erase(from) != 1) {
            fail("linkstorm: an exit signal from a stranger, or two from one worker");
        }
    }
    co_await expect_empty_mailbox("linkstorm");
    double spawn_ms = ns_between(spawn_start, spawn_end) / 1e6;
    double kill_ns = ns_between(kill_start, kill_end);
    print_result("linkstorm",
                 "n=%d order=%s spawn_link_ms=%.1f kill_ms=%.1f exits_per_s=%.0f",
                 count,
                 newest_first ? "newest" : "oldest",
                 spawn_ms,
                 kill_ns / 1e6,
                 count / (kill_ns / 1e9));
}

// 7. monitor PAIRS: `monitor` + `demonitor` of one live idle process, PAIRS
// times. Afterwards (untimed) neither side may hold a monitor, no DOWN may be
// queued, and a last monitor still fires when the target ends.

task<> monitor_bench(int pairs) {
    pid target = process::spawn(blocked_in_receive);
    (void)co_await process::info(target); // untimed: the target runs and waits in receive

    auto start = steady::now();
    for (int i = 0; i < pairs; ++i) {
        reference ref = process::monitor(target);
        process::demonitor(ref);
    }
    auto end = steady::now();

    // The query travels behind every demonitor: the target has handled them all.
    std::optional<process_info> target_info = co_await process::info(target);
    std::optional<process_info> own_info = co_await process::info(process::self());
    if (!target_info || !target_info->monitored_by.empty() || !own_info ||
        !own_info->monitors.empty()) {
        fail("monitor: a monitor survived its demonitor");
    }
    reference last = process::monitor(target);
    process::send(target, atom("stop"));
    down_signal down = co_await process::receive_exact<down_signal>();
    if (down.ref != last || down.object != term(target) || !down.reason.is_atom(atoms::normal)) {
        fail("monitor: the last monitor did not fire with `normal`");
    }
    co_await expect_empty_mailbox("monitor");
    double ns = ns_between(start, end);
    print_result("monitor", "pairs=%d total_ms=%.1f ns_per_pair=%.1f", pairs, ns / 1e6, ns / pairs);
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
        // receive_reply: the reply carries `ref`, so messages queued before
        // `ref` was made are skipped (Erlang's reference optimisation).
        call_reply reply = co_await process::receive_reply<call_reply>(
            ref, [ref](const call_reply& r) { return r.ref == ref; });
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
    co_await expect_empty_mailbox("selective");
    print_result("selective",
                 "queued=%d calls=%d ns_per_call=%.1f ns_per_call_empty=%.1f ratio=%.2f",
                 queued,
                 calls,
                 loaded_ns,
                 empty_ns,
                 loaded_ns / empty_ns);
}

// idle: a runtime with one process blocked in receive; the process's CPU time
// over 1 s of wall time (100 = one core busy). The main thread measures.

task<> blocked_in_receive() {
    (void)co_await process::receive_exact<atom>();
}

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
    print_result("idle", "cpu_percent=%.2f", 100.0 * cpu_used / wall);
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
    {"clauses", "M", 1, "1000000 (pingpong with receive_exact, then with receive_first)"},
    {"ring", "N LAPS", 2, "1000 1000, 100000 10"},
    {"fanin", "K PER", 2, "1000 1000"},
    {"linkstorm", "N [ORDER]", 2, "100000, 30000 (ORDER: oldest, the default, or newest)"},
    {"monitor", "PAIRS", 1, "1000000"},
    {"selective", "QUEUED CALLS", 2, "10000 100000"},
    {"idle", "", 0, "one process blocked in receive; CPU use over 1 s"},
};

int usage(const std::string& error) {
    std::cerr << "rill_bench: " << error << "\n"
              << "usage: rill_bench [--workers N] <workload> <params...>\n"
              << "  --workers N   scheduler threads (default 2, as BENCHMARKS.md runs rill)\n"
              << "  --observe     the observer on, its page and /metrics loaded (first option)\n";
    for (const auto& w : workloads) {
        std::string line = std::string(w.name) + " " + std::string(w.params);
        std::fprintf(stderr, "  %-24s %s\n", line.c_str(), std::string(w.sizes).c_str());
    }
    return exit_usage;
}

/// A positive int (the messages are ints), or 0.
int parse_positive(std::string_view text) {
    int value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    bool whole = error == std::errc{} && end == text.data() + text.size();
    return whole && value > 0 ? value : 0;
}

bool is_power_of(int value, int base) {
    while (value % base == 0) {
        value /= base;
    }
    return value == 1;
}

/// Runs a coordinator to its end; 0 when it ended `normal`.
template <class F, class... Args>
int run_coordinator(F body, Args... args) {
    runtime rt(bench_options());
#ifdef RILL_BENCH_OBSERVER
    std::optional<bench::observed_run> observed;
    if (observe) {
        observed.emplace(rt);
    }
#endif
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
    if (!args.empty() && args[0] == "--observe") {
#ifdef RILL_BENCH_OBSERVER
        observe = true;
        args.erase(args.begin());
#else
        return usage("--observe needs rill::observer (not built)");
#endif
    }
    if (args.size() >= 2 && args[0] == "--workers") {
        int workers = parse_positive(args[1]);
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
    const auto* spec = std::find_if(
        std::begin(workloads), std::end(workloads), [&](auto& w) { return w.name == name; });
    if (spec == std::end(workloads)) {
        return usage("unknown workload '" + std::string(name) + "'");
    }
    if (name == "linkstorm" && args.size() == 2) {
        args.emplace_back("oldest"); // BENCHMARKS.md's order
    }
    if (args.size() != static_cast<std::size_t>(spec->arity) + 1) {
        return usage(std::string(name) + " takes " + std::to_string(spec->arity) + " parameters");
    }
    bool newest_first = false;
    if (name == "linkstorm") { // ORDER is a word: take it out of the numbers
        if (args[2] != "oldest" && args[2] != "newest") {
            return usage("linkstorm: ORDER must be `oldest` or `newest`");
        }
        newest_first = args[2] == "newest";
        args.pop_back();
    }
    std::vector<int> p;
    for (std::size_t i = 1; i < args.size(); ++i) {
        p.push_back(parse_positive(args[i]));
        if (p.back() == 0) {
            return usage("'" + std::string(args[i]) + "' is not a positive int");
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
        return run_coordinator(pingpong_bench, p[0]);
    }
    if (name == "clauses") {
        return run_coordinator(clauses_bench, p[0]);
    }
    if (name == "ring") {
        if (static_cast<long long>(p[0]) * p[1] > INT_MAX) {
            return usage("ring: N * LAPS must be <= INT_MAX");
        }
        return run_coordinator(ring_bench, p[0], p[1]);
    }
    if (name == "fanin") {
        return run_coordinator(fanin_bench, p[0], p[1]);
    }
    if (name == "linkstorm") {
        return run_coordinator(linkstorm_bench, p[0], newest_first);
    }
    if (name == "monitor") {
        return run_coordinator(monitor_bench, p[0]);
    }
    if (name == "selective") {
        return run_coordinator(selective_bench, p[0], p[1]);
    }
    return idle_bench();
}
