// The `rex` server (remote_calls.hpp): rpc's server as OTP nodes run it,
// for the callers that still send to it.

#include <rill/process/receive.hpp>
#include <rill/process/self.hpp>
#include <rill/process/send.hpp>
#include <rill/process/spawn.hpp>
#include <rill/registry/registry.hpp>

#include "dist/node/gen_reply.hpp"
#include "dist/node/remote_calls.hpp"

namespace rill::dist::internal {

namespace {

// One rex call, in a process of its own: M:F(A), answered {Tag, Result}
// (to the caller's alias when it sent one).
task<> rex_call(std::shared_ptr<const function_table> functions,
                pid to,
                term tag,
                atom module,
                atom function,
                term args) {
    call_outcome outcome = co_await call_registered(*functions, module, function, args);
    // A `rex` tag (the older callers) is no alias: that reply goes to `to`.
    reply_to_call(to, tag, rpc_result(outcome, module, function, args));
}

// {call | block_call, M, F, A, GroupLeader} with A a proper list.
bool rex_request(const term& request) {
    static const atom call_atom{"call"};
    static const atom block_call{"block_call"};
    if (!request.is_tuple() || request.elements().size() != 5) {
        return false;
    }
    const auto e = request.elements();
    return (e[0].is_atom(call_atom) || e[0].is_atom(block_call)) && e[1].is_atom() &&
           e[2].is_atom() && e[3].is_list() && e[3].list_tail().is_nil();
}

} // namespace

task<> rex_server(std::shared_ptr<const function_table> functions) {
    static const atom gen_call{"$gen_call"};
    static const atom rex{"rex"};
    process::register_name(process::self(), rex);
    for (;;) {
        auto message = co_await process::receive_any();
        const term* t = std::get_if<term>(&message);
        if (t != nullptr && t->is<stop_rex>()) {
            co_return;
        }
        if (t == nullptr || !t->is_tuple()) {
            continue;
        }
        const auto e = t->elements();
        pid to;
        term tag;
        const term* request = nullptr;
        if (e.size() == 3 && e[0].is_atom(gen_call) && e[1].is_tuple() &&
            e[1].elements().size() == 2 && e[1].elements()[0].is_pid()) {
            to = e[1].elements()[0].as_pid();
            tag = e[1].elements()[1];
            request = &e[2];
        } else if (e.size() == 2 && e[0].is_pid()) {
            to = e[0].as_pid();
            tag = term(rex);
            request = &e[1];
        }
        if (request == nullptr || !rex_request(*request)) {
            continue; // rex drops what it does not understand
        }
        const auto r = request->elements();
        process::spawn(rex_call,
                       std::shared_ptr<const function_table>(functions),
                       pid(to),
                       term(tag),
                       r[1].as_atom(),
                       r[2].as_atom(),
                       term(r[3]));
    }
}

} // namespace rill::dist::internal
