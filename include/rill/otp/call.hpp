#pragma once

/// \file
/// `otp::call` and `otp::cast`: gen_server:call and gen_server:cast.
///
/// ```cpp
/// otp::server_ref<kv> store = (co_await otp::start_link<kv>()).server();
/// std::optional<std::string> v = co_await otp::call(store, get{"a"});   // typed
/// term n = co_await otp::call(atom("kv"), term::tuple_of(atom("size"))); // as Erlang
/// otp::cast(store, put{"a", "1"});
/// ```
///
/// A call monitors the server and tags its request with an alias, exactly
/// as OTP 25's gen:call: `{'$gen_call', {Self, [alias | Alias]}, Request}`
/// on the wire, answered `{[alias | Alias], Reply}`. It ends the caller
/// the way gen_server:call does, by throwing `exit_exception` (catchable;
/// uncaught, it is the caller's exit reason) with
/// `{Reason, {gen_server, call, [Server, Request]}}` (`[..., Timeout]`
/// when a timeout was given), where Reason is `timeout`, `noproc` (no
/// such process or name), `calling_self`, `{nodedown, Node}`, or the
/// server's exit reason when it ends before replying. A reply that comes
/// after a timeout is dropped.
///
/// Through a typed `server_ref<S>` to a server on this node, the request
/// is moved to the server as the C++ object it is and `S::handle_call`'s
/// overload for it runs; the reply comes back the same way. In the exit
/// reasons of such a call the request is written as its type's name.
/// Through an untyped reference, or to another node, the request and the
/// reply are terms.

#include <rill/core/atom.hpp>
#include <rill/core/errors.hpp>
#include <rill/core/term.hpp>
#include <rill/otp/callbacks.hpp>
#include <rill/otp/server_ref.hpp>
#include <rill/process/receive_first.hpp>
#include <rill/process/self.hpp>
#include <rill/process/send.hpp>
#include <rill/process/task.hpp>
#include <rill/signal/alias.hpp>
#include <rill/signal/monitor.hpp>

#include <chrono>
#include <memory>
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

namespace detail {

/// Where a call goes, once its ServerRef is resolved as gen:call does.
struct call_target {
    enum class kind : std::uint8_t {
        local,        ///< `pid` is a process of this node
        remote,       ///< `pid` (or `name` when set) is on another node
        noproc,       ///< an unregistered local name
        calling_self, ///< the caller itself
    };
    kind what = kind::noproc;
    pid process{};
    std::optional<std::pair<atom, atom>> name;
};

call_target resolve_call_target(const server_ref<>& server);

/// Ends the caller as gen_server:call does: throws `exit_exception` with
/// `{Reason, {gen_server, call, [Server, Request | Timeout]}}`;
/// `noconnection` becomes `{nodedown, Node}`.
[[noreturn]] void exit_call(const term& reason,
                            const server_ref<>& server,
                            const term& request,
                            std::chrono::milliseconds timeout,
                            bool timeout_given);

/// Whether `t` is `{[alias | Alias], _}`: the reply to a call tagged with `alias`.
bool is_reply_to(const term& t, const reference& alias);

/// A term call; `timeout_given` says whether the caller named a timeout
/// (it is then part of exit reasons, as in gen_server:call/3).
task<term>
call_term(server_ref<> server, term request, std::chrono::milliseconds timeout, bool timeout_given);

/// A term cast (`{'$gen_cast', Request}`): never fails.
void cast_term(const server_ref<>& server, term request);

/// The pid behind `server` when it is a process of this node (names are
/// looked up now); none otherwise.
std::optional<pid> local_server_pid(const server_ref<>& server);

struct call_failed {
    term reason;
};

template <class R>
using call_outcome = std::variant<R, call_failed>;

/// The receive that waits for the reply to a call: the typed reply, a
/// term reply that converts (one sent by `otp::reply` with another type,
/// or from another node), or the DOWN of the server; empty on timeout.
/// An awaitable, not a coroutine: a call costs no extra frame.
template <class R>
auto reply_receive(reference monitor,
                   reference alias,
                   std::chrono::milliseconds timeout,
                   bool with_down) {
    auto typed = process::when<typed_reply<R>>(
        [alias](const typed_reply<R>& reply) { return reply.alias == alias; },
        [](typed_reply<R>&& reply) {
            return call_outcome<R>(std::in_place_index<0>, std::move(reply.value));
        });
    auto down = process::when<down_signal>(
        [monitor, with_down](const down_signal& d) { return with_down && d.ref == monitor; },
        [](down_signal&& d) {
            return call_outcome<R>(std::in_place_index<1>, call_failed{std::move(d.reason)});
        });
    if constexpr (term_extractable<R> || std::is_same_v<R, term>) {
        auto as_term = process::when<term>(
            [alias](const term& t) {
                return is_reply_to(t, alias) && t.elements()[1].template is<R>();
            },
            [](term&& t) {
                return call_outcome<R>(std::in_place_index<0>, t.elements()[1].template as<R>());
            });
        return process::receive_first(process::sent_after(monitor),
                                      timeout,
                                      std::move(typed),
                                      std::move(as_term),
                                      std::move(down));
    } else {
        return process::receive_first(
            process::sent_after(monitor), timeout, std::move(typed), std::move(down));
    }
}

template <class Req>
term request_for_reason(const Req& request) {
    if constexpr (std::is_same_v<Req, term>) {
        return request;
    } else {
        return type_name_term(typeid(Req));
    }
}

/// What a failed call's exit reason names: the server, the request (the
/// term, or for a typed request its type), the timeout if one was given.
struct call_failure_context {
    server_ref<> server;
    std::optional<term> request;
    const std::type_info& request_type;
    std::chrono::milliseconds timeout;
    bool timeout_given;

