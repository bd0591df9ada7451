#pragma once

// Distribution control messages <-> `remote_signal`s
// (../shared/reference/erlang-distribution.md section 7). A frame in
// pass-through form is 'p', the control tuple as a whole ETF term, then the
// payload term for the operations that carry one; between nodes that agreed
// on fragments it is a distribution header and the same two terms without
// their version bytes (fragments.hpp):
//
//   SEND {2,'',To}+Msg   SEND_SENDER {22,From,To}+Msg   REG_SEND {6,From,'',Name}+Msg
//   LINK {1,From,To}     UNLINK_ID {35,Id,From,To}      UNLINK_ID_ACK {36,Id,From,To}
//   EXIT {3,From,To,R}   PAYLOAD_EXIT {24,From,To}+R
//   EXIT2 {8,From,To,R}  PAYLOAD_EXIT2 {26,From,To}+R
//   MONITOR_P {19,From,PidOrName,Ref}   DEMONITOR_P {20,From,PidOrName,Ref}
//   MONITOR_P_EXIT {21,PidOrName,To,Ref,R}   PAYLOAD_MONITOR_P_EXIT {28,PidOrName,To,Ref}+R
//   SPAWN_REQUEST {29,Id,From,GroupLeader,{M,F,Arity},Opts}+Args   SPAWN_REPLY {31,Id,To,Flags,Pid}
//
// and the *_TT forms of each. A message's trace token (SEND_TT,
// SEND_SENDER_TT, REG_SEND_TT, ALIAS_SEND_TT) is kept in
// `remote_signal::trace_token` both ways; the tokens of the other _TT
// forms are read and dropped. What is sent depends on the flags both nodes
// agreed on: SEND_SENDER and the PAYLOAD_* forms when the peer has them,
// the old forms otherwise.

#include <rill/core/term.hpp>
#include <rill/dist/etf.hpp>
#include <rill/runtime/remote.hpp>

#include "dist/wire/wire_bytes.hpp"

#include <cstdint>
#include <optional>
#include <variant>

namespace rill::dist::internal {

namespace control_op {
inline constexpr int link = 1;
inline constexpr int send = 2;
inline constexpr int exit = 3;
inline constexpr int unlink = 4;
inline constexpr int reg_send = 6;
inline constexpr int group_leader = 7;
inline constexpr int exit2 = 8;
inline constexpr int send_tt = 12;
inline constexpr int exit_tt = 13;
inline constexpr int reg_send_tt = 16;
inline constexpr int exit2_tt = 18;
inline constexpr int monitor_p = 19;
inline constexpr int demonitor_p = 20;
inline constexpr int monitor_p_exit = 21;
inline constexpr int send_sender = 22;
inline constexpr int send_sender_tt = 23;
inline constexpr int payload_exit = 24;
inline constexpr int payload_exit_tt = 25;
inline constexpr int payload_exit2 = 26;
inline constexpr int payload_exit2_tt = 27;
inline constexpr int payload_monitor_p_exit = 28;
inline constexpr int spawn_request = 29;
inline constexpr int spawn_request_tt = 30;
inline constexpr int spawn_reply = 31;
inline constexpr int spawn_reply_tt = 32;
inline constexpr int alias_send = 33;
inline constexpr int alias_send_tt = 34;
inline constexpr int unlink_id = 35;
inline constexpr int unlink_id_ack = 36;
} // namespace control_op

/// SPAWN_REQUEST: a process of the peer asks this node to spawn
/// `module:function(args...)`, linked to it and/or monitored by it (the
/// monitor's reference is `id`), and to answer with a SPAWN_REPLY.
struct spawn_request {
    reference id;
    pid from;
    atom module;
    atom function;
    term args; ///< a proper list
    bool link = false;
    bool monitor = false;
};

/// A decoded frame: the signal it carries, a spawn request, or nothing for
/// a control message this node accepts and ignores (GROUP_LEADER, the old
/// UNLINK, a SPAWN_REPLY it never asked for).
using inbound_signal = std::variant<std::monostate, remote_signal, spawn_request>;

/// The signal in a whole frame body (after the 4-byte length): 'p' then
/// two terms, or 131 68 0 then two terms without version bytes.
/// `local_node` is this node, for signals addressed by name. Binaries in
/// the payload share `body`'s buffer. Throws `protocol_error` for an
/// unknown or malformed control message or a fragment (which needs the
/// connection's `fragment_assembler`), `etf::decode_error` for a term that
/// does not decode.
inbound_signal decode_frame(const etf::shared_bytes& body, atom local_node);

/// As `decode_frame`, for a message a `fragment_assembler` returned (the
/// two terms without version bytes, nothing before them).
inbound_signal decode_message(const etf::shared_bytes& message, atom local_node);

/// Appends the frame for `signal` (4-byte length included) to `out`, in
/// the forms `peer_flags` allow: under a distribution header (131 68 0,
/// `whole_message_prefix` bytes with the length) when they include
/// fragments, else in pass-through form. Throws `etf::encode_error` for a
/// payload that cannot be encoded (`out` is then as it was).
void append_frame(bytes& out, const remote_signal& signal, std::uint64_t peer_flags);

/// Appends the SPAWN_REPLY frame `{31, Id, To, Flags, PidOrError}` (flags:
/// 1 the link, 2 the monitor was set up), in the form `peer_flags` allow.
void append_spawn_reply(bytes& out,
                        const reference& id,
                        const pid& to,
                        bool linked,
                        bool monitored,
                        const term& pid_or_error,
                        std::uint64_t peer_flags);

} // namespace rill::dist::internal
