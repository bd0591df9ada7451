// observer::trace (include/rill/observer/trace.hpp).
//
// The core calls `limited_receiver::on_event` on the traced process's
// worker, one event at a time (a process runs on one worker at a time).
// The receiver counts, checks the limits, keeps the event in a bounded
// buffer and hands it to the sink; it refuses the event that ends the
// trace, after which the core calls it no more. The session's thread
// reads the buffer under the same mutex.

#include <rill/observer/trace.hpp>
#include <rill/runtime/runtime.hpp>

#include "observer/text.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>

namespace rill::observer {

namespace internal {

class limited_receiver final : public trace_receiver {
public:
    static constexpr std::size_t buffer_capacity = 1000;

    limited_receiver(trace_limits limits, trace_sink sink)
        : limits_(limits)
        , sink_(std::move(sink)) {}

    bool on_event(trace_event&& event) noexcept override {
        // With a follow, several processes report here at once: the sink
        // gets its own copy, printed, made before the buffer takes the event.
        std::optional<trace_event> for_sink;
        if (sink_) {
            try {
                if (event.text.empty() && !event.message.is_nil()) {
                    event.text = trace_text(event);
                }
                for_sink.emplace(event);
            } catch (...) {
                // out of memory: the sink misses this one
            }
        }
        bool running = false;
        {
            const std::lock_guard lock(mutex_);
            if (end_ != trace_end::running) {
                return false;
            }
            if (event.kind == trace_event_kind::exited) {
                end_ = trace_end::exited;
            }
            if (limits_.max_rate > 0) {
                if (event.time - window_start_ >= limits_.rate_window || count_ == 0) {
                    window_start_ = event.time;
                    in_window_ = 0;
                }
                if (++in_window_ > limits_.max_rate) {
                    end_ = trace_end::max_rate; // this one is not kept
                    return false;
                }
            }
            ++count_;
            // A ring: the oldest goes when it is full; nothing is
            // allocated per event once it has grown.
            numbered_trace_event added{count_, std::move(event)};
            if (buffer_.size() < buffer_capacity) {
                buffer_.push_back(std::move(added));
            } else {
                buffer_[oldest_] = std::move(added);
                oldest_ = (oldest_ + 1) % buffer_capacity;
            }
            if (count_ >= limits_.max_events && end_ == trace_end::running) {
                end_ = trace_end::max_events;
            }
            running = end_ == trace_end::running;
        }
        if (for_sink) {
            try {
                sink_(*for_sink);
            } catch (...) {
                // a failing sink loses its event; the trace goes on
            }
        }
        return running; // a stop() since is seen at the next event
    }

    /// Marks the trace stopped (the core drops the receiver at its next event).
    void stop() {
        const std::lock_guard lock(mutex_);
        if (end_ == trace_end::running) {
            end_ = trace_end::stopped;
        }
    }

    trace_end state() const {
        const std::lock_guard lock(mutex_);
        return end_;
    }

    std::uint64_t count() const {
        const std::lock_guard lock(mutex_);
        return count_;
    }

