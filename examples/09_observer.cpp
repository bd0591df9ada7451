// 09 — looking inside a live node: the observer's page (rill::observer).
//
//   $ ./build/release/examples/example_09_observer [--port N]
//   http://127.0.0.1:PORT/
//
// Its first line is the page's address; open it in a browser. The node
// runs a small workload until stopped (Ctrl-C):
//
//   top (one_for_one)
//   ├── cache      a gen_server the sessions call
//   ├── pool       a supervisor of four workers
//   └── flaky      a worker that crashes every few seconds (crash reports)
//
// plus a few thousand session processes that call the cache now and then,
// and a slow consumer whose mailbox grows and drains (sort the process
// table by queue). `--check` starts it all, checks the snapshot and the
// metrics, and exits (the CTest form).

#include <rill/observer.hpp>
#include <rill/otp.hpp>
#include <rill/rill.hpp>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace rill;
using namespace std::chrono_literals;

namespace {

constexpr int session_count = 3000;

/// Counts the requests it gets; its state is the count.
struct cache : otp::gen_server {
    otp::call_result<std::int64_t> handle_call(const term&, const otp::from&) {
        return otp::reply_with(++hits);
    }

    term state() const { return term::tuple_of(atom("hits"), hits); }

    std::int64_t hits = 0;
};

/// A worker that does nothing but exist (the pool's members).
struct pool_worker : otp::gen_server {
    explicit pool_worker(int n)
        : number(n) {}

    term state() const { return term::tuple_of(atom("worker"), number); }

    int number;
};

/// Crashes `crash_after` ms from its start, or when cast `crash`: the
/// supervisor restarts it, and the page's crash list grows.
struct flaky : otp::gen_server {
    explicit flaky(std::int64_t after_ms)
        : crash_after(after_ms) {}

    otp::init_result init() { return otp::ok().after(std::chrono::milliseconds(crash_after)); }

    otp::result handle_info(const term&) { return crash(); }

    otp::result handle_cast(const term&) { return crash(); }

    otp::result crash() {
        return otp::stop_with(term::tuple_of(atom("injected_fault"), crash_after));
    }

    std::int64_t crash_after;
};

/// A session: calls the cache every 200..1200 ms.
task<> session(int n) {
    process::set_label("session " + std::to_string(n)); // shown in the page's class column
    const auto pause = std::chrono::milliseconds(200 + (n * 37) % 1000);
    for (;;) {
        (void)co_await process::receive_any(pause);
        (void)co_await otp::call(otp::server_ref<>(atom("cache")), term(atom("hit")));
    }
}

/// Lets its queue grow to 500 messages, then drains it, again and again.
task<> slow_consumer() {
    process::set_label("slow consumer");
    for (;;) {
        (void)co_await process::receive_exact<std::string>(); // the ints pile up meanwhile
        for (bool more = true; more;) {
            std::optional<int> next = co_await process::receive_exact<int>(0ms);
            more = next.has_value();
        }
    }
}

/// Feeds the slow consumer: 50 messages every 100 ms, and the go-ahead
/// to drain every 1000.
task<> producer(pid consumer) {
    for (int round = 1;; ++round) {
        for (int i = 0; i < 50; ++i) {
            process::send(consumer, i);
        }
        if (round % 10 == 0) {
            process::send(consumer, std::string("drain"));
        }
        (void)co_await process::receive_any(100ms);
    }
}

/// The pid of the running child `id` of the supervisor `sup`, if any.
task<std::optional<pid>> child_of(atom sup, atom id) {
    std::vector<otp::child_info> children = co_await otp::which_children(otp::server_ref<>(sup));
    for (const otp::child_info& c : children) {
        if (c.id == term(id) && c.process) {
            co_return *c.process;
        }
    }
    co_return std::nullopt;
}

/// Starts the tree and the workload; `ready` is set once a first crash of
/// `flaky` has been handled by its supervisor, so the page has a crash to
/// show from its first load.
task<> start_node(std::int64_t crash_every_ms, std::shared_ptr<std::promise<void>> ready) {
    otp::supervisor_flags pool_flags;
    std::vector<otp::child_spec> members;
    for (int i = 1; i <= 4; ++i) {
        members.push_back(otp::worker<pool_worker>(atom("member_" + std::to_string(i)), i));
    }
    otp::supervisor_flags top_flags;
    top_flags.intensity = 1000; // the faults are injected on purpose
    top_flags.period = 60s;
    std::vector<otp::child_spec> children{
        otp::worker<cache>(atom("cache")),
        otp::supervisor_child(atom("pool"), pool_flags, members),
        otp::worker<flaky>(atom("flaky"), crash_every_ms),
    };
    const otp::local_name top_name{atom("top")};
    otp::start_result<otp::supervisor> top =
        co_await otp::start<otp::supervisor>(top_name, top_flags, children);
    (void)top;

    // The sessions call the cache by name.
    std::optional<pid> cache_pid = co_await child_of(atom("top"), atom("cache"));
    process::register_name(*cache_pid, atom("cache"));

    // One crash now, and wait until the supervisor has restarted the child
    // (it reports the crash before it restarts).
    std::optional<pid> first = co_await child_of(atom("top"), atom("flaky"));
    otp::cast(otp::server_ref<>(*first), term(atom("crash")));
    for (std::optional<pid> now = first; !now || *now == *first;) {
        now = co_await child_of(atom("top"), atom("flaky"));
    }

    for (int n = 0; n < session_count; ++n) {
        process::spawn(session, n);
    }
    const pid consumer = process::spawn(slow_consumer);
    process::register_name(consumer, atom("slow_consumer"));
    process::spawn(producer, consumer);
    ready->set_value();
}

int check(runtime& rt, const observer::server& view) {
    const observer::snapshot shot = observer::take_snapshot(rt);
    const std::string metrics = observer::prometheus_metrics(shot);
    const bool ok = shot.totals.processes > session_count && shot.totals.servers >= 7 &&
                    metrics.find("rill_processes ") != std::string::npos && view.port() != 0;
    std::printf("%zu processes, %zu servers, %zu bytes of metrics: %s\n",
                shot.totals.processes,
                shot.totals.servers,
                metrics.size(),
                ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    observer::options options;
    bool check_only = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            options.port = static_cast<std::uint16_t>(std::stoi(argv[++i]));
        } else if (std::strcmp(argv[i], "--check") == 0) {
            check_only = true;
        } else {
            std::fprintf(stderr, "usage: %s [--port N] [--check]\n", argv[0]);
            return 2;
        }
    }

    // Ctrl-C and SIGTERM are taken by sigwait below: block them before
    // the runtime's threads start, so that they inherit the mask.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    runtime rt;
    observer::server view = observer::start(rt, options);

    auto ready = std::make_shared<std::promise<void>>();
    std::future<void> started = ready->get_future();
    rt.spawn(start_node, std::int64_t{5000}, ready);
    started.get();

    if (check_only) {
        return check(rt, view);
    }
    std::printf("%s\n", view.url().c_str());
    std::fflush(stdout);
    int signal = 0;
    sigwait(&stop_signals, &signal);
    return 0;
}
