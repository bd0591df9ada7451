// The non-template half of the gen_server loop (include/rill/otp/gen_server.hpp):
// sorting term messages, the `sys` protocol, starting and stopping.
//
// System messages are `{system, {From, Tag}, Message}`, answered as
// gen:reply does. What OTP 25's gen_server answers, checked with `erl`:
//   get_state                   -> State
//   get_status                  -> {status, Pid, {module, gen_server},
//                                   [PDict, running, Parent, [], Formatted]}
//   {debug, {statistics, get}}  -> {ok, no_statistics}
//   {terminate, Reason}         -> ok, then terminate(Reason) and exit(Reason)
//   suspend, resume             -> ok; while suspended only system messages
//                                  are taken (get_status says suspended)
//   anything else               -> {error, {unknown_system_msg, Message}}

#include <rill/core/errors.hpp>
#include <rill/otp/gen_server.hpp>
#include <rill/otp/logger.hpp>
#include <rill/process/exit.hpp>
#include <rill/process/info.hpp>
#include <rill/registry/registry.hpp>

#include "otp/gen_tags.hpp"
#include "otp/type_name.hpp"

#include <cstdio>
#include <string>
#include <vector>

namespace rill::otp {

namespace {

const atom gen_call_atom{"$gen_call"};
const atom gen_cast_atom{"$gen_cast"};
const atom system_atom{"system"};
const atom terminate_atom{"terminate"};
const atom get_state_atom{"get_state"};
const atom get_status_atom{"get_status"};
const atom debug_atom{"debug"};
const atom statistics_atom{"statistics"};
const atom get_atom{"get"};

/// An Erlang string (a list of character codes), as OTP writes text in sys replies.
term charlist(const std::string& text) {
    std::vector<term> codes;
    codes.reserve(text.size());
    for (const char c : text) {
        codes.emplace_back(static_cast<std::int64_t>(static_cast<unsigned char>(c)));
    }
    return term::list(std::move(codes));
}

/// `{Pid, Tag}`, the From of a call or system message; none when `t` is not one.
std::optional<from> from_of(const term& t) {
    if (!t.is_tuple() || t.elements().size() != 2 || !t.elements()[0].is_pid()) {
        return std::nullopt;
    }
    return from(t.elements()[0].as_pid(), t.elements()[1]);
}

term status_of(const term& state, const pid& parent, bool suspended) {
    const pid self = process::self();
    std::string who = to_string(term(self));
    for (const atom name : process::registered()) {
        if (process::whereis(name) == self) {
            who = std::string(name.name());
            break;
        }
    }
    const atom status = suspended ? atom("suspended") : atom("running");
    const atom header{"header"};
    const atom data{"data"};
    term formatted = term::list_of(
        term::tuple_of(header, charlist("Status for generic server " + who)),
        term::tuple_of(data,
                       term::list_of(term::tuple_of(charlist("Status"), status),
                                     term::tuple_of(charlist("Parent"), parent),
                                     term::tuple_of(charlist("Logged events"), term{}))),
        term::tuple_of(data, term::list_of(term::tuple_of(charlist("State"), state))));
    return term::tuple_of(atom("status"),
                          self,
                          term::tuple_of(atom("module"), atom("gen_server")),
                          term::list_of(term{}, status, parent, term{}, std::move(formatted)));
}

} // namespace

namespace detail {

classified classify(term message) {
    classified c;
    if (message.is_tuple()) {
        const auto elements = message.elements();
        if (elements.size() == 3 && elements[0].is_atom(gen_call_atom)) {
            if (std::optional<from> caller = from_of(elements[1])) {
                c.what = classified::kind::call;
                c.caller = std::move(*caller);
                c.payload = elements[2];
                return c;
            }
        } else if (elements.size() == 2 && elements[0].is_atom(gen_cast_atom)) {
            c.what = classified::kind::cast;
            c.payload = elements[1];
            return c;
        } else if (elements.size() == 3 && elements[0].is_atom(system_atom)) {
            if (std::optional<from> caller = from_of(elements[1])) {
                c.what = classified::kind::system;
                c.caller = std::move(*caller);
                c.payload = elements[2];
                return c;
            }
        }
    }
    c.payload = std::move(message);
    return c;
}

bool is_system_terminate(const term& message, term& reason) {
    if (message.is_tuple() && message.elements().size() == 2 &&
        message.elements()[0].is_atom(terminate_atom)) {
        reason = message.elements()[1];
        return true;
    }
    return false;
}

bool is_system_message(const term& message) {
    return message.is_tuple() && message.elements().size() == 3 &&
           message.elements()[0].is_atom(system_atom) && from_of(message.elements()[1]).has_value();
}

void answer_system_message(
    const from& caller, const term& message, const term& state, const pid& parent, bool suspended) {
    if (message.is_atom(get_state_atom)) {
        otp::reply(caller, state);
    } else if (message.is_atom(get_status_atom)) {
        otp::reply(caller, status_of(state, parent, suspended));
    } else if (message == term::tuple_of(debug_atom, term::tuple_of(statistics_atom, get_atom))) {
        otp::reply(caller, term::tuple_of(atom("ok"), atom("no_statistics")));
    } else {
        otp::reply(
            caller,
            term::tuple_of(atom("error"), term::tuple_of(atom("unknown_system_msg"), message)));
    }
}

void exit_bad_request(const char* kind, term request) {
    process::exit(term::tuple_of(atom(kind), std::move(request)));
}

void log_unexpected_message(const term& message) {
    // As OTP: a warning, and the message is dropped.
    otp::log(log_level::warning,
             atom("no_handle_info"),
             term::list_of(term::tuple_of(atom("pid"), process::self()),
                           term::tuple_of(atom("message"), message)));
}

bool is_orderly_end(const term& reason) {
    static const atom shutdown{"shutdown"};
    return reason.is_atom(atom("normal")) || reason.is_atom(shutdown) ||
           (reason.is_tuple() && reason.elements().size() == 2 &&
            reason.elements()[0].is_atom(shutdown));
}

term describe_last(const term* message, const std::type_info* typed) {
    if (typed != nullptr) {
        return type_name_term(*typed);
    }
    return message != nullptr ? *message : term{};
}

task<> report_crash(term reason, pid parent, term last_message) {
    const pid self = process::self();
    std::optional<process_info> me = co_await process::info(self);
    std::vector<term> links;
    term name = term{};
    std::size_t queued = 0;
    bool trapping = false;
    if (me) {
        for (const pid& p : me->links) {
            links.emplace_back(p);
        }
        if (me->registered_name) {
            name = term(*me->registered_name);
        }
        queued = me->message_queue_length;
        trapping = me->trap_exit;
    }
    otp::log(log_level::error,
             atom("crash_report"),
             term::list_of(term::tuple_of(atom("pid"), self),
                           term::tuple_of(atom("registered_name"), name),
                           term::tuple_of(atom("reason"), std::move(reason)),
                           term::tuple_of(atom("parent"), parent),
                           term::tuple_of(atom("last_message"), std::move(last_message)),
                           term::tuple_of(atom("message_queue_len"), queued),
                           term::tuple_of(atom("links"), term::list(std::move(links))),
                           term::tuple_of(atom("trap_exit"), trapping)));
}

term server_state_description(const std::type_info& server_type) {
    return type_name_term(server_type);
}

} // namespace detail

task<> stop(server_ref<> server, term reason, std::chrono::milliseconds timeout) {
    static const atom noproc{"noproc"};
    const detail::call_target target = detail::resolve_call_target(server);
    if (target.what == detail::call_target::kind::noproc) {
        process::exit(term(noproc));
    }
    if (target.what == detail::call_target::kind::calling_self) {
        process::exit(term(atom("calling_self")));
    }
    const reference monitor =
        target.name ? process::monitor(*target.name) : process::monitor(target.process);
    const reference alias = process::alias(alias_mode::reply);
    term message = term::tuple_of(system_atom,
                                  term::tuple_of(process::self(), internal::alias_tag(alias)),
                                  term::tuple_of(terminate_atom, reason));
    if (target.name) {
        process::send(*target.name, std::move(message));
    } else {
        process::send(target.process, std::move(message));
    }
    auto down =
        process::when<down_signal>([monitor](const down_signal& d) { return d.ref == monitor; },
                                   [](down_signal&& d) { return std::move(d.reason); });
    std::optional<term> ended =
        co_await process::receive_first(process::sent_after(monitor), timeout, down);
    process::unalias(alias);
    // The server answers `ok` before it ends: take that reply if it came.
    auto reply = process::when<term>(
        [alias](const term& t) { return detail::is_reply_to(t, alias); }, [](const term&) {});
    (void)co_await process::receive_first(
        process::sent_after(monitor), std::chrono::milliseconds(0), reply);
    if (!ended) {
        process::demonitor(monitor, {.flush = true});
        process::exit(term(atom("timeout")));
    }
    if (*ended != reason) {
        process::exit(std::move(*ended));
    }
}

} // namespace rill::otp
