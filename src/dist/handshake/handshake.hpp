#pragma once

// The distribution handshake, version 6 (OTP 23 and later), as two state
// machines without sockets: each takes the peer's messages (the bytes after
// their 2-byte length) and says what to send back. The connection code runs
// them over a socket; the tests and fuzzers run them on bytes.
//
// Initiator A and acceptor B (../shared/reference/erlang-distribution.md
// section 4):
//
//   A -> B  'N' Flags:64 Creation:32 Nlen:16 Name          send_name
//   B -> A  's' Status                                     ok | ok_simultaneous |
//                                                          nok | not_allowed | alive
//  [A -> B  's' "true" | "false"                           only after `alive`]
//   B -> A  'N' Flags:64 Challenge:32 Creation:32 Nlen:16 Name
//   A -> B  'r' ChallengeA:32 Digest:16                    MD5(cookie ++ B's challenge)
//   B -> A  'a' Digest:16                                  MD5(cookie ++ ChallengeA)
//
// Refusals are `handshake_refused` exceptions: the caller logs the reason
// and closes the socket (after sending what the step produced: a refusing
// status goes out before the close, as BEAM does it).

#include "dist/handshake/digest.hpp"
#include "dist/wire/wire_bytes.hpp"

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace rill::dist::internal {

/// A handshake that cannot go on: wrong cookie, a missing flag, a name that
/// is not `alive@host`, a message out of order, a refusing status.
class handshake_refused : public protocol_error {
public:
    explicit handshake_refused(const std::string& why)
        : protocol_error("handshake refused: " + why) {}
};

/// The acceptor answered `nok`: it dials this node too, and its attempt is
/// the one that goes on (simultaneous connect).
class simultaneous_connect_lost : public handshake_refused {
public:
    explicit simultaneous_connect_lost(const std::string& why)
        : handshake_refused(why) {}
};

/// This node, as it presents itself.
struct handshake_identity {
    std::string node; ///< "alive@host"
    std::uint64_t flags = 0;
    std::uint32_t creation = 0;
    std::string cookie;
};

/// The other node, as the handshake found it.
struct peer_identity {
    std::string node;
    std::uint64_t flags = 0; ///< as sent, MANDATORY_25_DIGEST expanded
    std::uint32_t creation = 0;
};

/// What the acceptor answers a send_name with, chosen by the connection
/// table: go on, go on and drop our own attempt (simultaneous connect,
/// their name sorts higher), refuse (our own attempt goes on), refuse (not
/// allowed), or "a connection is up already" (the initiator may replace it).
enum class accept_status { ok, ok_simultaneous, nok, not_allowed, alive };

/// Whether `name` is a node name: "alive@host", both parts non-empty, at
/// most 255 bytes, one '@'.
bool is_node_name(std::string_view name) noexcept;

/// The alive part and the host part of a node name.
std::pair<std::string, std::string> split_node_name(std::string_view name);

/// A step's output: the message to send (with its 2-byte length; may be
/// empty), and whether the handshake is complete once it is sent.
struct handshake_step {
    bytes to_send;
    bool complete = false;
};

class handshake_initiator {
public:
    /// `replace_existing` answers an `alive` status: true to replace the
    /// connection the acceptor believes is up (this side has none), false
    /// to give up. `challenge` is this side's random challenge.
    handshake_initiator(handshake_identity me,
                        std::string peer_node,
                        std::uint32_t challenge,
                        std::function<bool()> replace_existing);

    /// The send_name message that opens the handshake.
    [[nodiscard]] bytes start() const;

    /// Takes the acceptor's next message. Throws `handshake_refused`.
    handshake_step on_message(std::span<const std::byte> body);

    /// The peer; complete once a step said `complete`.
    [[nodiscard]] const peer_identity& peer() const noexcept { return peer_; }

    /// Whether this side declined to replace the connection the acceptor
    /// reported `alive` (it has one up): once the step's answer is sent,
    /// the attempt ends, and the existing connection stays.
    [[nodiscard]] bool gave_up() const noexcept { return state_ == state::gave_up; }

private:
    enum class state { awaiting_status, awaiting_challenge, awaiting_ack, complete, gave_up };

    handshake_step on_status(std::span<const std::byte> body);
    handshake_step on_challenge(std::span<const std::byte> body);
    handshake_step on_ack(std::span<const std::byte> body);

    handshake_identity me_;
    std::string expected_peer_;
    std::uint32_t challenge_;
    std::function<bool()> replace_existing_;
    state state_ = state::awaiting_status;
    peer_identity peer_;
};

class handshake_acceptor {
public:
    /// `decide` chooses the status for the peer that sent its name;
    /// `replace` is called when an initiator confirms it replaces the
    /// connection that `alive` reported. `challenge` is this side's random
    /// challenge.
    handshake_acceptor(handshake_identity me,
                       std::uint32_t challenge,
                       std::function<accept_status(const peer_identity&)> decide,
                       std::function<void(const peer_identity&)> replace);

    /// Takes the initiator's next message. Throws `handshake_refused`; for
    /// a refusing status, only after the step that sends it (`refusal()`
    /// then says why, and the caller closes once it is sent).
    handshake_step on_message(std::span<const std::byte> body);

    /// Why the handshake ends after the status just produced; empty while
    /// it goes on.
    [[nodiscard]] const std::string& refusal() const noexcept { return refusal_; }

    [[nodiscard]] const peer_identity& peer() const noexcept { return peer_; }

private:
    enum class state { awaiting_name, awaiting_alive_answer, awaiting_reply, complete, refused };

    handshake_step on_name(std::span<const std::byte> body);
    handshake_step on_alive_answer(std::span<const std::byte> body);
    handshake_step on_reply(std::span<const std::byte> body);
    [[nodiscard]] bytes challenge_message() const;

    handshake_identity me_;
    std::uint32_t challenge_;
    std::function<accept_status(const peer_identity&)> decide_;
    std::function<void(const peer_identity&)> replace_;
    state state_ = state::awaiting_name;
    peer_identity peer_;
    std::string refusal_;
};

} // namespace rill::dist::internal
