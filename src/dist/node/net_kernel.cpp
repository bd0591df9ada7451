// `dist::net_kernel` and the functions processes call: thin fronts of
// node_core, plus the registered `net_kernel` process that answers BEAM's
// `net_adm:ping/1` (its `{'$gen_call', {From, Tag}, {is_auth, Node}}`) and
// the registered `rex` (remote_calls.hpp).

#include <rill/dist/net_kernel.hpp>
#include <rill/process/receive.hpp>
#include <rill/process/self.hpp>
#include <rill/process/send.hpp>
#include <rill/registry/registry.hpp>
#include <rill/runtime/runtime.hpp>

#include "dist/node/gen_reply.hpp"
#include "dist/node/node_core.hpp"

#include <future>
#include <utility>

namespace rill::dist {

namespace {

/// Stops the responder (sent by ~net_kernel).
struct stop_responder {};

/// `{'$gen_call', {From, Tag}, {is_auth, _}}` -> `{Tag, yes}`, to the
/// caller's alias when Tag is OTP 24's `[alias | Alias]` (gen_reply.hpp).
task<> net_kernel_responder() {
    static const atom gen_call{"$gen_call"};
    static const atom is_auth{"is_auth"};
    static const atom yes{"yes"};
    process::register_name(process::self(), atom("net_kernel"));
    for (;;) {
        auto message = co_await process::receive_any();
        const term* t = std::get_if<term>(&message);
        if (t != nullptr && t->is<stop_responder>()) {
            co_return;
        }
        if (t == nullptr || !t->is_tuple() || t->elements().size() != 3 ||
            !t->elements()[0].is_atom(gen_call)) {
            continue; // net_kernel ignores what it does not understand
        }
        const term& from = t->elements()[1];
        const term& request = t->elements()[2];
        if (!from.is_tuple() || from.elements().size() != 2 || !from.elements()[0].is_pid()) {
            continue;
        }
        if (request.is_tuple() && !request.elements().empty() &&
            request.elements()[0].is_atom(is_auth)) {
            internal::reply_to_call(from.elements()[0].as_pid(), from.elements()[1], term(yes));
        }
    }
}

std::shared_ptr<internal::node_core> current_node_core(const char* operation) {
    std::shared_ptr<internal::node_core> core = internal::node_core_of(process::self().node);
    if (core == nullptr) {
        throw setup_error(std::string(operation) + ": this node runs no dist::net_kernel");
    }
    return core;
}

/// What the I/O thread sends a pinging process.
struct ping_result {
    reference ref;
    bool up = false;
};

} // namespace

net_kernel::net_kernel(runtime& rt, options opts)
    : core_(std::make_shared<internal::node_core>(rt, std::move(opts)))
    , runtime_(&rt) {
    core_->start();
    responder_ = rt.spawn(net_kernel_responder);
    rex_ = rt.spawn(internal::rex_server,
                    std::shared_ptr<const internal::function_table>(core_->functions()));
}

net_kernel::~net_kernel() {
    runtime_->send(responder_, stop_responder{});
    runtime_->send(rex_, internal::stop_rex{});
    core_->stop();
}

atom net_kernel::node() const noexcept {
    return core_->node();
}

std::uint16_t net_kernel::port() const noexcept {
    return core_->port();
}

std::uint32_t net_kernel::creation() const noexcept {
    return core_->creation();
}

std::uint16_t net_kernel::epmd_port() const noexcept {
    return core_->epmd_port();
}

bool net_kernel::runs_embedded_epmd() const noexcept {
    return core_->runs_embedded_epmd();
}

std::vector<atom> net_kernel::nodes() const {
    return core_->connected_nodes();
}

bool net_kernel::disconnect(atom node) {
    return core_->disconnect(node);
}

std::vector<connection_statistics> net_kernel::connections() const {
    return core_->statistics();
}

namespace {

task<term> call_plain(remote_function f, std::vector<term> args) {
    co_return f(std::move(args));
}

} // namespace

void net_kernel::register_function(atom module, atom function, remote_function f) {
    core_->functions()->add(
        module, function, [f = std::move(f)](std::vector<term> args) -> task<term> {
            return call_plain(f, std::move(args));
        });
}

void net_kernel::register_function(atom module, atom function, remote_coroutine f) {
    core_->functions()->add(module, function, std::move(f));
}

bool net_kernel::connect_blocking(atom node) {
    if (node == core_->node()) {
        return true;
    }
    auto outcome = std::make_shared<std::promise<bool>>();
    std::future<bool> up = outcome->get_future();
    core_->ensure_connected(node, [outcome](bool is_up) { outcome->set_value(is_up); });
    return up.get();
}

task<bool> ping(atom node) {
    std::shared_ptr<internal::node_core> core = current_node_core("dist::ping");
    if (node == core->node()) {
        co_return true;
    }
    const reference ref = process::make_ref();
    const pid me = process::self();
    runtime& rt = core->rt();
    core->ensure_connected(node, [&rt, me, ref](bool up) { rt.send(me, ping_result{ref, up}); });
    core.reset();
    ping_result result = co_await process::receive_if<ping_result>(
        [ref](const ping_result& r) { return r.ref == ref; });
    co_return result.up;
}

std::vector<atom> nodes() {
    return current_node_core("dist::nodes")->connected_nodes();
}

bool disconnect(atom node) {
    return current_node_core("dist::disconnect")->disconnect(node);
}

bool monitor_node(atom node, bool on) {
    current_node_core("dist::monitor_node")->monitor_node(node, process::self(), on);
    return true;
}

void monitor_nodes(bool on) {
    current_node_core("dist::monitor_nodes")->monitor_nodes(process::self(), on);
}

} // namespace rill::dist
