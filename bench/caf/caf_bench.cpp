// caf_bench: the CAF 0.17 side of the workloads in BENCHMARKS.md, with the
// same workload names, parameters and RESULT keys as bench/rill_bench.cpp.
//
//   caf_bench [--workers N] [--policy stealing|sharing] [--eager-spawn]
//             <workload> <params...>
//
// --workers sets `scheduler.max-threads` (default 2), --policy sets
// `scheduler.policy` (default stealing, CAF's default). Each run is one
// workload in a fresh OS process. A coordinator actor, an event-based actor on
// CAF's own scheduler like every other actor here, drives it, times only the
// measured section with steady_clock, checks the result and prints
//
//   RESULT sys=caf bench=<name> workers=<N> policy=<P> <params> <measures>
//
// Exit status: 0 on success; 1 when a check fails (the reason goes to stderr,
// no RESULT line); 64 for bad arguments.
//
// How the workloads map onto CAF, written as CAF's own benchmarks
// (actor-framework/benchmarks) write them:
// - every actor is event-based (`behavior f(event_based_actor*, ...)`,
//   `stateful_actor<State>` where it keeps state); the coordinator too, so no
//   actor runs on a thread of its own;
// - an actor that does nothing before its first message (spawn's children,
//   ring nodes, pong, fan-in senders, the call server) is spawned with
//   `lazy_init`: CAF does not schedule it until a message arrives.
//   `--eager-spawn` drops that flag. The link-storm workers and the
//   monitored actor report `ready` first, as rill_bench's do, so they run;
// - an Erlang pid is a `caf::actor` handle, an atom an `atom_constant`, an
//   integer an `int` (`int64_t` in skynet);
// - link storm: the coordinator sets an exit handler (CAF's trap_exit),
//   spawns the workers with `spawn<linked>`, ends them with
//   `anon_send_exit(w, exit_reason::user_shutdown)` (see linkstorm_coordinator
//   for why not `send_exit(w, kill)`) and counts the `exit_msg`s;
// - monitor: `monitor(a)` then `demonitor(a)` of one live idle actor;
// - selective receive: see selective_coordinator.

#include <algorithm>
#include <caf/all.hpp>
#include <chrono>
#include <cinttypes>
#include <climits>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using steady = std::chrono::steady_clock;

using go_atom = caf::atom_constant<caf::atom("go")>;
using done_atom = caf::atom_constant<caf::atom("done")>;
using settle_atom = caf::atom_constant<caf::atom("settle")>;
using check_atom = caf::atom_constant<caf::atom("check")>;
using next_atom = caf::atom_constant<caf::atom("next")>;
using lap_done_atom = caf::atom_constant<caf::atom("lap_done")>;
using call_atom = caf::atom_constant<caf::atom("call")>;
using drain_atom = caf::atom_constant<caf::atom("drain")>;
using ready_atom = caf::atom_constant<caf::atom("ready")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;

constexpr int exit_check_failed = 1;
constexpr int exit_usage = 64;

// Settings of this run; set once by main before the actor system starts.
unsigned workers_in_use = 2;
std::string policy_in_use = "stealing";
bool eager_spawn = false;
bool urgent_calls = true;

double ns_between(steady::time_point start, steady::time_point end) {
    return static_cast<double>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
}

long resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    long pages = 0;
    long resident = 0;
    statm >> pages >> resident;
    return resident * sysconf(_SC_PAGESIZE);
}

/// Prints the `RESULT` line: the prefix, then `format` (space-separated key=value pairs).
[[gnu::format(printf, 2, 3)]] void print_result(const char* bench, const char* format, ...) {
    std::printf("RESULT sys=caf bench=%s workers=%u policy=%s ",
                bench,
                workers_in_use,
                policy_in_use.c_str());
    std::va_list values;
    va_start(values, format);
    std::vprintf(format, values);
    va_end(values);
    std::printf("\n");
    std::fflush(stdout);
}

