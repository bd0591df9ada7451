// Two rill nodes in one OS process (two runtimes, each with its own
// distribution), over real loopback sockets: one runs the embedded epmd,
// the other registers with it. No BEAM needed.

#include <rill/dist.hpp>
#include <rill/rill.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <barrier>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace rill {
namespace {

using namespace std::chrono_literals;

runtime_options node_options(const std::string& name) {
    runtime_options options;
    options.workers = 2;
    options.node_name = name;
    options.cookie = "pair";
    return options;
}

dist::options first_node() {
    dist::options options;
    options.epmd = dist::epmd_mode::embedded;
    options.epmd_port = 0;
    return options;
}

dist::options second_node(std::uint16_t epmd_port) {
    dist::options options;
    options.epmd = dist::epmd_mode::external;
    options.epmd_port = epmd_port;
    return options;
}

task<> deliver_first(std::promise<term>* got) {
    got->set_value(co_await process::receive_exact<term>());
}

// Both nodes, each with a process that fulfils a promise with the first
// message it gets.
struct node_pair {
    node_pair(const std::string& a_name, const std::string& b_name)
        : a(node_options(a_name))
        , net_a(a, first_node())
        , b(node_options(b_name))
        , net_b(b, second_node(net_a.epmd_port()))
        , sink_a(a.spawn(deliver_first, &got_a))
        , sink_b(b.spawn(deliver_first, &got_b)) {}