    [[noreturn]] void exit(const term& reason) const {
        exit_call(reason,
                  server,
                  request ? *request : type_name_term(request_type),
                  timeout,
                  timeout_given);
    }
};

/// A call that got no reply in time, or the server's DOWN: as gen:call
/// then, the caller's exit (or the reply that came just in time).
template <class R>
task<R> finish_unanswered_call(std::optional<call_outcome<R>> outcome,
                               reference monitor,
                               reference alias,
                               call_failure_context context) {
    if (!outcome) {
        // After the timeout: no more replies, but one already here is taken.
        process::unalias(alias);
        process::demonitor(monitor, {.flush = true});
        outcome = co_await reply_receive<R>(monitor, alias, std::chrono::milliseconds(0), false);
        if (!outcome) {
            static const atom timeout_atom{"timeout"};
            context.exit(term(timeout_atom));
        }
        co_return std::get<0>(std::move(*outcome));
    }
    process::unalias(alias);
    context.exit(std::get<call_failed>(*outcome).reason);
}

/// The second half of gen:call, once the request is sent: the reply, or
/// the caller's exit.
template <class R>
task<R> await_call_reply(reference monitor, reference alias, call_failure_context context) {
    std::optional<call_outcome<R>> outcome =
        co_await reply_receive<R>(monitor, alias, context.timeout, true);
    if (!outcome || outcome->index() != 0) {
        co_return co_await finish_unanswered_call<R>(
            std::move(outcome), monitor, alias, std::move(context));
    }
    process::demonitor(monitor, {.flush = true});
    co_return std::get<0>(std::move(*outcome));
}

template <class S, class Req>
task<call_reply_t<S, Req>> call_typed(server_ref<S> server,
                                      Req request,
                                      std::chrono::milliseconds timeout,
                                      bool timeout_given) {
    using R = call_reply_t<S, Req>;
    const server_ref<> untyped(server);
    const call_target target = resolve_call_target(untyped);
    if (target.what == call_target::kind::remote) {
        if constexpr (term_convertible<Req> && (term_extractable<R> || std::is_same_v<R, term>)) {
            term reply =
                co_await call_term(untyped, term(std::move(request)), timeout, timeout_given);
            co_return reply.template as<R>();
        } else {
            throw no_term_conversion(
                "rill::otp::call: a server on another node takes terms, and this request or "
                "its reply type has no term conversion");
        }
    }
    if (target.what != call_target::kind::local) {
        static const atom noproc{"noproc"};
        static const atom calling_self{"calling_self"};
        exit_call(target.what == call_target::kind::noproc ? term(noproc) : term(calling_self),
                  untyped,
                  request_for_reason(request),
                  timeout,
                  timeout_given);
    }
    // Kept for exit reasons: the request itself moves to the server.
    std::optional<term> request_term;
    if constexpr (std::is_same_v<Req, term>) {
        request_term = request;
    }
    const reference monitor = process::monitor(target.process);
    const reference alias = process::alias(alias_mode::reply);
    process::send(target.process,
                  request_box{std::make_unique<typed_call<S, Req>>(
                      process::self(), alias, std::move(request))});
    std::optional<call_outcome<R>> outcome =
        co_await reply_receive<R>(monitor, alias, timeout, true);
    if (!outcome || outcome->index() != 0) [[unlikely]] {
        // Built before the co_await: GCC 12 miscompiles a braced list there.
        call_failure_context context{
            untyped, std::move(request_term), typeid(Req), timeout, timeout_given};
        co_return co_await finish_unanswered_call<R>(
            std::move(outcome), monitor, alias, std::move(context));
    }
    process::demonitor(monitor, {.flush = true});
    co_return std::get<0>(std::move(*outcome));
}

} // namespace detail