/// A failed check ends the program at once: the reason goes to stderr and the
/// exit status is 1 (waiting for a broken workload's actors to end could hang).
[[noreturn]] void fail(const std::string& what) {
    std::cerr << "caf_bench: check failed: " << what << std::endl;
    std::fflush(stdout);
    std::_Exit(exit_check_failed);
}

/// Spawns an actor that waits for its first message, lazily unless --eager-spawn.
template <class Parent, class F, class... Ts>
caf::actor spawn_waiting(Parent* parent, F fun, Ts&&... xs) {
    if (eager_spawn) {
        return parent->spawn(fun, std::forward<Ts>(xs)...);
    }
    return parent->template spawn<caf::lazy_init>(fun, std::forward<Ts>(xs)...);
}

/// Any message the coordinator does not expect fails the run.
template <class Self>
void fail_on_unexpected(Self* self, const char* bench) {
    self->set_default_handler(
        [bench](caf::scheduled_actor*, caf::message_view& x) -> caf::result<caf::message> {
            fail(std::string(bench) + ": unexpected message " + caf::to_string(x.content()));
        });
    self->set_down_handler([bench](caf::scheduled_actor*, caf::down_msg& x) {
        fail(std::string(bench) + ": unexpected " + caf::to_string(x));
    });
}

/// The coordinator's last behavior: it checks, untimed, that no stray or
/// duplicated message arrives within 1 ms (as rill_bench does; anything else
/// reaches the default handler set by fail_on_unexpected), then `print` runs
/// and the coordinator ends.
template <class Self, class Print>
caf::behavior final_check(Self* self, Print print) {
    self->delayed_send(self, std::chrono::milliseconds(1), check_atom::value);
    return {[=](check_atom) {
        print();
        self->quit();
    }};
}

/// Switches the coordinator to final_check (from a message handler).
template <class Self, class Print>
void finish(Self* self, Print print) {
    self->become(final_check(self, print));
}

// 1. spawn N: spawn N children keeping every handle; each waits for `go`,
// replies `done`, exits.

caf::behavior spawn_child(caf::event_based_actor* self, caf::actor parent) {
    return {[=](go_atom) {
        self->send(parent, done_atom::value);
        self->quit();
    }};
}

struct spawn_state {
    std::vector<caf::actor> children; // kept, as the workload says: counted in the RSS delta
    long rss_before = 0;
    long rss_after = 0;
    steady::time_point spawn_start, spawn_end, message_start, message_end;
    int replies = 0;
};

caf::behavior spawn_coordinator(caf::stateful_actor<spawn_state>* self, int count) {
    fail_on_unexpected(self, "spawn");
    auto& st = self->state;
    st.children.reserve(static_cast<std::size_t>(count));
    caf::actor me = caf::actor_cast<caf::actor>(self);
    st.rss_before = resident_bytes();
    st.spawn_start = steady::now();
    for (int i = 0; i < count; ++i) {
        st.children.push_back(spawn_waiting(self, spawn_child, me));
    }
    st.spawn_end = steady::now();
    // Untimed settle: every child is spawned and idle.
    self->delayed_send(self, std::chrono::seconds(1), settle_atom::value);
    return {
        [=](settle_atom) {
            auto& s = self->state;
            s.rss_after = resident_bytes();
            s.message_start = steady::now();
            for (const caf::actor& child : s.children) {
                self->send(child, go_atom::value);
            }
        },
        [=](done_atom) {
            auto& s = self->state;
            if (++s.replies < count) {
                return;
            }
            s.message_end = steady::now();
            double spawn_ms = ns_between(s.spawn_start, s.spawn_end) / 1e6;
            double message_ms = ns_between(s.message_start, s.message_end) / 1e6;
            long per_process = (s.rss_after - s.rss_before) / count;
            finish(self, [=] {
                print_result("spawn",
                             "n=%d spawn_ms=%.1f msg_exit_ms=%.1f total_ms=%.1f "
                             "rss_bytes_per_proc=%ld",
                             count,
                             spawn_ms,
                             message_ms,
                             spawn_ms + message_ms,
                             per_process);
            });
        },
    };
}

