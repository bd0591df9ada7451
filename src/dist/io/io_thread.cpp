#include "dist/io/io_thread.hpp"

namespace rill::dist::internal {

io_thread::io_thread()
    : work_(asio::make_work_guard(context_))
    , thread_([this] { context_.run(); }) {}

io_thread::~io_thread() {
    stop();
}

void io_thread::stop() {
    if (!thread_.joinable()) {
        return;
    }
    work_.reset();
    context_.stop();
    thread_.join();
    context_.drop_pending();
}

} // namespace rill::dist::internal
