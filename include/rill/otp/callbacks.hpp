#pragma once

/// \file
/// How a gen_server's callbacks are found and called (not part of the API).
///
/// A server class has any of `init()`, `handle_call(Req, const from&)` (or
/// `handle_call(Req)`), `handle_cast(Req)`, `handle_info(term)`,
/// `handle_continue(term)`, `terminate(const term& reason)`; each may
/// return its result or a `task<>` of it, so a callback can itself call
/// other servers. The overload for a request is picked by the compiler at
/// the caller's `otp::call` (typed requests) or is the `term` one (requests
/// from other nodes and untyped callers). Whatever a callback returned
/// becomes a `step`: what the server loop does next.

#include <rill/core/term.hpp>
#include <rill/detail/process_entry.hpp>
#include <rill/otp/from.hpp>
#include <rill/otp/results.hpp>
#include <rill/process/task.hpp>

#include <cstddef>
#include <memory>
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

namespace rill::otp::detail {

/// normal, shutdown and {shutdown, _}: the ends that are no crash (no
/// crash report; a transient child is not restarted).
bool is_orderly_end(const term& reason);

/// What the server loop does after a callback.
struct step {
    bool stop = false;
    term reason;          // when stopping
    next_step next;       // when not
    bool suspend = false; // sys:suspend: only system messages until resume
};

template <class T>
struct task_value {
    using type = T;
    static constexpr bool is_task = false;
};

template <class T>
struct task_value<task<T>> {
    using type = T;
    static constexpr bool is_task = true;
};

template <class T>
using task_value_t = typename task_value<std::remove_cvref_t<T>>::type;

// ---- handle_call ---------------------------------------------------------------------------

template <class S, class Req>
concept call_handler_with_from = requires(S& server, Req&& request, const from& caller) {
    server.handle_call(std::move(request), caller);
};

template <class S, class Req>
concept call_handler_without_from = requires(S& server, Req&& request) {
    server.handle_call(std::move(request));
};

/// Whether `S` has a `handle_call` for a `Req`.
template <class S, class Req>
concept handles_call = call_handler_with_from<S, Req> || call_handler_without_from<S, Req>;

template <class S, class Req>
decltype(auto) invoke_handle_call(S& server, Req&& request, const from& caller) {
    if constexpr (call_handler_with_from<S, Req>) {
        return server.handle_call(std::move(request), caller);
    } else {
        return server.handle_call(std::move(request));
    }
}

template <class X>
struct reply_type_of {
    using type = X;
};

template <class R>
struct reply_type_of<call_result<R>> {
    using type = R;
};

template <class V>
struct reply_type_of<reply_t<V>> {
    using type = V;
};

template <class V>
struct reply_type_of<stop_reply_t<V>> {
    using type = V;
};

template <class S, class Req>
using call_return_t = task_value_t<decltype(invoke_handle_call(
    std::declval<S&>(), std::declval<Req&&>(), std::declval<const from&>()))>;

/// The reply type of `S`'s `handle_call` for a `Req`: what `otp::call` returns.
template <class S, class Req>
using call_reply_t = typename reply_type_of<std::remove_cvref_t<call_return_t<S, Req>>>::type;

template <class R>
step finish_call(call_result<R> result, const from& caller) {
    step next;
    std::visit(
        [&](auto& outcome) {
            using O = std::remove_cvref_t<decltype(outcome)>;
            if constexpr (std::is_same_v<O, reply_t<R>>) {
                otp::reply(caller, std::move(outcome.value));
                next.next = std::move(outcome.next());
            } else if constexpr (std::is_same_v<O, noreply_t>) {
                next.next = std::move(outcome.next());
            } else if constexpr (std::is_same_v<O, stop_t>) {
                next.stop = true;
                next.reason = std::move(outcome.reason);
            } else {
                otp::reply(caller, std::move(outcome.value));
                next.stop = true;
                next.reason = std::move(outcome.reason);
            }
        },
        result.get());
    return next;
}

/// Runs `handle_call(request, caller)` on `server` and sends its reply.
template <class S, class Req>
task<step> run_handle_call(S& server, Req request, from caller) {
    using R = call_reply_t<S, Req>;
    static_assert(!std::is_same_v<R, noreply_t> && !std::is_same_v<R, stop_t>,
                  "rill::otp: a handle_call that may not reply at once returns "
                  "otp::call_result<Reply>, which names the reply type");
    static_assert(!std::is_void_v<R>,
                  "rill::otp: handle_call returns its reply (use atom(\"ok\") for none)");
    using raw = decltype(invoke_handle_call(server, std::move(request), caller));
    if constexpr (task_value<raw>::is_task) {
        auto value = co_await invoke_handle_call(server, std::move(request), caller);
        co_return finish_call<R>(call_result<R>(std::move(value)), caller);
    } else {
        co_return finish_call<R>(
            call_result<R>(invoke_handle_call(server, std::move(request), caller)), caller);
    }
}

// ---- handle_cast, handle_info, handle_continue ------------------------------------------------

template <class S, class Req>
concept handles_cast = requires(S& server, Req&& request) {
    server.handle_cast(std::move(request));
};

template <class S>
concept handles_info = requires(S& server, term message) {
    server.handle_info(std::move(message));
};

template <class S>
concept handles_continue = requires(S& server, term c) {
    server.handle_continue(std::move(c));
};

template <class S>
concept has_init = requires(S& server) {
    server.init();
};

template <class S>
concept has_terminate = requires(S& server, const term& reason) {
    server.terminate(reason);
};

/// The step of a callback that returned `result` (or `noreply_t`, `stop_t`).
inline step to_step(result r) {
    step next;
    if (auto* stop = std::get_if<stop_t>(&r.get())) {
        next.stop = true;
        next.reason = std::move(stop->reason);
    } else {
        next.next = std::move(std::get<noreply_t>(r.get()).next());
    }
    return next;
}

/// Runs a callback that returns void, a result, or a task of either: `call`
/// makes the call.
template <class Call>
task<step> run_callback(Call call) {
    using raw = decltype(call());
    if constexpr (task_value<raw>::is_task) {
        using value = task_value_t<raw>;
        if constexpr (std::is_void_v<value>) {
            co_await call();
            co_return step{};
        } else {
            result r = co_await call();
            co_return to_step(std::move(r));
        }
    } else if constexpr (std::is_void_v<raw>) {
        call();
        co_return step{};
    } else {
        co_return to_step(result(call()));
    }
}

// ---- typed requests
// ------------------------------------------------------------------------------

/// A typed call or cast, made by a caller that knew the server's class.
struct typed_request {
    explicit typed_request(const std::type_info& server_class)
        : server_type(&server_class) {}