// 2. skynet LEAVES FANOUT: a tree of actors sums the numbers of its leaves.

struct skynet_state {
    std::int64_t sum = 0;
    std::int64_t pending = 0;
};

caf::behavior skynet_node(caf::stateful_actor<skynet_state>* self,
                          caf::actor parent,
                          std::int64_t num,
                          std::int64_t size,
                          std::int64_t fanout) {
    if (size == 1) {
        self->send(parent, num);
        return {}; // no behavior: the actor ends
    }
    std::int64_t child_size = size / fanout;
    caf::actor me = caf::actor_cast<caf::actor>(self);
    for (std::int64_t i = 0; i < fanout; ++i) {
        self->spawn(skynet_node, me, num + i * child_size, child_size, fanout);
    }
    self->state.pending = fanout;
    return {[=](std::int64_t x) {
        auto& s = self->state;
        s.sum += x;
        if (--s.pending == 0) {
            self->send(parent, s.sum);
            self->quit();
        }
    }};
}

caf::behavior skynet_coordinator(caf::event_based_actor* self, int leaves, int fanout) {
    fail_on_unexpected(self, "skynet");
    auto start = steady::now();
    self->spawn(skynet_node,
                caf::actor_cast<caf::actor>(self),
                std::int64_t{0},
                std::int64_t{leaves},
                std::int64_t{fanout});
    return {[=](std::int64_t sum) {
        auto end = steady::now();
        std::int64_t expected = std::int64_t{leaves} * (leaves - 1) / 2;
        if (sum != expected) {
            fail("skynet: sum " + std::to_string(sum) + ", expected " + std::to_string(expected));
        }
        finish(self, [=] {
            print_result("skynet",
                         "leaves=%d fanout=%d result=%" PRId64 " total_ms=%.1f",
                         leaves,
                         fanout,
                         sum,
                         ns_between(start, end) / 1e6);
        });
    }};
}

// 3. pingpong M: ping (the coordinator) sends 1, pong echoes every integer,
// ping sends i+1 until M; 0 stops pong after the measured section.

caf::behavior pong(caf::event_based_actor* self, caf::actor ping) {
    return {[=](int n) {
        if (n == 0) {
            self->quit();
            return;
        }
        self->send(ping, n);
    }};
}

struct pingpong_state {
    caf::actor partner;
    int expected = 1;
    steady::time_point start;
};

caf::behavior pingpong_coordinator(caf::stateful_actor<pingpong_state>* self, int rounds) {
    fail_on_unexpected(self, "pingpong");
    self->state.partner = spawn_waiting(self, pong, caf::actor_cast<caf::actor>(self));
    self->state.start = steady::now();
    self->send(self->state.partner, 1);
    return {[=](int n) {
        auto& s = self->state;
        if (n != s.expected) {
            fail("pingpong: got " + std::to_string(n) + ", expected " + std::to_string(s.expected));
        }
        if (n < rounds) {
            ++s.expected;
            self->send(s.partner, n + 1);
            return;
        }
        double ns = ns_between(s.start, steady::now());
        self->send(s.partner, 0);
        finish(self, [=] {
            print_result("pingpong",
                         "m=%d total_ms=%.1f rtt_ns=%.1f msgs_per_s=%.0f",
                         rounds,
                         ns / 1e6,
                         ns / rounds,
                         2.0 * rounds / (ns / 1e9));
        });
    }};
}

// 4. ring N LAPS: node i forwards h-1 to node i+1 (the last to the first); the
// node that receives 0 tells the coordinator; a negative token is passed on
// and stops each node.

caf::behavior ring_node(caf::event_based_actor* self, caf::actor coordinator) {
    return {[=](next_atom, const caf::actor& next) {
        self->become([=](int hops) {
            if (hops > 0) {
                self->send(next, hops - 1);
            } else if (hops == 0) {
                self->send(coordinator, lap_done_atom::value);
            } else {
                self->send(next, hops);
                self->quit();
            }
        });
    }};
}

