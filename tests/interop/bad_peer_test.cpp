// A rill node against a peer that misbehaves on the socket. The test plays
// the peer itself: `raw_peer` is a blocking loopback TCP client (POSIX
// sockets) that speaks as `fake@localhost`. For the handshake it runs rill's
// own initiator state machine (src/dist/handshake) with the flags a plain
// OTP 25 node offers, less FRAGMENTS and the atom cache, so the node under
// test takes it for a BEAM node; then it writes whatever bytes a case needs.
//
// Each case checks three things, in this order:
//   1. the node logs a line naming the peer (its node name, or its address
//      while no name is known) and the reason (`dist::options::log` is
//      captured; `log_capture::wait_for_line` waits for it);
//   2. the node closes that connection (the raw peer reads to end of file);
//   3. the node still serves a well-behaved peer: a second rill runtime in
//      this process pings it and gets an answer from its `echo` process.
//
// Waits are on events (a log line, end of file, a promise); each has a
// generous bound (`event_bound`, the sockets' SO_RCVTIMEO/SO_SNDTIMEO) that
// only turns a hang into a failure.

#include <rill/dist.hpp>
#include <rill/rill.hpp>
#include <rill/testing.hpp>

#include "dist/connection/control.hpp"
#include "dist/handshake/dist_flags.hpp"
#include "dist/handshake/handshake.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <future>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <netinet/in.h>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <sys/time.h>
#include <system_error>
#include <unistd.h>
#include <variant>
#include <vector>

