// rill_otp_bench: the OTP workloads of issue 13, beside BEAM's in
// bench/erlang/rill_peer_bench.erl (same names, parameters and RESULT
// keys); bench/compare runs both. One workload per run:
//
//   rill_otp_bench [--workers N] gencall M
//       M sequential otp::call round trips to a local gen_server (typed
//       request and reply) -> ns_per_call
//   rill_otp_bench [--workers N] suprestart N
//       a simple_one_for_one supervisor with N children; every child is
//       told to crash at once; time until all N replacements have started
//       -> restarts_per_s
//   rill_otp_bench [--workers N] suptree SUPS PER
//       start a tree (one_for_one top, SUPS supervisors of PER gen_server
//       workers each), then stop it in order -> start_ms, stop_ms, total_ms
//
// A coordinator process times only the measured section, checks the
// result and prints `RESULT sys=rill bench=<name> workers=<W> ...`. Logging
// goes to a logger that drops everything (rill_peer_bench sets OTP's
// logger level to none), so neither side measures its report formatting.

#include <rill/otp.hpp>
#include <rill/rill.hpp>

#include <charconv>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

using namespace rill;

namespace {

using steady = std::chrono::steady_clock;

enum exit_status : int { exit_check_failed = 1, exit_usage = 64 };

unsigned workers_in_use = 2;

double ms_between(steady::time_point start, steady::time_point end) {
    return std::chrono::duration<double, std::milli>(end - start).count();
}

[[gnu::format(printf, 2, 3)]] void print_result(const char* bench, const char* format, ...) {
    std::printf("RESULT sys=rill bench=%s workers=%u ", bench, workers_in_use);
    std::va_list values;
    va_start(values, format);
    std::vprintf(format, values);
    va_end(values);
    std::printf("\n");
    std::fflush(stdout);
}

[[noreturn]] void fail(const std::string& what) {
    std::cerr << "rill_otp_bench: check failed: " << what << std::endl;
    process::exit(term(atom("check_failed")));
}

void silence_logging() {
    otp::logger_options quiet;
    quiet.level = otp::log_level::emergency;
    quiet.sink = [](const otp::log_event&) {
    };
    (void)otp::start_logger(std::move(quiet));
}

// ---- gencall M ----------------------------------------------------------------------------

struct increment {
    std::int64_t n;
};

struct adder : otp::gen_server {
    std::int64_t handle_call(increment request) { return request.n + 1; }
};

task<> gencall_bench(int rounds) {
    silence_logging();
    otp::start_result<adder> started = co_await otp::start_link<adder>();
    const otp::server_ref<adder> server = started.server();
    std::int64_t n = 0;
    const auto start = steady::now();
    for (int i = 0; i < rounds; ++i) {
        const increment request{n};
        n = co_await otp::call(server, request);
    }
    const double ms = ms_between(start, steady::now());
    if (n != rounds) {
        fail("gencall: the counter is " + std::to_string(n));
    }
    print_result("gencall", "m=%d ns_per_call=%.1f", rounds, ms * 1e6 / rounds);
}

// ---- suprestart N -------------------------------------------------------------------------

/// A supervised child: tells the coordinator it started, ends on `crash`.
task<> crashing_child(pid coordinator) {
    process::send(coordinator, atom("started"));
    (void)co_await process::receive_exact<atom>();
    process::exit(term(atom("boom")));
}

task<otp::start_result<>> start_crashing_child(pid coordinator) {
    co_return otp::start_result<>(
        term::tuple_of(atom("ok"), process::spawn_link(crashing_child, coordinator)));
}

task<> await_starts(int count) {
    for (int i = 0; i < count; ++i) {
        (void)co_await process::receive_exact<atom>();
    }
}

task<> suprestart_bench(int children) {
    silence_logging();
    const pid self = process::self();
    otp::child_spec spec;
    spec.id = atom("child");
    spec.start = [self](const term&) {
        return start_crashing_child(self);
    };
    otp::supervisor_flags flags;
    flags.strategy = otp::restart_strategy::simple_one_for_one;
    flags.intensity = children + 1;
    flags.period = std::chrono::hours(1);
    std::vector<otp::child_spec> specs{spec};
    otp::start_result<otp::supervisor> sup =
        co_await otp::start_link<otp::supervisor>(flags, specs);
    const term no_arguments; // not braced inside the co_await (GCC 12)
    for (int i = 0; i < children; ++i) {
        (void)co_await otp::start_child(sup.server_pid(), no_arguments);
    }
    co_await await_starts(children);
    std::vector<otp::child_info> running = co_await otp::which_children(sup.server_pid());
    const auto start = steady::now();
    for (const otp::child_info& child : running) {
        process::send(*child.process, atom("crash"));
    }
    co_await await_starts(children);
    const double ms = ms_between(start, steady::now());
    const otp::child_counts counts = co_await otp::count_children(sup.server_pid());
    if (counts.active != static_cast<std::size_t>(children)) {
        fail("suprestart: " + std::to_string(counts.active) + " children running");
    }
    print_result(
        "suprestart", "n=%d ms=%.1f restarts_per_s=%.0f", children, ms, children / (ms / 1000.0));
    co_await otp::stop(sup.server());
}

// ---- suptree SUPS PER ---------------------------------------------------------------------

struct idle_worker : otp::gen_server {};

task<> suptree_bench(int supervisors, int per) {
    silence_logging();
    std::vector<otp::child_spec> workers;
    workers.reserve(static_cast<std::size_t>(per));
    for (int w = 0; w < per; ++w) {
        workers.push_back(otp::worker<idle_worker>(term(w)));
    }
    std::vector<otp::child_spec> middle;
    for (int s = 0; s < supervisors; ++s) {
        otp::supervisor_flags flags;
        middle.push_back(otp::supervisor_child(term(s), flags, workers));
    }
    const otp::supervisor_flags top_flags;
    const auto start = steady::now();
    otp::start_result<otp::supervisor> top =
        co_await otp::start<otp::supervisor>(top_flags, middle);
    const auto started = steady::now();
    if (!top.ok()) {
        fail("suptree: the tree did not start: " + to_string(top.as_term()));
    }
    const otp::child_counts counts = co_await otp::count_children(top.server_pid());
    const std::size_t processes = process::processes().size();
    const auto stop_start = steady::now();
    co_await otp::stop(top.server());
    const auto stopped = steady::now();
    const std::size_t expected =
        static_cast<std::size_t>(supervisors) * static_cast<std::size_t>(per + 1) + 1;
    if (counts.active != static_cast<std::size_t>(supervisors) || processes < expected) {
        fail("suptree: " + std::to_string(processes) + " processes, expected at least " +
             std::to_string(expected));
    }
    print_result("suptree",
                 "sups=%d per=%d start_ms=%.1f stop_ms=%.1f total_ms=%.1f",
                 supervisors,
                 per,
                 ms_between(start, started),
                 ms_between(stop_start, stopped),
                 ms_between(start, started) + ms_between(stop_start, stopped));
}

int usage(const std::string& error) {
    std::cerr
        << "rill_otp_bench: " << error << "\n"
        << "usage: rill_otp_bench [--workers N] gencall M | suprestart N | suptree SUPS PER\n";
    return exit_usage;
}

int parse_positive(std::string_view text) {
    int value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc{} && end == text.data() + text.size() && value > 0 ? value : 0;
}

template <class F, class... Args>
int run_coordinator(F body, Args... args) {
    runtime_options options;
    options.workers = workers_in_use;
    runtime rt(options);
    const term reason = rt.run(body, args...);
    if (reason == term(atom("normal"))) {
        return 0;
    }
    std::cerr << "rill_otp_bench: the coordinator ended with " << reason << "\n";
    return exit_check_failed;
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string_view> args(argv + 1, argv + argc);
    if (args.size() >= 2 && args[0] == "--workers") {
        const int workers = parse_positive(args[1]);
        if (workers == 0) {
            return usage("--workers needs a positive number");
        }
        workers_in_use = static_cast<unsigned>(workers);
        args.erase(args.begin(), args.begin() + 2);
    }
    if (args.empty()) {
        return usage("no workload given");
    }
    std::vector<int> p;
    for (std::size_t i = 1; i < args.size(); ++i) {
        p.push_back(parse_positive(args[i]));
        if (p.back() == 0) {
            return usage("'" + std::string(args[i]) + "' is not a positive int");
        }
    }
    if (args[0] == "gencall" && p.size() == 1) {
        return run_coordinator(gencall_bench, p[0]);
    }
    if (args[0] == "suprestart" && p.size() == 1) {
        return run_coordinator(suprestart_bench, p[0]);
    }
    if (args[0] == "suptree" && p.size() == 2) {
        return run_coordinator(suptree_bench, p[0], p[1]);
    }
    return usage("unknown workload or wrong parameters");
}
