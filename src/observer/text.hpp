#pragma once

// Pids and figures as the observer writes and reads them.

#include <rill/core/atom.hpp>
#include <rill/core/pid.hpp>

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

/// A double as Prometheus and JSON read it (no locale, shortest exact form).
std::string number_text(double value);

} // namespace rill::observer::internal