    /// Printed here, on the reader's thread: the traced process handed
    /// its messages over unprinted (`trace_options::print`).
    std::vector<numbered_trace_event> events(std::uint64_t since) const {
        std::vector<numbered_trace_event> out;
        {
            const std::lock_guard lock(mutex_);
            for (std::size_t i = 0; i < buffer_.size(); ++i) {
                const numbered_trace_event& e = buffer_[(oldest_ + i) % buffer_.size()];
                if (e.seq > since) {
                    out.push_back(e);
                }
            }
        }
        for (numbered_trace_event& e : out) {
            if (e.event.text.empty()) {
                e.event.text = trace_text(e.event);
            }
        }
        return out;
    }

private:
    const trace_limits limits_;
    const trace_sink sink_;
    mutable std::mutex mutex_;
    std::vector<numbered_trace_event> buffer_; // guarded by mutex_; a ring once full
    std::size_t oldest_ = 0;                   // guarded by mutex_: the ring's start
    std::uint64_t count_ = 0;                  // guarded by mutex_
    trace_end end_ = trace_end::running;       // guarded by mutex_
    std::chrono::milliseconds window_start_{0};
    std::size_t in_window_ = 0;
};

} // namespace internal

const char* trace_end_name(trace_end end) noexcept {
    switch (end) {
    case trace_end::running:
        return "running";
    case trace_end::max_events:
        return "max_events";
    case trace_end::max_rate:
        return "max_rate";
    case trace_end::exited:
        return "exited";
    case trace_end::stopped:
        return "stopped";
    }
    return "unknown";
}

trace_sink trace_to_file(const std::string& path) {
    std::FILE* file = std::fopen(path.c_str(), "a");
    if (file == nullptr) {
        throw std::runtime_error("rill::observer::trace_to_file: cannot open " + path);
    }
    std::shared_ptr<std::FILE> shared(file, [](std::FILE* f) { std::fclose(f); });
    return [shared](const trace_event& e) {
        const atom node = e.traced.node;
        const std::string line =
            std::to_string(e.time.count()) + " " + trace_event_kind_name(e.kind) + " " +
            internal::pid_text(e.traced, node) + " " +
            (e.peer == pid{} ? std::string("-") : internal::pid_text(e.peer, node)) + " " +
            (e.label.is_nil() ? std::string("- -")
                              : to_string(e.label) + " " + std::to_string(e.serial)) +
            " " + e.text + "\n";
        // One write per line: lines of several traced processes never mix.
        std::fwrite(line.data(), 1, line.size(), shared.get());
        std::fflush(shared.get());
    };
}

trace_session::trace_session(runtime& rt,
                             pid target,
                             term label,
                             std::shared_ptr<internal::limited_receiver> receiver)
    : runtime_(&rt)
    , target_(target)
    , label_(std::move(label))
    , receiver_(std::move(receiver)) {}

trace_session::trace_session(trace_session&&) noexcept = default;
trace_session& trace_session::operator=(trace_session&&) noexcept = default;

trace_session::~trace_session() {
    if (receiver_) {
        stop();
    }
}

trace_end trace_session::state() const {
    return receiver_->state();
}

std::uint64_t trace_session::count() const {
    return receiver_->count();
}

std::vector<numbered_trace_event> trace_session::events(std::uint64_t since) const {
    return receiver_->events(since);
}

void trace_session::stop() {
    receiver_->stop();
    runtime_->untrace(target_, receiver_); // frees its place at once, idle or not
}

trace_session trace(runtime& rt, pid target, trace_limits limits, trace_sink sink) {
    if (target.node != rt.node() || target.creation != rt.creation()) {
        throw std::invalid_argument("rill::observer::trace: " + to_string(target) +
                                    " is not a process of this node");
    }
    if ((!limits.messages && !limits.signals) || limits.max_events == 0) {
        throw std::invalid_argument("rill::observer::trace: these limits trace nothing");
    }
    auto receiver = std::make_shared<internal::limited_receiver>(limits, std::move(sink));
    trace_options options;
    options.messages = limits.messages;
    options.signals = limits.signals;
    options.print = false; // the session prints what is read (events, a sink)
    if (limits.follow) {
        // Relaxed: the counter only makes each session's label unique.
        static std::atomic<std::uint64_t> sessions{0};
        options.follow =
            term::tuple_of(atom("rill_observer"),
                           rt.node(),
                           term::from_uint64(sessions.fetch_add(1, std::memory_order_relaxed) + 1));
    }
    rt.trace(target, receiver, options);
    return trace_session(rt, target, options.follow, std::move(receiver));
}

trace_session trace(runtime& rt, atom name, trace_limits limits, trace_sink sink) {
    std::optional<pid> holder = rt.whereis(name);
    if (!holder) {
        throw std::invalid_argument("rill::observer::trace: no process is registered as " +
                                    std::string(name.name()));
    }
    return trace(rt, *holder, limits, std::move(sink));
}

} // namespace rill::observer
