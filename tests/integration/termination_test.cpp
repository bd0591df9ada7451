// Cross-cutting invariants of termination: S67 (termination order) and S68
// (signals to a dead process) of SEMANTICS.md, on the deterministic runtime.

#include <rill/testing.hpp>

#include "support/deterministic.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <exception>
#include <optional>
#include <stdexcept>
#include <vector>

namespace rill {
namespace {

using test::exit_on_message;
using test::monitor_then_collect;
using test::returns_at_once;

using testing::collect_all;
using testing::deterministic_options;
using testing::down_message;
using testing::exit_message;
using testing::puppet;
using testing::run_in;
using testing::take_mailbox;

task<> link_then_collect(pid to, bool trap, std::vector<term>* out) {
    process::trap_exit(trap);
    process::link(to);
    co_await collect_all(out);
}

// ---- S67 -------------------------------------------------------------------

struct destructor_probe {
    int* destroyed;

    explicit destructor_probe(int* counter)
        : destroyed(counter) {}

    destructor_probe(const destructor_probe&) = delete;
    destructor_probe& operator=(const destructor_probe&) = delete;

    ~destructor_probe() { ++*destroyed; }
};

task<> count_numbers(int* handled, int* destroyed) {
    destructor_probe probe(destroyed);
    for (;;) {
        (void)co_await process::receive_exact<int>();
        ++*handled;
    }
}

task<> kill_then_send(pid victim) {
    process::exit(victim, term(atoms::kill));
    process::send(victim, 2);
    co_return;
}

TEST(Termination, S67AnEndedProcessRunsNoMoreCode) {
    runtime rt(deterministic_options());
    int handled = 0;
    int destroyed = 0;
    pid p = rt.spawn(count_numbers, &handled, &destroyed);
    rt.send(p, 1);
    rt.run_until_idle();
    ASSERT_EQ(handled, 1);

    rt.spawn(kill_then_send, p);
    rt.run_until_idle();

    EXPECT_EQ(rt.exit_reason_of(p), term(atoms::killed));
    EXPECT_EQ(handled, 1);   // the message sent after the kill was never handled
    EXPECT_EQ(destroyed, 1); // its frame is gone
}

/// What a watcher saw about the dying process's name when it heard of the
/// death (through a link or a monitor).
struct seen_at_death {
    std::optional<term> signal;
    std::optional<pid> holder;
    bool listed = true;
};

task<> watch_and_note_name(pid target, atom name, bool by_link, seen_at_death* seen) {
    if (by_link) {
        process::trap_exit(true);
        process::link(target);
    } else {
        (void)process::monitor(target);
    }
    dyn_message m = co_await process::receive_any();
    seen->signal = testing::message_as_term(std::move(m));
    seen->holder = process::whereis(name);
    std::vector<atom> names = process::registered();
    seen->listed = std::find(names.begin(), names.end(), name) != names.end();
}

TEST(Termination, S67TheNameIsReleasedBeforeLinksAndMonitorsHearOfTheDeath) {
    runtime rt(deterministic_options());
    pid driver = rt.spawn(puppet, false);
    pid p = rt.spawn(exit_on_message);
    rt.run_until_idle();
    run_in(rt, driver, [&] { process::register_name(p, atom("n")); });
    seen_at_death by_link;
    seen_at_death by_monitor;
    rt.spawn(watch_and_note_name, p, atom("n"), true, &by_link);
    rt.spawn(watch_and_note_name, p, atom("n"), false, &by_monitor);
    rt.run_until_idle();

    rt.send(p, atom("r"));
    rt.run_until_idle();

    ASSERT_TRUE(by_link.signal.has_value());
    ASSERT_TRUE(by_monitor.signal.has_value());
    EXPECT_EQ(by_link.signal->elements()[0], term(atoms::EXIT));
    EXPECT_EQ(by_monitor.signal->elements()[0], term(atoms::DOWN));
    EXPECT_EQ(by_link.holder, std::nullopt);
    EXPECT_FALSE(by_link.listed);
    EXPECT_EQ(by_monitor.holder, std::nullopt);
    EXPECT_FALSE(by_monitor.listed);
}

TEST(Termination, S67EveryLinkAndMonitorCarriesTheFinalReason) {
    runtime rt(deterministic_options());
    term reason = term::tuple({term(atom("final")), term(67)});
    std::vector<term> a1_got, a2_got, b_got, m1_got, m2_got;
    reference m1_ref;
    reference m2_ref;
    pid p = rt.spawn(exit_on_message);
    rt.spawn(link_then_collect, p, true, &a1_got);
    rt.spawn(link_then_collect, p, true, &a2_got);
    pid b = rt.spawn(link_then_collect, p, false, &b_got);
    rt.spawn(monitor_then_collect, p, &m1_ref, &m1_got);
    rt.spawn(monitor_then_collect, p, &m2_ref, &m2_got);
    rt.run_until_idle();

    rt.send(p, reason);
    rt.run_until_idle();

    EXPECT_EQ(a1_got, std::vector<term>{exit_message(p, reason)});
    EXPECT_EQ(a2_got, std::vector<term>{exit_message(p, reason)});
    EXPECT_EQ(rt.exit_reason_of(b), reason);
    EXPECT_EQ(m1_got, std::vector<term>{down_message(m1_ref, p, reason)});
    EXPECT_EQ(m2_got, std::vector<term>{down_message(m2_ref, p, reason)});
}

/// Waits for `go`, sends `last` to each of `*to`, then exits with `done`.
task<> send_last_words_then_exit(const std::vector<pid>* to) {
    (void)co_await process::receive_exact<term>();
    for (const pid& watcher : *to) {
        process::send(watcher, atom("last"));
    }
    process::exit(term(atom("done")));
}

TEST(Termination, S67MessagesSentBeforeDyingStayAheadOfTheExitAndTheDown) {
    runtime rt(deterministic_options());
    std::vector<pid> watchers;
    std::vector<term> a_got;
    std::vector<term> m_got;
    reference m_ref;
    pid p = rt.spawn(send_last_words_then_exit, &watchers);
    watchers.push_back(rt.spawn(link_then_collect, p, true, &a_got));
    watchers.push_back(rt.spawn(monitor_then_collect, p, &m_ref, &m_got));
    rt.run_until_idle();

    rt.send(p, atom("go"));
    rt.run_until_idle();

    EXPECT_EQ(a_got, (std::vector<term>{term(atom("last")), exit_message(p, term(atom("done")))}));
    EXPECT_EQ(m_got,
              (std::vector<term>{term(atom("last")), down_message(m_ref, p, term(atom("done")))}));
}

// ---- S68 -------------------------------------------------------------------

task<> signal_the_dead(pid dead) {
    process::send(dead, atom("hello"));
    process::exit(dead, term(atom("boom")));
    process::exit(dead, term(atoms::kill));
    co_return;
}

TEST(Termination, S68MessagesAndExitSignalsToADeadProcessAreDropped) {
    runtime rt(deterministic_options());
    pid dead = rt.spawn(returns_at_once);
    rt.run_until_idle();
    std::vector<term> later_got;
    pid later = rt.spawn(collect_all, &later_got); // may take the dead one's slot
    rt.run_until_idle();

    pid sender = rt.spawn(signal_the_dead, dead);
    rt.run_until_idle();

    EXPECT_EQ(rt.exit_reason_of(sender), term(atoms::normal));
    EXPECT_TRUE(rt.is_alive(later));
    EXPECT_TRUE(later_got.empty());
    EXPECT_EQ(rt.process_count(), 1U);
}

TEST(Termination, S68ALinkRequestToADeadProcessAnswersWithANoprocExit) {
    runtime rt(deterministic_options());
    pid a = rt.spawn(puppet, true);
    pid dead = rt.spawn(returns_at_once);
    rt.run_until_idle();

    run_in(rt, a, [&] { process::link(dead); });

    EXPECT_EQ(take_mailbox(rt, a), std::vector<term>{exit_message(dead, term(atoms::noproc))});
}

TEST(Termination, S68AMonitorRequestToADeadProcessAnswersWithADownNoproc) {
    runtime rt(deterministic_options());
    pid a = rt.spawn(puppet, false);
    pid dead = rt.spawn(returns_at_once);
    rt.run_until_idle();
    reference ref;

    run_in(rt, a, [&] { ref = process::monitor(dead); });

    EXPECT_EQ(take_mailbox(rt, a), std::vector<term>{down_message(ref, dead, term(atoms::noproc))});
}

TEST(Termination, S68UnlinkAndDemonitorToADeadProcessAreDropped) {
    runtime rt(deterministic_options());
    pid a = rt.spawn(puppet, true);
    pid dead = rt.spawn(returns_at_once);
    rt.run_until_idle();
    reference ref;
    run_in(rt, a, [&] { ref = process::monitor(dead); }); // fires noproc at once
    std::vector<term> down = take_mailbox(rt, a);
    bool returned = false;

    run_in(rt, a, [&] {
        process::unlink(dead);
        (void)process::demonitor(ref);
        returned = true;
    });

    EXPECT_EQ(down, std::vector<term>{down_message(ref, dead, term(atoms::noproc))});
    EXPECT_TRUE(returned);
    EXPECT_TRUE(take_mailbox(rt, a).empty());
    EXPECT_TRUE(rt.is_alive(a));
}

// A link or monitor request that reaches a process after the exit signal
// that ends it (same sender, so in that order: appendix 3) reaches a dead
// process and must be answered like S32 / S55. BEAM answers the requests
// still queued when a process exits with reason noproc
// (erts_proc_sig_handle_exit).

TEST(Termination, S68ALinkRequestQueuedBehindAFatalExitSignalAnswersNoproc) {
    runtime rt(deterministic_options());
    std::vector<term> b_got;
    pid a = rt.spawn(puppet, true);
    pid b = rt.spawn(collect_all, &b_got);
    rt.run_until_idle();

    run_in(rt, a, [&] {
        process::exit(b, term(atom("boom")));
        process::link(b);
    });

    EXPECT_EQ(rt.exit_reason_of(b), term(atom("boom")));
    EXPECT_EQ(take_mailbox(rt, a), std::vector<term>{exit_message(b, term(atoms::noproc))});
}

TEST(Termination, S68AMonitorRequestQueuedBehindAFatalExitSignalAnswersDownNoproc) {
    runtime rt(deterministic_options());
    std::vector<term> b_got;
    pid a = rt.spawn(puppet, false);
    pid b = rt.spawn(collect_all, &b_got);
    rt.run_until_idle();
    reference ref;

    run_in(rt, a, [&] {
        process::exit(b, term(atom("boom")));
        ref = process::monitor(b);
    });

    EXPECT_EQ(rt.exit_reason_of(b), term(atom("boom")));
    EXPECT_EQ(take_mailbox(rt, a), std::vector<term>{down_message(ref, b, term(atoms::noproc))});
}

std::exception_ptr thrown(auto make) {
    try {
        make();
    } catch (...) {
        return std::current_exception();
    }
    return nullptr;
}

TEST(Termination, ExitReasonOfAnExceptionIsTheReasonItWouldEndAProcessWith) {
    runtime rt(deterministic_options());
    const pid ends_by_exit = rt.spawn(test::exits_with, term(atom("boom")));
    rt.run_until_idle();

    EXPECT_EQ(process::exit_reason(thrown([] { process::exit(atom("boom")); })),
              rt.exit_reason_of(ends_by_exit));
    EXPECT_EQ(process::exit_reason(thrown([] { throw badarg("x"); })), term(atoms::badarg));
    EXPECT_EQ(process::exit_reason(thrown([] { throw std::runtime_error("oops"); })),
              term::tuple_of(atom("exception"), atom("std::runtime_error"), "oops"));
    EXPECT_EQ(process::exit_reason(thrown([] { throw 42; })),
              term::tuple_of(atom("exception"), atom("int"), ""));
}

} // namespace
} // namespace rill
