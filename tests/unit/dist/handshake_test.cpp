#include "dist/handshake/handshake.hpp"

#include "dist/handshake/dist_flags.hpp"
#include "unit/etf/etf_test_support.hpp"

#include <gtest/gtest.h>

#include <span>
#include <string>
#include <vector>

namespace rill::dist::internal {
namespace {

using test::from_hex;
using test::to_hex;

// A handshake captured between OTP 25 (c@localhost, initiating) and a
// non-BEAM peer (py@localhost, accepting), cookie "secret"
// (tests/data/etf-vectors.txt section 6). Hex includes the 2-byte length.
constexpr const char* captured_send_name =
    "001a4e0000000d07df7fbd6b04ee9a000b63406c6f63616c686f7374";
constexpr const char* captured_status_ok = "0003736f6b";
constexpr const char* captured_challenge =
    "001f4e00000004075f0fbd73d2e0396b04ee9b000c7079406c6f63616c686f7374";
constexpr const char* captured_reply = "001572147324e0d6d1972aff8d71cbe90a6bc63573a128";
constexpr const char* captured_ack = "001161b25fc8cff47b6e8c12db411e6f21979e";

std::string hex_of(const digest& value) {
    return to_hex(std::as_bytes(std::span(value)));
}

// The message body: what follows the 2-byte length.
std::vector<std::byte> body_of(const char* hex) {
    std::vector<std::byte> message = from_hex(hex);
    return {message.begin() + 2, message.end()};
}

handshake_identity beam_side() {
    return {"c@localhost", 0xd07df7fbdULL, 0x6b04ee9a, "secret"};
}

handshake_identity probe_side() {
    return {"py@localhost", 0x4075f0fbdULL, 0x6b04ee9b, "secret"};
}

handshake_acceptor acceptor_of(handshake_identity me,
                               accept_status status = accept_status::ok,
                               std::uint32_t challenge = 1943199801) {
    return handshake_acceptor(
        std::move(me),
        challenge,
        [status](const peer_identity&) { return status; },
        [](const peer_identity&) {});
}

TEST(HandshakeDigest, MatchesOtpForTheCapturedChallenges) {
    EXPECT_EQ(hex_of(cookie_digest("secret", 1943199801)), "d6d1972aff8d71cbe90a6bc63573a128");
    EXPECT_EQ(hex_of(cookie_digest("secret", 4294967295U)), "5dfd181e69aa587cc812eb333e6536b6");
    EXPECT_EQ(hex_of(cookie_digest("ABCDEFGHIJKLMNOPQRST", 123456789)),
              "ff9061447b7d16c8e64bcb1d5c675ec6");
}

TEST(HandshakeAcceptor, AnswersTheCapturedBeamInitiatorByteForByte) {
    handshake_acceptor acceptor = acceptor_of(probe_side());
    handshake_step step = acceptor.on_message(body_of(captured_send_name));
    EXPECT_EQ(to_hex(step.to_send), std::string(captured_status_ok) + captured_challenge);
    EXPECT_FALSE(step.complete);
    EXPECT_EQ(acceptor.peer().node, "c@localhost");
    EXPECT_EQ(acceptor.peer().creation, 0x6b04ee9aU);

    step = acceptor.on_message(body_of(captured_reply));
    EXPECT_EQ(to_hex(step.to_send), captured_ack);
    EXPECT_TRUE(step.complete);
}

TEST(HandshakeInitiator, SpeaksAsTheCapturedBeamInitiatorByteForByte) {
    handshake_initiator initiator(beam_side(), "py@localhost", 343090400, nullptr);
    EXPECT_EQ(to_hex(initiator.start()), captured_send_name);
    EXPECT_TRUE(initiator.on_message(body_of(captured_status_ok)).to_send.empty());
    handshake_step step = initiator.on_message(body_of(captured_challenge));
    EXPECT_EQ(to_hex(step.to_send), captured_reply);
    step = initiator.on_message(body_of(captured_ack));
    EXPECT_TRUE(step.complete);
    EXPECT_EQ(initiator.peer().node, "py@localhost");
    EXPECT_EQ(initiator.peer().creation, 0x6b04ee9bU);
}

// Runs both roles against each other; returns the acceptor's refusal or
// the exception text of whichever side gave up, empty on success.
std::string run_pair(handshake_identity a, handshake_identity b, accept_status status) {
    handshake_initiator initiator(std::move(a), b.node, 77, [] { return true; });
    handshake_acceptor acceptor = acceptor_of(std::move(b), status, 99);
    try {
        std::vector<std::byte> to_acceptor = initiator.start();
        for (int round = 0; round < 4; ++round) {
            handshake_step from_acceptor = acceptor.on_message(std::span(to_acceptor).subspan(2));
            if (!acceptor.refusal().empty()) {
                return acceptor.refusal();
            }
            // The acceptor may send two messages at once (status, challenge).
            std::span<const std::byte> pending(from_acceptor.to_send);
            handshake_step answer;
            while (!pending.empty()) {
                const std::size_t size = (std::to_integer<std::size_t>(pending[0]) << 8U) |
                                         std::to_integer<std::size_t>(pending[1]);
                answer = initiator.on_message(pending.subspan(2, size));
                pending = pending.subspan(2 + size);
            }
            if (answer.complete && from_acceptor.complete) {
                return {};
            }
            to_acceptor = answer.to_send;
        }
        return "did not finish";
    } catch (const handshake_refused& e) {
        return e.what();
    }
}

TEST(Handshake, TwoRillNodesWithOneCookieConnect) {
    EXPECT_EQ(run_pair({"a@localhost", dflag::offered, 1, "c"},
                       {"b@localhost", dflag::offered, 2, "c"},
                       accept_status::ok),
              "");
}

TEST(Handshake, SimultaneousConnectWinnerGoesOnAndLoserIsRefused) {
    EXPECT_EQ(run_pair({"a@localhost", dflag::offered, 1, "c"},
                       {"b@localhost", dflag::offered, 2, "c"},
                       accept_status::ok_simultaneous),
              "");
    EXPECT_NE(run_pair({"a@localhost", dflag::offered, 1, "c"},
                       {"b@localhost", dflag::offered, 2, "c"},
                       accept_status::nok)
                  .find("simultaneous"),
              std::string::npos);
}

TEST(Handshake, AliveIsAnsweredAndTheConnectionReplaced) {
    EXPECT_EQ(run_pair({"a@localhost", dflag::offered, 1, "c"},
                       {"b@localhost", dflag::offered, 2, "c"},
                       accept_status::alive),
              "");
}

TEST(Handshake, AnInitiatorWithAConnectionUpDeclinesAliveAndTheAcceptorStops) {
    handshake_initiator initiator(
        {"a@localhost", dflag::offered, 1, "c"}, "b@localhost", 7, [] { return false; });
    handshake_acceptor acceptor =
        acceptor_of({"b@localhost", dflag::offered, 2, "c"}, accept_status::alive);
    const bytes name = initiator.start();
    const handshake_step alive = acceptor.on_message(std::span(name).subspan(2));
    const handshake_step answer = initiator.on_message(std::span(alive.to_send).subspan(2));
    EXPECT_TRUE(initiator.gave_up());
    EXPECT_EQ(to_hex(answer.to_send), "000673" + to_hex(std::as_bytes(std::span("false", 5))));
    EXPECT_THROW((void)acceptor.on_message(std::span(answer.to_send).subspan(2)),
                 handshake_refused);
}

TEST(Handshake, AWrongCookieIsRefusedByTheAcceptor) {
    const std::string why = run_pair({"a@localhost", dflag::offered, 1, "one"},
                                     {"b@localhost", dflag::offered, 2, "two"},
                                     accept_status::ok);
    EXPECT_NE(why.find("cookie"), std::string::npos) << why;
}

TEST(Handshake, APeerWithoutTheMandatoryFlagsIsNotAllowed) {
    const std::string why = run_pair(
        {"a@localhost", dflag::offered & ~dflag::map_tag & ~dflag::mandatory_25_digest, 1, "c"},
        {"b@localhost", dflag::offered, 2, "c"},
        accept_status::ok);
    EXPECT_NE(why.find("lacks mandatory capability flags"), std::string::npos) << why;
}

TEST(Handshake, Mandatory25DigestStandsForTheWholeMandatorySet) {
    EXPECT_EQ(run_pair({"a@localhost",
                        dflag::mandatory_25_digest | dflag::dist_monitor | dflag::unlink_id,
                        1,
                        "c"},
                       {"b@localhost", dflag::offered, 2, "c"},
                       accept_status::ok),
              "");
}

TEST(HandshakeInitiator, RefusesAChallengeFromAnotherNodeThanTheOneDialled) {
    handshake_initiator initiator(beam_side(), "someone@localhost", 1, nullptr);
    (void)initiator.on_message(body_of(captured_status_ok));
    EXPECT_THROW((void)initiator.on_message(body_of(captured_challenge)), handshake_refused);
}

TEST(HandshakeAcceptor, RefusesTheOldVersion5NameMessage) {
    handshake_acceptor acceptor = acceptor_of(probe_side());
    const std::vector<std::byte> old_name =
        test::bytes_of({'n', 0, 5, 0, 0, 0x7f, 0xfd, 'a', '@', 'b'});
    EXPECT_THROW((void)acceptor.on_message(old_name), handshake_refused);
}

TEST(HandshakeAcceptor, RefusesNamesThatAreNoNodeNames) {
    for (const char* name : {"nohost", "@host", "alive@", "a@b@c"}) {
        std::vector<std::byte> message =
            test::bytes_of({'N', 0, 0, 0, 0, 0x0d, 0x07, 0xdf, 0x7f, 0, 0, 0, 1});
        message.push_back(std::byte{0});
        message.push_back(static_cast<std::byte>(std::string_view(name).size()));
        for (char c : std::string_view(name)) {
            message.push_back(static_cast<std::byte>(c));
        }
        handshake_acceptor acceptor = acceptor_of(probe_side());
        EXPECT_THROW((void)acceptor.on_message(message), handshake_refused) << name;
    }
}

TEST(HandshakeAcceptor, RefusesEveryTruncationOfTheCapturedMessages) {
    const std::vector<std::byte> name = body_of(captured_send_name);
    for (std::size_t size = 0; size < name.size(); ++size) {
        handshake_acceptor acceptor = acceptor_of(probe_side());
        EXPECT_ANY_THROW((void)acceptor.on_message(std::span(name).first(size))) << size;
    }
    const std::vector<std::byte> reply = body_of(captured_reply);
    for (std::size_t size = 0; size < reply.size(); ++size) {
        handshake_acceptor fresh = acceptor_of(probe_side());
        (void)fresh.on_message(name);
        EXPECT_ANY_THROW((void)fresh.on_message(std::span(reply).first(size))) << size;
    }
}

TEST(HandshakeInitiator, RefusesAWrongAck) {
    handshake_initiator initiator(beam_side(), "py@localhost", 343090400, nullptr);
    (void)initiator.on_message(body_of(captured_status_ok));
    (void)initiator.on_message(body_of(captured_challenge));
    std::vector<std::byte> ack = body_of(captured_ack);
    ack.back() ^= std::byte{1};
    EXPECT_THROW((void)initiator.on_message(ack), handshake_refused);
}

} // namespace
} // namespace rill::dist::internal
