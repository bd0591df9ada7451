#pragma once

// Small process bodies rill's own semantic tests compose on the
// deterministic runtime. The kit a user gets (deterministic_options,
// collect_all, exit_message, down_message, message_as_term, puppets,
// run_in, take_mailbox) is public: <rill/testing.hpp>, rill::testing.
// Processes and the test body share state through plain pointers, which is
// safe because everything runs on the test thread.

#include <rill/rill.hpp>
#include <rill/testing.hpp>

#include <utility>
#include <vector>

namespace rill::test {

/// A process that does nothing but wait for any message, then returns.
inline task<> wait_for_anything() {
    (void)co_await process::receive_any();
}

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
    co_await testing::collect_all(out);
}

} // namespace rill::test
