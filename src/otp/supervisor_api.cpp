// The functions that reach a supervisor (include/rill/otp/supervisor.hpp):
// typed calls to a supervisor of this node, OTP's supervisor:* requests as
// terms to one of another node.

#include <rill/otp/supervisor.hpp>

#include <utility>
#include <variant>
#include <vector>

namespace rill::otp {

child_spec supervisor_child(term id, supervisor_flags flags, std::vector<child_spec> children) {
    child_spec spec;
    spec.id = std::move(id);
    spec.type = child_type::supervisor;
    spec.start = [flags, children = std::move(children)](const term&) {
        return detail::start_worker<supervisor, supervisor_flags, std::vector<child_spec>>(
            term{}, flags, children);
    };
    return spec;
}

namespace {

server_ref<supervisor> typed(const server_ref<>& sup) {
    return std::visit([](const auto& address) { return server_ref<supervisor>(address); },
                      sup.address());
}

} // namespace

task<start_result<>> start_child(server_ref<> sup, child_spec spec) {
    supervisor_request::start_child request{std::move(spec)};
    term result = co_await otp::call(typed(sup), std::move(request), otp::infinity);
    co_return start_result<>(std::move(result));
}

task<start_result<>> start_child(server_ref<> sup, term extra_args) {
    term result;
    if (detail::local_server_pid(sup)) {
        supervisor_request::start_child_with request{std::move(extra_args)};
        result = co_await otp::call(typed(sup), std::move(request), otp::infinity);
    } else {
        result = co_await otp::call(
            sup, term::tuple_of(atom("start_child"), std::move(extra_args)), otp::infinity);
    }
    co_return start_result<>(std::move(result));
}

/// A request about one child: typed to a supervisor of this node, as
/// `{Name, Id}` to one of another node.
template <class Request>
task<term> ask_about_child(server_ref<> sup, atom name, term id) {
    if (detail::local_server_pid(sup)) {
        Request request{std::move(id)};
        co_return co_await otp::call(typed(sup), std::move(request), otp::infinity);
    }
    co_return co_await otp::call(sup, term::tuple_of(name, std::move(id)), otp::infinity);
}

task<term> terminate_child(server_ref<> sup, term id) {
    return ask_about_child<supervisor_request::terminate_child>(
        std::move(sup), atom("terminate_child"), std::move(id));
}

task<term> restart_child(server_ref<> sup, term id) {
    return ask_about_child<supervisor_request::restart_child>(
        std::move(sup), atom("restart_child"), std::move(id));
}

task<term> delete_child(server_ref<> sup, term id) {
    return ask_about_child<supervisor_request::delete_child>(
        std::move(sup), atom("delete_child"), std::move(id));
}

task<std::vector<child_info>> which_children(server_ref<> sup) {
    supervisor_request::which_children request;
    co_return co_await otp::call(typed(sup), request, otp::infinity);
}

task<child_counts> count_children(server_ref<> sup) {
    supervisor_request::count_children request;
    co_return co_await otp::call(typed(sup), request, otp::infinity);
}

} // namespace rill::otp
