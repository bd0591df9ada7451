#include "dist/connection/control.hpp"

#include "dist/connection/fragments.hpp"
#include "dist/etf_bare.hpp"
#include "dist/handshake/dist_flags.hpp"
#include "dist/wire/protocol_error.hpp"

#include <string>
#include <utility>

namespace rill::dist::internal {

namespace {

constexpr std::byte pass_through{112}; // 'p'

// The unused slot of SEND and REG_SEND: the empty atom.
atom empty_atom() {
    static const atom empty{""};
    return empty;
}

[[noreturn]] void malformed(const term& control, const char* why) {
    throw protocol_error(std::string("control message ") + to_string(control) + ": " + why);
}

pid pid_at(const term& control, std::size_t index) {
    const term& element = control.elements()[index];
    if (!element.is_pid()) {
        malformed(control, "a pid was expected");
    }
    return element.as_pid();
}

reference ref_at(const term& control, std::size_t index) {
    const term& element = control.elements()[index];
    if (!element.is_reference()) {
        malformed(control, "a reference was expected");
    }
    return element.as_reference();
}

// A pid, or a registered name (on `node`) in `name`.
pid pid_or_name_at(const term& control, std::size_t index, atom node, atom& name) {
    const term& element = control.elements()[index];
    if (element.is_atom()) {
        name = element.as_atom();
        return pid{node, 0, 0, 0};
    }
    return pid_at(control, index);
}

std::uint64_t unlink_id_at(const term& control, std::size_t index) {
    const std::optional<std::uint64_t> id = control.elements()[index].to_uint64();
    if (!id || *id == 0) {
        malformed(control, "an unlink id (1..2^64-1) was expected");
    }
    return *id;
}

void expect_arity(const term& control, std::size_t arity) {
    if (control.elements().size() != arity) {
        malformed(control, ("arity " + std::to_string(arity) + " was expected").c_str());
    }
}

} // namespace

namespace {

// The signal whose control term starts at `frame.bytes[at]`, with or
// without version bytes (`bare`).
inbound_signal
decode_control(const etf::shared_bytes& frame, std::size_t at, bool bare, atom local_node) {
    const std::span<const std::byte> input = frame.bytes;
    auto decode_term_at = [&](std::size_t offset) {
        return bare ? rill::internal::etf_decode_bare_at(frame, offset)
                    : etf::decode_at(frame, offset);
    };
    etf::decoded_term control = decode_term_at(at);
    const std::size_t payload_at = at + control.size;
    auto payload = [&]() -> term {
        etf::decoded_term decoded = decode_term_at(payload_at);
        if (payload_at + decoded.size != input.size()) {
            throw protocol_error("bytes after the payload of a control message");
        }
        return std::move(decoded.value);
    };
    auto no_payload = [&] {
        if (payload_at != input.size()) {
            throw protocol_error("bytes after a control message that carries no payload");
        }
    };

    const term& c = control.value;
    if (!c.is_tuple() || c.elements().empty() || !c.elements()[0].to_int64()) {
        throw protocol_error("a control message that is no tuple tagged by an integer: " +
                             to_string(c));
    }
    const std::int64_t op = *c.elements()[0].to_int64();
    remote_signal s;
    switch (op) {
    case control_op::send:
    case control_op::send_tt:
        expect_arity(c, op == control_op::send ? 3 : 4);
        s.kind = remote_signal_kind::message;
        s.to = pid_at(c, 2);
        if (op == control_op::send_tt) {
            s.trace_token = c.elements()[3];
        }
        s.payload = payload();
        return s;
    case control_op::send_sender:
    case control_op::send_sender_tt:
        expect_arity(c, op == control_op::send_sender ? 3 : 4);
        s.kind = remote_signal_kind::message;
        s.from = pid_at(c, 1);
        s.to = pid_at(c, 2);
        if (op == control_op::send_sender_tt) {
            s.trace_token = c.elements()[3];
        }
        s.payload = payload();
        return s;
    case control_op::reg_send:
    case control_op::reg_send_tt:
        expect_arity(c, op == control_op::reg_send ? 4 : 5);
        if (!c.elements()[3].is_atom()) {
            malformed(c, "a registered name was expected");
        }
        s.kind = remote_signal_kind::message;
        s.from = pid_at(c, 1);
        s.to = pid{local_node, 0, 0, 0};
        s.name = c.elements()[3].as_atom();
        if (op == control_op::reg_send_tt) {
            s.trace_token = c.elements()[4];
        }
        s.payload = payload();
        return s;
    case control_op::link:
        expect_arity(c, 3);
        no_payload();
        s.kind = remote_signal_kind::link;
        s.from = pid_at(c, 1);
        s.to = pid_at(c, 2);
        return s;
    case control_op::unlink_id:
    case control_op::unlink_id_ack:
        expect_arity(c, 4);
        no_payload();
        s.kind = op == control_op::unlink_id ? remote_signal_kind::unlink
                                             : remote_signal_kind::unlink_ack;
        s.unlink_id = unlink_id_at(c, 1);
        s.from = pid_at(c, 2);
        s.to = pid_at(c, 3);
        return s;
    case control_op::exit:
    case control_op::exit2:
    case control_op::exit_tt:
    case control_op::exit2_tt: {
        const bool traced = op == control_op::exit_tt || op == control_op::exit2_tt;
        expect_arity(c, traced ? 5 : 4);
        no_payload();
        s.kind = op == control_op::exit || op == control_op::exit_tt ? remote_signal_kind::link_exit
                                                                     : remote_signal_kind::exit;
        s.from = pid_at(c, 1);
        s.to = pid_at(c, 2);
        s.payload = c.elements()[traced ? 4 : 3];
        return s;
    }
    case control_op::payload_exit:
    case control_op::payload_exit2:
    case control_op::payload_exit_tt:
    case control_op::payload_exit2_tt:
        expect_arity(c, op == control_op::payload_exit || op == control_op::payload_exit2 ? 3 : 4);
        s.kind = op == control_op::payload_exit || op == control_op::payload_exit_tt
                     ? remote_signal_kind::link_exit
                     : remote_signal_kind::exit;
        s.from = pid_at(c, 1);
        s.to = pid_at(c, 2);
        s.payload = payload();
        return s;
    case control_op::alias_send:
    case control_op::alias_send_tt:
        expect_arity(c, op == control_op::alias_send ? 3 : 4);
        s.kind = remote_signal_kind::alias_message;
        s.from = pid_at(c, 1);
        s.to = pid{local_node, 0, 0, 0}; // the alias says which process
        s.ref = ref_at(c, 2);
        if (op == control_op::alias_send_tt) {
            s.trace_token = c.elements()[3];
        }
        s.payload = payload();
        return s;
    case control_op::monitor_p:
    case control_op::demonitor_p:
        expect_arity(c, 4);
        no_payload();
        s.kind = op == control_op::monitor_p ? remote_signal_kind::monitor
                                             : remote_signal_kind::demonitor;
        s.from = pid_at(c, 1);
        s.to = pid_or_name_at(c, 2, local_node, s.name);
        s.ref = ref_at(c, 3);
        return s;
    case control_op::monitor_p_exit:
    case control_op::payload_monitor_p_exit: {
        const bool in_payload = op == control_op::payload_monitor_p_exit;
        expect_arity(c, in_payload ? 4 : 5);
        s.kind = remote_signal_kind::down;
        // The watched process (or the name it was watched by) is on the
        // peer's node: its pid, or a name (the connection fills in the
        // peer's node for it).
        s.from = pid_or_name_at(c, 1, atoms::undefined, s.name);
        s.to = pid_at(c, 2);
        s.ref = ref_at(c, 3);
        if (in_payload) {
            s.payload = payload();
        } else {
            no_payload();
            s.payload = c.elements()[4];
        }
        return s;
    }
    case control_op::spawn_request:
    case control_op::spawn_request_tt: {
        expect_arity(c, op == control_op::spawn_request ? 6 : 7);
        const term& mfa = c.elements()[4];
        if (!mfa.is_tuple() || mfa.elements().size() != 3 || !mfa.elements()[0].is_atom() ||
            !mfa.elements()[1].is_atom() || !mfa.elements()[2].to_int64()) {
            malformed(c, "{Module, Function, Arity} was expected");
        }
        spawn_request r;
        r.id = ref_at(c, 1);
        r.from = pid_at(c, 2);
        r.module = mfa.elements()[0].as_atom();
        r.function = mfa.elements()[1].as_atom();
        const term& options = c.elements()[5];
        if (!options.is_list() || !options.list_tail().is_nil()) {
            malformed(c, "an option list was expected");
        }
        static const atom link{"link"};
        static const atom monitor{"monitor"};
        for (const term& option : options.list_elements()) {
            r.link = r.link || option.is_atom(link);
            r.monitor = r.monitor || option.is_atom(monitor);
        }
        r.args = payload();
        if (!r.args.is_list() || !r.args.list_tail().is_nil()) {
            throw protocol_error("SPAWN_REQUEST: the arguments are no proper list");
        }
        return r;
    }
    case control_op::group_leader:
    case control_op::unlink:
    case control_op::spawn_reply:
    case control_op::spawn_reply_tt:
        // Accepted and ignored: no group leaders here; the old unlink is
        // not sent by peers that agreed on UNLINK_ID; this node sends no
        // spawn requests.
        return {};
    default:
        throw protocol_error("unknown control message " + to_string(c));
    }
}

} // namespace

inbound_signal decode_frame(const etf::shared_bytes& body, atom local_node) {
    const std::span<const std::byte> input = body.bytes;
    if (input.empty()) {
        throw protocol_error("an empty frame body");
    }
    if (input[0] == pass_through) {
        return decode_control(body, 1, false, local_node);
    }
    if (input.size() >= 3 && input[0] == etf::version_byte && input[1] == dist_header) {
        if (input[2] != std::byte{0}) {
            throw protocol_error("atom cache references, which this node did not offer");
        }
        return decode_control(body, 3, true, local_node);
    }
    throw protocol_error(input.size() >= 2 && input[0] == etf::version_byte
                             ? "a fragment outside a connection that agreed on fragments"
                             : "a frame that starts with neither 'p' nor a distribution header");
}

inbound_signal decode_message(const etf::shared_bytes& message, atom local_node) {
    return decode_control(message, 0, true, local_node);
}

void append_spawn_reply(bytes& out,
                        const reference& id,
                        const pid& to,
                        bool linked,
                        bool monitored,
                        const term& pid_or_error,
                        std::uint64_t peer_flags) {
    const std::size_t start = out.size();
    out.resize(start + 4);
    const term control = term::tuple_of(control_op::spawn_reply,
                                        term::from_reference(id),
                                        to,
                                        (linked ? 1 : 0) | (monitored ? 2 : 0),
                                        pid_or_error);
    if ((peer_flags & dflag::fragments) != 0) {
        out.push_back(etf::version_byte);
        out.push_back(dist_header);
        out.push_back(std::byte{0});
        rill::internal::etf_append_bare(out, control);
    } else {
        out.push_back(pass_through);
        etf::append_encoded(out, control);
    }
    store_u32(out.data() + start, static_cast<std::uint32_t>(out.size() - start - 4));
}

void append_frame(bytes& out, const remote_signal& s, std::uint64_t peer_flags) {
    const std::size_t start = out.size();
    out.resize(start + 4); // the length, written last
    const bool under_header = (peer_flags & dflag::fragments) != 0;
    if (under_header) {
        out.push_back(etf::version_byte);
        out.push_back(dist_header);
        out.push_back(std::byte{0}); // no atom cache references
    } else {
        out.push_back(pass_through);
    }
    auto put = [&](const term& t) {
        if (under_header) {
            rill::internal::etf_append_bare(out, t);
        } else {
            etf::append_encoded(out, t);
        }
    };
    const bool payload_exits = (peer_flags & dflag::exit_payload) != 0;
    const term from = s.from;
    const term to = s.to;
    const bool traced = !s.trace_token.is_nil(); // the _TT forms carry the token
    try {
        switch (s.kind) {
        case remote_signal_kind::message:
            if (traced) {
                if (s.name != atoms::undefined) {
                    put(term::tuple_of(
                        control_op::reg_send_tt, from, empty_atom(), s.name, s.trace_token));
                } else if ((peer_flags & dflag::send_sender) != 0) {
                    put(term::tuple_of(control_op::send_sender_tt, from, to, s.trace_token));
                } else {
                    put(term::tuple_of(control_op::send_tt, empty_atom(), to, s.trace_token));
                }
            } else if (s.name != atoms::undefined) {
                put(term::tuple_of(control_op::reg_send, from, empty_atom(), s.name));
            } else if ((peer_flags & dflag::send_sender) != 0) {
                put(term::tuple_of(control_op::send_sender, from, to));
            } else {
                put(term::tuple_of(control_op::send, empty_atom(), to));
            }
            put(s.payload);
            break;
        case remote_signal_kind::alias_message:
            if (traced) {
                put(term::tuple_of(
                    control_op::alias_send_tt, from, term::from_reference(s.ref), s.trace_token));
            } else {
                put(term::tuple_of(control_op::alias_send, from, term::from_reference(s.ref)));
            }
            put(s.payload);
            break;
        case remote_signal_kind::exit:
        case remote_signal_kind::link_exit: {
            const bool link = s.kind == remote_signal_kind::link_exit;
            if (payload_exits) {
                put(term::tuple_of(
                    link ? control_op::payload_exit : control_op::payload_exit2, from, to));
                put(s.payload);
            } else {
                put(term::tuple_of(
                    link ? control_op::exit : control_op::exit2, from, to, s.payload));
            }
            break;
        }
        case remote_signal_kind::link:
            put(term::tuple_of(control_op::link, from, to));
            break;
        case remote_signal_kind::unlink:
        case remote_signal_kind::unlink_ack:
            put(term::tuple_of(s.kind == remote_signal_kind::unlink ? control_op::unlink_id
                                                                    : control_op::unlink_id_ack,
                               term::from_uint64(s.unlink_id),
                               from,
                               to));
            break;
        case remote_signal_kind::monitor:
        case remote_signal_kind::demonitor: {
            const term target = s.name != atoms::undefined ? term(s.name) : to;
            put(term::tuple_of(s.kind == remote_signal_kind::monitor ? control_op::monitor_p
                                                                     : control_op::demonitor_p,
                               from,
                               target,
                               term::from_reference(s.ref)));
            break;
        }
        case remote_signal_kind::down: {
            const term watched = s.name != atoms::undefined ? term(s.name) : from;
            if (payload_exits) {
                put(term::tuple_of(
                    control_op::payload_monitor_p_exit, watched, to, term::from_reference(s.ref)));
                put(s.payload);
            } else {
                put(term::tuple_of(control_op::monitor_p_exit,
                                   watched,
                                   to,
                                   term::from_reference(s.ref),
                                   s.payload));
            }
            break;
        }
        case remote_signal_kind::node_down:
            throw protocol_error("node_down is a local signal: it has no control message");
        }
    } catch (...) {
        out.resize(start);
        throw;
    }
    const std::size_t length = out.size() - start - 4;
    if (length > 0xFFFFFFFFU) {
        out.resize(start);
        throw protocol_error("a frame over 4 GiB");
    }
    store_u32(out.data() + start, static_cast<std::uint32_t>(length));
}

} // namespace rill::dist::internal
