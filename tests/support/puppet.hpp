#pragma once

// A process the test drives one step at a time, for semantic tests on the
// deterministic runtime. It runs each `command` sent to it inside itself
// (so the step calls link, unlink, monitor, register_name... as that
// process), and leaves every other message in its mailbox until a command
// asks for them: trapped EXITs and DOWNs stay queued exactly as the runtime
// put them there, which is what S34, S59 and S60 need to observe.

#include "support/deterministic.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

namespace rill::test {

/// One step for a puppet: run `run` (if set) inside the puppet, then, if
/// `take_mailbox` is set, move every message queued in the puppet's
/// mailbox there, oldest first (EXIT and DOWN as collect_all writes them).
struct command {
    std::function<void()> run;
    std::vector<term>* take_mailbox = nullptr;
};

/// A received message as a term: payloads as they are, EXIT as
/// `{'EXIT', From, Reason}`, DOWN as `{'DOWN', Ref, Object, Reason}`.
inline term message_as_term(dyn_message m) {
    if (auto* payload = std::get_if<term>(&m)) {
        return std::move(*payload);
    }
    if (auto* e = std::get_if<exit_signal>(&m)) {
        return term::tuple({term(atoms::EXIT), term(e->from), e->reason});
    }
    auto& d = std::get<down_signal>(m);
    return term::tuple({term(atoms::DOWN), term(d.ref), d.object, d.reason});
}

/// The puppet's body. Only `command` payloads are received while it
/// waits; an exception escaping a step ends the puppet as it would end any
/// process (`process::exit(r)` in a step ends it with `r`).
inline task<> puppet(bool trap_exit) {
    process::trap_exit(trap_exit);
    for (;;) {
        command next = co_await process::receive_exact<command>();
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

/// Makes `p` run `step` and runs the node until idle.
inline void run_in(runtime& rt, const pid& p, std::function<void()> step) {
    rt.send(p, command{std::move(step), nullptr});
    rt.run_until_idle();
}

/// Everything queued in puppet `p`'s mailbox, taken out of it.
inline std::vector<term> take_mailbox(runtime& rt, const pid& p) {
    std::vector<term> out;
    rt.send(p, command{{}, &out});
    rt.run_until_idle();
    return out;
}

} // namespace rill::test
