// Stress tests of the scheduler on real threads: many processes, work
// stealing, parking, timers, sends from outside threads, two runtimes in one
// OS process. Each test's root process checks everything it was told and
// exits normally only when all checks passed; otherwise it exits with a
// tuple naming the first failed check. More workers than cores on purpose.

#include <rill/rill.hpp>

#include "sched/worker.hpp" // which worker runs a process: evidence of stealing
#include "support/sanitizer_scale.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <latch>
#include <string_view>
#include <thread>
#include <vector>

using namespace rill;

namespace {

using test::scale_down; // smaller loops under ThreadSanitizer

constexpr unsigned stress_workers = 4;

runtime_options stress_options() {
    runtime_options options;
    options.workers = stress_workers;
    return options;
}

// A receive that waits longer than this means a message was lost: fail
// instead of hanging. Never reached by a passing run.
constexpr std::chrono::seconds lost_message_guard{60};

// Ends the calling process with `{What, Values...}`.
[[noreturn]] void fail(std::string_view what, std::initializer_list<std::int64_t> values = {}) {
    std::vector<term> elements{term(atom(what))};
    for (std::int64_t v : values) {
        elements.push_back(term::from_int64(v));
    }
    process::exit(term::tuple(std::move(elements)));
}

unsigned this_worker_index() {
    rill::internal::worker* w = rill::internal::worker::current();
    return w != nullptr ? w->index() : 63U;
}

std::int64_t elapsed_us_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                 start)
        .count();
}

// --- (a) many senders, few receivers ------------------------------------

struct numbered {
    int sender;
    int seq;
};

struct receiver_report {
    int receiver;
    std::int64_t received;
    std::int64_t out_of_order;
    std::int64_t complete_senders;
    bool gave_up;
};

int senders_of(int receiver, int receivers, int senders) {
    return senders / receivers + (receiver < senders % receivers ? 1 : 0);
}

task<> numbered_sender(int sender, pid to, int count) {
    for (int seq = 0; seq < count; ++seq) {
        process::send(to, numbered{sender, seq});
    }
    co_return;
}

task<> ordered_receiver(int index, int receivers, int senders, int per_sender, pid report_to) {
    std::vector<int> next(static_cast<std::size_t>(senders), 0);
    const std::int64_t expected =
        static_cast<std::int64_t>(senders_of(index, receivers, senders)) * per_sender;
    receiver_report report{index, 0, 0, 0, false};
    while (report.received < expected) {
        std::optional<numbered> m = co_await process::receive_exact<numbered>(lost_message_guard);
        if (!m) {
            report.gave_up = true;
            break;
        }
        auto& expected_seq = next[static_cast<std::size_t>(m->sender)];
        if (m->sender % receivers != index || m->seq != expected_seq) {
            ++report.out_of_order;
        }
        expected_seq = m->seq + 1;
        ++report.received;
    }
    for (int s = index; s < senders; s += receivers) {
        report.complete_senders += next[static_cast<std::size_t>(s)] == per_sender ? 1 : 0;
    }
    process::send(report_to, report);
}

task<> fan_in_root(int receivers, int senders, int per_sender) {
    const pid self = process::self();
    std::vector<pid> sinks;
    for (int r = 0; r < receivers; ++r) {
        sinks.push_back(process::spawn(ordered_receiver, r, receivers, senders, per_sender, self));
    }
    for (int s = 0; s < senders; ++s) {
        process::spawn(
            numbered_sender, s, sinks[static_cast<std::size_t>(s % receivers)], per_sender);
    }

    std::vector<bool> reported(static_cast<std::size_t>(receivers), false);
    std::int64_t total = 0;
    for (int r = 0; r < receivers; ++r) {
        std::optional<receiver_report> report =
            co_await process::receive_exact<receiver_report>(lost_message_guard);
        if (!report) {
            fail("receiver_report_missing", {r});
        }
        const int who = report->receiver;
        if (who < 0 || who >= receivers || reported[static_cast<std::size_t>(who)]) {
            fail("unexpected_report", {who});
        }
        reported[static_cast<std::size_t>(who)] = true;
        const int expected_senders = senders_of(who, receivers, senders);
        if (report->gave_up) {
            fail("receiver_lost_messages", {who, report->received});
        }
        if (report->out_of_order != 0) {
            fail("per_sender_order_broken", {who, report->out_of_order});
        }
        if (report->complete_senders != expected_senders ||
            report->received != static_cast<std::int64_t>(expected_senders) * per_sender) {
            fail("receiver_count_wrong", {who, report->received, report->complete_senders});
        }
        total += report->received;
    }
    if (total != static_cast<std::int64_t>(senders) * per_sender) {
        fail("total_wrong", {total});
    }
}

