#pragma once

// The distribution's I/O thread: one io_context, run by one thread for the
// life of the object. Everything the distribution does on sockets (epmd,
// the embedded epmd, handshakes, connection readers and writers, ticks) runs
// here, so state touched only by those coroutines needs no lock. Other
// threads hand work to it with `asio::post` / `asio::co_spawn`.

#include "dist/io/asio.hpp"

#include <asio/executor_work_guard.hpp>
#include <thread>

namespace rill::dist::internal {

class io_thread {
public:
    io_thread();
    /// Stops the context (pending operations end without running their
    /// completions) and joins the thread.
    ~io_thread();

    /// As the destructor, leaving the context in place: what runs on the
    /// thread until it stops may still reach the context (a coroutine that
    /// makes a timer), and other threads may still post to it (their work
    /// is dropped with the context). Idempotent; not concurrent with itself.
    void stop();

    io_thread(const io_thread&) = delete;
    io_thread& operator=(const io_thread&) = delete;

    asio::io_context& context() noexcept { return context_; }

    /// Whether the caller is the I/O thread.
    [[nodiscard]] bool is_current() const noexcept {
        return std::this_thread::get_id() == thread_.get_id();
    }

private:
    asio::io_context context_{1};
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    std::thread thread_;
};

} // namespace rill::dist::internal
