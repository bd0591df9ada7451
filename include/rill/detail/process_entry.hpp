#pragma once

/// \file
/// The process layer's non-template entry points, which rill's public
/// templates call (spawn, send, receive awaiters, timers, info). Not part
/// of the API; the definitions live in src/process. Each layer has its own
/// such header (signal_entry.hpp, registry_entry.hpp), so the layering
/// check sees every call across layers.

#include <rill/core/pid.hpp>
#include <rill/core/reference.hpp>
#include <rill/core/term.hpp>
#include <rill/detail/mailbox_node.hpp>
#include <rill/process/task.hpp>

#include <coroutine>
#include <cstdint>
#include <memory>
#include <string>

namespace rill::detail {

class runtime_core;

/// The runtime of the calling process; throws `not_in_process` naming
/// `operation` when the caller is not a rill process.
runtime_core& current_runtime(const char* operation);

/// The calling process's pid; throws `not_in_process` outside a process.
pid current_pid(const char* operation);

/// Makes a process of `body` and queues it; any thread.
pid spawn_body(runtime_core& runtime, task<> body);

/// Sends `node` to `to`, taking ownership; any thread. A dead pid drops
/// it; a pid of another node hands it to the remote route.
void send_node(runtime_core& runtime, const pid& to, mailbox_node* node);

/// Sends `node` to the process registered as `name` on `node_name`: this
/// node's registry now (dropped when nobody holds the name, S16), or the
/// remote route for another node. Any thread.
void send_to_name(runtime_core& runtime, atom name, atom node_name, mailbox_node* node);

/// `send_node` from the calling process (one lookup of the current
/// process); throws not_in_process naming `operation` outside a process.
void send_from_current(const char* operation, const pid& to, mailbox_node* node);

/// Sends `node` from the calling process to the process whose alias is
/// `alias` (src/process/alias_message.hpp); throws not_in_process naming
/// `operation` outside a process.
void send_to_alias_from_current(const char* operation, const reference& alias, mailbox_node* node);

/// A receive in progress; lives in the awaiter, inside the coroutine frame.
struct receive_wait {
    using match_function = bool (*)(const mailbox_node* node, const void* context) noexcept;

    match_function match = nullptr; ///< nullptr matches nothing (sleep)
    const void* context = nullptr;
    std::int64_t timeout_ms = -1;  ///< negative: wait forever
    std::uint64_t deadline_ms = 0; ///< on the runtime clock, set when the wait starts
    mailbox_node* matched = nullptr;
    /// When set, only messages sent after this reference was made can match
    /// (a reply to it): the scan may skip everything queued before.
    const reference* reply_to = nullptr;
    bool timed_out = false;
};

/// `await_ready` of every receive: true when the wait completed without
/// suspending (a match, or a zero timeout).
bool receive_ready(receive_wait& wait);

/// `await_suspend` of every receive: parks the process until the wait
/// completes; it resumes on whatever worker runs it next.
void receive_suspend(receive_wait& wait, std::coroutine_handle<> resume_point) noexcept;

/// `await_suspend` of `yield()`: requeues the process behind the others.
void yield_suspend(std::coroutine_handle<> resume_point) noexcept;

/// A new reference; made by a process, it also marks its mailbox, so a
/// receive of the reply to it may skip what was queued before.
reference make_reference(runtime_core& runtime);

/// Whether `p` is alive as seen by the calling process: false once the
/// caller has sent it an untrappable kill.
bool is_alive(runtime_core& runtime, const pid& p);

/// Arms a timer that sends `node` to `to` after `delay_ms`; a delay of
/// `wait_forever` never delivers, so the node is freed at once.
reference
send_after_node(runtime_core& runtime, const pid& to, mailbox_node* node, std::int64_t delay_ms);

/// Cancels a `send_after` timer; the remaining milliseconds, or -1 when it
/// already fired or never existed.
std::int64_t cancel_timer(runtime_core& runtime, const reference& timer);

/// process::node_value and set_node_value.
std::shared_ptr<void> node_value(runtime_core& runtime, atom key);
void set_node_value(runtime_core& runtime, atom key, std::shared_ptr<void> value);

/// process::set_label: the calling process's label (empty: none).
void set_label(const char* operation, std::string label);

/// process::set_trace_label / trace_label: the sequential trace label the
/// calling process carries (`[]`: none).
void set_trace_label(const char* operation, term label);
term trace_label(const char* operation);

/// Milliseconds since the runtime started, on its clock.
std::int64_t runtime_now_ms(runtime_core& runtime) noexcept;

/// Sends the info query to `target` from the calling process (the target
/// answers it; see process/info.hpp); returns the reference the reply will
/// carry.
reference send_info_query(runtime_core& runtime, const pid& target);

} // namespace rill::detail
