// The outbound and inbound seams (include/rill/runtime/remote.hpp): signals
// to pids of another node go to the installed remote route, or are answered
// as unreachable; signals injected from another node reach local processes
// with the remote sender as `from`. Two deterministic runtimes joined by a
// loopback route (one OS process, one thread) stand in for two nodes, so
// S69..S73 are checked here on the seams; the distribution layer's tests
// check them against real BEAM nodes.

#include "support/deterministic.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <vector>

namespace rill {
namespace {

using test::returns_at_once;
using testing::deterministic_options;
using testing::down_message;
using testing::exit_message;
using testing::puppet;
using testing::puppet_command;

runtime_options node_options(const char* name, std::uint64_t seed) {
    runtime_options options = deterministic_options(seed);
    options.node_name = name;
    return options;
}

/// Carries what one runtime sends to `peer`'s node into `peer`; any other
/// node is unreachable (the route throws).
class loopback_route final : public remote_route {
public:
    explicit loopback_route(runtime& peer)
        : peer_(peer) {}

    void send(remote_signal signal) override {
        if (signal.to.node != peer_.node()) {
            throw std::runtime_error("no connection to that node");
        }
        peer_.inject(std::move(signal));
    }

private:
    runtime& peer_;
};

/// Records what leaves the node instead of carrying it anywhere.
class recording_route final : public remote_route {
public:
    void send(remote_signal signal) override { sent.push_back(std::move(signal)); }

    std::vector<remote_signal> sent;
};

/// A node, a@host, whose signals to other nodes are recorded.
struct recorded_node {
    runtime rt{node_options("a@host", 1)};
    std::shared_ptr<recording_route> route = std::make_shared<recording_route>();

    recorded_node() { rt.set_remote_route(route); }
};

/// Two nodes, a@host and b@host, joined both ways.
struct two_nodes {
    runtime a{node_options("a@host", 1)};
    runtime b{node_options("b@host", 2)};

    two_nodes() {
        a.set_remote_route(std::make_shared<loopback_route>(b));
        b.set_remote_route(std::make_shared<loopback_route>(a));
    }

    /// Runs both nodes until neither has anything left to run.
    void settle() {
        while (a.run_until_idle() + b.run_until_idle() > 0) {
        }
    }

    /// Makes puppet `p` of `on` run `step`, then settles both nodes.
    void run_in(runtime& on, const pid& p, std::function<void()> step) {
        on.send(p, puppet_command{std::move(step), nullptr});
        settle();
    }

    std::vector<term> take_mailbox(runtime& on, const pid& p) {
        std::vector<term> out;
        on.send(p, puppet_command{{}, &out});
        settle();
        return out;
    }