// --- (b) a wide spawn tree --------------------------------------------------

struct ping_back {
    int spawner;
    int child;
    unsigned worker;
};

struct spawner_report {
    int spawner;
    int pings;
    int duplicates;
    int misdelivered;
    std::uint64_t workers_seen; // bit w: a child ran on worker w
    bool gave_up;
};

task<> pinging_leaf(pid parent, int spawner, int child) {
    process::send(parent, ping_back{spawner, child, this_worker_index()});
    co_return;
}

task<> leaf_spawner(int index, int children, pid root) {
    const pid self = process::self();
    for (int c = 0; c < children; ++c) {
        process::spawn(pinging_leaf, self, index, c);
    }
    std::vector<bool> seen(static_cast<std::size_t>(children), false);
    spawner_report report{index, 0, 0, 0, std::uint64_t{1} << this_worker_index(), false};
    while (report.pings < children) {
        std::optional<ping_back> ping =
            co_await process::receive_exact<ping_back>(lost_message_guard);
        if (!ping) {
            report.gave_up = true;
            break;
        }
        ++report.pings;
        if (ping->spawner != index || ping->child < 0 || ping->child >= children) {
            ++report.misdelivered;
            continue;
        }
        if (seen[static_cast<std::size_t>(ping->child)]) {
            ++report.duplicates;
        }
        seen[static_cast<std::size_t>(ping->child)] = true;
        report.workers_seen |= std::uint64_t{1} << ping->worker;
    }
    process::send(root, report);
}

task<> spawn_tree_root(int spawners, int children_each, std::uint64_t* workers_seen) {
    const pid self = process::self();
    for (int s = 0; s < spawners; ++s) {
        process::spawn(leaf_spawner, s, children_each, self);
    }
    std::vector<bool> reported(static_cast<std::size_t>(spawners), false);
    std::uint64_t workers = 0;
    for (int s = 0; s < spawners; ++s) {
        std::optional<spawner_report> report =
            co_await process::receive_exact<spawner_report>(lost_message_guard);
        if (!report) {
            fail("spawner_report_missing", {s});
        }
        if (report->spawner < 0 || report->spawner >= spawners ||
            reported[static_cast<std::size_t>(report->spawner)]) {
            fail("unexpected_spawner_report", {report->spawner});
        }
        reported[static_cast<std::size_t>(report->spawner)] = true;
        if (report->gave_up || report->pings != children_each) {
            fail("pings_lost", {report->spawner, report->pings});
        }
        if (report->duplicates != 0 || report->misdelivered != 0) {
            fail("pings_duplicated_or_misdelivered",
                 {report->spawner, report->duplicates, report->misdelivered});
        }
        workers |= report->workers_seen;
    }
    *workers_seen = workers; // read by the test after run() joined the workers
}

// --- (c) timeouts, send_after and sleep --------------------------------------

enum class timer_kind : int { times_out = 0, message_first = 1, sleeps = 2, peer_reply = 3 };
constexpr int timer_kind_count = 4;

struct echo_request {
    pid from;
    int value;
};

// Answers each request at once; the requester usually waits in a receive
// with an armed timeout by then, so its wake-up (often on this worker, not
// the one that armed the timer) cancels a timer another worker owns.
task<> echo_server() {
    for (;;) {
        echo_request request = co_await process::receive_exact<echo_request>();
        if (request.value < 0) {
            co_return;
        }
        process::send(request.from, request.value);
    }
}

struct timer_outcome {
    int index;
    int kind;
    bool ok;
    std::int64_t elapsed_us;
    std::int64_t wait_ms;
};

