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
/// otp::start_result<kv> started = co_await otp::start_link<kv>(otp::local_name{atom("kv")});
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
#include <rill/process/spawn.hpp>
#include <rill/process/task.hpp>
#include <rill/registry/registry.hpp>
#include <rill/signal/link.hpp>
#include <rill/signal/monitor.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>
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

/// `start` or `start_link` did not give a running server: `result()` is
/// `ignore` or `{error, Reason}`.
class start_error : public std::runtime_error {
public:
    explicit start_error(term result);

    [[nodiscard]] const term& result() const noexcept { return result_; }

private:
    term result_;
};

/// What `start` and `start_link` return: OTP's `{ok, Pid} | ignore | {error, Reason}`.
template <class S = void>
class start_result {
public:
    explicit start_result(term result)
        : result_(std::move(result)) {}

    /// `{ok, Pid}`.
    [[nodiscard]] bool ok() const {
        return result_.is_tuple() && result_.elements()[0].is_atom(atom("ok"));
    }

    /// `ignore`.
    [[nodiscard]] bool ignored() const { return result_.is_atom(atom("ignore")); }

    /// The server's pid. Throws `start_error` unless `ok()`.
    [[nodiscard]] pid server_pid() const {
        if (!ok()) {
            throw start_error(result_);
        }
        return result_.elements()[1].as_pid();
    }

    /// The server, typed. Throws `start_error` unless `ok()`.
    [[nodiscard]] server_ref<S> server() const { return server_ref<S>(server_pid()); }

    /// The Reason of `{error, Reason}`; `ignore` when ignored; `[]` when ok.
    [[nodiscard]] term error() const {
        if (ok()) {
            return term{};
        }
        return result_.is_tuple() ? result_.elements()[1] : result_;
    }

    /// OTP's return value as a term.
    [[nodiscard]] const term& as_term() const noexcept { return result_; }

private:
    term result_;
};

