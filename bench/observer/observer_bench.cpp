// rill_observer_bench: what looking at a node costs, at N processes.
//
//   rill_observer_bench [--workers W] snapshot N
//   rill_observer_bench [--workers W] trace M
//
// Spawns N processes that wait in a receive, then times (each the best of
// five): observer::take_snapshot, observer::prometheus_metrics over it,
// and over HTTP the page's table request (GET /api/processes sorted by
// memory, 100 rows, a fresh snapshot each time) and GET /metrics. Prints
//
//   RESULT sys=rill bench=observer_snapshot workers=W n=N snapshot_ms=… metrics_ms=… table_ms=…
//   scrape_ms=…

#include <rill/observer.hpp>
#include <rill/otp.hpp>
#include <rill/rill.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <future>
#include <httplib.h>
#include <memory>
#include <string>
#include <thread>

using namespace rill;
using steady = std::chrono::steady_clock;

namespace {

task<> idle() {
    (void)co_await process::receive_exact<int>();
}

template <class F>
double best_ms(F&& run) {
    double best = 1e300;
    for (int i = 0; i < 5; ++i) {
        const auto start = steady::now();
        run();
        best = std::min(best,
                        std::chrono::duration<double, std::milli>(steady::now() - start).count());
    }
    return best;
}

int usage() {
    std::fprintf(stderr, "usage: rill_observer_bench [--workers W] (snapshot N | trace M)\n");
    return 64;
}

task<> echo() {
    for (;;) {
        term t = co_await process::receive_exact<term>();
        if (!t.is_tuple()) {
            co_return;
        }
        process::send(t.elements()[0].as_pid(), t.elements()[1]);
    }
}

struct increment {
    std::int64_t n;
};

struct adder : otp::gen_server {
    std::int64_t handle_call(increment request) { return request.n + 1; }
};

/// M round trips to `server`, timed: ns per round trip.
task<> echo_rounds(pid server, int rounds, double* ns) {
    const auto start = steady::now();
    for (int i = 0; i < rounds; ++i) {
        process::send(server, term::tuple_of(process::self(), i));
        (void)co_await process::receive_exact<term>();
    }
    *ns = std::chrono::duration<double, std::nano>(steady::now() - start).count() / rounds;
}

task<> call_rounds(otp::server_ref<adder> server, int rounds, double* ns) {
    std::int64_t n = 0;
    const auto start = steady::now();
    for (int i = 0; i < rounds; ++i) {
        const increment request{n};
        n = co_await otp::call(server, request);
    }
    *ns = std::chrono::duration<double, std::nano>(steady::now() - start).count() / rounds;
}

task<> start_adder(std::shared_ptr<std::promise<pid>> out) {
    otp::start_result<adder> started = co_await otp::start<adder>();
    out->set_value(started.server_pid());
}

template <class F, class... Args>
void run_and_wait(runtime& rt, F f, Args... args) {
    auto done = std::make_shared<std::promise<void>>();
    std::future<void> finished = done->get_future();
    rt.spawn(
        +[](F body, std::shared_ptr<std::promise<void>> d, Args... a) -> task<> {
            co_await body(a...);
            d->set_value();
        },
        f,
        done,
        args...);
    finished.get();
}

int trace_bench(unsigned workers, int rounds) {
    runtime_options options;
    options.workers = workers;
    runtime rt(options);
    const pid server = rt.spawn(echo);
    auto started = std::make_shared<std::promise<pid>>();
    std::future<pid> adder_pid = started->get_future();
    rt.spawn(start_adder, started);
    const pid adder_server = adder_pid.get();
    const otp::server_ref<adder> adder_ref(adder_server);

    observer::trace_limits everything;
    everything.max_events = static_cast<std::size_t>(rounds) * 2 + 10;
    double echo_plain = 0;
    double echo_traced = 0;
    double call_plain = 0;
    double call_traced = 0;
    std::uint64_t echo_events = 0;
    std::uint64_t call_events = 0;
    run_and_wait(rt, echo_rounds, server, rounds, &echo_plain);
    {
        observer::trace_session session = observer::trace(rt, server, everything);
        run_and_wait(rt, echo_rounds, server, rounds, &echo_traced);
        echo_events = session.count();
    }
    run_and_wait(rt, call_rounds, adder_ref, rounds, &call_plain);
    {
        observer::trace_session session = observer::trace(rt, adder_server, everything);
        run_and_wait(rt, call_rounds, adder_ref, rounds, &call_traced);
        call_events = session.count();
    }
    if (echo_events < static_cast<std::uint64_t>(rounds) * 2 ||
        call_events < static_cast<std::uint64_t>(rounds) * 2) {
        std::fprintf(stderr, "rill_observer_bench: the traces saw too few events\n");
        return 1;
    }
    std::printf("RESULT sys=rill bench=observer_trace workers=%u m=%d echo_ns=%.1f "
                "echo_traced_ns=%.1f echo_ratio=%.2f call_ns=%.1f call_traced_ns=%.1f "
                "call_ratio=%.2f\n",
                workers,
                rounds,
                echo_plain,
                echo_traced,
                echo_traced / echo_plain,
                call_plain,
                call_traced,
                call_traced / call_plain);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    int at = 1;
    unsigned workers = 2;
    if (argc > at + 1 && std::strcmp(argv[at], "--workers") == 0) {
        workers = static_cast<unsigned>(std::stoul(argv[at + 1]));
        at += 2;
    }
    if (argc == at + 2 && std::strcmp(argv[at], "trace") == 0) {
        return trace_bench(workers, std::stoi(argv[at + 1]));
    }
    if (argc != at + 2 || std::strcmp(argv[at], "snapshot") != 0) {
        return usage();
    }
    const long n = std::stol(argv[at + 1]);
    runtime_options options;
    options.workers = workers;
    runtime rt(options);
    for (long i = 0; i < n; ++i) {
        rt.spawn(idle);
    }
    observer::server view = observer::start(rt);

    std::size_t seen = 0;
    const double snapshot_ms =
        best_ms([&] { seen = observer::take_snapshot(rt).processes.size(); });
    const observer::snapshot shot = observer::take_snapshot(rt);
    std::size_t bytes = 0;
    const double metrics_ms = best_ms([&] { bytes = observer::prometheus_metrics(shot).size(); });

    httplib::Client client("127.0.0.1", view.port());
    client.set_read_timeout(60, 0);
    bool ok = true;
    // The server keeps a snapshot for half a second: wait it out between
    // requests, so that each one takes its own.
    auto fresh_get = [&](const char* path) {
        std::this_thread::sleep_for(std::chrono::milliseconds(600));
        const auto start = steady::now();
        httplib::Result r = client.Get(path);
        ok = ok && r && r->status == 200;
        return std::chrono::duration<double, std::milli>(steady::now() - start).count();
    };
    double table_ms = 1e300;
    double scrape_ms = 1e300;
    for (int i = 0; i < 5; ++i) {
        table_ms = std::min(table_ms, fresh_get("/api/processes?sort=memory&order=desc&limit=100"));
        scrape_ms = std::min(scrape_ms, fresh_get("/metrics"));
    }
    if (!ok || seen < static_cast<std::size_t>(n)) {
        std::fprintf(stderr, "rill_observer_bench: check failed (%zu processes seen)\n", seen);
        return 1;
    }
    std::printf("RESULT sys=rill bench=observer_snapshot workers=%u n=%ld snapshot_ms=%.1f "
                "metrics_ms=%.2f table_ms=%.1f scrape_ms=%.1f metrics_bytes=%zu\n",
                workers,
                n,
                snapshot_ms,
                metrics_ms,
                table_ms,
                scrape_ms,
                bytes);
    return 0;
}
