// Calls out of rill (include/rill/dist/remote_calls.hpp): `dist::rpc` is
// a gen_server call to the `rex` server of the other node, which every
// OTP node runs for rpc's older callers: `{'$gen_call', {Self, [alias |
// Alias]}, {call, M, F, A, user}}`, answered `{[alias | Alias], Result}`
// with Result in rpc's format. The call monitors `{rex, Node}` as
// gen_server:call does, so a lost node ends it at once, and takes its
// reply through an alias (gen_reply.hpp). `dist::spawn` is rpc of erlang:spawn/3.

#include <rill/dist/remote_calls.hpp>
#include <rill/process/receive_first.hpp>
#include <rill/process/self.hpp>
#include <rill/process/send.hpp>
#include <rill/registry/registry.hpp>
#include <rill/signal/alias.hpp>
#include <rill/signal/monitor.hpp>

#include "dist/node/gen_reply.hpp"

#include <stdexcept>

namespace rill::dist {

namespace {

const atom rex{"rex"};
const atom badrpc{"badrpc"};

term rpc_failure(const term& reason) {
    static const atom nodedown{"nodedown"};
    if (reason.is_atom(atoms::noconnection)) {
        return term::tuple_of(badrpc, nodedown);
    }
    return term::tuple_of(badrpc, term::tuple_of(atoms::EXIT, reason));
}

} // namespace

task<term> rpc(atom node,
               atom module,
               atom function,
               std::vector<term> args,
               std::chrono::milliseconds timeout) {
    static const atom gen_call{"$gen_call"};
    static const atom call{"call"};
    static const atom user{"user"};
    const std::pair<atom, atom> server{rex, node};
    const reference ref = process::monitor(server);
    // The reply comes to an alias, ended when the call is over: one that
    // comes after a timeout is dropped, never left in the mailbox.
    const reference alias = process::alias();
    const term tag = internal::alias_tag(alias);
    process::send(
        server,
        term::tuple_of(gen_call,
                       term::tuple_of(process::self(), tag),
                       term::tuple_of(call, module, function, term::list(std::move(args)), user)));
    auto reply = process::when<term>(
        [&tag](const term& t) {
            return t.is_tuple() && t.elements().size() == 2 && t.elements()[0] == tag;
        },
        [](const term& t) { return t.elements()[1]; });
    auto down =
        process::when<down_signal>([ref](const down_signal& d) { return d.ref == ref; },
                                   [](const down_signal& d) { return rpc_failure(d.reason); });
    std::optional<term> result;
    if (timeout == infinity) {
        result = co_await process::receive_first(process::sent_after(alias), reply, down);
    } else {
        result = co_await process::receive_first(process::sent_after(alias), timeout, reply, down);
    }
    process::unalias(alias);
    process::demonitor(ref, {.flush = true});
    if (!result) {
        static const atom timeout_atom{"timeout"};
        co_return term::tuple_of(badrpc, timeout_atom);
    }
    co_return std::move(*result);
}

task<pid> spawn(atom node, atom module, atom function, std::vector<term> args) {
    static const atom erlang{"erlang"};
    static const atom spawn_atom{"spawn"};
    // Built before the co_await: GCC 12 miscompiles a braced list there.
    std::vector<term> spawn_args;
    spawn_args.emplace_back(module);
    spawn_args.emplace_back(function);
    spawn_args.push_back(term::list(std::move(args)));
    term result = co_await rpc(node, erlang, spawn_atom, std::move(spawn_args));
    if (!result.is_pid()) {
        throw std::runtime_error("dist::spawn of " + std::string(module.name()) + ":" +
                                 std::string(function.name()) + " on " + std::string(node.name()) +
                                 ": " + to_string(result));
    }
    co_return result.as_pid();
}

} // namespace rill::dist