    typed_request(const typed_request&) = delete;
    typed_request& operator=(const typed_request&) = delete;
    virtual ~typed_request() = default;

    // From the runtime's small-object cache, as coroutine frames and
    // mailbox nodes are: one of these per typed call or cast.
    static void* operator new(std::size_t size) { return rill::detail::allocate_frame(size); }

    static void operator delete(void* request, std::size_t size) noexcept {
        rill::detail::free_frame(request, size);
    }

    /// Runs the request on `server`, an object of class `*server_type`.
    virtual task<step> run(void* server) = 0;
    /// Runs it at once when its handler is no coroutine (sets `out`, true);
    /// false when `run` must be awaited instead.
    virtual bool run_now(void* server, step& out) = 0;
    /// The type of the request, for exit reasons (`{bad_call, Type}`).
    [[nodiscard]] virtual const std::type_info& request_type() const noexcept = 0;
    [[nodiscard]] virtual bool is_call() const noexcept = 0;

    const std::type_info* server_type;
};

/// The message that carries a typed request: one payload type for all.
struct request_box {
    std::unique_ptr<typed_request> request;
};

template <class S, class Req>
struct typed_call final : typed_request {
    typed_call(const pid& from_pid, const reference& reply_alias, Req body)
        : typed_request(typeid(S))
        , caller(from_pid)
        , alias(reply_alias)
        , request(std::move(body)) {}

    task<step> run(void* server) override {
        return run_handle_call<S, Req>(*static_cast<S*>(server),
                                       std::move(request),
                                       from::typed<call_reply_t<S, Req>>(caller, alias));
    }

    bool run_now(void* server, step& out) override {
        using raw = decltype(invoke_handle_call(
            std::declval<S&>(), std::declval<Req&&>(), std::declval<const from&>()));
        if constexpr (task_value<raw>::is_task) {
            return false;
        } else {
            using R = call_reply_t<S, Req>;
            const from caller_from = from::typed<R>(caller, alias);
            out = finish_call<R>(call_result<R>(invoke_handle_call(
                                     *static_cast<S*>(server), std::move(request), caller_from)),
                                 caller_from);
            return true;
        }
    }

    [[nodiscard]] const std::type_info& request_type() const noexcept override {
        return typeid(Req);
    }

    [[nodiscard]] bool is_call() const noexcept override { return true; }

    pid caller;
    reference alias;
    Req request;
};

template <class S, class Req>
task<step> run_handle_cast(S& server, Req request) {
    auto cast = [&] {
        return server.handle_cast(std::move(request));
    };
    co_return co_await run_callback(std::move(cast));
}

template <class S, class Req>
struct typed_cast final : typed_request {
    explicit typed_cast(Req body)
        : typed_request(typeid(S))
        , request(std::move(body)) {}

    task<step> run(void* server) override {
        return run_handle_cast<S, Req>(*static_cast<S*>(server), std::move(request));
    }

    bool run_now(void* server, step& out) override {
        using raw = decltype(std::declval<S&>().handle_cast(std::declval<Req&&>()));
        if constexpr (task_value<raw>::is_task) {
            return false;
        } else if constexpr (std::is_void_v<raw>) {
            static_cast<S*>(server)->handle_cast(std::move(request));
            out = step{};
            return true;
        } else {
            out = to_step(result(static_cast<S*>(server)->handle_cast(std::move(request))));
            return true;
        }
    }

    [[nodiscard]] const std::type_info& request_type() const noexcept override {
        return typeid(Req);
    }

    [[nodiscard]] bool is_call() const noexcept override { return false; }

    Req request;
};

/// The name of a C++ type, demangled, as an atom (for exit reasons).
term type_name_term(const std::type_info& type);

} // namespace rill::otp::detail

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