task<> timed_process(int index, pid root, pid echo) {
    const auto kind = static_cast<timer_kind>(index % timer_kind_count);
    const int wait_ms = 1 + (index / timer_kind_count) % 5; // 1..5 ms
    const pid self = process::self();
    timer_outcome outcome{index, static_cast<int>(kind), false, 0, wait_ms};
    const auto start = std::chrono::steady_clock::now();
    // The clock ticks in whole milliseconds: allow one tick of rounding.
    const std::int64_t at_least_us = (wait_ms - 1) * 1000;
    switch (kind) {
    case timer_kind::times_out: {
        // Nobody sends to it: the receive must time out, not too early.
        std::optional<int> m =
            co_await process::receive_exact<int>(std::chrono::milliseconds(wait_ms));
        outcome.elapsed_us = elapsed_us_since(start);
        outcome.ok = !m && outcome.elapsed_us >= at_least_us;
        break;
    }
    case timer_kind::message_first: {
        // The message is due a millisecond before the receive's timeout.
        process::send_after(self, index, std::chrono::milliseconds(wait_ms - 1));
        std::optional<int> m =
            co_await process::receive_exact<int>(std::chrono::milliseconds(wait_ms));
        outcome.elapsed_us = elapsed_us_since(start);
        outcome.ok = m.has_value() && *m == index;
        break;
    }
    case timer_kind::sleeps: {
        // A message that arrives while sleeping stays queued.
        process::send_after(self, index, std::chrono::milliseconds(0));
        co_await process::sleep(std::chrono::milliseconds(wait_ms));
        outcome.elapsed_us = elapsed_us_since(start);
        std::optional<int> m = co_await process::receive_exact<int>(std::chrono::milliseconds(0));
        outcome.ok = m.has_value() && *m == index && outcome.elapsed_us >= at_least_us;
        break;
    }
    case timer_kind::peer_reply: {
        // The reply beats a long timeout, which is cancelled (its timer
        // stays on the arming worker's wheel until shutdown releases it).
        process::send(echo, echo_request{self, index});
        std::optional<int> m = co_await process::receive_exact<int>(std::chrono::seconds(10));
        outcome.elapsed_us = elapsed_us_since(start);
        outcome.ok = m.has_value() && *m == index;
        break;
    }
    }
    process::send(root, outcome);
}

task<> timers_root(int count) {
    const pid self = process::self();
    const pid echo = process::spawn(echo_server);
    for (int i = 0; i < count; ++i) {
        process::spawn(timed_process, i, self, echo);
    }
    std::vector<bool> reported(static_cast<std::size_t>(count), false);
    std::vector<int> per_kind(timer_kind_count, 0);
    for (int i = 0; i < count; ++i) {
        std::optional<timer_outcome> outcome =
            co_await process::receive_exact<timer_outcome>(lost_message_guard);
        if (!outcome) {
            fail("timer_outcome_missing", {i});
        }
        if (outcome->index < 0 || outcome->index >= count ||
            reported[static_cast<std::size_t>(outcome->index)]) {
            fail("unexpected_timer_outcome", {outcome->index});
        }
        reported[static_cast<std::size_t>(outcome->index)] = true;
        if (!outcome->ok) {
            fail("timer_check_failed",
                 {outcome->index, outcome->kind, outcome->wait_ms, outcome->elapsed_us});
        }
        ++per_kind[static_cast<std::size_t>(outcome->kind)];
    }
    process::send(echo, echo_request{self, -1});
    for (int k = 0; k < timer_kind_count; ++k) {
        const int expected = count / timer_kind_count + (k < count % timer_kind_count ? 1 : 0);
        if (per_kind[static_cast<std::size_t>(k)] != expected) {
            fail("timer_kind_count_wrong", {k, per_kind[static_cast<std::size_t>(k)]});
        }
    }
}

// Keeps its worker busy, so the worker polls its timers between slices at
// every phase of the millisecond tick instead of parking until a deadline.
task<> busy_yielder(const std::atomic<bool>* stop) {
    while (!stop->load(std::memory_order_relaxed)) {
        co_await process::yield();
    }
}

