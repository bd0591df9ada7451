#pragma once

// Bounding an asynchronous step in time: `within(limit, step, what)` runs
// `step` and a timer side by side; whichever finishes first cancels the
// other. A step that runs out of time throws `timeout_error` naming `what`,
// so a peer that stops talking mid-protocol costs a bounded wait.
//
// Coroutine parameters here and in the rest of src/dist are taken as the
// exact types callers pass (a literal as `const char*`, a request already
// encoded): GCC 12 destroys a temporary twice when a coroutine argument
// needs a converting construction.

#include "dist/io/asio.hpp"

#include <asio/experimental/deferred.hpp>
#include <asio/experimental/parallel_group.hpp>
#include <chrono>
#include <exception>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace rill::dist::internal {

class timeout_error : public std::runtime_error {
public:
    explicit timeout_error(const std::string& what)
        : std::runtime_error(what + ": timed out") {}
};

template <class T>
awaitable<T> within(std::chrono::milliseconds limit, awaitable<T> step, const char* what) {
    // Not awaitable_operators' `||`: it waits for one side to *succeed*, so
    // a step that fails would wait for the timer. wait_for_one ends at the
    // first completion, whatever it is.
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor, limit);
    if constexpr (std::is_void_v<T>) {
        auto [order, failure, timer_error] =
            co_await asio::experimental::make_parallel_group(
                asio::co_spawn(executor, std::move(step), asio::experimental::deferred),
                timer.async_wait(asio::experimental::deferred))
                .async_wait(asio::experimental::wait_for_one(), use_awaitable);
        if (order[0] != 0) {
            throw timeout_error(what);
        }
        if (failure) {
            std::rethrow_exception(failure);
        }
    } else {
        auto [order, failure, value, timer_error] =
            co_await asio::experimental::make_parallel_group(
                asio::co_spawn(executor, std::move(step), asio::experimental::deferred),
                timer.async_wait(asio::experimental::deferred))
                .async_wait(asio::experimental::wait_for_one(), use_awaitable);
        if (order[0] != 0) {
            throw timeout_error(what);
        }
        if (failure) {
            std::rethrow_exception(failure);
        }
        co_return std::move(value);
    }
}

} // namespace rill::dist::internal