struct ring_state {
    std::vector<caf::actor> nodes;
    double setup_ms = 0;
    bool warm = false;
    steady::time_point start;
};

caf::behavior ring_coordinator(caf::stateful_actor<ring_state>* self, int size, int laps) {
    fail_on_unexpected(self, "ring");
    auto& st = self->state;
    caf::actor me = caf::actor_cast<caf::actor>(self);
    auto setup_start = steady::now();
    st.nodes.reserve(static_cast<std::size_t>(size));
    for (int i = 0; i < size; ++i) {
        st.nodes.push_back(spawn_waiting(self, ring_node, me));
    }
    for (int i = 0; i < size; ++i) {
        self->send(st.nodes[static_cast<std::size_t>(i)],
                   next_atom::value,
                   st.nodes[static_cast<std::size_t>((i + 1) % size)]);
    }
    st.setup_ms = ns_between(setup_start, steady::now()) / 1e6;
    self->send(st.nodes.front(), size); // untimed warm-up lap
    return {[=](lap_done_atom) {
        auto& s = self->state;
        int hops = size * laps;
        if (!s.warm) {
            s.warm = true;
            s.start = steady::now();
            self->send(s.nodes.front(), hops);
            return;
        }
        double ns = ns_between(s.start, steady::now());
        self->send(s.nodes.front(), -1);
        double setup_ms = s.setup_ms;
        finish(self, [=] {
            print_result("ring",
                         "n=%d laps=%d setup_ms=%.1f hops_ms=%.1f ns_per_hop=%.1f "
                         "hops_per_s=%.0f",
                         size,
                         laps,
                         setup_ms,
                         ns / 1e6,
                         ns / hops,
                         hops / (ns / 1e9));
        });
    }};
}

// 5. fanin K PER: K senders, spawned untimed, wait for `go`, then each sends
// 1..PER to the coordinator.

caf::behavior fanin_sender(caf::event_based_actor* self, caf::actor receiver, int per) {
    return {[=](go_atom) {
        for (int i = 1; i <= per; ++i) {
            self->send(receiver, i);
        }
        self->quit();
    }};
}

struct fanin_state {
    std::uint64_t sum = 0;
    long long received = 0;
    steady::time_point start;
};

caf::behavior fanin_coordinator(caf::stateful_actor<fanin_state>* self, int senders, int per) {
    fail_on_unexpected(self, "fanin");
    caf::actor me = caf::actor_cast<caf::actor>(self);
    std::vector<caf::actor> pids;
    pids.reserve(static_cast<std::size_t>(senders));
    for (int i = 0; i < senders; ++i) {
        pids.push_back(spawn_waiting(self, fanin_sender, me, per));
    }
    self->state.start = steady::now();
    for (const caf::actor& sender : pids) {
        self->send(sender, go_atom::value);
    }
    long long total = static_cast<long long>(senders) * per;
    return {[=](int x) {
        auto& s = self->state;
        s.sum += static_cast<std::uint64_t>(x);
        if (++s.received < total) {
            return;
        }
        double ns = ns_between(s.start, steady::now());
        auto per_sender =
            static_cast<std::uint64_t>(per) * (static_cast<std::uint64_t>(per) + 1) / 2;
        std::uint64_t expected = per_sender * static_cast<std::uint64_t>(senders);
        if (s.sum != expected) {
            fail("fanin: sum of the messages " + std::to_string(s.sum) + ", expected " +
                 std::to_string(expected) + " (lost or duplicated messages)");
        }
        finish(self, [=] {
            print_result("fanin",
                         "k=%d per=%d total_ms=%.1f msgs_per_s=%.0f",
                         senders,
                         per,
                         ns / 1e6,
                         static_cast<double>(total) / (ns / 1e9));
        });
    }};
}

