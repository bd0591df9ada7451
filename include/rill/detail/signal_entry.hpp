#pragma once

/// \file
/// The signal layer's non-template entry points, which the public link,
/// monitor and exit/2 templates call. Not part of the API; the definitions
/// live in src/signal.

#include <rill/core/pid.hpp>
#include <rill/core/reference.hpp>
#include <rill/core/term.hpp>
#include <rill/detail/process_entry.hpp>
#include <rill/process/task.hpp>

namespace rill::detail {

/// Like `spawn_body`, from a process, linking the child to the caller
/// and/or making the caller monitor it before the child can run (atomic,
/// S36, S65). `monitor_ref` receives the monitor's reference.
pid spawn_related(runtime_core& runtime, task<> body, bool link, reference* monitor_ref);

/// Sends an exit signal (Erlang's exit/2) from the calling process.
void send_exit(runtime_core& runtime, const pid& to, term reason);

/// Sets the calling process's trap_exit flag; returns the previous value.
bool set_trap_exit(bool trap);

void link(runtime_core& runtime, const pid& to);
void unlink(runtime_core& runtime, const pid& from);
reference monitor_pid(runtime_core& runtime, const pid& target);
reference monitor_name(runtime_core& runtime, atom name, atom node);
bool demonitor(runtime_core& runtime, const reference& ref, bool flush, bool info);

/// A new alias of the calling process (include/rill/signal/alias.hpp);
/// with `one_reply`, it ends after the first message through it.
reference make_alias(runtime_core& runtime, bool one_reply);
/// Ends an alias of the calling process; false when it was none.
bool unalias(const reference& alias);

} // namespace rill::detail