namespace rill {
namespace {

using namespace std::chrono_literals;
using dist::internal::bytes;

// Generous bounds on waits that normally end in milliseconds: they only
// turn a hang into a failure.
constexpr auto event_bound = 30s;

const std::string cookie = "bad_peer";
const atom target_node{"target@localhost"};
const atom fake_node{"fake@localhost"};
constexpr std::uint32_t fake_creation = 0x5eed0001;

// What an OTP 25 node offers (hidden; `erts_internal:get_dflags()`, the
// reference notes section 5), less FRAGMENTS and the atom cache, which a
// rill node does not offer either.
constexpr std::uint64_t fake_flags =
    dist::internal::dflag::otp25_mandatory | dist::internal::dflag::dist_monitor |
    dist::internal::dflag::dist_monitor_name | dist::internal::dflag::unicode_io |
    dist::internal::dflag::small_atom_tags | dist::internal::dflag::send_sender |
    dist::internal::dflag::big_seqtrace_labels | dist::internal::dflag::exit_payload |
    dist::internal::dflag::unlink_id | dist::internal::dflag::mandatory_25_digest |
    dist::internal::dflag::spawn | dist::internal::dflag::v4_nc | dist::internal::dflag::alias;
static_assert(fake_flags == (0xd07df7fbcULL & ~(dist::internal::dflag::fragments |
                                                dist::internal::dflag::dist_hdr_atom_cache)));

pid fake_pid(std::uint32_t id) {
    return pid{fake_node, id, 0, fake_creation};
}

// ---- the misbehaving peer -----------------------------------------------------------------

bytes bytes_of(std::string_view text) {
    const auto* first = reinterpret_cast<const std::byte*>(text.data()); // NOLINT: bytes of text
    return {first, first + text.size()};
}

// `body` after a big-endian length of `width` bytes (2: a handshake
// message, 4: a distribution frame).
bytes length_prefixed(const bytes& body, int width) {
    bytes out;
    for (int shift = 8 * (width - 1); shift >= 0; shift -= 8) {
        out.push_back(
            static_cast<std::byte>((body.size() >> static_cast<unsigned>(shift)) & 0xFFU));
    }
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

// A pass-through frame: its length, 'p', the control term, then `payload`
// as given (an encoded term, or bytes that are none).
bytes pass_through_frame(const term& control, const bytes& payload = {}) {
    bytes body{std::byte{'p'}};
    etf::append_encoded(body, control);
    body.insert(body.end(), payload.begin(), payload.end());
    return length_prefixed(body, 4);
}

// REG_SEND {6, From, '', Name} + Message, as an OTP 25 node sends it.
bytes reg_send_frame(const pid& from, atom name, const term& message) {
    return pass_through_frame(term::tuple_of(6, from, atom(""), name), etf::encode(message));
}

class raw_peer {
public:
    // Connects to 127.0.0.1:`port`. A `receive_buffer` (bytes) caps the
    // socket's receive buffer, so a peer that does not read fills up soon.
    explicit raw_peer(std::uint16_t port, int receive_buffer = 0)
        : socket_(::socket(AF_INET, SOCK_STREAM, 0)) {
        if (socket_ < 0) {
            throw std::system_error(errno, std::generic_category(), "raw_peer: socket");
        }
        timeval bound{};
        bound.tv_sec = std::chrono::duration_cast<std::chrono::seconds>(event_bound).count();
        ::setsockopt(socket_, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
        ::setsockopt(socket_, SOL_SOCKET, SO_SNDTIMEO, &bound, sizeof bound);
        if (receive_buffer > 0) {
            ::setsockopt(socket_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
        }
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
        if (::connect(socket_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
            const int error = errno;
            ::close(socket_);
            throw std::system_error(error, std::generic_category(), "raw_peer: connect");
        }
    }

    ~raw_peer() { ::close(socket_); }

    raw_peer(const raw_peer&) = delete;
    raw_peer& operator=(const raw_peer&) = delete;

    // "127.0.0.1:<port>": how the node names this peer before the handshake
    // told it a node name.
    [[nodiscard]] std::string address() const {
        sockaddr_in local{};
        socklen_t size = sizeof local;
        // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
        ::getsockname(socket_, reinterpret_cast<sockaddr*>(&local), &size);
        return "127.0.0.1:" + std::to_string(ntohs(local.sin_port));
    }

    void write(const bytes& data) {
        std::size_t done = 0;
        while (done < data.size()) {
            const ssize_t sent =
                ::send(socket_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
            if (sent < 0 && errno == EINTR) {
                continue;
            }
            if (sent <= 0) {
                throw std::system_error(errno, std::generic_category(), "raw_peer: send");
            }
            done += static_cast<std::size_t>(sent);
        }
    }

    // The version-6 handshake as `fake@localhost` with `with_cookie`,
    // initiating. Throws `handshake_refused` for a refusal it reads, and
    // `std::runtime_error` when the node closes the socket mid-way.
    void handshake(const std::string& with_cookie) {
        dist::internal::handshake_initiator initiator(
            {std::string(fake_node.name()), fake_flags, fake_creation, with_cookie},
            std::string(target_node.name()),
            0x0badc0de,
            [] { return false; });
        write(initiator.start());
        for (;;) {
            std::optional<bytes> length = read_exactly(2);
            std::optional<bytes> message =
                length ? read_exactly((std::to_integer<std::size_t>((*length)[0]) << 8U) |
                                      std::to_integer<std::size_t>((*length)[1]))
                       : std::nullopt;
            if (!message) {
                throw std::runtime_error("the node closed the socket during the handshake");
            }
            dist::internal::handshake_step step = initiator.on_message(*message);
            write(step.to_send);
            if (step.complete) {
                return;
            }
        }
    }

    // The next signal the node sends (ticks skipped); nothing once it
    // closed the connection.
    std::optional<remote_signal> read_signal() {
        for (;;) {
            std::optional<bytes> header = read_exactly(4);
            if (!header) {
                return std::nullopt;
            }
            std::size_t length = 0;
            for (std::byte b : *header) {
                length = (length << 8U) | std::to_integer<std::size_t>(b);
            }
            if (length == 0) {
                continue; // a tick
            }
            std::optional<bytes> body = read_exactly(length);
            if (!body) {
                return std::nullopt;
            }
            dist::internal::inbound_signal signal =
                dist::internal::decode_frame(etf::shared_bytes::adopt(std::move(*body)), fake_node);
            if (auto* decoded = std::get_if<remote_signal>(&signal)) {
                return *decoded;
            }
        }
    }

    // Reads and drops what the node sends until it closes the connection:
    // true then, false when nothing came for `event_bound`.
    bool wait_until_closed() {
        std::vector<std::byte> sink(64 * 1024);
        for (;;) {
            const ssize_t got = ::recv(socket_, sink.data(), sink.size(), 0);
            if (got == 0 || (got < 0 && errno == ECONNRESET)) {
                return true;
            }
            if (got < 0 && errno != EINTR) {
                return false; // timed out (EAGAIN) or failed
            }
        }
    }

    // Ends this side's writing (the node reads end of file); reading goes on.
    void shut_down_writing() { ::shutdown(socket_, SHUT_WR); }

private:
    // Exactly `count` bytes; nothing at end of file. Throws on a timeout.
    std::optional<bytes> read_exactly(std::size_t count) {
        bytes out(count);
        std::size_t done = 0;
        while (done < count) {
            const ssize_t got = ::recv(socket_, out.data() + done, count - done, 0);
            if (got == 0 || (got < 0 && errno == ECONNRESET)) {
                return std::nullopt;
            }
            if (got < 0 && errno == EINTR) {
                continue;
            }
            if (got < 0) {
                throw std::system_error(errno, std::generic_category(), "raw_peer: recv");
            }
            done += static_cast<std::size_t>(got);
        }
        return out;
    }

    int socket_;
};

// ---- the node under test ------------------------------------------------------------------

// The distribution's log lines, kept for the test to wait on.
class log_capture {
public:
    explicit log_capture(atom node)
        : node_(node) {}

    [[nodiscard]] std::function<void(std::string_view)> sink() {
        return [this](std::string_view line) {
            std::lock_guard lock(mutex_);
            lines_.emplace_back(line);
            changed_.notify_all();
        };
    }

    // The first line holding every one of `parts`, once it is logged;
    // nothing when none came within `event_bound`.
    std::optional<std::string> wait_for_line(std::initializer_list<std::string> parts) {
        std::unique_lock lock(mutex_);
        std::optional<std::string> found;
        changed_.wait_for(lock, event_bound, [&] {
            for (const std::string& line : lines_) {
                bool all = true;
                for (const std::string& part : parts) {
                    all = all && line.find(part) != std::string::npos;
                }
                if (all) {
                    found = line;
                    return true;
                }
            }
            return false;
        });
        return found;
    }

    [[nodiscard]] std::string all() const {
        std::lock_guard lock(mutex_);
        std::string text = "log of " + std::string(node_.name()) + ":\n";
        for (const std::string& line : lines_) {
            text += "  " + line + "\n";
        }
        return text;
    }

private:
    atom node_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> lines_;
};

runtime_options node_options(atom name) {
    runtime_options options;
    options.workers = 2;
    options.node_name = std::string(name.name());
    options.cookie = cookie;
    return options;
}

// {From, Tag, T} -> From ! {Tag, T}, as `echo`; {alias, From} -> From !
// {alias, NewAlias}; {unalias, From, Alias} -> From ! {unaliased, Bool}.
task<> echo_process(std::promise<void>* registered) {
    static const atom alias_atom{"alias"};
    static const atom unalias_atom{"unalias"};
    process::register_name(process::self(), atom("echo"));
    registered->set_value();
    for (;;) {
        term request = co_await process::receive_exact<term>();
        if (!request.is_tuple() || request.elements().empty()) {
            continue;
        }
        const auto e = request.elements();
        if (e.size() == 3 && e[0].is_pid()) {
            process::send(e[0].as_pid(), term::tuple_of(e[1], e[2]));
        } else if (e.size() == 2 && e[0].is_atom(alias_atom)) {
            process::send(e[1].as_pid(), term::tuple_of(alias_atom, process::alias()));
        } else if (e.size() == 3 && e[0].is_atom(unalias_atom)) {
            process::send(
                e[1].as_pid(),
                term::tuple_of(atom("unaliased"), term(process::unalias(e[2].as_reference()))));
        }
    }
}

// A well-behaved node's visit: {pong | pang, the echo's reply or no_reply}.
task<> ping_and_echo(std::promise<term>* outcome) {
    const bool pong = co_await dist::ping(target_node);
    const reference tag = process::make_ref();
    process::send(std::pair{atom("echo"), target_node},
                  term::tuple_of(process::self(), tag, atom("still_serving")));
    std::optional<term> reply = co_await process::receive_reply<term>(tag, event_bound);
    outcome->set_value(
        term::tuple_of(atom(pong ? "pong" : "pang"), reply ? *reply : term(atom("no_reply"))));
}

class BadPeer : public ::testing::Test {
protected:
    // Starts `target@localhost` with `options` (plus an embedded epmd on a
    // free port and the captured log) and its registered `echo` process.
    void start_node(dist::options options = {}) {
        options.epmd = dist::epmd_mode::embedded;
        options.epmd_port = 0;
        options.log = log_.sink();
        node_ = std::make_unique<runtime>(node_options(target_node));
        net_ = std::make_unique<dist::net_kernel>(*node_, std::move(options));
        std::promise<void> registered;
        node_->spawn(echo_process, &registered);
        ASSERT_EQ(registered.get_future().wait_for(event_bound), std::future_status::ready);
    }

    void TearDown() override {
        net_.reset();
        node_.reset();
    }

    [[nodiscard]] std::uint16_t port() const { return net_->port(); }

    // A second rill node, well behaved, pings the node under test and gets
    // its echo's answer.
    void expect_a_well_behaved_node_is_served() {
        log_capture good_log(atom("good@localhost"));
        runtime good(node_options(atom("good@localhost")));
        dist::options options;
        options.epmd = dist::epmd_mode::external;
        options.epmd_port = net_->epmd_port();
        options.log = good_log.sink();
        dist::net_kernel good_net(good, options);
        std::promise<term> outcome;
        std::future<term> done = outcome.get_future();
        good.spawn(ping_and_echo, &outcome);
        ASSERT_EQ(done.wait_for(event_bound), std::future_status::ready)
            << log_.all() << good_log.all();
        EXPECT_EQ(done.get(), term::tuple_of(atom("pong"), atom("still_serving")))
            << log_.all() << good_log.all();
    }

    log_capture log_{target_node};
    std::unique_ptr<runtime> node_;
    std::unique_ptr<dist::net_kernel> net_;
};

TEST_F(BadPeer, GarbageInsteadOfAHandshakeIsRefusedAndLoggedWithThePeersAddress) {
    start_node();
    raw_peer peer(port());

    peer.write(length_prefixed(bytes_of("hello, rill!"), 2));

    EXPECT_TRUE(log_.wait_for_line(
        {"refused a connection from a peer at " + peer.address(), "expected a name ('N')"}))
        << log_.all();
    EXPECT_TRUE(peer.wait_until_closed());
    expect_a_well_behaved_node_is_served();
}

TEST_F(BadPeer, GarbageAfterTheHandshakeClosesTheConnection) {
    start_node();
    raw_peer peer(port());
    peer.handshake(cookie);

    peer.write(length_prefixed(bytes_of("hello, rill!"), 4));

    EXPECT_TRUE(
        log_.wait_for_line({"connection to fake@localhost closed",
                            "a frame that starts with neither 'p' nor a distribution header"}))
        << log_.all();
    EXPECT_TRUE(peer.wait_until_closed());
    expect_a_well_behaved_node_is_served();
}

// Refused from the length alone: the peer sends no body and keeps the
// socket open, so a node that waited for (or allocated) 4 GiB would hang.
TEST_F(BadPeer, AFourGigabyteLengthIsRefusedBeforeAnythingIsReadOrAllocatedForIt) {
    start_node();
    raw_peer peer(port());
    peer.handshake(cookie);

    peer.write(bytes{std::byte{0xFF}, std::byte{0xFF}, std::byte{0xFF}, std::byte{0xFF}});

    EXPECT_TRUE(log_.wait_for_line(
        {"connection to fake@localhost closed", "a frame of 4294967295 bytes, over the limit"}))
        << log_.all();
    EXPECT_TRUE(peer.wait_until_closed());
    expect_a_well_behaved_node_is_served();
}

TEST_F(BadPeer, ATruncatedFrameFollowedByACloseEndsTheConnection) {
    start_node();
    raw_peer peer(port());
    peer.handshake(cookie);

    bytes truncated = length_prefixed(bytes(100, std::byte{'p'}), 4);
    truncated.resize(4 + 10);
    peer.write(truncated);
    peer.shut_down_writing();

    EXPECT_TRUE(log_.wait_for_line(
        {"connection to fake@localhost closed", "the peer closed the connection"}))
        << log_.all();
    EXPECT_TRUE(peer.wait_until_closed());
    expect_a_well_behaved_node_is_served();
}

// Monitors `watched` (over the fake peer's connection), then reports the
// first two messages it gets, with the monitor's reference.
task<> lose_the_peer(pid watched, std::promise<std::vector<term>>* got) {
    process::trap_exit(true);
    const reference ref = process::monitor(watched);
    std::vector<term> out{term::from_reference(ref)};
    for (int i = 0; i < 2; ++i) {
        std::optional<dyn_message> m = co_await process::receive_any(event_bound);
        if (!m) {
            break;
        }
        out.push_back(testing::message_as_term(std::move(*m)));
    }
    got->set_value(std::move(out));
}

// A fault at a chosen frame: the connection is cut in the middle of one,
// after a link from the peer and a monitor on one of its processes are in
// place. Both fire noconnection (S74).
TEST_F(BadPeer, S74AConnectionCutMidFrameBreaksTheLinksAndMonitorsOverIt) {
    start_node();
    raw_peer peer(port());
    peer.handshake(cookie);
    std::promise<std::vector<term>> got;
    std::future<std::vector<term>> done = got.get_future();
    const pid watcher = node_->spawn(lose_the_peer, fake_pid(2), &got);
    std::optional<remote_signal> monitor = peer.read_signal(); // its MONITOR_P
    ASSERT_TRUE(monitor.has_value()) << log_.all();
    EXPECT_EQ(monitor->kind, remote_signal_kind::monitor);
    peer.write(pass_through_frame(term::tuple_of(1, fake_pid(1), watcher))); // LINK

    bytes truncated = length_prefixed(bytes(100, std::byte{'p'}), 4);
    truncated.resize(4 + 10);
    peer.write(truncated);
    peer.shut_down_writing();

    ASSERT_EQ(done.wait_for(event_bound), std::future_status::ready) << log_.all();
    const std::vector<term> events = done.get();
    ASSERT_EQ(events.size(), 3U) << log_.all();
    const reference ref = events[0].as_reference();
    const term exit = testing::exit_message(fake_pid(1), term(atoms::noconnection));
    const term down = testing::down_message(ref, term(fake_pid(2)), term(atoms::noconnection));
    EXPECT_TRUE((events[1] == exit && events[2] == down) ||
                (events[1] == down && events[2] == exit))
        << events[1] << " " << events[2];
    EXPECT_TRUE(peer.wait_until_closed());
    expect_a_well_behaved_node_is_served();
}

reference fake_ref(std::uint32_t id) {
    reference r;
    r.node = fake_node;
    r.creation = fake_creation;
    r.size = 3;
    r.id = {id, 0, 0, 0, 0};
    return r;
}

// Signals for processes that are not there get BEAM's answers (noproc for
// a link or monitor, nothing for the rest), signals that claim other
// nodes' processes are dropped with a log line, and the node goes on.
TEST_F(BadPeer, SignalsForPidsOfAnEarlierIncarnationOrAnotherNodeGetBeamsAnswersOrAreDropped) {
    start_node();
    raw_peer peer(port());
    peer.handshake(cookie);
    const pid old{target_node, 1, 0, net_->creation() + 1};
    const pid elsewhere{atom("other@localhost"), 1, 0, 1};

    peer.write(pass_through_frame(term::tuple_of(1, fake_pid(1), old))); // LINK
    std::optional<remote_signal> exit = peer.read_signal();
    ASSERT_TRUE(exit.has_value()) << log_.all();
    EXPECT_EQ(exit->kind, remote_signal_kind::link_exit);
    EXPECT_EQ(exit->from, old);
    EXPECT_EQ(exit->payload, term(atoms::noproc));

    peer.write(pass_through_frame(term::tuple_of(19, fake_pid(1), old, fake_ref(7)))); // MONITOR_P
    std::optional<remote_signal> down = peer.read_signal();
    ASSERT_TRUE(down.has_value()) << log_.all();
    EXPECT_EQ(down->kind, remote_signal_kind::down);
    EXPECT_EQ(down->ref, fake_ref(7));
    EXPECT_EQ(down->payload, term(atoms::noproc));

    // Dropped: a link to another node's pid, a link claimed for another
    // node's process, an ack nobody asked for, a demonitor of nothing.
    peer.write(pass_through_frame(term::tuple_of(1, fake_pid(1), elsewhere)));
    EXPECT_TRUE(log_.wait_for_line({"dropped a signal from fake@localhost"})) << log_.all();
    peer.write(pass_through_frame(term::tuple_of(1, elsewhere, old)));
    peer.write(pass_through_frame(
        term::tuple_of(36, term::from_uint64(5), fake_pid(1), old))); // UNLINK_ID_ACK
    peer.write(
        pass_through_frame(term::tuple_of(20, fake_pid(1), old, fake_ref(8)))); // DEMONITOR_P
    peer.write(reg_send_frame(
        fake_pid(1), atom("echo"), term::tuple_of(fake_pid(1), atom("after"), atom("all"))));
    std::optional<remote_signal> reply = peer.read_signal();
    ASSERT_TRUE(reply.has_value()) << log_.all();
    EXPECT_EQ(reply->kind, remote_signal_kind::message);
    EXPECT_EQ(reply->payload, term::tuple_of(atom("after"), atom("all")));
    expect_a_well_behaved_node_is_served();
}

// ALIAS_SEND reaches a process through an alias it made, and is dropped
// for an alias it ended, for a reference of this node that is no alias,
// and for one of another node; the connection goes on.
TEST_F(BadPeer, AliasSendsReachAnActiveAliasOnlyAndTheRestAreDropped) {
    start_node();
    raw_peer peer(port());
    peer.handshake(cookie);
    auto alias_send = [&](const reference& alias, const term& message) {
        peer.write(pass_through_frame(term::tuple_of(33, fake_pid(1), term::from_reference(alias)),
                                      etf::encode(message)));
    };
    auto reply_payload = [&]() -> term {
        std::optional<remote_signal> reply = peer.read_signal();
        EXPECT_TRUE(reply.has_value()) << log_.all();
        return reply ? reply->payload : term();
    };

    peer.write(
        reg_send_frame(fake_pid(1), atom("echo"), term::tuple_of(atom("alias"), fake_pid(1))));
    const term made = reply_payload();
    ASSERT_TRUE(made.is_tuple() && made.elements().size() == 2 && made.elements()[1].is_reference())
        << made;
    const reference alias = made.elements()[1].as_reference();
    EXPECT_EQ(alias.node, target_node);

    alias_send(alias, term::tuple_of(fake_pid(1), atom("through"), atom("alias")));
    EXPECT_EQ(reply_payload(), term::tuple_of(atom("through"), atom("alias")));

    peer.write(
        reg_send_frame(fake_pid(1),
                       atom("echo"),
                       term::tuple_of(atom("unalias"), fake_pid(1), term::from_reference(alias))));
    EXPECT_EQ(reply_payload(), term::tuple_of(atom("unaliased"), true));

    reference not_an_alias = alias;
    not_an_alias.size = 3;
    reference other_words = alias;
    other_words.id[0] += 1;
    for (const reference& to : {alias, not_an_alias, other_words, fake_ref(3)}) {
        alias_send(to, term::tuple_of(fake_pid(1), atom("dropped"), term::from_reference(to)));
    }
    peer.write(reg_send_frame(
        fake_pid(1), atom("echo"), term::tuple_of(fake_pid(1), atom("after"), atom("all"))));
    EXPECT_EQ(reply_payload(), term::tuple_of(atom("after"), atom("all")))
        << "nothing sent to a dead alias came back first";
    expect_a_well_behaved_node_is_served();
}

// As BEAM: the spawn succeeds and the process ends with undef.
TEST_F(BadPeer, ASpawnRequestForAnUnregisteredFunctionEndsWithUndef) {
    start_node();
    raw_peer peer(port());
    peer.handshake(cookie);

    peer.write(pass_through_frame(term::tuple_of(29,
                                                 fake_ref(9),
                                                 fake_pid(1),
                                                 fake_pid(1),
                                                 term::tuple_of(atom("nosuch"), atom("f"), 0),
                                                 term::list_of(atom("monitor"))),
                                  etf::encode(term::list_of())));

    std::optional<remote_signal> down = peer.read_signal(); // after the SPAWN_REPLY
    ASSERT_TRUE(down.has_value()) << log_.all();
    EXPECT_EQ(down->kind, remote_signal_kind::down);
    EXPECT_EQ(down->ref, fake_ref(9));
    EXPECT_EQ(down->to, fake_pid(1));
    const term frame = term::tuple_of(atom("nosuch"), atom("f"), term::list_of(), term::list_of());
    EXPECT_EQ(down->payload, term::tuple_of(atom("undef"), term::list_of(frame)));
    expect_a_well_behaved_node_is_served();
}

TEST_F(BadPeer, AnUnknownControlMessageClosesTheConnection) {
    start_node();
    raw_peer peer(port());
    peer.handshake(cookie);

    peer.write(pass_through_frame(term::tuple_of(99, fake_pid(1), atom("what"))));

    EXPECT_TRUE(
        log_.wait_for_line({"connection to fake@localhost closed", "unknown control message {99,"}))
        << log_.all();
    EXPECT_TRUE(peer.wait_until_closed());
    expect_a_well_behaved_node_is_served();
}

TEST_F(BadPeer, AMessageWhosePayloadDoesNotDecodeClosesTheConnection) {
    start_node();
    raw_peer peer(port());
    peer.handshake(cookie);

    // REG_SEND to `echo` whose payload has an unknown tag (255).
    peer.write(pass_through_frame(term::tuple_of(6, fake_pid(1), atom(""), atom("echo")),
                                  bytes{std::byte{131}, std::byte{255}, std::byte{0}}));

    EXPECT_TRUE(log_.wait_for_line({"connection to fake@localhost closed",
                                    "bad input from the peer",
                                    "etf decode error (unknown_tag)"}))
        << log_.all();
    EXPECT_TRUE(peer.wait_until_closed());
    expect_a_well_behaved_node_is_served();
}

TEST_F(BadPeer, APeerThatSaysNothingAfterTheHandshakeIsDroppedAfterTheTickTime) {
    dist::options options;
    options.net_ticktime = 400ms;
    start_node(options);
    raw_peer peer(port());

    peer.handshake(cookie);

    EXPECT_TRUE(peer.wait_until_closed()); // the node's ticks are read, none is answered
    EXPECT_TRUE(log_.wait_for_line(
        {"connection to fake@localhost closed", "nothing heard for 400 ms (net_ticktime)"}))
        << log_.all();
    expect_a_well_behaved_node_is_served();
}

TEST_F(BadPeer, APeerThatNeverStartsTheHandshakeIsDroppedAfterTheSetupTime) {
    dist::options options;
    options.setup_time = 500ms;
    start_node(options);

    raw_peer peer(port());

    EXPECT_TRUE(peer.wait_until_closed());
    EXPECT_TRUE(log_.wait_for_line(
        {"refused a connection from a peer at " + peer.address(), "handshake: timed out"}))
        << log_.all();
    expect_a_well_behaved_node_is_served();
}

TEST_F(BadPeer, AWrongCookieIsRefusedAndLogged) {
    start_node();
    raw_peer peer(port());

    EXPECT_THROW(peer.handshake("not the cookie"), std::runtime_error);

    EXPECT_TRUE(log_.wait_for_line(
        {"refused a connection from fake@localhost", "does not share this node's cookie"}))
        << log_.all();
    EXPECT_TRUE(peer.wait_until_closed());
    expect_a_well_behaved_node_is_served();
}

// The flood runs on the node under test: once the peer's `go` shows the
// connection is up, 64 KiB binaries to the peer's process until the node
// drops the connection (or `flood_bound` bytes, a failure); then a monitor
// of that process, which the unreachable node answers `noconnection`.
// Reports {Bytes sent, the DOWN's reason}.
constexpr std::size_t flood_bound = std::size_t{1} << 30U;

task<>
flood_the_peer(pid peer_process, std::promise<void>* registered, std::promise<term>* report) {
    process::register_name(process::self(), atom("flooder"));
    registered->set_value();
    (void)co_await process::receive_exact<term>(); // `go`, sent once the handshake is done
    const term chunk = term::binary(bytes(64 * 1024, std::byte{0x5a}));
    std::size_t sent = 0;
    auto connected = [] {
        const std::vector<atom> up = dist::nodes();
        return std::find(up.begin(), up.end(), fake_node) != up.end();
    };
    while (connected() && sent < flood_bound) {
        process::send(peer_process, chunk);
        sent += chunk.bytes().size();
        co_await process::yield();
    }
    process::monitor(peer_process);
    std::optional<message<term>> down = co_await process::receive<term>(event_bound);
    const term reason = down && std::holds_alternative<down_signal>(*down)
                            ? std::get<down_signal>(*down).reason
                            : term(atom("no_down"));
    report->set_value(term::tuple_of(term::from_uint64(sent), reason));
}

TEST_F(BadPeer, APeerThatNeverReadsIsDisconnectedPastTheQueueLimit) {
    dist::options options;
    options.max_queued_bytes = std::size_t{1} << 20U;
    start_node(options);
    std::promise<void> registered;
    std::promise<term> report;
    std::future<term> flooded = report.get_future();
    node_->spawn(flood_the_peer, fake_pid(1), &registered, &report);
    ASSERT_EQ(registered.get_future().wait_for(event_bound), std::future_status::ready);
    raw_peer peer(port(), 64 * 1024);
    peer.handshake(cookie);

    peer.write(reg_send_frame(fake_pid(1), atom("flooder"), atom("go")));

    EXPECT_TRUE(log_.wait_for_line(
        {"connection to fake@localhost closed", "more than 1048576 bytes queued for the peer"}))
        << log_.all();
    ASSERT_EQ(flooded.wait_for(event_bound), std::future_status::ready) << log_.all();
    const term outcome = flooded.get();
    EXPECT_LT(*outcome.elements()[0].to_uint64(), flood_bound) << outcome;
    EXPECT_EQ(outcome.elements()[1], term(atom("noconnection"))) << outcome;
    EXPECT_TRUE(peer.wait_until_closed());
    expect_a_well_behaved_node_is_served();
}

TEST_F(BadPeer, ManyMessagesToAnUnregisteredNameAreDroppedAndTheNodeGoesOn) {
    constexpr int messages = 20'000;
    start_node();
    raw_peer peer(port());
    peer.handshake(cookie);

    bytes batch;
    for (int i = 1; i <= messages; ++i) {
        const bytes frame =
            reg_send_frame(fake_pid(1), atom("nobody"), term::tuple_of(atom("lost"), i));
        batch.insert(batch.end(), frame.begin(), frame.end());
        if (i % 1000 == 0) {
            peer.write(batch);
            batch.clear();
        }
    }
    peer.write(reg_send_frame(
        fake_pid(1), atom("echo"), term::tuple_of(fake_pid(1), atom("after"), messages)));

    std::optional<remote_signal> reply = peer.read_signal();
    ASSERT_TRUE(reply.has_value()) << log_.all();
    EXPECT_EQ(reply->to, fake_pid(1));
    EXPECT_EQ(reply->payload, term::tuple_of(atom("after"), messages));
    EXPECT_EQ(net_->nodes(), std::vector<atom>{fake_node});
    expect_a_well_behaved_node_is_served();
}

} // namespace
} // namespace rill
