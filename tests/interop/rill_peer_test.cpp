// Two rill nodes in two OS processes: the test's node runs the embedded
// epmd on a free port and starts tests/interop/rill_peer_main.cpp
// (`rill_interop_peer`, its path in RILL_INTEROP_PEER_PATH) as a child
// process registered with that epmd. The peer announces itself to the
// test's registered `sink` once it is up, so the test waits on that
// message, never on time; then it talks to the peer's `peer_echo` process
// by {Name, Node} and by pid, tells it to stop and waits for its exit
// status.

#include <rill/dist.hpp>
#include <rill/rill.hpp>

#include "interop/child_process.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <optional>
#include <string>
#include <vector>

namespace rill {
namespace {

using namespace std::chrono_literals;

// A generous bound on waits that normally end in milliseconds: it only
// turns a hang into a failure.
constexpr auto event_bound = 60s;

const std::string cookie = "two_processes";
const atom peer_node{"rill_peer@localhost"};

struct conversation {
    std::optional<term> announcement;
    std::vector<term> replies;
    int peer_status = -1;
    std::string peer_output;
};

task<> talk_to_peer_process(std::uint16_t epmd_port, conversation* talk) {
    process::register_name(process::self(), atom("sink"));
    test::child_process peer(RILL_INTEROP_PEER_PATH,
                             {std::string(peer_node.name()),
                              cookie,
                              std::to_string(epmd_port),
                              std::string(process::self().node.name())},
                             {});
    talk->announcement = co_await process::receive_exact<term>(event_bound);
    if (talk->announcement && talk->announcement->is_tuple() &&
        talk->announcement->elements().size() == 2 && talk->announcement->elements()[1].is_pid()) {
        const pid peer_echo = talk->announcement->elements()[1].as_pid();

        const reference by_name = process::make_ref();
        process::send(std::pair{atom("peer_echo"), peer_node},
                      term::tuple_of(process::self(), by_name, atom("by_name")));
        talk->replies.push_back(
            (co_await process::receive_reply<term>(by_name, event_bound)).value_or(atom("none")));
        const reference by_pid = process::make_ref();
        process::send(peer_echo, term::tuple_of(process::self(), by_pid, std::string("by pid")));
        talk->replies.push_back(
            (co_await process::receive_reply<term>(by_pid, event_bound)).value_or(atom("none")));

        process::send(peer_echo, atom("stop"));
    } else {
        peer.signal(SIGKILL); // it never announced itself: no `stop` would reach it
    }
    talk->peer_status = peer.wait();
    talk->peer_output = peer.output();
}

TEST(RillPeerProcess, ExchangesMessagesByNameAndByPidWithANodeInAnotherProcessAndStopsIt) {
    runtime_options options;
    options.workers = 2;
    options.node_name = "rill_host@localhost";
    options.cookie = cookie;
    options.long_slice_threshold = 0ms; // the wait for the peer's exit runs in a slice
    runtime rt(options);
    dist::options distribution;
    distribution.epmd = dist::epmd_mode::embedded;
    distribution.epmd_port = 0;
    dist::net_kernel net(rt, distribution);
    conversation talk;

    rt.run(talk_to_peer_process, net.epmd_port(), &talk);

    ASSERT_TRUE(talk.announcement.has_value()) << talk.peer_output;
    EXPECT_TRUE(talk.announcement->elements()[0].is_atom(atom("peer_ready"))) << *talk.announcement;
    EXPECT_EQ(dist::node(talk.announcement->elements()[1].as_pid()), peer_node);
    ASSERT_EQ(talk.replies.size(), 2U) << talk.peer_output;
    EXPECT_EQ(talk.replies[0], term::tuple_of(atom("peer"), atom("by_name")));
    EXPECT_EQ(talk.replies[1], term::tuple_of(atom("peer"), term("by pid")));
    EXPECT_EQ(talk.peer_status, 0) << talk.peer_output;
}

} // namespace
} // namespace rill
