#include "dist/connection/connection.hpp"

#include <rill/dist/etf.hpp>
#include <rill/runtime/runtime.hpp>

#include "dist/connection/control.hpp"
#include "dist/handshake/dist_flags.hpp"
#include "dist/io/deadline.hpp"
#include "dist/node/node_core.hpp"

#include <array>
#include <sys/socket.h>
#include <utility>

namespace rill::dist::internal {

namespace {

// What a link or monitor gets back when its frame cannot reach the peer:
// the answers of an unreachable node (S73).
std::optional<remote_signal> unreachable_answer(const remote_signal& s) {
    static const atom noconnection{"noconnection"};
    switch (s.kind) {
    case remote_signal_kind::link: {
        remote_signal answer;
        answer.kind = remote_signal_kind::link_exit;
        answer.from = s.to;
        answer.to = s.from;
        answer.payload = noconnection;
        return answer;
    }
    case remote_signal_kind::monitor: {
        remote_signal answer;
        answer.kind = remote_signal_kind::down;
        answer.from = s.to;
        answer.to = s.from;
        answer.name = s.name;
        answer.ref = s.ref;
        answer.payload = noconnection;
        return answer;
    }
    default:
        return std::nullopt;
    }
}

} // namespace

connection::connection(node_core& node, atom peer)
    : node_(node)
    , peer_(peer) {}

connection::state connection::current_state() const {
    std::lock_guard lock(mutex_);
    return state_;
}

std::size_t connection::queued_bytes() const {
    std::lock_guard lock(mutex_);
    return queued_bytes_;
}

void connection::send(const remote_signal& signal) {
    queued_frame frame;
    append_frame(frame.frame, signal, peer_flags_.load(std::memory_order_relaxed));
    frame.answer_if_lost = unreachable_answer(signal);
    push(std::move(frame));
}

void connection::push(queued_frame frame) {
    bool schedule = false;
    bool overflow = false;
    {
        std::unique_lock lock(mutex_);
        if (state_ == state::closed) {
            // Lost with the connection: answered like any unsent frame
            // (outside the lock: an answer may come back this way).
            lock.unlock();
            std::vector<queued_frame> lost;
            lost.push_back(std::move(frame));
            answer_lost(lost);
            return;
        }
        if (state_ == state::up && !writing_ && queue_.empty() && try_write_now(frame.frame)) {
            return; // all of it left from this thread
        }
        queued_bytes_ += frame.frame.size();
        queue_.push_back(std::move(frame));
        overflow = queued_bytes_ > node_.opts().max_queued_bytes;
        if (state_ == state::up && !writing_ && !overflow) {
            writing_ = true;
            schedule = true;
        }
    }
    if (overflow) {
        asio::post(node_.io(), [self = shared_from_this()] {
            self->fail("more than " + std::to_string(self->node_.opts().max_queued_bytes) +
                       " bytes queued for the peer (it reads too slowly)");
        });
    } else if (schedule) {
        asio::post(node_.io(), [self = shared_from_this()] { self->start_write(); });
    }
}

bool connection::try_write_now(bytes& frame) {
    // No write chain runs (writing_ is false) and the queue is empty, so
    // nothing else writes to the socket; the socket is open while state_
    // is up (fail closes it only after setting closed, under mutex_, which
    // the caller holds). A non-blocking send of what fits; the rest, if
    // any, stays in `frame` for the writer.
    const ssize_t sent =
        ::send(native_socket_, frame.data(), frame.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent <= 0) {
        return false; // full, or failed: the writer finds out which
    }
    const auto count = static_cast<std::size_t>(sent);
    bytes_sent.fetch_add(count, std::memory_order_relaxed);
    writes_seen_.fetch_add(1, std::memory_order_relaxed);
    if (count == frame.size()) {
        frames_sent.fetch_add(1, std::memory_order_relaxed);
        return true;
    }
    frame.erase(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(count));
    return false;
}

void connection::attach(tcp::socket socket, const peer_identity& peer) {
    peer_flags_.store(peer.flags, std::memory_order_relaxed);
    socket.set_option(tcp::no_delay(true));
    socket_ = std::make_shared<tcp::socket>(std::move(socket));
    {
        std::lock_guard lock(mutex_);
        if (state_ != state::connecting) {
            return;
        }
        native_socket_ = socket_->native_handle();
        state_ = state::up;
        writing_ = true; // what queued while connecting goes out now
    }
    asio::co_spawn(node_.io(), read_loop(socket_), asio::detached);
    asio::co_spawn(node_.io(), tick_loop(socket_), asio::detached);
    start_write();
    node_.connected(shared_from_this());
}

void connection::fail(const std::string& why) {
    std::vector<queued_frame> unsent;
    bool was_up = false;
    {
        std::lock_guard lock(mutex_);
        if (state_ == state::closed) {
            return;
        }
        was_up = state_ == state::up;
        state_ = state::closed;
        unsent.swap(queue_);
        queued_bytes_ = 0;
    }
    node_.log(std::string(was_up ? "connection to " : "no connection to ") +
              std::string(peer_.name()) + " closed: " + why);
    if (socket_) {
        asio::error_code ignored;
        socket_->shutdown(tcp::socket::shutdown_both, ignored);
        socket_->close(ignored);
    }
    answer_lost(unsent);
    node_.forget(shared_from_this());
}

void connection::answer_lost(std::vector<queued_frame>& frames) {
    for (queued_frame& frame : frames) {
        if (frame.answer_if_lost) {
            node_.rt().inject(std::move(*frame.answer_if_lost));
        }
    }
}

void connection::start_write() {
    auto batch = std::make_shared<std::vector<queued_frame>>();
    {
        std::lock_guard lock(mutex_);
        if (state_ != state::up || queue_.empty()) {
            writing_ = false;
            return;
        }
        batch->swap(queue_);
        queued_bytes_ = 0;
    }
    std::vector<asio::const_buffer> buffers;
    buffers.reserve(batch->size());
    std::size_t total = 0;
    for (const queued_frame& frame : *batch) {
        buffers.emplace_back(asio::buffer(frame.frame));
        total += frame.frame.size();
    }
    asio::async_write(
        *socket_,
        buffers,
        [self = shared_from_this(), batch, total](asio::error_code error, std::size_t /*written*/) {
            if (error) {
                self->fail("write failed: " + error.message());
                return;
            }
            self->bytes_sent.fetch_add(total, std::memory_order_relaxed);
            self->frames_sent.fetch_add(batch->size(), std::memory_order_relaxed);
            self->writes_seen_.fetch_add(1, std::memory_order_relaxed);
            self->start_write();
        });
}

awaitable<void> connection::read_loop(std::shared_ptr<tcp::socket> socket) {
    auto self = shared_from_this();
    const std::size_t max_frame = node_.opts().max_frame_size;
    try {
        for (;;) {
            std::array<std::byte, 4> header{};
            co_await asio::async_read(*socket, asio::buffer(header), use_awaitable);
            ++reads_seen_;
            std::size_t length = 0;
            for (std::byte b : header) {
                length = (length << 8U) | std::to_integer<std::size_t>(b);
            }
            bytes_received.fetch_add(4 + length, std::memory_order_relaxed);
            if (length == 0) {
                continue; // a tick
            }
            if (length > max_frame) {
                throw protocol_error("a frame of " + std::to_string(length) +
                                     " bytes, over the limit of " + std::to_string(max_frame));
            }
            bytes body(length);
            co_await asio::async_read(*socket, asio::buffer(body), use_awaitable);
            ++reads_seen_;
            frames_received.fetch_add(1, std::memory_order_relaxed);
            inbound_signal signal =
                decode_frame(etf::shared_bytes::adopt(std::move(body)), node_.node());
            if (!signal) {
                continue;
            }
            if (signal->kind == remote_signal_kind::down && signal->name != atoms::undefined) {
                signal->from.node = peer_; // watched by name on the peer's node
            }
            node_.rt().inject(std::move(*signal));
        }
    } catch (const asio::system_error& e) {
        if (e.code() != asio::error::operation_aborted) {
            fail(e.code() == asio::error::eof ? std::string("the peer closed the connection")
                                              : "read failed: " + e.code().message());
        }
    } catch (const std::exception& e) {
        fail(std::string("bad input from the peer: ") + e.what());
    }
}

awaitable<void> connection::tick_loop(std::shared_ptr<tcp::socket> socket) {
    auto self = shared_from_this();
    asio::steady_timer timer(node_.io());
    const auto quarter = node_.opts().net_ticktime / 4;
    std::uint64_t last_reads = reads_seen_;
    std::uint64_t last_writes = writes_seen_.load(std::memory_order_relaxed);
    int silent_quarters = 0;
    for (;;) {
        timer.expires_after(quarter);
        auto [error] = co_await timer.async_wait(asio::experimental::as_tuple(use_awaitable));
        if (error || current_state() != state::up || !socket->is_open()) {
            co_return;
        }
        silent_quarters = reads_seen_ == last_reads ? silent_quarters + 1 : 0;
        last_reads = reads_seen_;
        if (silent_quarters >= 4) {
            fail("nothing heard for " + std::to_string(node_.opts().net_ticktime.count()) +
                 " ms (net_ticktime)");
            co_return;
        }
        const std::uint64_t writes = writes_seen_.load(std::memory_order_relaxed);
        if (writes == last_writes) {
            push(queued_frame{bytes(4, std::byte{0}), std::nullopt}); // a tick
        }
        last_writes = writes;
    }
}

} // namespace rill::dist::internal