// 6. linkstorm N ORDER: the coordinator traps exits (an exit handler) and
// spawns N linked workers; untimed, each tells it `ready` and waits for a
// message. Timed: an exit signal to every worker, oldest first (or newest
// first), then N exit_msgs received. Untimed: every worker sent exactly one.
//
// Two CAF 0.17 rules make this differ from Erlang's exit(W, kill):
// - an exit_msg whose source is a link partner is taken as that partner's
//   death: the receiver unlinks from it first (scheduled_actor::categorize).
//   `self->send_exit(w, ...)` from the linked coordinator would therefore
//   remove the link, and no exit_msg would come back: the run hangs. The
//   signal is sent with `anon_send_exit` (no source).
// - exit_reason::kill travelling over a link is always fatal, exit handler or
//   not (Erlang turns `kill` into a trappable `killed`): the first worker's
//   death would kill the coordinator. The workers trap nothing, so
//   exit_reason::user_shutdown ends them just as unconditionally, and that is
//   the reason the coordinator gets and checks.

caf::behavior ready_then_wait(caf::event_based_actor* self, caf::actor coordinator) {
    self->send(coordinator, ready_atom::value);
    return {[](go_atom) {
    }}; // never comes: the exit signal ends the worker here
}

struct linkstorm_state {
    std::vector<caf::actor> workers;
    std::vector<caf::actor_addr> exited;
    int ready = 0;
    int not_user_shutdown = 0;
    double spawn_link_ms = 0;
    steady::time_point kill_start;
};

caf::behavior
linkstorm_coordinator(caf::stateful_actor<linkstorm_state>* self, int count, bool oldest_first) {
    fail_on_unexpected(self, "linkstorm");
    auto& st = self->state;
    st.workers.reserve(static_cast<std::size_t>(count));
    st.exited.reserve(static_cast<std::size_t>(count));
    caf::actor me = caf::actor_cast<caf::actor>(self);
    auto spawn_start = steady::now();
    for (int i = 0; i < count; ++i) {
        st.workers.push_back(self->spawn<caf::linked>(ready_then_wait, me));
    }
    st.spawn_link_ms = ns_between(spawn_start, steady::now()) / 1e6;
    self->set_exit_handler([=](caf::exit_msg& x) {
        auto& s = self->state;
        s.not_user_shutdown += x.reason == caf::exit_reason::user_shutdown ? 0 : 1;
        s.exited.push_back(x.source);
        if (static_cast<int>(s.exited.size()) < count) {
            return;
        }
        double kill_ns = ns_between(s.kill_start, steady::now());
        if (s.not_user_shutdown != 0) {
            fail("linkstorm: " + std::to_string(s.not_user_shutdown) + " of " +
                 std::to_string(count) + " exit_msgs carry a reason other than user_shutdown");
        }
        std::vector<caf::actor_addr> expected;
        expected.reserve(s.workers.size());
        for (const caf::actor& w : s.workers) {
            expected.push_back(w.address());
        }
        std::sort(expected.begin(), expected.end());
        std::sort(s.exited.begin(), s.exited.end());
        if (expected != s.exited) {
            fail("linkstorm: an exit_msg from a stranger, or two from one worker");
        }
        double spawn_link_ms = s.spawn_link_ms;
        finish(self, [=] {
            print_result("linkstorm",
                         "n=%d order=%s spawn_link_ms=%.1f kill_ms=%.1f exits_per_s=%.0f",
                         count,
                         oldest_first ? "oldest" : "newest",
                         spawn_link_ms,
                         kill_ns / 1e6,
                         count / (kill_ns / 1e9));
        });
    });
    return {[=](ready_atom) {
        auto& s = self->state;
        if (++s.ready < count) {
            return;
        }
        s.kill_start = steady::now();
        if (oldest_first) {
            for (const caf::actor& worker : s.workers) {
                caf::anon_send_exit(worker, caf::exit_reason::user_shutdown);
            }
        } else {
            for (auto w = s.workers.rbegin(); w != s.workers.rend(); ++w) {
                caf::anon_send_exit(*w, caf::exit_reason::user_shutdown);
            }
        }
    }};
}

// 7. monitor PAIRS: monitor + demonitor of one live idle actor, PAIRS times.
// Untimed before: the target runs and waits for a message; after: no down_msg
// arrives (the default down handler fails the run), and a last monitor still
// fires, with reason normal, when the target ends.

