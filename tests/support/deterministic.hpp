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

} // namespace rill::test
