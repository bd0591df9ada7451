#pragma once

// `rill_bench --observe`: the observer on, and a client that loads the node
// as the page and a Prometheus scraper would (the page's refresh every
// 2 s, /metrics every 1 s), for as long as the object lives. The figures of
// a run with and without it show what watching a node costs
// (issue: "the observer must not slow the node it watches").

#include <rill/runtime/runtime.hpp>

#include <memory>

namespace rill::bench {

class observed_run {
public:
    explicit observed_run(runtime& rt);
    ~observed_run();

    observed_run(const observed_run&) = delete;
    observed_run& operator=(const observed_run&) = delete;

private:
    struct state;
    std::unique_ptr<state> state_;
};

} // namespace rill::bench