caf::behavior idle_actor(caf::event_based_actor* self, caf::actor coordinator) {
    self->send(coordinator, ready_atom::value);
    return {[=](stop_atom) {
        self->quit();
    }};
}

caf::behavior monitor_coordinator(caf::event_based_actor* self, int pairs) {
    fail_on_unexpected(self, "monitor");
    caf::actor target = self->spawn(idle_actor, caf::actor_cast<caf::actor>(self));
    return {[=](ready_atom) {
        auto start = steady::now();
        for (int i = 0; i < pairs; ++i) {
            self->monitor(target);
            self->demonitor(target);
        }
        double ns = ns_between(start, steady::now());
        self->monitor(target);
        self->send(target, stop_atom::value);
        self->set_down_handler([=](caf::scheduled_actor*, caf::down_msg& x) {
            if (x.source != target.address() || x.reason != caf::exit_reason::normal) {
                fail("monitor: the last monitor did not fire with `normal`: " + caf::to_string(x));
            }
            fail_on_unexpected(self, "monitor");
            finish(self, [=] {
                print_result("monitor",
                             "pairs=%d total_ms=%.1f ns_per_pair=%.1f",
                             pairs,
                             ns / 1e6,
                             ns / pairs);
            });
        });
    }};
}

// 8. selective QUEUED CALLS: call/reply round trips to a server, first with an
// empty mailbox, then with QUEUED unrelated messages (ints the coordinator
// sent itself) queued in front of every reply.
//
// CAF's call is `request(server, infinite, call, x).await(handler)`: the reply
// is matched by its message id (CAF's reference), and `await` suspends the
// actor's behavior until that reply arrives. The unrelated messages stay
// queued because the coordinator's default handler is `skip`. By default the
// request is sent with message_priority::high, so the reply travels in the
// urgent queue, which the DRR mailbox visits apart from the normal queue that
// holds the skipped messages: a CAF programmer who must not wait behind a
// long mailbox writes exactly that. With `--normal-calls` (normal priority)
// the reply lands behind the skipped messages, and every reply puts the
// skipped-message cache back in front of the queue (drr_cached_queue flushes
// the cache on each consumed message), so each call rescans all of them:
// with 10,000 queued, 130-154 us per call against 1.8 us with an empty
// mailbox (2 workers, loaded shared machine), where high priority stays flat.

caf::behavior call_server(caf::event_based_actor*) {
    return {[](call_atom, int x) {
        return x + 1;
    }};
}

struct selective_state {
    caf::actor server;
    int phase = 0; // 0: warm-up, 1: empty mailbox, 2: QUEUED queued
    int call = 0;
    int phase_calls = 0;
    int next_queued = 0;
    steady::time_point start;
    double empty_ns = 0;
    double loaded_ns = 0;
};

using selective_actor = caf::stateful_actor<selective_state>;

void next_call(selective_actor* self, int queued, int calls);

void start_phase(selective_actor* self, int phase, int phase_calls, int queued, int calls) {
    auto& s = self->state;
    s.phase = phase;
    s.call = 0;
    s.phase_calls = phase_calls;
    s.start = steady::now();
    next_call(self, queued, calls);
}

