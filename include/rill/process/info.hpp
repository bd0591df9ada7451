#pragma once

/// \file
/// `process::info`: a snapshot of a process, answered by the process itself.
///
/// The query travels as a signal, behind the caller's earlier signals to the
/// same process (so an `info` after `link` sees the link), and the target
/// answers when it next handles signals: the caller suspends until then. A
/// dead process answers nothing: the result is empty.

#include <rill/core/atom.hpp>
#include <rill/core/pid.hpp>
#include <rill/core/reference.hpp>
#include <rill/core/term.hpp>
#include <rill/detail/process_entry.hpp>
#include <rill/process/receive.hpp>
#include <rill/process/summary.hpp>
#include <rill/process/task.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace rill {

struct process_info {
    pid self;
    std::optional<atom> registered_name;
    process_status status = process_status::runnable;
    std::size_t message_queue_length = 0;
    std::vector<pid> links;
    /// What each of its monitors watches: a pid, or `{Name, Node}`.
    std::vector<term> monitors;
    std::vector<pid> monitored_by;
    bool trap_exit = false;
    /// Bytes held by the runtime for it: control block, link and monitor
    /// tables, queued messages, each at the size of its node with the
    /// payload inline, up to 512 KiB a message (coroutine frames, and memory
    /// a payload owns elsewhere such as a long string's buffer, are not
    /// counted).
    std::size_t memory = 0;
    /// Reductions (receives, sends, spawns, signals) spent so far.
    std::uint64_t reductions = 0;
};

namespace detail {

struct info_reply {
    reference ref;
    std::optional<process_info> info;
};

} // namespace detail

namespace process {

/// A snapshot of `p` (empty when `p` is dead). Suspends the caller until
/// `p` answers.
inline task<std::optional<process_info>> info(pid p) {
    reference ref = detail::send_info_query(detail::current_runtime("process::info"), p);
    detail::info_reply reply = co_await receive_if<detail::info_reply>(
        [ref](const detail::info_reply& r) { return r.ref == ref; });
    co_return std::move(reply.info);
}

/// As `info(p)`, giving up after `timeout` (empty result): for a caller
/// that must not wait on a process that is busy for long. A late answer
/// stays in the caller's queue, as an `info_reply` nobody matches.
template <class Rep, class Period>
task<std::optional<process_info>> info(pid p, std::chrono::duration<Rep, Period> timeout) {
    reference ref = detail::send_info_query(detail::current_runtime("process::info"), p);
    std::optional<detail::info_reply> reply = co_await receive_if<detail::info_reply>(
        [ref](const detail::info_reply& r) { return r.ref == ref; }, timeout);
    if (!reply) {
        co_return std::nullopt;
    }
    co_return std::move(reply->info);
}

} // namespace process
} // namespace rill
