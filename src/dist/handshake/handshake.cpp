#include "dist/handshake/handshake.hpp"

#include "dist/handshake/dist_flags.hpp"

#include <cstdio>
#include <utility>

namespace rill::dist::internal {

namespace {

constexpr std::size_t max_node_name = 255;

bytes message_start(char tag) {
    bytes out{std::byte{0}, std::byte{0}}; // the length, sealed by finish()
    put_u8(out, static_cast<std::uint8_t>(tag));
    return out;
}

bytes finish(bytes message) {
    seal_u16_length(message);
    return message;
}

void put_digest(bytes& out, const digest& value) {
    for (std::uint8_t b : value) {
        put_u8(out, b);
    }
}

digest read_digest(wire_reader& in) {
    digest value{};
    for (std::uint8_t& b : value) {
        b = in.u8();
    }
    return value;
}

void expect_tag(wire_reader& in, char tag, const char* message) {
    const std::uint8_t got = in.u8();
    if (got != static_cast<std::uint8_t>(tag)) {
        throw handshake_refused(std::string("expected ") + message + " ('" + tag + "'), got tag " +
                                std::to_string(got));
    }
}

std::string hex(std::uint64_t value) {
    char text[19];
    std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
    return text;
}

// Refuses a peer without every flag this node requires, naming them.
void check_flags(std::uint64_t flags, const std::string& peer) {
    if (const std::uint64_t missing = dflag::required & ~flags; missing != 0) {
        throw handshake_refused("node " + peer + " lacks mandatory capability flags " +
                                hex(missing));
    }
}

std::string read_name(wire_reader& in, const char* what) {
    std::string name = in.text(in.u16());
    if (!is_node_name(name)) {
        throw handshake_refused(std::string(what) + " '" + name + "' is no node name");
    }
    return name;
}

} // namespace

bool is_node_name(std::string_view name) noexcept {
    const std::size_t at = name.find('@');
    return name.size() <= max_node_name && at != std::string_view::npos && at != 0 &&
           at + 1 < name.size() && name.find('@', at + 1) == std::string_view::npos;
}

std::pair<std::string, std::string> split_node_name(std::string_view name) {
    const std::size_t at = name.find('@');
    if (at == std::string_view::npos) {
        return {std::string(name), std::string()};
    }
    return {std::string(name.substr(0, at)), std::string(name.substr(at + 1))};
}

// ---- initiator ----------------------------------------------------------------------------

handshake_initiator::handshake_initiator(handshake_identity me,
                                         std::string peer_node,
                                         std::uint32_t challenge,
                                         std::function<bool()> replace_existing)
    : me_(std::move(me))
    , expected_peer_(std::move(peer_node))
    , challenge_(challenge)
    , replace_existing_(std::move(replace_existing)) {}

bytes handshake_initiator::start() const {
    bytes out = message_start('N');
    put_u64(out, me_.flags);
    put_u32(out, me_.creation);
    put_u16(out, static_cast<std::uint16_t>(me_.node.size()));
    put_text(out, me_.node);
    return finish(std::move(out));
}

handshake_step handshake_initiator::on_message(std::span<const std::byte> body) {
    switch (state_) {
    case state::awaiting_status:
        return on_status(body);
    case state::awaiting_challenge:
        return on_challenge(body);
    case state::awaiting_ack:
        return on_ack(body);
    case state::complete:
    case state::gave_up:
        break;
    }
    throw handshake_refused("message after the handshake ended");
}

handshake_step handshake_initiator::on_status(std::span<const std::byte> body) {
    wire_reader in(body, "handshake status");
    expect_tag(in, 's', "a status");
    const std::string status = in.rest_as_text();
    if (status == "ok" || status == "ok_simultaneous") {
        state_ = state::awaiting_challenge;
        return {};
    }
    if (status == "alive") {
        const bool replace = replace_existing_ && replace_existing_();
        bytes out = message_start('s');
        put_text(out, replace ? "true" : "false");
        if (!replace) {
            // The caller sends the answer, then gives up (gave_up()).
            state_ = state::gave_up;
            return {finish(std::move(out)), false};
        }
        state_ = state::awaiting_challenge;
        return {finish(std::move(out)), false};
    }
    if (status == "nok") {
        throw simultaneous_connect_lost(expected_peer_ + " answered nok (a simultaneous connection "
                                                         "from it goes on instead)");
    }
    throw handshake_refused(expected_peer_ + " answered '" + status + "'");
}

handshake_step handshake_initiator::on_challenge(std::span<const std::byte> body) {
    wire_reader in(body, "handshake challenge");
    expect_tag(in, 'N', "a challenge");
    peer_.flags = dflag::expand(in.u64());
    const std::uint32_t their_challenge = in.u32();
    peer_.creation = in.u32();
    peer_.node = read_name(in, "the challenger's name");
    // Extra bytes after the name are allowed (the protocol reserves them).
    if (peer_.node != expected_peer_) {
        throw handshake_refused("connected to " + peer_.node + " where " + expected_peer_ +
                                " was wanted");
    }
    check_flags(peer_.flags, peer_.node);
    bytes out = message_start('r');
    put_u32(out, challenge_);
    put_digest(out, cookie_digest(me_.cookie, their_challenge));
    state_ = state::awaiting_ack;
    return {finish(std::move(out)), false};
}

handshake_step handshake_initiator::on_ack(std::span<const std::byte> body) {
    wire_reader in(body, "handshake challenge ack");
    expect_tag(in, 'a', "a challenge ack");
    const digest theirs = read_digest(in);
    in.expect_end();
    if (theirs != cookie_digest(me_.cookie, challenge_)) {
        throw handshake_refused(peer_.node + " does not share this node's cookie");
    }
    state_ = state::complete;
    return {{}, true};
}

// ---- acceptor -----------------------------------------------------------------------------

handshake_acceptor::handshake_acceptor(handshake_identity me,
                                       std::uint32_t challenge,
                                       std::function<accept_status(const peer_identity&)> decide,
                                       std::function<void(const peer_identity&)> replace)
    : me_(std::move(me))
    , challenge_(challenge)
    , decide_(std::move(decide))
    , replace_(std::move(replace)) {}

handshake_step handshake_acceptor::on_message(std::span<const std::byte> body) {
    switch (state_) {
    case state::awaiting_name:
        return on_name(body);
    case state::awaiting_alive_answer:
        return on_alive_answer(body);
    case state::awaiting_reply:
        return on_reply(body);
    case state::complete:
    case state::refused:
        break;
    }
    throw handshake_refused("message after the handshake ended");
}

bytes handshake_acceptor::challenge_message() const {
    bytes out = message_start('N');
    put_u64(out, me_.flags);
    put_u32(out, challenge_);
    put_u32(out, me_.creation);
    put_u16(out, static_cast<std::uint16_t>(me_.node.size()));
    put_text(out, me_.node);
    return finish(std::move(out));
}

handshake_step handshake_acceptor::on_name(std::span<const std::byte> body) {
    wire_reader in(body, "handshake name");
    const std::uint8_t tag = in.u8();
    if (tag == 'n') {
        throw handshake_refused("the peer speaks the old handshake (version 5), which OTP 23 "
                                "replaced; rill speaks version 6 only");
    }
    if (tag != 'N') {
        throw handshake_refused("expected a name ('N'), got tag " + std::to_string(tag));
    }
    peer_.flags = dflag::expand(in.u64());
    peer_.creation = in.u32();
    peer_.node = read_name(in, "the initiator's name");

    bytes out = message_start('s');
    const bool flags_ok = (dflag::required & ~peer_.flags) == 0;
    const accept_status status = flags_ok ? decide_(peer_) : accept_status::not_allowed;
    switch (status) {
    case accept_status::ok:
    case accept_status::ok_simultaneous: {
        put_text(out, status == accept_status::ok ? "ok" : "ok_simultaneous");
        bytes message = finish(std::move(out));
        const bytes challenge = challenge_message();
        message.insert(message.end(), challenge.begin(), challenge.end());
        state_ = state::awaiting_reply;
        return {std::move(message), false};
    }
    case accept_status::alive:
        put_text(out, "alive");
        state_ = state::awaiting_alive_answer;
        return {finish(std::move(out)), false};
    case accept_status::nok:
        put_text(out, "nok");
        refusal_ = "simultaneous connect: " + peer_.node + "'s attempt loses to this node's";
        break;
    case accept_status::not_allowed:
        put_text(out, "not_allowed");
        refusal_ = flags_ok ? peer_.node + " is not allowed to connect"
                            : peer_.node + " lacks mandatory capability flags";
        break;
    }
    state_ = state::refused;
    return {finish(std::move(out)), false};
}

handshake_step handshake_acceptor::on_alive_answer(std::span<const std::byte> body) {
    wire_reader in(body, "handshake alive answer");
    expect_tag(in, 's', "an answer to alive");
    const std::string answer = in.rest_as_text();
    if (answer == "true") {
        if (replace_) {
            replace_(peer_);
        }
        state_ = state::awaiting_reply;
        return {challenge_message(), false};
    }
    state_ = state::refused;
    throw handshake_refused(peer_.node + " keeps its existing connection ('" + answer + "')");
}

handshake_step handshake_acceptor::on_reply(std::span<const std::byte> body) {
    wire_reader in(body, "handshake challenge reply");
    expect_tag(in, 'r', "a challenge reply");
    const std::uint32_t their_challenge = in.u32();
    const digest theirs = read_digest(in);
    in.expect_end();
    if (theirs != cookie_digest(me_.cookie, challenge_)) {
        state_ = state::refused;
        throw handshake_refused(peer_.node + " does not share this node's cookie (invalid "
                                             "challenge reply)");
    }
    bytes out = message_start('a');
    put_digest(out, cookie_digest(me_.cookie, their_challenge));
    state_ = state::complete;
    return {finish(std::move(out)), true};
}

} // namespace rill::dist::internal