void end_phase(selective_actor* self, int queued, int calls) {
    auto& s = self->state;
    double ns = ns_between(s.start, steady::now()) / s.phase_calls;
    if (s.phase == 0) {
        start_phase(self, 1, calls, queued, calls);
    } else if (s.phase == 1) {
        s.empty_ns = ns;
        for (int i = 0; i < queued; ++i) {
            self->send(self, i);
        }
        start_phase(self, 2, calls, queued, calls);
    } else {
        s.loaded_ns = ns;
        // The unrelated messages are all there, in order. With urgent calls
        // they are still in the normal queue's cache of skipped messages: one
        // consumed normal message (drain) puts them back in front.
        self->become([](drain_atom) {},
                     [=](int n) {
                         auto& st = self->state;
                         if (n != st.next_queued) {
                             fail("selective: queued message " + std::to_string(st.next_queued) +
                                  " is " + std::to_string(n));
                         }
                         if (++st.next_queued < queued) {
                             return;
                         }
                         self->send_exit(st.server, caf::exit_reason::user_shutdown);
                         double loaded = st.loaded_ns;
                         double empty = st.empty_ns;
                         fail_on_unexpected(self, "selective");
                         finish(self, [=] {
                             print_result(
                                 "selective",
                                 "queued=%d calls=%d ns_per_call=%.1f ns_per_call_empty=%.1f "
                                 "ratio=%.2f",
                                 queued,
                                 calls,
                                 loaded,
                                 empty,
                                 loaded / empty);
                         });
                     });
        if (urgent_calls) {
            self->send(self, drain_atom::value);
        }
    }
}

template <caf::message_priority Priority>
void request_call(selective_actor* self, int queued, int calls, int x) {
    self->template request<Priority>(self->state.server, caf::infinite, call_atom::value, x)
        .await([=](int value) {
            if (value != x + 1) {
                fail("selective: call " + std::to_string(x) + " got " + std::to_string(value));
            }
            ++self->state.call;
            next_call(self, queued, calls);
        });
}

void next_call(selective_actor* self, int queued, int calls) {
    auto& s = self->state;
    if (s.call == s.phase_calls) {
        end_phase(self, queued, calls);
        return;
    }
    if (urgent_calls) {
        request_call<caf::message_priority::high>(self, queued, calls, s.call);
    } else {
        request_call<caf::message_priority::normal>(self, queued, calls, s.call);
    }
}

caf::behavior selective_coordinator(selective_actor* self, int queued, int calls) {
    self->set_default_handler(caf::skip);
    self->state.server = spawn_waiting(self, call_server);
    start_phase(self, 0, std::min(calls, 1000), queued, calls); // untimed warm-up
    // Nothing but replies, the queued ints and `drain` comes here; `drain`
    // only flushes the skipped messages back.
    return {[](drain_atom) {
    }};
}

// Arguments.

struct workload_spec {
    const char* name;
    const char* params;
    int arity;
    const char* sizes;
};

constexpr workload_spec workloads[] = {
    {"spawn", "N", 1, "1000000"},
    {"skynet", "LEAVES FANOUT", 2, "1000000 10 (LEAVES a power of FANOUT)"},
    {"pingpong", "M", 1, "1000000"},
    {"ring", "N LAPS", 2, "1000 1000, 100000 10"},
    {"fanin", "K PER", 2, "1000 1000"},
    {"linkstorm", "N [oldest|newest]", 2, "100000 oldest, 30000 oldest"},
    {"monitor", "PAIRS", 1, "1000000"},
    {"selective", "QUEUED CALLS", 2, "10000 100000"},
};

int usage(const std::string& error) {
    std::cerr << "caf_bench: " << error << "\n"
              << "usage: caf_bench [--workers N] [--policy stealing|sharing] [--eager-spawn]\n"
              << "                 [--normal-calls] <workload> <params...>\n"
              << "  --workers N      scheduler.max-threads (default 2)\n"
              << "  --policy P       scheduler.policy: stealing (CAF's default) or sharing\n"
              << "  --eager-spawn    spawn without lazy_init (actors that wait for a message)\n"
              << "  --normal-calls   selective: requests at normal priority (default high)\n";
    for (const auto& w : workloads) {
        std::string line = std::string(w.name) + " " + w.params;
        std::fprintf(stderr, "  %-28s %s\n", line.c_str(), w.sizes);
    }
    return exit_usage;
}

/// A positive int, or 0.
int parse_positive(const std::string& text) {
    char* end = nullptr;
    long value = std::strtol(text.c_str(), &end, 10);
    bool whole = !text.empty() && end == text.c_str() + text.size();
    return whole && value > 0 && value <= INT_MAX ? static_cast<int>(value) : 0;
}

