// The observer and its load during a benchmark (bench/observer/observed.hpp).

#include "observed.hpp"

#include <rill/observer.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <httplib.h>
#include <mutex>
#include <thread>

namespace rill::bench {

struct observed_run::state {
    observer::server view;
    std::mutex mutex;
    std::condition_variable wake;
    bool stopping = false; // guarded by mutex
    std::thread client;
    std::size_t requests = 0; // written by the client thread, read after join

    explicit state(runtime& rt)
        : view(observer::start(rt)) {}

    /// The page's refresh every 2 s, /metrics every 1 s, the tree every 5 s.
    void load() {
        httplib::Client c("127.0.0.1", view.port());
        c.set_read_timeout(30, 0);
        for (int tick = 0;; ++tick) {
            auto get = [&](const char* path) {
                httplib::Result r = c.Get(path);
                requests += r && r->status == 200 ? 1 : 0;
            };
            get("/metrics");
            if (tick % 2 == 0) {
                get("/api/overview");
                get("/api/processes?sort=memory&order=desc&limit=100");
                get("/api/nodes");
                get("/api/crashes?since=0");
            }
            if (tick % 5 == 0) {
                get("/api/supervision");
            }
            std::unique_lock lock(mutex);
            if (wake.wait_for(lock, std::chrono::seconds(1), [this] { return stopping; })) {
                return;
            }
        }
    }
};

observed_run::observed_run(runtime& rt)
    : state_(std::make_unique<state>(rt)) {
    state_->client = std::thread([s = state_.get()] { s->load(); });
}

observed_run::~observed_run() {
    {
        const std::lock_guard lock(state_->mutex);
        state_->stopping = true;
    }
    state_->wake.notify_all();
    state_->client.join();
    std::fprintf(stderr, "rill_bench: observed, %zu requests answered\n", state_->requests);
}

} // namespace rill::bench