    pid dead_pid_on_b() {
        pid gone = b.spawn(returns_at_once);
        settle();
        return gone;
    }
};

task<> exit_with_first_message() {
    term reason = co_await process::receive_exact<term>();
    process::exit(reason);
}

// ---- S69..S73 across two nodes ----------------------------------------------

TEST(RemoteRoute, S69RemoteSendsNeverFail) {
    two_nodes nodes;
    pid sender = nodes.a.spawn(puppet, false);
    pid dead = nodes.dead_pid_on_b();
    nodes.run_in(nodes.a, sender, [dead] {
        process::send(std::pair{atom("nobody"), atom("b@host")}, atom("x"));
        process::send(dead, atom("x"));
        process::send(pid{atom("nosuch@host"), 1, 1, 1}, atom("x"));
    });
    EXPECT_TRUE(nodes.a.is_alive(sender));
    EXPECT_TRUE(nodes.take_mailbox(nodes.a, sender).empty());
}

TEST(RemoteRoute, S70RemoteMonitorsReportNoprocAndNameObjects) {
    two_nodes nodes;
    pid watcher = nodes.a.spawn(puppet, false);
    pid dead = nodes.dead_pid_on_b();
    pid holder = nodes.b.spawn(exit_with_first_message);
    nodes.settle();
    nodes.run_in(nodes.b, nodes.b.spawn(puppet, false), [holder] {
        process::register_name(holder, atom("holder"));
    });
    reference by_unknown_name;
    reference by_dead_pid;
    reference by_live_name;
    nodes.run_in(nodes.a, watcher, [&] {
        by_unknown_name = process::monitor(std::pair{atom("nobody"), atom("b@host")});
        by_dead_pid = process::monitor(dead);
        by_live_name = process::monitor(std::pair{atom("holder"), atom("b@host")});
    });
    nodes.b.send(holder, term::tuple_of(atom("remote"), atom("reason")));
    nodes.settle();

    const term b_node(atom("b@host"));
    EXPECT_EQ(
        nodes.take_mailbox(nodes.a, watcher),
        (std::vector<term>{
            down_message(
                by_unknown_name, term::tuple({term(atom("nobody")), b_node}), term(atoms::noproc)),
            down_message(by_dead_pid, term(dead), term(atoms::noproc)),
            down_message(by_live_name,
                         term::tuple({term(atom("holder")), b_node}),
                         term::tuple_of(atom("remote"), atom("reason"))),
        }));
}

TEST(RemoteRoute, S71LinkingToADeadRemotePidNeverRaises) {
    two_nodes nodes;
    pid dead = nodes.dead_pid_on_b();
    pid trapping = nodes.a.spawn(puppet, true);
    pid plain = nodes.a.spawn(puppet, false);
    nodes.settle();
    nodes.run_in(nodes.a, trapping, [dead] { process::link(dead); });
    nodes.run_in(nodes.a, plain, [dead] { process::link(dead); });

    EXPECT_EQ(nodes.take_mailbox(nodes.a, trapping),
              (std::vector<term>{exit_message(dead, term(atoms::noproc))}));
    EXPECT_FALSE(nodes.a.is_alive(plain));
    EXPECT_EQ(nodes.a.exit_reason_of(plain), term(atoms::noproc));
}

TEST(RemoteRoute, S72RemoteExitsCarryTheReasonUnchanged) {
    two_nodes nodes;
    pid watcher = nodes.a.spawn(puppet, true);
    pid remote = nodes.b.spawn(exit_with_first_message);
    nodes.settle();
    reference ref;
    nodes.run_in(nodes.a, watcher, [&] {
        process::link(remote);
        ref = process::monitor(remote);
    });
    const term reason = term::tuple_of(atom("remote"), atom("reason"));
    nodes.b.send(remote, reason);
    nodes.settle();
    EXPECT_EQ(
        nodes.take_mailbox(nodes.a, watcher),
        (std::vector<term>{exit_message(remote, reason), down_message(ref, term(remote), reason)}));
}

TEST(RemoteRoute, S72KillAcrossNodesGivesKilledAndNormalReachesATrappingTarget) {
    two_nodes nodes;
    pid sender = nodes.a.spawn(puppet, false);
    pid trapping_killed = nodes.b.spawn(puppet, true);
    pid trapping_normal = nodes.b.spawn(puppet, true);
    nodes.settle();
    nodes.run_in(nodes.a, sender, [&] {
        process::exit(trapping_killed, atom("kill"));
        process::exit(trapping_normal, atom("normal"));
    });
    EXPECT_EQ(nodes.b.exit_reason_of(trapping_killed), term(atoms::killed));
    EXPECT_EQ(nodes.take_mailbox(nodes.b, trapping_normal),
              (std::vector<term>{exit_message(sender, term(atoms::normal))}));
}

TEST(RemoteRoute, S73UnreachableNodeAnswersNoconnection) {
    runtime a(node_options("a@host", 1)); // no route installed
    pid trapping = a.spawn(puppet, true);
    pid plain = a.spawn(puppet, false);
    a.run_until_idle();
    const pid far{atom("nosuch@host"), 7, 1, 1};
    reference by_pid;
    reference by_name;
    testing::run_in(a, trapping, [&] {
        process::link(far);
        by_pid = process::monitor(far);
        by_name = process::monitor(std::pair{atom("x"), atom("nosuch@host")});
    });
    testing::run_in(a, plain, [&] { process::link(far); });

    EXPECT_EQ(testing::take_mailbox(a, trapping),
              (std::vector<term>{
                  exit_message(far, term(atoms::noconnection)),
                  down_message(by_pid, term(far), term(atoms::noconnection)),
                  down_message(by_name,
                               term::tuple({term(atom("x")), term(atom("nosuch@host"))}),
                               term(atoms::noconnection)),
              }));
    EXPECT_EQ(a.exit_reason_of(plain), term(atoms::noconnection));
}

TEST(RemoteRoute, S74ALostConnectionBreaksEveryLinkAndMonitorWithThatNodeOnly) {
    recorded_node node;
    runtime& a = node.rt;
    const std::shared_ptr<recording_route>& route = node.route;
    pid trapping = a.spawn(puppet, true);
    pid plain = a.spawn(puppet, false);
    a.run_until_idle();
    const pid on_b{atom("b@host"), 3, 4, 5};
    const pid on_c{atom("c@host"), 3, 4, 5};
    const pid watcher_on_b{atom("b@host"), 9, 4, 5};
    reference by_pid;
    reference by_name;
    testing::run_in(a, trapping, [&] {
        process::link(on_b);
        process::link(on_c);
        by_pid = process::monitor(on_b);
        by_name = process::monitor(std::pair{atom("x"), atom("b@host")});
    });
    testing::run_in(a, plain, [&] { process::link(on_b); });
    reference watched;
    watched.node = atom("b@host");
    watched.creation = 5;
    watched.id = {1, 2, 3, 0, 0};
    a.inject({.kind = remote_signal_kind::monitor,
              .from = watcher_on_b,
              .to = trapping,
              .ref = watched});
    a.run_until_idle();

    for (const pid& p : {trapping, plain}) {
        a.inject(
            {.kind = remote_signal_kind::node_down, .from = pid{atom("b@host"), 0, 0, 0}, .to = p});
    }
    a.run_until_idle();

    std::vector<term> mailbox = testing::take_mailbox(a, trapping);
    ASSERT_EQ(mailbox.size(), 3U);
    EXPECT_EQ(mailbox[0], exit_message(on_b, term(atoms::noconnection)));
    const term down_by_pid = down_message(by_pid, term(on_b), term(atoms::noconnection));
    const term down_by_name =
        down_message(by_name, term::tuple_of(atom("x"), atom("b@host")), term(atoms::noconnection));
    EXPECT_TRUE((mailbox[1] == down_by_pid && mailbox[2] == down_by_name) ||
                (mailbox[1] == down_by_name && mailbox[2] == down_by_pid));
    EXPECT_EQ(a.exit_reason_of(plain), term(atoms::noconnection));

    // What the node knew of b is gone: ending now signals only the link
    // to c (no EXIT, DOWN or demonitor goes to b's processes).
    route->sent.clear();
    testing::run_in(a, trapping, [] { process::exit(atom("later")); });
    ASSERT_EQ(route->sent.size(), 1U);
    EXPECT_EQ(route->sent[0].kind, remote_signal_kind::link_exit);
    EXPECT_EQ(route->sent[0].to, on_c);
}

// ---- the seams themselves --------------------------------------------------

TEST(RemoteRoute, CarriesEveryKindWithItsFields) {
    recorded_node node;
    runtime& a = node.rt;
    const std::shared_ptr<recording_route>& route = node.route;
    pid p = a.spawn(puppet, false);
    a.run_until_idle();
    const pid far{atom("b@host"), 3, 4, 5};
    reference ref;
    testing::run_in(a, p, [&] {
        process::send(far, term::tuple_of(atom("hello"), 1));
        process::send(std::pair{atom("srv"), atom("b@host")}, atom("by_name"));
        process::link(far);
        process::unlink(far);
        ref = process::monitor(far);
        process::send(far, atom("after")); // the held monitor goes out first
        process::demonitor(ref);
        process::exit(far, atom("bye"));
    });

    const auto& sent = route->sent;
    ASSERT_EQ(sent.size(), 8U);
    EXPECT_EQ(sent[0].kind, remote_signal_kind::message);
    EXPECT_EQ(sent[0].from, p);
    EXPECT_EQ(sent[0].to, far);
    EXPECT_EQ(sent[0].payload, term::tuple_of(atom("hello"), 1));
    EXPECT_EQ(sent[1].kind, remote_signal_kind::message);
    EXPECT_EQ(sent[1].name, atom("srv"));
    EXPECT_EQ(sent[1].to.node, atom("b@host"));
    EXPECT_EQ(sent[2].kind, remote_signal_kind::link);
    EXPECT_EQ(sent[3].kind, remote_signal_kind::unlink);
    EXPECT_NE(sent[3].unlink_id, 0U);
    EXPECT_EQ(sent[4].kind, remote_signal_kind::monitor);
    EXPECT_EQ(sent[4].ref, ref);
    EXPECT_EQ(sent[5].payload, term(atom("after")));
    EXPECT_EQ(sent[6].kind, remote_signal_kind::demonitor);
    EXPECT_EQ(sent[6].ref, ref);
    EXPECT_EQ(sent[7].kind, remote_signal_kind::exit);
    EXPECT_EQ(sent[7].payload, term(atom("bye")));
    for (const remote_signal& s : sent) {
        EXPECT_EQ(s.from, p);
    }
}

TEST(RemoteRoute, AProcessEndingSignalsItsRemoteLinksAndWatchers) {
    recorded_node node;
    runtime& a = node.rt;
    const std::shared_ptr<recording_route>& route = node.route;
    pid local = a.spawn(exit_with_first_message);
    a.run_until_idle();
    const pid watcher{atom("b@host"), 3, 4, 5};
    const reference ref = [] {
        reference r;
        r.node = atom("b@host");
        r.creation = 5;
        r.id = {1, 2, 3, 0, 0};
        return r;
    }();
    a.inject({.kind = remote_signal_kind::link, .from = watcher, .to = local});
    a.inject({.kind = remote_signal_kind::monitor, .from = watcher, .to = local, .ref = ref});
    a.run_until_idle();
    a.send(local, atom("boom"));
    a.run_until_idle();

    ASSERT_EQ(route->sent.size(), 2U);
    EXPECT_EQ(route->sent[0].kind, remote_signal_kind::link_exit);
    EXPECT_EQ(route->sent[0].from, local);
    EXPECT_EQ(route->sent[0].to, watcher);
    EXPECT_EQ(route->sent[0].payload, term(atom("boom")));
    EXPECT_EQ(route->sent[1].kind, remote_signal_kind::down);
    EXPECT_EQ(route->sent[1].ref, ref);
    EXPECT_EQ(route->sent[1].payload, term(atom("boom")));
}

TEST(RemoteRoute, ARouteThatThrowsIsAnsweredAsUnreachable) {
    class throwing_route final : public remote_route {
    public:
        void send(remote_signal /*signal*/) override { throw std::runtime_error("down"); }
    };

    runtime a(node_options("a@host", 1));
    a.set_remote_route(std::make_shared<throwing_route>());
    pid p = a.spawn(puppet, true);
    a.run_until_idle();
    const pid far{atom("b@host"), 3, 4, 5};
    reference ref;
    testing::run_in(a, p, [&] {
        process::send(far, atom("lost"));
        process::link(far);
        ref = process::monitor(far);
    });
    EXPECT_EQ(testing::take_mailbox(a, p),
              (std::vector<term>{exit_message(far, term(atoms::noconnection)),
                                 down_message(ref, term(far), term(atoms::noconnection))}));
}

TEST(RemoteRoute, RemovingTheRouteMakesOtherNodesUnreachableAgain) {
    recorded_node node;
    runtime& a = node.rt;
    const std::shared_ptr<recording_route>& route = node.route;
    a.set_remote_route(nullptr);
    pid p = a.spawn(puppet, true);
    a.run_until_idle();
    const pid far{atom("b@host"), 3, 4, 5};
    testing::run_in(a, p, [&] { process::link(far); });
    EXPECT_TRUE(route->sent.empty());
    EXPECT_EQ(testing::take_mailbox(a, p),
              (std::vector<term>{exit_message(far, term(atoms::noconnection))}));
}

TEST(RemoteRoute, SignalsFromOneRemoteSenderKeepTheirOrder) {
    two_nodes nodes;
    pid sender = nodes.a.spawn(puppet, false);
    pid receiver = nodes.b.spawn(puppet, true);
    nodes.settle();
    nodes.run_in(nodes.a, sender, [receiver] {
        process::send(receiver, atom("first"));
        process::exit(receiver, atom("second"));
        process::send(receiver, atom("third"));
    });
    EXPECT_EQ(nodes.take_mailbox(nodes.b, receiver),
              (std::vector<term>{term(atom("first")),
                                 exit_message(sender, term(atom("second"))),
                                 term(atom("third"))}));
}

TEST(RemoteRoute, UnlinkAcrossNodesCompletesTheHandshake) {
    two_nodes nodes;
    pid local = nodes.a.spawn(puppet, true);
    pid remote = nodes.b.spawn(exit_with_first_message);
    nodes.settle();
    nodes.run_in(nodes.a, local, [remote] {
        process::link(remote);
        process::unlink(remote);
    });
    nodes.b.send(remote, atom("gone"));
    nodes.settle();
    EXPECT_TRUE(nodes.take_mailbox(nodes.a, local).empty()) << "no exit after the unlink";
}

TEST(RemoteRoute, InjectionIntoADeadProcessIsAnsweredToTheRemoteSender) {
    recorded_node node;
    runtime& a = node.rt;
    const std::shared_ptr<recording_route>& route = node.route;
    pid gone = a.spawn(returns_at_once);
    a.run_until_idle();
    const pid watcher{atom("b@host"), 3, 4, 5};
    reference ref;
    ref.node = atom("b@host");
    ref.creation = 5;
    ref.id = {9, 0, 0, 0, 0};
    a.inject({.kind = remote_signal_kind::link, .from = watcher, .to = gone});
    a.inject({.kind = remote_signal_kind::monitor, .from = watcher, .to = gone, .ref = ref});
    a.inject(
        {.kind = remote_signal_kind::message, .from = watcher, .to = gone, .payload = term(1)});
    a.run_until_idle();

    ASSERT_EQ(route->sent.size(), 2U) << "the message is dropped (S68)";
    EXPECT_EQ(route->sent[0].kind, remote_signal_kind::link_exit);
    EXPECT_EQ(route->sent[0].to, watcher);
    EXPECT_EQ(route->sent[0].payload, term(atoms::noproc));
    EXPECT_EQ(route->sent[1].kind, remote_signal_kind::down);
    EXPECT_EQ(route->sent[1].ref, ref);
    EXPECT_EQ(route->sent[1].payload, term(atoms::noproc));
}

TEST(RemoteRoute, InjectedMessageByNameReachesTheHolder) {
    runtime a(node_options("a@host", 1));
    pid holder = a.spawn(puppet, false);
    a.run_until_idle();
    testing::run_in(a, holder, [holder] { process::register_name(holder, atom("srv")); });
    a.inject({.kind = remote_signal_kind::message,
              .from = pid{atom("b@host"), 1, 1, 1},
              .to = pid{atom("a@host"), 0, 0, 0},
              .name = atom("srv"),
              .payload = term(42)});
    a.inject({.kind = remote_signal_kind::message,
              .to = pid{atom("a@host"), 0, 0, 0},
              .name = atom("nobody"),
              .payload = term(43)});
    a.run_until_idle();
    EXPECT_EQ(testing::take_mailbox(a, holder), (std::vector<term>{term(42)}));
}

} // namespace
} // namespace rill

