// The term half of `otp::call` and `otp::cast` (include/rill/otp/call.hpp),
// and what typed calls share with it: resolving a ServerRef as gen:call
// does, and the exit reasons of a failed call.
//
// gen:call in OTP 25, which this follows: a local name is looked up first
// (unregistered: exit noproc); `{Name, Node}` with this node is a local
// name; the caller itself: exit calling_self. The call monitors the
// server, sends `{'$gen_call', {Self, [alias | Alias]}, Request}`, and
// waits for `{[alias | Alias], Reply}` or the DOWN: `noconnection` becomes
// `{nodedown, Node}`, any other reason is the call's. After a timeout the
// alias ends and a reply already queued is still taken. gen_server:call
// wraps every failure as `{Reason, {gen_server, call, Args}}`.

#include <rill/core/errors.hpp>
#include <rill/otp/call.hpp>
#include <rill/process/exit.hpp>
#include <rill/registry/registry.hpp>

#include "otp/gen_tags.hpp"

#include <vector>

namespace rill::otp::detail {

namespace {

const atom noproc_atom{"noproc"};
const atom calling_self_atom{"calling_self"};
const atom gen_call_atom{"$gen_call"};
const atom gen_cast_atom{"$gen_cast"};
const atom gen_server_atom{"gen_server"};
const atom call_atom{"call"};
const atom infinity_atom{"infinity"};
const atom nodedown_atom{"nodedown"};

/// The node a failed call was made to, for `{nodedown, Node}`.
atom node_of(const server_ref<>& server) {
    if (const pid* p = server.as_pid()) {
        return p->node;
    }
    if (const auto* name_at_node = std::get_if<std::pair<atom, atom>>(&server.address())) {
        return name_at_node->second;
    }
    return process::self().node;
}

} // namespace

call_target resolve_call_target(const server_ref<>& server) {
    const pid self = process::self();
    call_target target;
    std::optional<atom> local_name;
    if (const pid* p = server.as_pid()) {
        target.process = *p;
        target.what = p->node == self.node ? call_target::kind::local : call_target::kind::remote;
    } else if (const atom* name = std::get_if<atom>(&server.address())) {
        local_name = *name;
    } else {
        const auto& name_at_node = std::get<std::pair<atom, atom>>(server.address());
        if (name_at_node.second == self.node) {
            local_name = name_at_node.first;
        } else {
            target.what = call_target::kind::remote;
            target.name = name_at_node;
        }
    }
    if (local_name) {
        std::optional<pid> holder = process::whereis(*local_name);
        if (!holder) {
            target.what = call_target::kind::noproc;
            return target;
        }
        target.process = *holder;
        target.what = call_target::kind::local;
    }
    if (target.what == call_target::kind::local && target.process == self) {
        target.what = call_target::kind::calling_self;
    }
    return target;
}

void exit_call(const term& reason,
               const server_ref<>& server,
               const term& request,
               std::chrono::milliseconds timeout,
               bool timeout_given) {
    term why = reason.is_atom(atom("noconnection")) ? term::tuple_of(nodedown_atom, node_of(server))
                                                    : reason;
    std::vector<term> args;
    args.push_back(server.as_term());
    args.push_back(request);
    if (timeout_given) {
        args.push_back(timeout >= infinity ? term(infinity_atom) : term(timeout.count()));
    }
    process::exit(term::tuple_of(
        std::move(why), term::tuple_of(gen_server_atom, call_atom, term::list(std::move(args)))));
}

bool is_reply_to(const term& t, const reference& alias) {
    if (!t.is_tuple() || t.elements().size() != 2) {
        return false;
    }
    std::optional<reference> tagged = internal::alias_of_tag(t.elements()[0]);
    return tagged && *tagged == alias;
}

task<term> call_term(server_ref<> server,
                     term request,
                     std::chrono::milliseconds timeout,
                     bool timeout_given) {
    const call_target target = resolve_call_target(server);
    if (target.what == call_target::kind::noproc) {
        exit_call(term(noproc_atom), server, request, timeout, timeout_given);
    }
    if (target.what == call_target::kind::calling_self) {
        exit_call(term(calling_self_atom), server, request, timeout, timeout_given);
    }
    const reference monitor =
        target.name ? process::monitor(*target.name) : process::monitor(target.process);
    const reference alias = process::alias(alias_mode::reply);
    term message = term::tuple_of(
        gen_call_atom, term::tuple_of(process::self(), internal::alias_tag(alias)), request);
    if (target.name) {
        process::send(*target.name, std::move(message));
    } else {
        process::send(target.process, std::move(message));
    }
    // Built before the co_await: GCC 12 miscompiles a braced list there.
    call_failure_context context{server, request, typeid(term), timeout, timeout_given};
    co_return co_await await_call_reply<term>(monitor, alias, std::move(context));
}

void cast_term(const server_ref<>& server, term request) {
    term message = term::tuple_of(gen_cast_atom, std::move(request));
    try {
        if (const pid* p = server.as_pid()) {
            process::send(*p, std::move(message));
        } else if (const atom* name = std::get_if<atom>(&server.address())) {
            process::send(*name, std::move(message));
        } else {
            process::send(std::get<std::pair<atom, atom>>(server.address()), std::move(message));
        }
    } catch (const badarg&) {
        // gen_server:cast never fails: a cast to an unregistered name is dropped.
    }
}

std::optional<pid> local_server_pid(const server_ref<>& server) {
    const call_target target = resolve_call_target(server);
    if (target.what == call_target::kind::local || target.what == call_target::kind::calling_self) {
        return target.process;
    }
    return std::nullopt;
}

} // namespace rill::otp::detail

namespace rill::otp {

task<term> get_state(server_ref<> server, std::chrono::milliseconds timeout) {
    static const atom system_atom{"system"};
    static const atom get_state_atom{"get_state"};
    const detail::call_target target = detail::resolve_call_target(server);
    std::optional<term> failure;
    if (target.what == detail::call_target::kind::noproc) {
        failure = term(detail::noproc_atom);
    } else if (target.what == detail::call_target::kind::calling_self) {
        failure = term(detail::calling_self_atom);
    }
    term state;
    if (!failure) {
        const reference monitor =
            target.name ? process::monitor(*target.name) : process::monitor(target.process);
        const reference alias = process::alias(alias_mode::reply);
        term message = term::tuple_of(system_atom,
                                      term::tuple_of(process::self(), internal::alias_tag(alias)),
                                      get_state_atom);
        if (target.name) {
            process::send(*target.name, std::move(message));
        } else {
            process::send(target.process, std::move(message));
        }
        detail::call_failure_context context{
            server, term(get_state_atom), typeid(term), timeout, true};
        try {
            state = co_await detail::await_call_reply<term>(monitor, alias, std::move(context));
        } catch (const exit_exception& e) {
            // {Reason, {gen_server, call, Args}}: the reason, for sys's form.
            const term& reason = e.reason();
            failure =
                reason.is_tuple() && !reason.elements().empty() ? reason.elements()[0] : reason;
        }
    }
    if (failure) {
        process::exit(
            term::tuple_of(std::move(*failure),
                           term::tuple_of(atom("sys"),
                                          get_state_atom,
                                          term::list_of(server.as_term(), term(timeout.count())))));
    }
    co_return state;
}

} // namespace rill::otp
