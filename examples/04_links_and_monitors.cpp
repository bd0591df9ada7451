// 04 — links and monitors: let it crash, and let others notice.
//
// A link ties two processes' fates: when one dies abnormally, the other dies
// with the same reason — unless it traps exits, in which case the death
// arrives as an exit_signal message. A monitor only observes: it delivers a
// down_signal with the reason, once, and never kills the watcher.

#include <rill/rill.hpp>

#include <iostream>
#include <stdexcept>

using namespace rill;

task<> worker(int job) {
    if (job == 3) {
        throw std::runtime_error("job 3 is cursed");
    }
    (void)co_await process::receive_exact<atom>(); // wait for `stop`
}

task<> doomed_partner() {
    (void)co_await process::receive_any();
}

task<> root() {
    // A supervisor-like process traps exits and links to its workers.
    process::trap_exit(true);
    pid crashing = process::spawn_link(worker, 3);
    auto exit = co_await process::receive<atom>();
    auto& signal = std::get<exit_signal>(exit);
    std::cout << "linked worker " << signal.from << " died: " << signal.reason << "\n";

    // A monitor reports the end of a process, with its reason.
    auto [watched, ref] = process::spawn_monitor(worker, 7);
    process::send(watched, atom("stop"));
    auto down = co_await process::receive<atom>();
    auto& d = std::get<down_signal>(down);
    std::cout << "monitored worker " << d.object << " ended: " << d.reason << "\n";

    // exit/2 with `kill` cannot be trapped: the victim ends with `killed`,
    // and the link reports that reason back to us.
    pid victim = process::spawn_link(doomed_partner);
    process::exit(victim, atom("kill"));
    auto killed = co_await process::receive<atom>();
    std::cout << "killed partner reported: " << std::get<exit_signal>(killed).reason << "\n";

    bool ok = signal.from == crashing && d.ref == ref && d.reason == term(atoms::normal) &&
              std::get<exit_signal>(killed).reason == term(atoms::killed);
    if (!ok) {
        process::exit(term(atom("unexpected")));
    }
}

int main() {
    runtime rt;
    term reason = rt.run(root);
    return reason == term(atoms::normal) ? 0 : 1;
}
