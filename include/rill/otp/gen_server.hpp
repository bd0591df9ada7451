#pragma once

/// \file
/// `otp::gen_server`: OTP's generic server, a C++ class.
///
/// ```cpp
/// struct get { std::string key; };
///
/// struct kv : otp::gen_server {
///     std::map<std::string, std::string> data;
///     std::optional<std::string> handle_call(const get& g) { ... }   // typed, local
///     term handle_call(term request, const otp::from& caller) { ... } // from anywhere
///     void handle_cast(put p) { data[p.key] = p.value; }
///     otp::result handle_info(term message) { return otp::noreply(); }
///     void terminate(const term& reason) { ... }
/// };
///
/// // started with otp::start_link<kv>(...) (start.hpp)
/// ```
///
/// Every callback is optional and may return a `task<>` of its result.
/// The server object is built in the server process from `start`'s
/// arguments (OTP's `init(Args)`: the constructor, then `init()` if the
/// class has one); it lives and dies with the process. The loop is OTP
/// 25's: `{'$gen_call', ...}` to `handle_call` (a server without a `term`
/// overload exits `{bad_call, Request}`), `{'$gen_cast', ...}` to
/// `handle_cast` (`{bad_cast, Request}`), system messages answered as
/// `sys` expects, the parent's exit signal (when the server traps exits)
/// ends it through `terminate`, anything else to `handle_info` (dropped
/// when the class has none). `terminate(reason)` runs when a callback
/// asks to stop, when one throws (the process then ends with the
/// exception's reason, as a crash), and on the parent's exit signal; the
/// process ends with the reason.

#include <rill/core/atom.hpp>
#include <rill/core/errors.hpp>
#include <rill/core/term.hpp>
#include <rill/otp/call.hpp>
#include <rill/otp/callbacks.hpp>
#include <rill/otp/from.hpp>
#include <rill/otp/results.hpp>
#include <rill/otp/server_ref.hpp>
#include <rill/process/exit.hpp>
#include <rill/process/message.hpp>
#include <rill/process/receive_first.hpp>
#include <rill/process/self.hpp>
#include <rill/process/send.hpp>
#include <rill/process/task.hpp>
#include <rill/signal/monitor.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <variant>

// The coroutine templates below keep the server's class and the request
// types in their frames; GCC reports a frame that holds a type of an
// anonymous namespace (a server defined in a .cpp, as tests and examples
// do) as a header class with internal-linkage members. It is not one.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsubobject-linkage"
#endif

