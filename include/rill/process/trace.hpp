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
/// Following a request across processes (Erlang's sequential trace,
/// `seq_trace`): a process may carry a label, a term. Every message it
/// sends carries the label on (with a serial that orders the events), and
/// a process that takes such a message carries the label from then on,
/// until it takes a message without one. A trace started with
/// `trace_options::follow` gives the target that label for good, and the
/// messages sent and taken by every process that carries it come to the
/// trace's receiver, each event with its `label`; `runtime::follow`
/// watches a label that came from elsewhere (another node: the label
/// travels in Erlang's trace token, SEND_TT, both ways, so a BEAM node's
/// seq_trace goes through rill processes and on). `process::set_trace_label`
/// starts one from inside a process, as `seq_trace:set_token(label, L)`.
///
/// Cost: an untraced process pays one test of a byte of its block per
/// send, per receive and per signal handled, and one test of a byte of
/// each message it takes. A traced process pays a lock and a map lookup
/// per event, plus printing the message, about 180 ns in all
/// (docs/observer.md has the figures); a message that carries a label,
/// one more lock and map entry.

#include <rill/core/pid.hpp>
#include <rill/core/term.hpp>
#include <rill/detail/process_entry.hpp>

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
    /// value by its type), at most `trace_text_limit` bytes. Empty when the
    /// trace asked not to print (`trace_options::print`) and the message is
    /// in `message`: `trace_text(event)` prints it then.
    std::string text;
    /// The message itself, shared (a term payload) or converted (an integer
    /// payload), when the trace does not print; `[]` otherwise.
    term message;
    /// On the runtime's clock.
    std::chrono::milliseconds time{0};
    /// The label of the sequential trace the message belongs to (`[]`, the
    /// default term, for a message outside one, and for signals).
    term label;
    /// Orders the events of one label across processes and nodes, as
    /// Erlang numbers them: a message sent gets serial {previous, current}
    /// from its sender's counters, and a process that takes it moves its
    /// own counters past it.
    std::uint64_t serial = 0;
    std::uint64_t previous_serial = 0;
};

/// Longer texts are cut and end in "...".
inline constexpr std::size_t trace_text_limit = 240;

struct trace_options {
    bool messages = true; ///< sent and received
    bool signals = true;  ///< signal_sent and signal_received
    /// A label (any term but `[]`) to follow what the target starts: the
    /// target carries it for the length of the trace, and the messages of
    /// every process it reaches come to the receiver too (see the file
    /// comment). `[]`, the default: only the target is traced.
    term follow;
    /// False: a message that is a term (or an integer) is handed over as
    /// `trace_event::message`, shared, and printed only if someone asks
    /// (`trace_text`), which saves the traced process most of an event's
    /// cost. True: every event comes printed, in `text`.
    bool print = true;
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

/// The event's text: `text`, or its `message` printed (at most
/// `trace_text_limit` bytes).
[[nodiscard]] std::string trace_text(const trace_event& event);

} // namespace rill

namespace rill::process {

/// Starts a sequential trace from the calling process, as Erlang's
/// `seq_trace:set_token(label, Label)` with `send` and `'receive'` on: it
/// carries `label` (see the file comment); `[]` stops carrying one.
inline void set_trace_label(term label) {
    detail::set_trace_label("process::set_trace_label", std::move(label));
}

/// The label the calling process carries; `[]` (as Erlang's
/// `seq_trace:get_token()`) when it carries none.
[[nodiscard]] inline term trace_label() {
    return detail::trace_label("process::trace_label");
}

} // namespace rill::process