// Strict variant: `sleep` is documented to suspend for at least its
// duration, and a timeout or a send_after delay is a minimum as well.
task<> early_timeouts_root(int rounds, std::atomic<bool>* stop_yielder) {
    const pid self = process::self();
    process::spawn(busy_yielder, static_cast<const std::atomic<bool>*>(stop_yielder));

    struct stop_on_exit {
        std::atomic<bool>* flag;

        ~stop_on_exit() { flag->store(true, std::memory_order_relaxed); }
    } stop{stop_yielder};

    std::int64_t early_receives = 0;
    std::int64_t early_sleeps = 0;
    std::int64_t early_sends = 0;
    std::int64_t shortest_us = 1'000'000;
    for (int i = 0; i < rounds; ++i) {
        const auto receive_start = std::chrono::steady_clock::now();
        std::optional<int> m = co_await process::receive_exact<int>(std::chrono::milliseconds(1));
        const std::int64_t receive_us = elapsed_us_since(receive_start);
        if (m) {
            fail("unexpected_message", {*m});
        }

        const auto sleep_start = std::chrono::steady_clock::now();
        co_await process::sleep(std::chrono::milliseconds(1));
        const std::int64_t sleep_us = elapsed_us_since(sleep_start);

        const auto send_start = std::chrono::steady_clock::now();
        process::send_after(self, i, std::chrono::milliseconds(1));
        const int got = co_await process::receive_exact<int>();
        const std::int64_t send_us = elapsed_us_since(send_start);
        if (got != i) {
            fail("wrong_message", {i, got});
        }

        early_receives += receive_us < 1000 ? 1 : 0;
        early_sleeps += sleep_us < 1000 ? 1 : 0;
        early_sends += send_us < 1000 ? 1 : 0;
        shortest_us = std::min({shortest_us, receive_us, sleep_us, send_us});
    }
    if (early_receives + early_sleeps + early_sends != 0) {
        fail("completed_before_1ms", {early_receives, early_sleeps, early_sends, shortest_us});
    }
}

// --- (d) sends and spawns from threads that are not workers ----------------

struct tagged {
    int source; // external thread t, or internal sender (offset by `internal_base`)
    int seq;
};

constexpr int internal_base = 1000;

struct sink_report {
    int sink;
    std::int64_t received;
    std::int64_t out_of_order;
    bool gave_up;
};

struct hello {
    int thread;
    int index;
};

struct external_setup {
    std::latch published{1};
    std::vector<pid> sinks; // written by the root before `published` opens
    pid root;
};

task<> mixed_sink(
    int index, int threads, int per_thread, int internal_senders, int per_internal, pid root) {
    const std::int64_t expected = static_cast<std::int64_t>(threads) * per_thread +
                                  static_cast<std::int64_t>(internal_senders) * per_internal;
    std::vector<int> next_external(static_cast<std::size_t>(threads), 0);
    std::vector<int> next_internal(static_cast<std::size_t>(internal_senders), 0);
    sink_report report{index, 0, 0, false};
    while (report.received < expected) {
        std::optional<tagged> m = co_await process::receive_exact<tagged>(lost_message_guard);
        if (!m) {
            report.gave_up = true;
            break;
        }
        ++report.received;
        const bool internal = m->source >= internal_base;
        auto& next = internal ? next_internal : next_external;
        const auto source =
            static_cast<std::size_t>(internal ? m->source - internal_base : m->source);
        if (source >= next.size() || next[source] != m->seq) {
            ++report.out_of_order;
            continue;
        }
        ++next[source];
    }
    process::send(root, report);
}

task<> internal_sender(int index, std::vector<pid> sinks, int count) {
    for (int seq = 0; seq < count; ++seq) {
        for (const pid& sink : sinks) {
            process::send(sink, tagged{internal_base + index, seq});
        }
    }
    co_return;
}

