#pragma once

/// \file
/// `observer::trace`: what one process sends and receives, on demand, with
/// recon_trace's safety — a trace stops itself after `max_events` events,
/// or as soon as the process goes past `max_rate`, and never queues more
/// than it will hand out.
///
///     auto session = observer::trace(rt, atom("cache"), {.max_events = 50},
///                                    observer::trace_to_file("cache.trace"));
///     ...
///     for (const trace_event& e : session.events()) { ... }
///
/// The trace ends when its limit is reached, when the process exits, or
/// when the session is stopped or destroyed (its requester gone): a
/// session must not outlive its runtime. Events go to the session's
/// buffer (the last 1000, for `events`), and to the sink if one was given;
/// the sink runs on the traced process's worker, inside its slice: keep it
/// short (`trace_to_file` writes one line).

#include <rill/core/atom.hpp>
#include <rill/core/pid.hpp>
#include <rill/core/term.hpp>
#include <rill/process/trace.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace rill {
class runtime;
}

namespace rill::observer {

struct trace_limits {
    bool messages = true; ///< messages sent and taken
    bool signals = true;  ///< signals sent and handled
    /// The trace stops after this many events.
    std::size_t max_events = 100;
    /// And, when not zero, as soon as more than `max_rate` events fall in
    /// one `rate_window` (recon_trace's `{Max, Time}`).
    std::size_t max_rate = 0;
    std::chrono::milliseconds rate_window{1000};
    /// Follow what the target starts: its messages carry the session's
    /// label (`trace_session::label`), and the messages sent and taken by
    /// every process they reach, and by those it reaches in turn, come to
    /// this session too, each with the label and its serial (Erlang's
    /// sequential trace, include/rill/process/trace.hpp; the label crosses
    /// to other nodes, where `runtime::follow` sees it).
    bool follow = false;
};

using trace_sink = std::function<void(const trace_event&)>;

/// A sink that appends one line per event to the file at `path`:
/// `TIME_MS KIND TRACED PEER LABEL SERIAL TEXT` (`-` for no peer, and for
/// no label and its serial). Throws `std::runtime_error` when the file
/// cannot be opened.
[[nodiscard]] trace_sink trace_to_file(const std::string& path);

/// Why a trace ended.
enum class trace_end : std::uint8_t { running, max_events, max_rate, exited, stopped };

[[nodiscard]] const char* trace_end_name(trace_end end) noexcept;

/// A trace event with its number in the session (from 1).
struct numbered_trace_event {
    std::uint64_t seq = 0;
    trace_event event;
};

namespace internal {
class limited_receiver;
}

class trace_session {
public:
    trace_session(trace_session&&) noexcept;
    trace_session& operator=(trace_session&&) noexcept;
    /// Stops the trace.
    ~trace_session();

    [[nodiscard]] pid target() const noexcept { return target_; }

    /// The label a `follow` session gave its target (`{rill_observer, Node,
    /// N}`); `[]` without `follow`.
    [[nodiscard]] const term& label() const noexcept { return label_; }

    /// `running` while it traces.
    [[nodiscard]] trace_end state() const;
    /// Events so far (those handed out, the buffer's dropped ones included).
    [[nodiscard]] std::uint64_t count() const;
    /// The buffered events numbered above `since`, oldest first.
    [[nodiscard]] std::vector<numbered_trace_event> events(std::uint64_t since = 0) const;
    /// Ends the trace now.
    void stop();

private:
    friend trace_session trace(runtime&, pid, trace_limits, trace_sink);
    trace_session(runtime& rt,
                  pid target,
                  term label,
                  std::shared_ptr<internal::limited_receiver> receiver);

    runtime* runtime_;
    pid target_;
    term label_;
    std::shared_ptr<internal::limited_receiver> receiver_;
};

/// Traces the process `target` of `rt`'s node. Throws `std::invalid_argument`
/// for a pid of another node and for limits that trace nothing.
[[nodiscard]] trace_session
trace(runtime& rt, pid target, trace_limits limits = {}, trace_sink sink = {});

/// Traces the process registered as `name`; throws `std::invalid_argument`
/// when there is none.
[[nodiscard]] trace_session
trace(runtime& rt, atom name, trace_limits limits = {}, trace_sink sink = {});

} // namespace rill::observer
