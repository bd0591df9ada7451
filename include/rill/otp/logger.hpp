#pragma once

/// \file
/// The node's logger: OTP's levels, reports as terms, a pluggable sink.
///
/// gen_servers and supervisors report through it as OTP's do: a crash
/// report when a server ends abnormally (its pid, registered name, exit
/// reason, parent, links, queue length and the last message), supervisor
/// reports when a child ends abnormally (`child_terminated`), fails to
/// start (`start_error`), will not stop (`shutdown_error`) or when the
/// restart intensity is reached (`reached_max_restart_intensity`), and a
/// progress report per child started (level info, hidden by default as in
/// OTP). `otp::log` can be called by any process.
///
/// Events less severe than the level are dropped by the caller, before
/// anything is sent. Without a logger process the events at or above `notice` go to stderr,
/// formatted as OTP writes them. `start_logger` starts the node's logger
/// process (registered as `rill_logger`) with a level and a sink of your
/// own, which then sees every event at or above the level, in the order
/// they were logged by each process.

#include <rill/core/atom.hpp>
#include <rill/core/pid.hpp>
#include <rill/core/term.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace rill::otp {

/// OTP's levels, most severe first.
enum class log_level : std::uint8_t {
    emergency,
    alert,
    critical,
    error,
    warning,
    notice,
    info,
    debug
};

struct log_event {
    log_level level = log_level::notice;
    /// What the report is: `crash_report`, `supervisor_report`, `progress`,
    /// `no_handle_info`, or a kind of the caller's.
    atom kind;
    /// The report, as OTP's proplists: `[{pid, P}, {reason, R}, ...]`.
    term report;
    /// The process that logged it.
    pid origin;
    /// When, on the runtime's clock.
    std::chrono::milliseconds time{0};
};

/// The event as OTP's default handler writes it:
/// `=CRASH REPORT==== 1234 ms ===` and one `key: value` line per item.
[[nodiscard]] std::string format(const log_event& event);

[[nodiscard]] const char* level_name(log_level level) noexcept;

using log_sink = std::function<void(const log_event&)>;

struct logger_options {
    /// Events less severe than this are dropped.
    log_level level = log_level::notice;
    /// Where events go; empty: stderr, formatted.
    log_sink sink;
};

/// Starts this node's logger process (registered as `rill_logger`) and
/// returns its pid. Call from a process. Throws `badarg` when the node has
/// one already.
pid start_logger(logger_options options);

/// logger:add_handler: `sink` also gets every event the logger passes
/// that is at or above `level`, after the logger's own sink, until
/// `remove_log_handler(id)`; a handler of the same id is replaced. Starts
/// the node's logger (with default options) when it has none. Call from a
/// process; the sink runs in the logger process.
void add_log_handler(atom id, log_level level, log_sink sink);

/// Removes the handler `id` (nothing when there is none).
void remove_log_handler(atom id);

/// Logs `report` as an event of `kind` at `level`, from the calling
/// process; dropped at once when the level is filtered out.
void log(log_level level, atom kind, term report);

/// Whether an event at `level` would be logged: check it before building
/// a costly report. Reads the level the node's logger was started with
/// (`notice` without one), without asking the logger process.
[[nodiscard]] bool log_enabled(log_level level);

} // namespace rill::otp
