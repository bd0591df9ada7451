#pragma once

// A trace receiver for tests on a deterministic node (one thread): keeps
// every event, and refuses more after `limit`.

#include <rill/process/trace.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace rill::test {

struct trace_recorder final : trace_receiver {
    explicit trace_recorder(std::size_t limit_ = 1000)
        : limit(limit_) {}

    bool on_event(trace_event&& event) noexcept override {
        events.push_back(std::move(event));
        return events.size() < limit;
    }

    /// "KIND TEXT" per event.
    [[nodiscard]] std::vector<std::string> lines() const {
        std::vector<std::string> out;
        for (const trace_event& e : events) {
            out.push_back(std::string(trace_event_kind_name(e.kind)) + " " + e.text);
        }
        return out;
    }

    std::size_t limit;
    std::vector<trace_event> events;
};

} // namespace rill::test