task<> external_root(external_setup* setup,
                     int sinks,
                     int threads,
                     int per_thread,
                     int internal_senders,
                     int per_internal,
                     int hellos) {
    const pid self = process::self();
    setup->root = self;
    for (int s = 0; s < sinks; ++s) {
        setup->sinks.push_back(process::spawn(
            mixed_sink, s, threads, per_thread, internal_senders, per_internal, self));
    }
    std::vector<pid> sink_pids = setup->sinks;
    setup->published.count_down(); // external threads start sending now
    for (int i = 0; i < internal_senders; ++i) {
        process::spawn(internal_sender, i, sink_pids, per_internal);
    }

    std::vector<bool> reported(static_cast<std::size_t>(sinks), false);
    for (int s = 0; s < sinks; ++s) {
        std::optional<sink_report> report =
            co_await process::receive_exact<sink_report>(lost_message_guard);
        if (!report) {
            fail("sink_report_missing", {s});
        }
        if (report->sink < 0 || report->sink >= sinks ||
            reported[static_cast<std::size_t>(report->sink)]) {
            fail("unexpected_sink_report", {report->sink});
        }
        reported[static_cast<std::size_t>(report->sink)] = true;
        if (report->gave_up || report->out_of_order != 0) {
            fail("sink_lost_or_reordered", {report->sink, report->received, report->out_of_order});
        }
    }
    // Processes spawned by the external threads each said hello.
    std::vector<int> hellos_per_thread(static_cast<std::size_t>(threads), 0);
    for (int h = 0; h < threads * hellos; ++h) {
        std::optional<hello> greeting = co_await process::receive_exact<hello>(lost_message_guard);
        if (!greeting) {
            fail("hello_missing", {h});
        }
        if (greeting->thread < 0 || greeting->thread >= threads) {
            fail("unexpected_hello", {greeting->thread});
        }
        ++hellos_per_thread[static_cast<std::size_t>(greeting->thread)];
    }
    for (int t = 0; t < threads; ++t) {
        if (hellos_per_thread[static_cast<std::size_t>(t)] != hellos) {
            fail("hello_count_wrong", {t, hellos_per_thread[static_cast<std::size_t>(t)]});
        }
    }
}

task<> hello_child(pid root, int thread, int index) {
    process::send(root, hello{thread, index});
    co_return;
}

// --- (e) two runtimes side by side ------------------------------------------

struct ping_msg {
    pid from;
    int n;
};

struct pong_msg {
    int n;
};

struct pair_done {
    int pair;
    bool ok;
};

task<> ponger() {
    for (;;) {
        ping_msg p = co_await process::receive_exact<ping_msg>();
        if (p.n < 0) {
            co_return;
        }
        process::send(p.from, pong_msg{p.n + 1});
    }
}

task<> pinger(int pair, int rounds, pid root) {
    const pid partner = process::spawn(ponger);
    const pid self = process::self();
    bool ok = true;
    int n = 0;
    for (int i = 0; i < rounds && ok; ++i) {
        process::send(partner, ping_msg{self, n});
        std::optional<pong_msg> reply =
            co_await process::receive_exact<pong_msg>(lost_message_guard);
        ok = reply.has_value() && reply->n == n + 1;
        n = reply ? reply->n : n;
    }
    process::send(partner, ping_msg{self, -1});
    process::send(root, pair_done{pair, ok && n == rounds});
}

task<> ping_pong_root(int pairs, int rounds) {
    const pid self = process::self();
    for (int p = 0; p < pairs; ++p) {
        process::spawn(pinger, p, rounds, self);
    }
    std::vector<bool> done(static_cast<std::size_t>(pairs), false);
    for (int p = 0; p < pairs; ++p) {
        std::optional<pair_done> d = co_await process::receive_exact<pair_done>(lost_message_guard);
        if (!d) {
            fail("pair_missing", {p});
        }
        if (d->pair < 0 || d->pair >= pairs || done[static_cast<std::size_t>(d->pair)]) {
            fail("unexpected_pair", {d->pair});
        }
        done[static_cast<std::size_t>(d->pair)] = true;
        if (!d->ok) {
            fail("ping_pong_wrong", {d->pair});
        }
    }
}

} // namespace

