#pragma once

/// \file
/// The node's traces (include/rill/process/trace.hpp): the trace signal
/// that starts or ends one, and the table of traced processes.
///
/// A process is traced while its block's `traced` byte is set; only the
/// owner sets and clears it (on the trace signal, on its receiver's
/// refusal, at its exit), and only the owner produces its events, so the
/// byte needs no atomicity. The receivers live in this table, under a
/// mutex, keyed by block: the entry is removed at the owner's exit, before
/// the block can be recycled.

#include <rill/core/pid.hpp>
#include <rill/core/term.hpp>
#include <rill/detail/mailbox_node.hpp>
#include <rill/process/trace.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace rill::internal {

class process;

/// trace: starts a trace of the owner going to `receiver`, or with
/// `stop`, ends the owner's trace (only if it goes to `receiver`, when
/// one is given).
struct trace_signal_node final : detail::mailbox_node {
    std::shared_ptr<trace_receiver> receiver;
    trace_options options;
    bool stop = false;
};

detail::mailbox_node*
make_trace_signal(std::shared_ptr<trace_receiver> receiver, trace_options options, bool stop);

/// A message printed for a trace (at most `trace_text_limit` bytes).
std::string describe_message(const detail::mailbox_node* node);

class trace_table {
public:
    /// The owner handles a trace signal. Takes nothing (the caller frees the node).
    void apply(process& owner, trace_signal_node& signal) noexcept;

    // The owner's events, called only while `owner.traced()`.
    void sent(process& owner, const pid& to, const detail::mailbox_node* node) noexcept;
    void taken(process& owner, const detail::mailbox_node* node) noexcept;
    void signal_handled(process& owner, const detail::mailbox_node* node) noexcept;
    /// The last event; the trace ends.
    void exited(process& owner, const term& reason) noexcept;

private:
    struct entry {
        std::shared_ptr<trace_receiver> receiver;
        trace_options options;
    };

    /// Hands the event to the owner's receiver; ends the trace when it
    /// says so, or when `last`.
    void emit(process& owner, trace_event event, bool is_signal, bool last) noexcept;
    void remove(process& owner) noexcept;

    std::mutex mutex_;
    std::unordered_map<const process*, entry> entries_; // guarded by mutex_
};

} // namespace rill::internal
