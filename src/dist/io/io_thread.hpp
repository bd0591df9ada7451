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

    /// As the destructor, leaving the context in place: stops the context,
    /// joins the thread, then destroys the pending operations (coroutine
    /// frames, handlers: whatever they keep alive goes now, not when the
    /// context goes). What ran on the thread until it stopped could still
    /// reach the context, and another thread may still post to it (the
    /// work is dropped). Idempotent; not concurrent with itself.
    void stop();

    io_thread(const io_thread&) = delete;
    io_thread& operator=(const io_thread&) = delete;

    asio::io_context& context() noexcept { return context_; }

    /// Whether the caller is the I/O thread.
    [[nodiscard]] bool is_current() const noexcept {
        return std::this_thread::get_id() == thread_.get_id();
    }

private:
    // An io_context that can drop its pending operations and stay usable
    // (execution_context::shutdown, the first half of its destructor).
    class context_type : public asio::io_context {
    public:
        using asio::io_context::io_context;

        void drop_pending() { shutdown(); }
    };

    context_type context_{1};
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    std::thread thread_;
};

} // namespace rill::dist::internal
