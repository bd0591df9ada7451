#pragma once

// Pids and figures as the observer writes and reads them.

#include <rill/core/atom.hpp>
#include <rill/core/pid.hpp>
#include <rill/process/summary.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rill::observer::internal {

/// `<0.ID.SERIAL>` for a pid of `local` (the observed node), Erlang's way.
std::string pid_text(const pid& p, atom local);

/// The pid `<0.ID.SERIAL>` of the node `local` with `creation`; nullopt for
/// anything else (another node's `<N.ID.SERIAL>` included).
std::optional<pid> parse_local_pid(std::string_view text, atom local, std::uint32_t creation);

/// A whole decimal number (no sign, no spaces), as query parameters give them.
std::optional<std::uint64_t> parse_count(std::string_view text);

/// `running`, `runnable` or `waiting`.
const char* status_name(process_status status) noexcept;

/// A double as Prometheus and JSON read it (no locale, shortest exact form).
std::string number_text(double value);

} // namespace rill::observer::internal