namespace rill {
namespace {

struct local_only {
    int value;
};

TEST(RemoteRoute, APayloadWithoutTermConversionCannotLeaveTheNode) {
    recorded_node node;
    runtime& a = node.rt;
    const std::shared_ptr<recording_route>& route = node.route;
    pid p = a.spawn(puppet, false);
    a.run_until_idle();
    const pid far{atom("b@host"), 3, 4, 5};
    bool send_threw = false;
    bool send_after_threw = false;
    bool by_name_threw = false;
    bool to_alias_threw = false;
    testing::run_in(a, p, [&] {
        try {
            process::send(far, local_only{1});
        } catch (const no_term_conversion&) {
            send_threw = true;
        }
        try {
            (void)process::send_after(far, local_only{2}, std::chrono::milliseconds(5));
        } catch (const no_term_conversion&) {
            send_after_threw = true;
        }
        try {
            process::send(std::pair{atom("srv"), atom("b@host")}, local_only{3});
        } catch (const no_term_conversion&) {
            by_name_threw = true;
        }
        try {
            reference far_alias;
            far_alias.node = atom("b@host");
            far_alias.size = 5;
            process::send(far_alias, local_only{4});
        } catch (const no_term_conversion&) {
            to_alias_threw = true;
        }
        process::send(far, 7); // a convertible payload still goes
    });
    EXPECT_TRUE(send_threw);
    EXPECT_TRUE(send_after_threw);
    EXPECT_TRUE(by_name_threw);
    EXPECT_TRUE(to_alias_threw);
    ASSERT_EQ(route->sent.size(), 1U) << "nothing of the four was sent";
    EXPECT_EQ(route->sent[0].payload, term(7));
}

TEST(RemoteRoute, AliasesWorkAcrossNodesUntilUnaliased) {
    two_nodes nodes;
    pid owner = nodes.a.spawn(puppet, false);
    pid sender = nodes.b.spawn(puppet, false);
    nodes.settle();
    reference alias;
    nodes.run_in(nodes.a, owner, [&] { alias = process::alias(); });
    nodes.run_in(nodes.b, sender, [&] {
        process::send(alias, atom("first"));
        process::send(owner, atom("by_pid"));
        process::send(alias, atom("second"));
    });
    EXPECT_EQ(nodes.take_mailbox(nodes.a, owner),
              (std::vector<term>{term(atom("first")), term(atom("by_pid")), term(atom("second"))}));

    bool was_alias = false;
    nodes.run_in(nodes.a, owner, [&] { was_alias = process::unalias(alias); });
    nodes.run_in(nodes.b, sender, [&] { process::send(alias, atom("late")); });
    EXPECT_TRUE(was_alias);
    EXPECT_TRUE(nodes.take_mailbox(nodes.a, owner).empty());
}

TEST(RemoteRoute, AMessageToARemoteAliasLeavesAsAnAliasMessage) {
    recorded_node node;
    pid p = node.rt.spawn(puppet, false);
    node.rt.run_until_idle();
    reference far_alias;
    far_alias.node = atom("b@host");
    far_alias.creation = 9;
    far_alias.size = 5;
    far_alias.id = {1, 2, 3, 4, 5};
    testing::run_in(node.rt, p, [&] { process::send(far_alias, atom("hi")); });

    ASSERT_EQ(node.route->sent.size(), 1U);
    const remote_signal& sent = node.route->sent[0];
    EXPECT_EQ(sent.kind, remote_signal_kind::alias_message);
    EXPECT_EQ(sent.from, p);
    EXPECT_EQ(sent.to.node, atom("b@host"));
    EXPECT_EQ(sent.ref, far_alias);
    EXPECT_EQ(sent.payload, term(atom("hi")));
}

TEST(RemoteRoute, AnInjectedAliasMessageForNoLiveAliasIsDropped) {
    recorded_node node;
    runtime& a = node.rt;
    pid p = a.spawn(puppet, false);
    a.run_until_idle();
    reference alias;
    testing::run_in(a, p, [&] { alias = process::alias(); });
    reference forged = alias;
    forged.id[0] += 1; // the owner's slot and serial, but no alias of it
    reference plain;
    testing::run_in(a, p, [&] { plain = process::make_ref(); });
    const pid far{atom("b@host"), 3, 4, 5};

    for (const reference& to : {forged, plain, alias}) {
        remote_signal signal;
        signal.kind = remote_signal_kind::alias_message;
        signal.from = far;
        signal.to = pid{a.node(), 0, 0, 0};
        signal.ref = to;
        signal.payload = term::from_reference(to);
        (void)a.inject(std::move(signal));
    }
    a.run_until_idle();

    EXPECT_EQ(testing::take_mailbox(a, p), std::vector<term>{term::from_reference(alias)});
    EXPECT_TRUE(node.route->sent.empty()) << "a dropped alias message is answered with nothing";
}

TEST(RemoteRoute, AnUncaughtNoTermConversionEndsTheSenderWithBadarg) {
    recorded_node node;
    runtime& a = node.rt;
    pid p = a.spawn(puppet, false);
    a.run_until_idle();
    testing::run_in(a, p, [] { process::send(pid{atom("b@host"), 3, 4, 5}, local_only{1}); });
    EXPECT_EQ(a.exit_reason_of(p), term(atoms::badarg));
}

TEST(RemoteRoute, UnlinkIdsKeepAllSixtyFourBitsAsOnTheWire) {
    recorded_node node;
    runtime& a = node.rt;
    const std::shared_ptr<recording_route>& route = node.route;
    pid local = a.spawn(puppet, true);
    a.run_until_idle();
    const pid remote{atom("b@host"), 3, 4, 5};
    const std::uint64_t id = (std::uint64_t{1} << 40U) + 5;
    a.inject({.kind = remote_signal_kind::link, .from = remote, .to = local});
    a.inject({.kind = remote_signal_kind::unlink, .from = remote, .to = local, .unlink_id = id});
    a.run_until_idle();
    ASSERT_EQ(route->sent.size(), 1U);
    EXPECT_EQ(route->sent[0].kind, remote_signal_kind::unlink_ack);
    EXPECT_EQ(route->sent[0].unlink_id, id);
    EXPECT_EQ(route->sent[0].to, remote);
}

} // namespace
} // namespace rill