namespace detail {

/// The server's answer to its starter (proc_lib's `{ack, Pid, Return}`).
struct start_ack {
    reference ref;
    term result;
};

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
void answer_system_message(const from& caller,
                           const term& message,
                           const term& state,
                           const pid& parent);

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
        answer_system_message(c.caller, c.payload, state_of(server), parent);
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
    for (;;) {
        step now;
        std::exception_ptr error;
        try {
            if (next.continue_with) {
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
        next = std::move(now.next);
    }
}

template <class S>
constexpr bool init_is_task_v() {
    if constexpr (has_init<S>) {
        return task_value<decltype(std::declval<S&>().init())>::is_task;
    } else {
        return false;
    }
}

template <class S>
inline constexpr bool init_is_task = init_is_task_v<S>();

/// `init` when it is no coroutine (or absent).
template <class S>
init_result run_init_now(S& server) {
    if constexpr (has_init<S>) {
        if constexpr (std::is_void_v<decltype(server.init())>) {
            server.init();
            return ok();
        } else {
            return init_result(server.init());
        }
    } else {
        return ok();
    }
}

template <class S>
task<init_result> run_init(S& server) {
    if constexpr (has_init<S>) {
        using raw = decltype(server.init());
        if constexpr (task_value<raw>::is_task) {
            if constexpr (std::is_void_v<task_value_t<raw>>) {
                co_await server.init();
                co_return ok();
            } else {
                init_result r = co_await server.init();
                co_return r;
            }
        } else if constexpr (std::is_void_v<raw>) {
            server.init();
            co_return ok();
        } else {
            co_return init_result(server.init());
        }
    } else {
        co_return ok();
    }
}

void ack_start(const pid& starter, const reference& ref, term result);
/// Registers the calling process as `name`; on failure acks
/// `{error, {already_started, Holder}}` and returns false.
bool register_or_ack(const pid& starter, const reference& ref, atom name);

template <class S, class... Args>
task<>
server_main(pid starter, reference ref, bool linked, std::optional<atom> name, Args... args) {
    static_assert(std::is_base_of_v<gen_server, S>,
                  "rill::otp: a server class derives from otp::gen_server");
    const pid parent = linked ? starter : process::self();
    if (name && !register_or_ack(starter, ref, *name)) {
        co_return; // as OTP: {error, {already_started, Pid}}, and a normal exit
    }
    std::optional<S> server;
    std::optional<init_result> init;
    std::exception_ptr error;
    try {
        server.emplace(std::move(args)...);
        if constexpr (init_is_task<S>) {
            init.emplace(co_await run_init(*server));
        } else {
            init.emplace(run_init_now(*server)); // no frame for a plain init
        }
    } catch (...) {
        error = std::current_exception();
    }
    if (error) {
        if (name) {
            process::unregister(*name);
        }
        ack_start(starter, ref, term::tuple_of(atom("error"), process::exit_reason(error)));
        std::rethrow_exception(error);
    }
    if (auto* ok = std::get_if<ok_t>(&init->get())) {
        ack_start(starter, ref, term::tuple_of(atom("ok"), process::self()));
        co_await serve(*server, parent, std::move(ok->next()));
        co_return;
    }
    if (name) {
        process::unregister(*name);
    }
    if (std::holds_alternative<ignore_t>(init->get())) {
        ack_start(starter, ref, term(atom("ignore")));
        co_return;
    }
    term reason = std::get<stop_t>(init->get()).reason;
    ack_start(starter, ref, term::tuple_of(atom("error"), reason));
    process::exit(std::move(reason));
}

/// Starts a server of class `S`; `Result` is `start_result<S>`, or
/// `start_result<>` for a supervisor's start function.
template <class S, class Result, class... Args>
task<Result> start_server(bool link, std::optional<atom> name, Args... args) {
    const reference ref = process::make_ref();
    const pid self = process::self();
    pid child;
    std::optional<reference> monitor;
    if (link) {
        child =
            process::spawn_link(server_main<S, Args...>, self, ref, true, name, std::move(args)...);
    } else {
        auto spawned = process::spawn_monitor(
            server_main<S, Args...>, self, ref, false, name, std::move(args)...);
        child = spawned.first;
        monitor = spawned.second;
    }
    auto ack = process::when<start_ack>([ref](const start_ack& a) { return a.ref == ref; },
                                        [](start_ack&& a) { return std::move(a.result); });
    auto exited = process::when<exit_signal>(
        [child](const exit_signal& e) { return e.from == child; },
        [](exit_signal&& e) { return term::tuple_of(atom("error"), std::move(e.reason)); });
    auto down = process::when<down_signal>(
        [monitor](const down_signal& d) { return monitor && d.ref == *monitor; },
        [](down_signal&& d) { return term::tuple_of(atom("error"), std::move(d.reason)); });
    term result = co_await process::receive_first(process::sent_after(ref), ack, exited, down);
    if (monitor) {
        process::demonitor(*monitor, {.flush = true});
    }
    co_return Result(std::move(result));
}

} // namespace detail

/// Starts a server of class `S`, built from `args`, linked to the caller
/// (gen_server:start_link/3), and waits until its init is done.
template <class S, class... Args>
[[nodiscard]] task<start_result<S>> start_link(Args... args) {
    return detail::start_server<S, start_result<S>, Args...>(
        true, std::nullopt, std::move(args)...);
}

/// gen_server:start_link({local, Name}, ...): also registers the server as
/// `name` (`{error, {already_started, Pid}}` when the name is taken).
template <class S, class... Args>
[[nodiscard]] task<start_result<S>> start_link(local_name name, Args... args) {
    return detail::start_server<S, start_result<S>, Args...>(true, name.name, std::move(args)...);
}

/// gen_server:start/3: not linked.
template <class S, class... Args>
[[nodiscard]] task<start_result<S>> start(Args... args) {
    return detail::start_server<S, start_result<S>, Args...>(
        false, std::nullopt, std::move(args)...);
}

/// gen_server:start({local, Name}, ...).
template <class S, class... Args>
[[nodiscard]] task<start_result<S>> start(local_name name, Args... args) {
    return detail::start_server<S, start_result<S>, Args...>(false, name.name, std::move(args)...);
}

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
