#pragma once

// Standalone Asio as the distribution layer uses it: C++20 coroutines
// (`asio::awaitable`) on one io_context. Only src/dist includes this; no
// public header names an Asio type.

// Asio 1.22 detects C++20 coroutines on GCC but not on clang 14, which has
// them (the fuzz preset builds with clang): say so before any Asio header.
#if defined(__clang__) && !defined(ASIO_HAS_CO_AWAIT)
#define ASIO_HAS_CO_AWAIT 1
#define ASIO_HAS_STD_COROUTINE 1
#endif

#include <asio/awaitable.hpp>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>
#include <asio/write.hpp>

namespace rill::dist::internal {

using tcp = asio::ip::tcp;
template <class T = void>
using awaitable = asio::awaitable<T>;
inline constexpr auto use_awaitable = asio::use_awaitable;

} // namespace rill::dist::internal
