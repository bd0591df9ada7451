#pragma once

// Helpers for tests on the deterministic runtime: one thread, virtual time,
// seeded interleavings. Processes and the test body share state through
// plain pointers, which is safe because everything runs on the test thread.

#include <rill/rill.hpp>

#include <cstdint>
#include <vector>

namespace rill::test {

inline runtime_options deterministic_options(std::uint64_t seed = 1) {
    runtime_options options;
    options.deterministic = true;
    options.seed = seed;
    return options;
}

/// A process that appends every message it receives, as a term, to `*out`.
inline task<> collect_all(std::vector<term>* out) {
    for (;;) {
        dyn_message m = co_await process::receive_any();
        if (auto* t = std::get_if<term>(&m)) {
            out->push_back(*t);
        } else if (auto* e = std::get_if<exit_signal>(&m)) {
            out->push_back(term::tuple({term(atoms::EXIT), term(e->from), e->reason}));
        } else {
            auto& d = std::get<down_signal>(m);
            out->push_back(term::tuple({term(atoms::DOWN), term(d.ref), d.object, d.reason}));
        }
    }
}

/// A process that does nothing but wait for any message, then returns.
inline task<> wait_for_anything() {
    (void)co_await process::receive_any();
}

/// What `collect_all` records for a trapped exit and for a fired monitor.
inline term exit_message(const pid& from, term reason) {
    return term::tuple({term(atoms::EXIT), term(from), std::move(reason)});
}

inline term down_message(const reference& ref, term object, term reason) {
    return term::tuple({term(atoms::DOWN), term(ref), std::move(object), std::move(reason)});
}

// Small process bodies the semantic tests compose.

inline task<> returns_at_once() {
    co_return;
}

inline task<> exits_with(term reason) {
    process::exit(std::move(reason));
    co_return;
}

/// Waits for one message and exits with it as the reason.
inline task<> exit_on_message() {
    term reason = co_await process::receive_exact<term>();
    process::exit(reason);
}

inline task<> send_exit(pid to, term reason) {
    process::exit(to, std::move(reason));
    co_return;
}

inline task<> monitor_then_collect(pid target, reference* ref, std::vector<term>* out) {
    *ref = process::monitor(target);
    co_await collect_all(out);
}

} // namespace rill::test
