// rill_observer_bench: what looking at a node costs, at N processes.
//
//   rill_observer_bench [--workers W] snapshot N
//
// Spawns N processes that wait in a receive, then times (each the best of
// five): observer::take_snapshot, observer::prometheus_metrics over it,
// and over HTTP the page's table request (GET /api/processes sorted by
// memory, 100 rows, a fresh snapshot each time) and GET /metrics. Prints
//
//   RESULT sys=rill bench=observer_snapshot workers=W n=N snapshot_ms=… metrics_ms=… table_ms=…
//   scrape_ms=…

#include <rill/observer.hpp>
#include <rill/rill.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <httplib.h>
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
    std::fprintf(stderr, "usage: rill_observer_bench [--workers W] snapshot N\n");
    return 64;
}

} // namespace

int main(int argc, char** argv) {
    int at = 1;
    unsigned workers = 2;
    if (argc > at + 1 && std::strcmp(argv[at], "--workers") == 0) {
        workers = static_cast<unsigned>(std::stoul(argv[at + 1]));
        at += 2;
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
