#pragma once

/// \file
/// Starting a gen_server (OTP's gen_server:start and start_link through
/// proc_lib): the server process registers its name if it has one, builds
/// the server object from the arguments, runs `init`, and acknowledges
/// to its starter, which waits for that or for the server's end.
///
/// ```cpp
/// otp::start_result<kv> started = co_await otp::start_link<kv>(otp::local_name{atom("kv")});
/// otp::server_ref<kv> store = started.server(); // throws start_error unless started.ok()
/// ```
///
/// As OTP 25: `{ok, Pid}`; `ignore` (the process ends normally);
/// `{error, Reason}` for init's `stop_with(Reason)` (acknowledged, then
/// the process exits with Reason, which a linked starter that does not
/// trap exits dies of) or an exception (its reason); `{error,
/// {already_started, Pid}}` for a taken name.

#include <rill/core/atom.hpp>
#include <rill/core/errors.hpp>
#include <rill/core/term.hpp>
#include <rill/otp/callbacks.hpp>
#include <rill/otp/gen_server.hpp>
#include <rill/otp/results.hpp>
#include <rill/otp/server_ref.hpp>
#include <rill/otp/servers.hpp>
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

#include <exception>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

// The coroutine templates below keep the server's class and its
// constructor's arguments in their frames; GCC reports a frame that holds a
// type of an anonymous namespace as a header class with internal-linkage
// members (see gen_server.hpp).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsubobject-linkage"
#endif

namespace rill::otp {

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
    const server_listing listed(typeid(S));
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

} // namespace rill::otp

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