/// A typed call to a server of class `S` (see the file comment): returns
/// `S::handle_call`'s reply to `request`. Waits at most 5 s.
template <class S, class Req>

requires(!std::is_void_v<S> && detail::handles_call<S, std::remove_cvref_t<Req>>)
    [[nodiscard]] task<detail::call_reply_t<S, std::remove_cvref_t<Req>>> call(
        const server_ref<S>& server, Req&& request) {
    return detail::call_typed<S, std::remove_cvref_t<Req>>(
        server, std::remove_cvref_t<Req>(std::forward<Req>(request)), default_call_timeout, false);
}

/// A typed call that waits at most `timeout` (`otp::infinity`: forever).
template <class S, class Req>

requires(!std::is_void_v<S> && detail::handles_call<S, std::remove_cvref_t<Req>>)
    [[nodiscard]] task<detail::call_reply_t<S, std::remove_cvref_t<Req>>> call(
        const server_ref<S>& server, Req&& request, std::chrono::milliseconds timeout) {
    return detail::call_typed<S, std::remove_cvref_t<Req>>(
        server, std::remove_cvref_t<Req>(std::forward<Req>(request)), timeout, true);
}

/// A call as gen_server:call/2: the request is a term (or converts to
/// one), and so is the reply. Waits at most 5 s.
template <class Req>

requires(term_convertible<Req> || std::is_same_v<std::remove_cvref_t<Req>, term>)
    [[nodiscard]] task<term> call(const server_ref<>& server, Req&& request) {
    return detail::call_term(server, term(std::forward<Req>(request)), default_call_timeout, false);
}

/// gen_server:call/3.
template <class Req>

requires(term_convertible<Req> || std::is_same_v<std::remove_cvref_t<Req>, term>)
    [[nodiscard]] task<term> call(const server_ref<>& server,
                                  Req&& request,
                                  std::chrono::milliseconds timeout) {
    return detail::call_term(server, term(std::forward<Req>(request)), timeout, true);
}

/// A typed cast: `S::handle_cast(request)` runs in the server, the request
/// moved there. Never fails and never blocks, as gen_server:cast: a cast to
/// a server that is gone is dropped. To another node it goes as a term.
template <class S, class Req>

requires(!std::is_void_v<S> &&
         detail::handles_cast<S, std::remove_cvref_t<Req>>) void cast(const server_ref<S>& server,
                                                                      Req&& request) {
    using R = std::remove_cvref_t<Req>;
    const server_ref<> untyped(server);
    if (std::optional<pid> local = detail::local_server_pid(untyped)) {
        process::send(*local,
                      detail::request_box{std::make_unique<detail::typed_cast<S, R>>(
                          R(std::forward<Req>(request)))});
    } else if constexpr (term_convertible<R> || std::is_same_v<R, term>) {
        detail::cast_term(untyped, term(std::forward<Req>(request)));
    }
}

/// gen_server:cast/2: sends `{'$gen_cast', Request}`.
template <class Req>

requires(term_convertible<Req> ||
         std::is_same_v<std::remove_cvref_t<Req>, term>) void cast(const server_ref<>& server,
                                                                   Req&& request) {
    detail::cast_term(server, term(std::forward<Req>(request)));
}

/// sys:get_state/2: the state of a gen_server (or of any process that
/// answers sys's messages) as a term: a rill server's `state()` when its
/// class has one, else its class name. Exits the caller as sys does, with
/// `{Reason, {sys, get_state, [Server, Timeout]}}` (noproc, timeout, the
/// server's exit reason).
task<term> get_state(server_ref<> server,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

} // namespace rill::otp

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