bool is_power_of(int value, int base) {
    while (value % base == 0) {
        value /= base;
    }
    return value == 1;
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    while (!args.empty() && args[0].rfind("--", 0) == 0) {
        if (args[0] == "--workers" && args.size() >= 2) {
            int workers = parse_positive(args[1]);
            if (workers == 0 || workers > 4096) {
                return usage("--workers needs a positive number of threads");
            }
            workers_in_use = static_cast<unsigned>(workers);
            args.erase(args.begin(), args.begin() + 2);
        } else if (args[0] == "--policy" && args.size() >= 2) {
            if (args[1] != "stealing" && args[1] != "sharing") {
                return usage("--policy is stealing or sharing");
            }
            policy_in_use = args[1];
            args.erase(args.begin(), args.begin() + 2);
        } else if (args[0] == "--eager-spawn") {
            eager_spawn = true;
            args.erase(args.begin());
        } else if (args[0] == "--normal-calls") {
            urgent_calls = false;
            args.erase(args.begin());
        } else {
            return usage("unknown option '" + args[0] + "'");
        }
    }
    if (args.empty()) {
        return usage("no workload given");
    }
    const std::string name = args[0];
    const auto* spec = std::find_if(
        std::begin(workloads), std::end(workloads), [&](auto& w) { return name == w.name; });
    if (spec == std::end(workloads)) {
        return usage("unknown workload '" + name + "'");
    }
    bool oldest_first = true;
    if (name == "linkstorm") {
        if (args.size() == 2) {
            args.emplace_back("oldest");
        }
        if (args.size() == 3 && (args[2] == "oldest" || args[2] == "newest")) {
            oldest_first = args[2] == "oldest";
            args.pop_back();
        } else {
            return usage("linkstorm takes N and oldest or newest");
        }
    } else if (args.size() != static_cast<std::size_t>(spec->arity) + 1) {
        return usage(name + " takes " + std::to_string(spec->arity) + " parameters");
    }
    std::vector<int> p;
    for (std::size_t i = 1; i < args.size(); ++i) {
        p.push_back(parse_positive(args[i]));
        if (p.back() == 0) {
            return usage("'" + args[i] + "' is not a positive int");
        }
    }
    if (name == "skynet" && (p[1] < 2 || !is_power_of(p[0], p[1]))) {
        return usage("skynet: FANOUT must be >= 2 and LEAVES a power of FANOUT");
    }
    if (name == "ring" && static_cast<long long>(p[0]) * p[1] > INT_MAX) {
        return usage("ring: N * LAPS must be <= INT_MAX");
    }

    caf::actor_system_config cfg;
    cfg.set("scheduler.max-threads", static_cast<std::size_t>(workers_in_use));
    cfg.set("scheduler.policy",
            policy_in_use == "sharing" ? caf::atom("sharing") : caf::atom("stealing"));
    caf::actor_system system{cfg};
    // The coordinator's handle is held here until every actor has ended: CAF
    // destroys an idle actor that nobody references (exit reason
    // `unreachable`), and the link-storm and monitor coordinators are not
    // referenced by any other actor while they wait.
    caf::actor coordinator;
    if (name == "spawn") {
        coordinator = system.spawn(spawn_coordinator, p[0]);
    } else if (name == "skynet") {
        coordinator = system.spawn(skynet_coordinator, p[0], p[1]);
    } else if (name == "pingpong") {
        coordinator = system.spawn(pingpong_coordinator, p[0]);
    } else if (name == "ring") {
        coordinator = system.spawn(ring_coordinator, p[0], p[1]);
    } else if (name == "fanin") {
        coordinator = system.spawn(fanin_coordinator, p[0], p[1]);
    } else if (name == "linkstorm") {
        coordinator = system.spawn(linkstorm_coordinator, p[0], oldest_first);
    } else if (name == "monitor") {
        coordinator = system.spawn(monitor_coordinator, p[0]);
    } else {
        coordinator = system.spawn(selective_coordinator, p[0], p[1]);
    }
    system.await_all_actors_done();
    return 0;
}
