#pragma once

/// \file
/// The node's traces (include/rill/process/trace.hpp): the trace signal
/// that starts or ends one, the table of traced processes, and sequential
/// trace labels (Erlang's seq_trace tokens) and the messages that carry them.
///
/// A process's block has a byte of trace bits (`process::trace_bits`):
/// `trace_own` while this table has a receiver for it, `trace_carrier`
/// while it carries a label. Only the owner sets and clears them (on the
/// trace signal, on a receiver's refusal, on taking a message, at its
/// exit), and only the owner produces its events, so the byte needs no
/// atomicity. What the bits stand for lives in this table, under a mutex,
/// keyed by block: the entries go at the owner's exit, before the block
/// can be recycled. A bit may outlive its entry (a follower's receiver
/// ended the trace from another process's event): the owner's next event
/// finds no entry and clears the bit.
///
/// A message carries a label as a token kept aside, keyed by its node, in
/// one registry for the OS process (node addresses are unique while they
/// live), flagged in the node (`mailbox_node::stamped`) so nothing else
/// looks there: the receiver takes the token with the message, and a
/// stamped node destroyed untaken drops it (`mailbox_node::destroy`).

#include <rill/core/pid.hpp>
#include <rill/core/term.hpp>
#include <rill/detail/mailbox_node.hpp>
#include <rill/process/trace.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

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

/// Erlang's sequential trace token, `{Flags, Label, Serial, From, LastCnt}`
/// on the wire (`token_term`).
struct seq_token {
    std::uint32_t flags = 0;
    term label;
    std::uint64_t serial = 0;   ///< the sender's counter after the send
    std::uint64_t previous = 0; ///< the sender's counter of the last message it took
    pid from;
};

/// Token flags, as seq_trace:set_token/2 sets them.
inline constexpr std::uint32_t seq_flag_send = 1;
inline constexpr std::uint32_t seq_flag_receive = 2;

/// The token as Erlang writes it.
term token_term(const seq_token& token);
/// A token read from another node; none for anything that is not one (a
/// malformed token is ignored: the message goes on without it).
std::optional<seq_token> token_from_term(const term& value);

/// Keeps `token` aside for `node` and flags it. False when the registry is
/// full (`stamp_capacity` messages in flight): the message goes unstamped.
bool stamp(detail::mailbox_node* node, seq_token token) noexcept;
/// The token of a stamped node, taken off it (none for an unstamped one).
std::optional<seq_token> take_stamp(detail::mailbox_node* node) noexcept;

inline constexpr std::size_t stamp_capacity = 65'536;

/// Stamped messages in flight, for tests.
std::size_t stamps_in_flight() noexcept;

class trace_table {
public:
    /// The owner handles a trace signal. Takes nothing (the caller frees the node).
    void apply(process& owner, trace_signal_node& signal) noexcept;

    /// process::set_trace_label (none: carry none).
    void set_label(process& owner, term label);
    [[nodiscard]] term label(const process& owner) const;

    /// runtime::follow / unfollow.
    void follow(term label, std::shared_ptr<trace_receiver> receiver);
    void unfollow(const term& label) noexcept;

    // The owner's events, called only while `owner.traced()` (`taken`
    // also for a stamped message).
    void sent(process& owner, const pid& to, detail::mailbox_node* node) noexcept;
    void taken(process& owner, detail::mailbox_node* node) noexcept;
    void signal_handled(process& owner, const detail::mailbox_node* node) noexcept;
    /// The last event; the trace ends, and the label goes.
    void exited(process& owner, const term& reason) noexcept;

private:
    struct entry {
        std::shared_ptr<trace_receiver> receiver;
        trace_options options;
    };

    /// A label a process carries and its counters. An `origin` (the
    /// target of a trace with `follow`) keeps its label whatever it takes.
    struct carrier {
        term label;
        std::uint32_t flags = seq_flag_send | seq_flag_receive;
        std::uint64_t current = 0;
        std::uint64_t previous = 0;
        bool origin = false;
    };

    struct follower {
        term label;
        std::shared_ptr<trace_receiver> receiver;
        bool print = true;
    };

    /// Who gets one event of the owner (resolved under the mutex): its own
    /// receiver, if its options want the event, and the follower of the
    /// event's label when `wanted_by_followers` (the token's flags allow it);
    /// whether either wants it printed. Sets the owner's bits afresh.
    struct route {
        std::shared_ptr<trace_receiver> own;
        std::shared_ptr<trace_receiver> following;
        bool print = true;
    };

    /// `carries`: the owner has an entry in carriers_ (the caller looked).
    route resolve(process& owner,
                  const term& label,
                  bool is_signal,
                  bool last,
                  bool wanted_by_followers,
                  bool carries);
    /// Hands the event over along `r`, outside the mutex; ends what a
    /// receiver ends, and the owner's trace when `last`.
    void deliver(process& owner, trace_event&& event, route& r, bool last) noexcept;
    /// Drops `receiver` everywhere (its trace and what it follows).
    void forget_receiver(const std::shared_ptr<trace_receiver>& receiver) noexcept;
    void remove(process& owner) noexcept;
    /// The owner's bits from the table (mutex held).
    void refresh_bits(process& owner) const noexcept;

    mutable std::mutex mutex_;
    std::unordered_map<const process*, entry> entries_;    // guarded by mutex_
    std::unordered_map<const process*, carrier> carriers_; // guarded by mutex_
    std::vector<follower> followers_;                      // guarded by mutex_ (few)
};

} // namespace rill::internal
