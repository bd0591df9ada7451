// An application's own test, written with rill's test kit and no test
// framework: built by the consumer tests against an installed rill
// (find_package, pkg-config) and against the source tree (add_subdirectory),
// with warnings as errors. Exit status 0 means every check held.
#include <rill/rill.hpp>
#include <rill/testing.hpp>

#include <chrono>
#include <cstdio>
#include <vector>

namespace {

int failures = 0;

void check(bool holds, const char* what) {
    if (!holds) {
        std::fprintf(stderr, "consumer_testing: failed: %s\n", what);
        ++failures;
    }
}

// The process under test: answers each `int` with its double, after 10 ms.
rill::task<> doubler(rill::pid reply_to) {
    for (;;) {
        int n = co_await rill::process::receive_exact<int>();
        co_await rill::process::sleep(std::chrono::milliseconds(10));
        rill::process::send(reply_to, 2 * n);
    }
}

void doubler_answers_after_its_delay() {
    std::vector<rill::term> got;
    rill::runtime rt(rill::testing::deterministic_options(7));
    rill::pid sink = rt.spawn(rill::testing::collect_all, &got);
    rill::pid p = rt.spawn(doubler, sink);

    rt.send(p, 21);
    rt.advance(std::chrono::milliseconds(9));
    check(got.empty(), "nothing is answered before the delay");
    rt.advance(std::chrono::milliseconds(1));
    check(got == std::vector<rill::term>{42}, "the double arrives at 10 ms");
}

void a_trapping_puppet_sees_its_linked_peer_die() {
    rill::runtime rt(rill::testing::deterministic_options());
    rill::pid watcher = rt.spawn(rill::testing::puppet, true);
    rill::pid peer = rt.spawn(rill::testing::puppet, false);
    rt.run_until_idle();

    rill::testing::run_in(rt, watcher, [&] { rill::process::link(peer); });
    rill::testing::run_in(rt, peer, [] { rill::process::exit(rill::atom("boom")); });

    check(!rt.is_alive(peer), "the peer ended");
    check(rill::testing::take_mailbox(rt, watcher) ==
              std::vector<rill::term>{rill::testing::exit_message(peer, rill::atom("boom"))},
          "the watcher holds {'EXIT', Peer, boom}");
}

} // namespace

int main() {
    doubler_answers_after_its_delay();
    a_trapping_puppet_sees_its_linked_peer_die();
    return failures == 0 ? 0 : 1;
}