    runtime a;
    dist::net_kernel net_a;
    runtime b;
    dist::net_kernel net_b;
    std::promise<term> got_a;
    std::promise<term> got_b;
    pid sink_a;
    pid sink_b;
};

TEST(RillNodes, AMessageFromAThreadReachesAProcessOfTheOtherNode) {
    node_pair nodes("ra1@localhost", "rb1@localhost");
    nodes.a.send(nodes.sink_b, term::tuple_of(atom("hello"), 42));
    std::future<term> got = nodes.got_b.get_future();
    ASSERT_EQ(got.wait_for(30s), std::future_status::ready);
    EXPECT_EQ(got.get(), term::tuple_of(atom("hello"), 42));
    EXPECT_EQ(nodes.net_a.nodes(), std::vector<atom>{atom("rb1@localhost")});
}

// A binary of 64 KiB or more goes with its bytes left in the term's buffer
// (one frame up to a fragment's size, fragments beyond); both arrive whole.
TEST(RillNodes, LargeBinariesArriveWholeInOneFrameAndInFragments) {
    for (const std::size_t size : {std::size_t{100} << 10U, std::size_t{700} << 10U}) {
        node_pair nodes("lba@localhost", "lbb@localhost");
        ASSERT_TRUE(nodes.net_a.connect_blocking(atom("lbb@localhost")));
        std::vector<std::byte> data(size);
        for (std::size_t i = 0; i < size; ++i) {
            data[i] = static_cast<std::byte>((i * 31U + i / 977U) & 0xFFU);
        }
        nodes.a.send(nodes.sink_b, term::binary(data));
        std::future<term> got = nodes.got_b.get_future();
        ASSERT_EQ(got.wait_for(30s), std::future_status::ready);
        const term arrived = got.get();
        ASSERT_TRUE(arrived.is_binary());
        EXPECT_TRUE(
            std::equal(arrived.bytes().begin(), arrived.bytes().end(), data.begin(), data.end()));
    }
}

TEST(RillNodes, ASendOfATypeWithoutATermConversionThrowsAtTheSend) {
    struct opaque {
        int x;
    };

    node_pair nodes("ra2@localhost", "rb2@localhost");
    EXPECT_THROW(nodes.a.send(nodes.sink_b, opaque{1}), no_term_conversion);
}

// Both nodes dial each other at the same instant, many times: BEAM's rule
// (the attempt of the node whose name sorts higher wins) leaves one
// connection, and neither message is lost.
TEST(RillNodes, SimultaneousConnectLeavesOneConnectionAndLosesNothing) {
    for (int round = 0; round < 20; ++round) {
        const std::string suffix = std::to_string(round);
        node_pair nodes("sa" + suffix + "@localhost", "sb" + suffix + "@localhost");
        std::barrier start(2);
        std::thread from_a([&] {
            start.arrive_and_wait();
            nodes.a.send(nodes.sink_b, term::tuple_of(atom("from_a"), round));
        });
        std::thread from_b([&] {
            start.arrive_and_wait();
            nodes.b.send(nodes.sink_a, term::tuple_of(atom("from_b"), round));
        });
        from_a.join();
        from_b.join();
        std::future<term> at_a = nodes.got_a.get_future();
        std::future<term> at_b = nodes.got_b.get_future();
        ASSERT_EQ(at_b.wait_for(30s), std::future_status::ready) << "round " << round;
        ASSERT_EQ(at_a.wait_for(30s), std::future_status::ready) << "round " << round;
        EXPECT_EQ(at_b.get(), term::tuple_of(atom("from_a"), round));
        EXPECT_EQ(at_a.get(), term::tuple_of(atom("from_b"), round));
        EXPECT_EQ(nodes.net_a.nodes().size(), 1U);
        EXPECT_EQ(nodes.net_b.nodes().size(), 1U);
    }
}

task<> collect(std::promise<std::vector<term>>* got, int count) {
    std::vector<term> seen;
    for (int i = 0; i < count; ++i) {
        seen.push_back(co_await process::receive_exact<term>());
    }
    got->set_value(std::move(seen));
}

task<> send_large_then_small(pid to, term large, pid next) {
    process::send(to, large);
    process::send(to, term::tuple_of(atom("small"), 1));
    process::send(next, atom("go"));
    co_return;
}

task<> send_small_when_told(pid to) {
    (void)co_await process::receive_exact<atom>();
    process::send(to, term::tuple_of(atom("small"), 2));
}

// A 100 MB message between nodes that agreed on fragments goes as 400
// fragments (fragments_test.cpp shows how other senders' frames pass
// them): it arrives whole, the sender's next message arrives after it, and
// another process's message sent meanwhile arrives too.
TEST(RillNodes, AHundredMegabyteMessageGoesInFragmentsAndArrivesWhole) {
    node_pair nodes("fa@localhost", "fb@localhost");
    ASSERT_TRUE(nodes.net_a.connect_blocking(atom("fb@localhost")));
    std::promise<std::vector<term>> got;
    const pid collector = nodes.b.spawn(collect, &got, 3);
    std::vector<std::byte> data(std::size_t{100} << 20U);
    for (std::size_t i = 0; i < data.size(); ++i) {
        data[i] = static_cast<std::byte>((i * 131U + i / 4099U) & 0xFFU);
    }
    const pid second = nodes.a.spawn(send_small_when_told, collector);
    nodes.a.spawn(send_large_then_small, collector, term::binary(data), second);
    std::future<std::vector<term>> seen_future = got.get_future();
    ASSERT_EQ(seen_future.wait_for(300s), std::future_status::ready);
    const std::vector<term> seen = seen_future.get();
    auto position = [&](auto&& is_it) {
        return std::find_if(seen.begin(), seen.end(), is_it) - seen.begin();
    };
    const auto large = position([](const term& t) { return t.is_binary(); });
    const auto small1 =
        position([](const term& t) { return t == term::tuple_of(atom("small"), 1); });
    const auto small2 =
        position([](const term& t) { return t == term::tuple_of(atom("small"), 2); });
    ASSERT_LT(large, 3);
    ASSERT_LT(small1, 3);
    ASSERT_LT(small2, 3);
    EXPECT_LT(large, small1);
    const std::span<const std::byte> arrived = seen[static_cast<std::size_t>(large)].bytes();
    ASSERT_EQ(arrived.size(), data.size());
    EXPECT_TRUE(std::equal(arrived.begin(), arrived.end(), data.begin()));
    const std::vector<dist::connection_statistics> at_b = nodes.net_b.connections();
    ASSERT_EQ(at_b.size(), 1U);
    EXPECT_GE(at_b.front().frames_received, 400U); // 100 MiB in 256 KiB fragments
    // Heard at the handshake at the latest, and the connection is alive:
    // within net_ticktime (60 s by default), not a garbage figure.
    EXPECT_LE(at_b.front().since_last_heard, std::chrono::seconds(60));
    EXPECT_GE(at_b.front().since_last_heard, std::chrono::milliseconds(0));
    // 100 MiB queued at once: over the 1 MiB busy limit, at least once.
    const std::vector<dist::connection_statistics> at_a = nodes.net_a.connections();
    ASSERT_EQ(at_a.size(), 1U);
    EXPECT_GE(at_a.front().busy_events, 1U);
    EXPECT_EQ(at_b.front().busy_events, 0U); // b sent nothing much
}

task<> registered_collector(atom name,
                            std::promise<void>* registered,
                            std::promise<std::vector<term>>* got,
                            int count) {
    process::register_name(process::self(), name);
    registered->set_value();
    co_await collect(got, count);
}

// Sends to a name nobody holds on the other node and to a pid that never
// lived there, then to the collector; only the last arrives (sends that
// precede it on the connection were dropped, not delayed), and the sender
// goes on without an error.
task<> send_to_nobody_then_collector(atom other, pid never_lived, pid report_to) {
    process::send(std::pair<atom, atom>{atom("nobody"), other}, atom("lost_by_name"));
    process::send(never_lived, atom("lost_by_pid"));
    process::send(std::pair<atom, atom>{atom("collector"), other}, atom("arrived"));
    process::send(report_to, atom("sent"));
    co_return;
}

task<> await_one(std::promise<term>* got) {
    got->set_value(co_await process::receive_exact<term>());
}

TEST(RillNodes, S69SendsToAnUnregisteredRemoteNameOrADeadRemotePidAreDroppedSilently) {
    node_pair nodes("dra@localhost", "drb@localhost");
    ASSERT_TRUE(nodes.net_a.connect_blocking(atom("drb@localhost")));
    std::promise<std::vector<term>> got;
    std::promise<void> registered;
    nodes.b.spawn(registered_collector, atom("collector"), &registered, &got, 1);
    ASSERT_EQ(registered.get_future().wait_for(30s), std::future_status::ready);
    const pid never_lived{atom("drb@localhost"), 999'999, 0, nodes.b.creation()};
    std::promise<term> sender_done;
    const pid report_to = nodes.a.spawn(await_one, &sender_done);
    std::future<term> done = sender_done.get_future();
    nodes.a.spawn(send_to_nobody_then_collector, atom("drb@localhost"), never_lived, report_to);
    ASSERT_EQ(done.wait_for(30s), std::future_status::ready);
    EXPECT_EQ(done.get(), term(atom("sent")));
    std::future<std::vector<term>> seen = got.get_future();
    ASSERT_EQ(seen.wait_for(30s), std::future_status::ready);
    EXPECT_EQ(seen.get(), std::vector<term>{term(atom("arrived"))});
}

TEST(RillNodes, AWrongCookieIsRefusedAndTheNodeGoesOn) {
    runtime a(node_options("ca@localhost"));
    dist::net_kernel net_a(a, first_node());
    runtime_options wrong = node_options("cb@localhost");
    wrong.cookie = "not the same";
    runtime b(wrong);
    std::vector<std::string> log_b;
    std::mutex log_mutex;
    dist::options options_b = second_node(net_a.epmd_port());
    options_b.log = [&](std::string_view line) {
        std::lock_guard lock(log_mutex);
        log_b.emplace_back(line);
    };
    dist::net_kernel net_b(b, options_b);
    EXPECT_FALSE(net_b.connect_blocking(atom("ca@localhost")));
    EXPECT_TRUE(net_a.nodes().empty());
    std::lock_guard lock(log_mutex);
    ASSERT_FALSE(log_b.empty());
    EXPECT_NE(log_b.back().find("ca@localhost"), std::string::npos) << log_b.back();
}

// Answers `{From, X}` with `{back, X}` to From, once.
task<> answer_back() {
    const term m = co_await process::receive_exact<term>();
    process::send(m.elements()[0].as_pid(), term::tuple_of(atom("back"), m.elements()[1]));
}

// Asks `peer` once and fulfils `done` when the answer is here; then waits.
task<> ask(pid peer, std::promise<void>* done) {
    (void)co_await process::receive_exact<term>(); // go
    process::send(peer, term::tuple_of(process::self(), atom("x")));
    (void)co_await process::receive_exact<term>();
    done->set_value();
    (void)co_await process::receive_any(); // stays: its exit is no part of the test
}

// Trace events from any worker, as "kind label serial", and their texts.
struct locked_recorder final : trace_receiver {
    bool on_event(trace_event&& event) noexcept override {
        const std::lock_guard lock(mutex);
        lines.push_back(std::string(trace_event_kind_name(event.kind)) + " " +
                        to_string(event.label) + " " + std::to_string(event.serial));
        texts.push_back(std::move(event.text));
        return true;
    }

    std::mutex mutex;
    std::vector<std::string> lines;
    std::vector<std::string> texts;
};

// A label followed from one node goes with the request to the other (in
// SEND_TT), where that node's follower sees its carrier, and comes back
// with the serial the other node's send gave it.
TEST(RillNodes, ALabelFollowedOnOneNodeTravelsToTheOtherAndBack) {
    node_pair nodes("fa@localhost", "fb@localhost");
    const term label = term::tuple_of(atom("request"), 1);
    auto seen_a = std::make_shared<locked_recorder>();
    auto seen_b = std::make_shared<locked_recorder>();
    nodes.b.follow(label, seen_b);
    const pid answerer = nodes.b.spawn(answer_back);
    std::promise<void> done;
    const pid asker = nodes.a.spawn(ask, answerer, &done);
    nodes.a.trace(asker, seen_a, {.follow = label});
    nodes.a.send(asker, atom("go"));
    std::future<void> answered = done.get_future();
    ASSERT_EQ(answered.wait_for(30s), std::future_status::ready);

    {
        const std::lock_guard lock(seen_b->mutex);
        EXPECT_EQ(seen_b->lines,
                  (std::vector<std::string>{"received {request,1} 1", "sent {request,1} 2"}));
        ASSERT_EQ(seen_b->texts.size(), 2U);
        EXPECT_EQ(seen_b->texts[1], "{back,x}");
    }
    const std::lock_guard lock(seen_a->mutex);
    EXPECT_EQ(seen_a->lines,
              (std::vector<std::string>{
                  "received [] 0", "sent {request,1} 1", "received {request,1} 2"}));
    ASSERT_EQ(seen_a->texts.size(), 3U);
    EXPECT_EQ(seen_a->texts[2], "{back,x}");
}

TEST(RillNodes, MisuseIsAClearError) {
    runtime plain; // nonode@nohost
    EXPECT_THROW(dist::net_kernel(plain, first_node()), dist::setup_error);
    runtime a(node_options("twice@localhost"));
    dist::net_kernel first(a, first_node());
    EXPECT_THROW(dist::net_kernel(a, first_node()), dist::setup_error);
    runtime_options long_name = node_options("long@host.example");
    runtime c(long_name);
    EXPECT_THROW(dist::net_kernel(c, first_node()), dist::setup_error);
    // A listen port another node holds.
    runtime d(node_options("port_taken@localhost"));
    dist::options same_port = second_node(first.epmd_port());
    same_port.port = first.port();
    try {
        dist::net_kernel taken(d, same_port);
        ADD_FAILURE() << "a port in use was accepted";
    } catch (const dist::setup_error& e) {
        EXPECT_NE(std::string(e.what()).find(std::to_string(first.port())), std::string::npos)
            << e.what();
    }
}

} // namespace
} // namespace rill