TEST(SchedulerStress, ManySendersToFewReceiversKeepPerSenderOrderAndLoseNothing) {
    runtime rt(stress_options());

    const term reason = rt.run(fan_in_root, 8, 4000 / scale_down, 250);

    EXPECT_EQ(reason, term(atoms::normal)) << "root exited with " << reason;
    EXPECT_EQ(rt.process_count(), 0U);
}

TEST(SchedulerStress, SpawnTreeOfTwentyThousandProcessesPingsBackFromSeveralWorkers) {
    runtime rt(stress_options());
    std::uint64_t workers_seen = 0;

    const term reason = rt.run(spawn_tree_root, 20, 1000 / scale_down, &workers_seen);

    EXPECT_EQ(reason, term(atoms::normal)) << "root exited with " << reason;
    EXPECT_EQ(rt.process_count(), 0U);
    // Children were spawned onto their spawner's worker: running on others
    // means they were stolen (or spilled to the injector and picked up).
    EXPECT_GE(std::popcount(workers_seen), 2) << "workers seen: " << workers_seen;
}

TEST(SchedulerStress, ReceiveTimeoutsSendAfterSleepAndCancelledTimeoutsAllCompleteAsExpected) {
    runtime rt(stress_options());

    const term reason = rt.run(timers_root, 2000 / scale_down);

    EXPECT_EQ(reason, term(atoms::normal)) << "root exited with " << reason;
    EXPECT_EQ(rt.process_count(), 0U);
}

TEST(SchedulerStress, TimeoutsSleepsAndSendAfterNeverCompleteBeforeTheirDuration) {
    // One worker, shared with a process that keeps yielding: timers are
    // polled between slices, at any phase of the millisecond.
    runtime_options options;
    options.workers = 1;
    runtime rt(options);
    std::atomic<bool> stop_yielder{false};

    const term reason = rt.run(early_timeouts_root, 50, &stop_yielder);

    EXPECT_EQ(reason, term(atoms::normal)) << "root exited with " << reason;
}

TEST(SchedulerStress, ExternalThreadsSendAndSpawnConcurrentlyWithWorkers) {
    constexpr int sinks = 4;
    constexpr int threads = 3;
    constexpr int per_thread = 20'000 / scale_down;
    constexpr int internal_senders = 4;
    constexpr int per_internal = 5'000 / scale_down;
    constexpr int hellos = 200 / scale_down;
    runtime rt(stress_options());
    external_setup setup;
    std::vector<std::thread> outside;
    for (int t = 0; t < threads; ++t) {
        outside.emplace_back([&rt, &setup, t] {
            setup.published.wait();
            for (int seq = 0; seq < per_thread; ++seq) {
                for (const pid& sink : setup.sinks) {
                    rt.send(sink, tagged{t, seq});
                }
                if (seq % (per_thread / hellos) == 0 && seq / (per_thread / hellos) < hellos) {
                    rt.spawn(hello_child, setup.root, t, seq);
                }
            }
        });
    }

    const term reason = rt.run(
        external_root, &setup, sinks, threads, per_thread, internal_senders, per_internal, hellos);
    for (std::thread& thread : outside) {
        thread.join();
    }

    EXPECT_EQ(reason, term(atoms::normal)) << "root exited with " << reason;
    EXPECT_EQ(rt.process_count(), 0U);
}

TEST(SchedulerStress, TwoRuntimesSideBySideEachRunTheirOwnPingPong) {
    static constexpr int pairs = 8;
    static constexpr int rounds = 20'000 / scale_down;
    term reasons[2];
    std::size_t left_over[2] = {1, 1};
    std::vector<std::thread> hosts;

    for (int r = 0; r < 2; ++r) {
        hosts.emplace_back([&reasons, &left_over, r] {
            runtime rt(stress_options());
            reasons[r] = rt.run(ping_pong_root, pairs, rounds);
            left_over[r] = rt.process_count();
        });
    }
    for (std::thread& host : hosts) {
        host.join();
    }

    for (int r = 0; r < 2; ++r) {
        EXPECT_EQ(reasons[r], term(atoms::normal)) << "runtime " << r << ": " << reasons[r];
        EXPECT_EQ(left_over[r], 0U) << "runtime " << r;
    }
}