namespace rill::otp {

/// The base of a gen_server class.
struct gen_server {};

namespace detail {

/// A received message as the server loop sees it.
using incoming = std::variant<request_box, exit_signal, term>;

/// A term message, sorted as gen_server's loop sorts it.
struct classified {
    enum class kind : std::uint8_t { call, cast, system, info };
    kind what = kind::info;
    from caller;  // call, system
    term payload; // the request (call, cast), the system message, or the message
};

classified classify(term message);

/// Answers a system message that is not `{terminate, Reason}`, as `sys`
/// expects of a gen_server; `state` is the server's state for
/// `sys:get_state` and `sys:get_status`.
void answer_system_message(
    const from& caller, const term& message, const term& state, const pid& parent, bool suspended);

/// Whether `message` is a system message `{system, {From, Tag}, Msg}`.
bool is_system_message(const term& message);

/// Whether `message` is `{terminate, Reason}` (sys:terminate); sets `reason`.
bool is_system_terminate(const term& message, term& reason);

[[noreturn]] void exit_bad_request(const char* kind, term request);
/// Logs the crash report of a server that ends with `reason` (see logger.hpp).
task<> report_crash(term reason, pid parent, term last_message);
/// The last message a server took, for its crash report: the term, or a
/// typed request's type.
term describe_last(const term* message, const std::type_info* typed);
void log_unexpected_message(const term& message);
term server_state_description(const std::type_info& server_type);

template <class S>
concept describes_state = requires(const S& server) {
    { server.state() } -> std::convertible_to<term>;
};

template <class S>
term state_of(const S& server) {
    if constexpr (describes_state<S>) {
        return term(server.state());
    } else {
        return server_state_description(typeid(S));
    }
}

/// Whether a typed request was made for a server of class `S` (the
/// type_info's address first: the string compare is for the odd case
/// where one type has two).
template <class S>
bool is_for(const typed_request& request) {
    return request.server_type == &typeid(S) || *request.server_type == typeid(S);
}

template <class S>
task<step> dispatch(S& server, incoming message, const pid& parent) {
    if (auto* box = std::get_if<request_box>(&message)) {
        if (!is_for<S>(*box->request)) {
            exit_bad_request(box->request->is_call() ? "bad_call" : "bad_cast",
                             type_name_term(box->request->request_type()));
        }
        co_return co_await box->request->run(&server);
    }
    if (auto* exit = std::get_if<exit_signal>(&message)) {
        if (exit->from == parent) {
            co_return step{true, std::move(exit->reason), {}};
        }
        message = term::tuple_of(atom("EXIT"), exit->from, std::move(exit->reason));
    }
    classified c = classify(std::get<term>(std::move(message)));
    switch (c.what) {
    case classified::kind::call:
        if constexpr (handles_call<S, term>) {
            co_return co_await run_handle_call<S, term>(
                server, std::move(c.payload), std::move(c.caller));
        } else {
            exit_bad_request("bad_call", std::move(c.payload));
        }
    case classified::kind::cast:
        if constexpr (handles_cast<S, term>) {
            co_return co_await run_handle_cast<S, term>(server, std::move(c.payload));
        } else {
            exit_bad_request("bad_cast", std::move(c.payload));
        }
    case classified::kind::system: {
        term reason;
        if (is_system_terminate(c.payload, reason)) {
            otp::reply(c.caller, atom("ok"));
            co_return step{true, std::move(reason), {}};
        }
        if (c.payload.is_atom(atom("suspend"))) {
            otp::reply(c.caller, atom("ok"));
            step suspend;
            suspend.suspend = true;
            co_return suspend;
        }
        answer_system_message(c.caller, c.payload, state_of(server), parent, false);
        co_return step{};
    }
    case classified::kind::info:
        break;
    }
    if constexpr (handles_info<S>) {
        auto info = [&] {
            return server.handle_info(std::move(c.payload));
        };
        co_return co_await run_callback(std::move(info));
    } else {
        log_unexpected_message(c.payload);
        co_return step{};
    }
}

/// The receive of the server loop: every message, a typed request as
/// itself, an exit signal as itself, anything else as a term; with a
/// timeout (OTP's Timeout element), empty when none came in time. An
/// awaitable, not a coroutine: no frame per message.
inline auto next_message(std::chrono::milliseconds timeout) {
    auto typed = [](request_box&& box) {
        return incoming(std::in_place_index<0>, std::move(box));
    };
    auto exit = [](exit_signal&& signal) {
        return incoming(std::in_place_index<1>, std::move(signal));
    };
    auto any = [](term&& message) {
        return incoming(std::in_place_index<2>, std::move(message));
    };
    return process::receive_first(timeout, typed, exit, any);
}

template <class S>
task<> run_terminate(S& server, const term& reason) {
    if constexpr (has_terminate<S>) {
        if constexpr (task_value<decltype(server.terminate(reason))>::is_task) {
            co_await server.terminate(reason);
        } else {
            server.terminate(reason);
        }
    }
    co_return;
}

/// The server loop, from the first message after init to the end.
template <class S>
task<> serve(S& server, pid parent, next_step next) {
    // What the crash report names as the last message (kept cheap: a
    // typed request is described only if the server crashes).
    term last_term;
    const std::type_info* last_typed = nullptr;
    bool suspended = false; // by sys:suspend, until sys:resume
    for (;;) {
        step now;
        std::exception_ptr error;
        try {
            if (suspended) {
                // As OTP's sys: only system messages, the rest stays queued.
                auto system = process::when<term>(
                    [](const term& t) { return is_system_message(t); }, [](term t) { return t; });
                term message = co_await process::receive_first(std::move(system));
                classified c = classify(std::move(message));
                term reason;
                if (is_system_terminate(c.payload, reason)) {
                    otp::reply(c.caller, atom("ok"));
                    now = step{true, std::move(reason), {}};
                } else {
                    if (c.payload.is_atom(atom("resume"))) {
                        otp::reply(c.caller, atom("ok"));
                        suspended = false;
                    } else {
                        answer_system_message(c.caller, c.payload, state_of(server), parent, true);
                    }
                    continue;
                }
            } else if (next.continue_with) {
                term c = std::move(*next.continue_with);
                if constexpr (handles_continue<S>) {
                    auto handle = [&] {
                        return server.handle_continue(std::move(c));
                    };
                    now = co_await run_callback(std::move(handle));
                } else {
                    exit_bad_request("bad_continue", std::move(c));
                }
            } else {
                std::optional<incoming> got =
                    co_await next_message(next.timeout.value_or(otp::infinity));
                if (!got) {
                    got.emplace(std::in_place_index<2>, term(atom("timeout")));
                }
                incoming& message = *got;
                if (auto* box = std::get_if<request_box>(&message)) {
                    last_typed = &box->request->request_type();
                    // The common case, without the dispatch frame: a typed
                    // request for this class, run at once when its handler
                    // is no coroutine.
                    if (is_for<S>(*box->request) && !box->request->run_now(&server, now)) {
                        now = co_await box->request->run(&server);
                    } else if (!is_for<S>(*box->request)) {
                        now = co_await dispatch(server, std::move(message), parent);
                    }
                } else {
                    last_typed = nullptr;
                    last_term =
                        std::holds_alternative<term>(message) ? std::get<term>(message) : term{};
                    now = co_await dispatch(server, std::move(message), parent);
                }
            }
        } catch (...) {
            error = std::current_exception();
        }
        if (error) {
            term reason = process::exit_reason(error);
            co_await run_terminate(server, reason);
            co_await report_crash(reason, parent, describe_last(&last_term, last_typed));
            std::rethrow_exception(error);
        }
        if (now.stop) {
            co_await run_terminate(server, now.reason);
            if (!is_orderly_end(now.reason)) {
                co_await report_crash(now.reason, parent, describe_last(&last_term, last_typed));
            }
            process::exit(std::move(now.reason));
        }
        if (now.suspend) {
            suspended = true;
            continue; // keeps `next`: a pending timeout or continue waits for resume
        }
        next = std::move(now.next);
    }
}

} // namespace detail

/// gen_server:stop/3: asks the server to end with `reason` (its
/// `terminate` runs whether or not it traps exits) and waits until it has.
/// Exits the caller (throws `exit_exception`) with `noproc` when there is
/// no such server, `timeout` when it is not gone in time, or the reason it
/// ended with when that is another one.
task<> stop(server_ref<> server,
            term reason = term(atom("normal")),
            std::chrono::milliseconds timeout = infinity);

} // namespace rill::otp

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
