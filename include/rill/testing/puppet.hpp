#pragma once

/// \file
/// Puppets: processes a test drives one step at a time on a deterministic
/// runtime (docs/deterministic-testing.md).
///
/// A puppet waits for `puppet_command`s and runs each inside itself, so a
/// step calls `process::link`, `monitor`, `register_name`, `send`, `exit`...
/// as that process would, and the test checks the outcome as soon as the step
/// returns. Every message that is not a command stays in the puppet's mailbox
/// until a command takes it: trapped exits and DOWNs stay queued exactly as
/// the runtime put them there, in order, which is what a test of unlink,
/// demonitor or flush needs to observe.
///
///     rill::runtime rt(rill::testing::deterministic_options());
///     rill::pid a = rt.spawn(rill::testing::puppet, true); // traps exits
///     rill::pid b = rt.spawn(rill::testing::puppet, false);
///     rill::testing::run_in(rt, a, [&] { rill::process::link(b); });
///     rill::testing::run_in(rt, b, [] { rill::process::exit(rill::atom("boom")); });
///     // take_mailbox(rt, a) == {rill::testing::exit_message(b, rill::atom("boom"))}
///
/// Steps run on the test's thread (the deterministic runtime runs every
/// process there), so a step may capture the test's locals by reference.

#include <rill/core/pid.hpp>
#include <rill/core/term.hpp>
#include <rill/process/receive.hpp>
#include <rill/process/task.hpp>
#include <rill/runtime/runtime.hpp>
#include <rill/signal/exit.hpp>
#include <rill/testing/collect.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

namespace rill::testing {

/// One step for a puppet: first `run` (when set) runs inside the puppet; then,
/// when `take_mailbox` is set, every message queued in the puppet's mailbox is
/// moved there, oldest first, as `message_as_term` writes it. `run_in` and
/// `take_mailbox` send these; send one yourself to do both in one step.
struct puppet_command {
    /// Code to run as the puppet; it cannot suspend (no receive inside: use
    /// `take_mailbox` to see what arrived).
    std::function<void()> run;
    /// Where to move the puppet's mailbox, or nullptr to leave it.
    std::vector<term>* take_mailbox = nullptr;
};

/// The body of a puppet: sets `process::trap_exit(trap_exit)`, then runs each
/// `puppet_command` it receives, in order, forever. Only commands are received
/// while it waits. An exception escaping a step ends the puppet as it would
/// end any process, and `process::exit(reason)` in a step ends it with
/// `reason`. Spawn it as `rt.spawn(rill::testing::puppet, false)`.
inline task<> puppet(bool trap_exit) {
    process::trap_exit(trap_exit);
    for (;;) {
        puppet_command next = co_await process::receive_exact<puppet_command>();
        if (next.run) {
            next.run();
        }
        if (next.take_mailbox != nullptr) {
            while (std::optional<dyn_message> m =
                       co_await process::receive_any(std::chrono::milliseconds(0))) {
                next.take_mailbox->push_back(message_as_term(std::move(*m)));
            }
        }
    }
}

/// Makes puppet `p` run `step`, then runs the deterministic runtime `rt`
/// until idle, so everything the step caused (signals, messages, other
/// processes' reactions) has happened when it returns. When `p` is dead the
/// step is dropped unrun, as any message to a dead pid: check
/// `rt.is_alive(p)` first where that can happen. Throws
/// `deterministic_error` when `rt` is not deterministic.
inline void run_in(runtime& rt, const pid& p, std::function<void()> step) {
    rt.send(p, puppet_command{std::move(step), nullptr});
    rt.run_until_idle();
}

/// Everything queued in puppet `p`'s mailbox, oldest first, taken out of it
/// (as `message_as_term` writes each message); runs `rt` until idle first,
/// like `run_in`. Empty when the mailbox is, and when `p` is dead.
[[nodiscard]] inline std::vector<term> take_mailbox(runtime& rt, const pid& p) {
    std::vector<term> out;
    rt.send(p, puppet_command{{}, &out});
    rt.run_until_idle();
    return out;
}

} // namespace rill::testing
