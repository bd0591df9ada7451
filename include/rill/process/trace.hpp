#pragma once

/// \file
/// Tracing one process: what it sends and receives, messages and signals,
/// seen as they happen, for a tool that watches a live node (the observer's
/// `observer::trace` builds on this; use that one).
///
/// `runtime::trace(target, receiver, options)` starts a trace: a signal to
/// `target`, which installs `receiver` when it handles the signal (so the
/// trace starts after whatever the caller sent it before). From then on the
/// target calls `receiver.on_event` for each event, in its own slice, on
/// its worker: a receiver must be quick and must not block or send. It ends
/// the trace by returning false (after a number of events, past a rate, or
/// once its requester is gone); `runtime::untrace(target)` ends it from
/// outside, and the target's exit ends it after an `exited` event.
///
/// Cost: an untraced process pays one test of a byte of its block per
/// send, per receive and per signal handled. A traced process pays a lock
/// and a map lookup per event, plus printing the message, about 180 ns in
/// all (docs/observer.md has the figures).

#include <rill/core/pid.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace rill {

enum class trace_event_kind : std::uint8_t {
    sent,            ///< a message it sent (`peer`: the addressee)
    received,        ///< a message it took from its queue (`peer`: unknown, the default pid)
    signal_sent,     ///< an exit, link, unlink, monitor, demonitor or DOWN it sent
    signal_received, ///< one of those it handled (`peer`: the sender)
    exited,          ///< it ended (`text`: the reason); the trace ends with it
};

struct trace_event {
    trace_event_kind kind = trace_event_kind::sent;
    pid traced;
    pid peer;
    /// The message or signal, printed (a term as Erlang writes it; a C++
    /// value by its type), at most `trace_text_limit` bytes.
    std::string text;
    /// On the runtime's clock.
    std::chrono::milliseconds time{0};
};

/// Longer texts are cut and end in "...".
inline constexpr std::size_t trace_text_limit = 240;

struct trace_options {
    bool messages = true; ///< sent and received
    bool signals = true;  ///< signal_sent and signal_received
};

/// Where a trace's events go. Called on the traced process's worker.
class trace_receiver {
public:
    virtual ~trace_receiver() = default;
    /// One event, the receiver's to keep (move from it); false ends the
    /// trace (no more calls after that one).
    virtual bool on_event(trace_event&& event) noexcept = 0;
};

[[nodiscard]] const char* trace_event_kind_name(trace_event_kind kind) noexcept;

} // namespace rill
