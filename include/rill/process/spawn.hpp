#pragma once

/// \file
/// `process::spawn`: start a process running `f(args...)`.

#include <rill/core/pid.hpp>
#include <rill/detail/process_entry.hpp>
#include <rill/process/task.hpp>

#include <concepts>
#include <functional>
#include <type_traits>
#include <utility>

namespace rill {

namespace detail {

/// `Body`, called as an lvalue with arguments of types `Args`, returns
/// `task<>`: a process body once its arguments are stored in its frame.
template <class Body, class... Args>
concept returns_task =
    std::invocable<Body&, Args...> && std::same_as<std::invoke_result_t<Body&, Args...>, task<>>;

/// What `spawn(f, args...)` and its relatives accept: `f(args...)` on
/// decayed copies returns `task<>`. (The decayed types are passed on to
/// `returns_task`, which adds the `&`: clang-format 14 mangles a
/// `std::decay_t<F>&` written inside a concept definition.)
template <class F, class... Args>
concept process_body = returns_task<std::decay_t<F>, std::decay_t<Args>...>;

template <class F, class... Args>
task<> owning_body(F function, Args... args) {
    co_await std::invoke(function, std::move(args)...);
}

/// Turns `f(args...)` into a process body whose frame owns everything it
/// uses. A stateless callable (function, captureless lambda) is invoked
/// directly; a stateful one is kept alive in an outer frame, so a lambda's
/// captures stay valid for the process's whole life.
template <class F, class... Args>
task<> make_process_body(F&& function, Args&&... args) {
    using function_type = std::decay_t<F>;
    if constexpr (std::is_empty_v<function_type> || std::is_pointer_v<function_type> ||
                  std::is_function_v<std::remove_reference_t<F>>) {
        return std::invoke(function, std::decay_t<Args>(std::forward<Args>(args))...);
    } else {
        return owning_body<function_type, std::decay_t<Args>...>(std::forward<F>(function),
                                                                 std::forward<Args>(args)...);
    }
}

} // namespace detail

namespace process {

/// Starts a process running `f(args...)` and returns its pid at once; the
/// child runs when a worker picks it up. Call from a process. `f` must
/// return `task<>`; its arguments are copied or moved into the child's frame
/// (take them by value: a coroutine must not keep references into its
/// spawner).
template <class F, class... Args>
pid spawn(F&& f, Args&&... args) requires detail::process_body<F, Args...> {
    auto& runtime = detail::current_runtime("process::spawn");
    return detail::spawn_body(
        runtime, detail::make_process_body(std::forward<F>(f), std::forward<Args>(args)...));
}

} // namespace process
} // namespace rill
