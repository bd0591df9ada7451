#pragma once

/// \file
/// Messages as terms, and a process that collects them: what a test compares
/// after `run_until_idle` (docs/deterministic-testing.md).
///
/// A received `dyn_message` becomes one term, so a test can compare a
/// process's whole mailbox history with one `EXPECT_EQ`: a plain message is
/// its payload term, a trapped exit signal is `{'EXIT', From, Reason}` and a
/// monitor's notification is `{'DOWN', Ref, Object, Reason}` (rill's DOWN has
/// no `process` element).

#include <rill/core/atom.hpp>
#include <rill/core/pid.hpp>
#include <rill/core/reference.hpp>
#include <rill/core/term.hpp>
#include <rill/process/message.hpp>
#include <rill/process/receive.hpp>
#include <rill/process/task.hpp>

#include <utility>
#include <variant>
#include <vector>

namespace rill::testing {

/// The term `message_as_term` makes of a trapped exit signal from `from`:
/// `{'EXIT', From, Reason}`.
[[nodiscard]] inline term exit_message(const pid& from, term reason) {
    return term::tuple({term(atoms::EXIT), term(from), std::move(reason)});
}

/// The term `message_as_term` makes of a monitor's notification:
/// `{'DOWN', Ref, Object, Reason}`, where `object` is the monitored pid, or
/// `{Name, Node}` for a monitor by name.
[[nodiscard]] inline term down_message(const reference& ref, term object, term reason) {
    return term::tuple({term(atoms::DOWN), term(ref), std::move(object), std::move(reason)});
}

/// A received message as one term: a payload as it is (a payload of a type
/// without a term conversion becomes the opaque term `term::local` makes), an
/// `exit_signal` as `exit_message`, a `down_signal` as `down_message`.
[[nodiscard]] inline term message_as_term(dyn_message message) {
    if (auto* payload = std::get_if<term>(&message)) {
        return std::move(*payload);
    }
    if (auto* exit = std::get_if<exit_signal>(&message)) {
        return exit_message(exit->from, std::move(exit->reason));
    }
    auto& down = std::get<down_signal>(message);
    return down_message(down.ref, std::move(down.object), std::move(down.reason));
}

/// A process body that receives every message, oldest first, and appends
/// each to `*out` as `message_as_term` writes it; it never returns. Spawn it
/// as `rt.spawn(rill::testing::collect_all, &got)`, or `co_await` it at the
/// end of another body. `*out` is written on the thread that runs the
/// process: on a deterministic runtime the test's own, inside
/// `run_until_idle`, `advance` and `run`, so the test reads it between those
/// calls. Declare `out` before the runtime, so that it outlives the process.
/// `collect_all` does not trap exits; a body that calls
/// `process::trap_exit(true)` before `co_await collect_all(out)` collects
/// `{'EXIT', From, Reason}` messages instead of dying of the signals.
inline task<> collect_all(std::vector<term>* out) {
    for (;;) {
        out->push_back(message_as_term(co_await process::receive_any()));
    }
}

} // namespace rill::testing
