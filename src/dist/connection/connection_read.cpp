// The reading side of a connection (connection.hpp): the reader, which
// parses frames out of batched reads, puts fragmented messages back
// together and injects what they carry, and the ticker, which keeps the
// connection alive and declares a silent peer gone. Both run on the I/O
// thread.

#include <rill/runtime/runtime.hpp>

#include "dist/connection/connection.hpp"
#include "dist/node/node_core.hpp"
#include "dist/node/remote_calls.hpp"

#include <algorithm>

namespace rill::dist::internal {

namespace {

// The reader's buffer: frames up to this size are read in batches; larger
// ones (a fragment of this node's size among them) are read straight into
// a buffer of their own.
constexpr std::size_t read_buffer_size = std::size_t{64} << 10U;

} // namespace

awaitable<void> connection::read_loop(std::shared_ptr<tcp::socket> socket) {
    auto self = shared_from_this();
    const std::size_t max_frame = node_.opts().max_frame_size;
    // Reads take whatever the socket has, up to the buffer's size, so a
    // burst of small frames costs one read, not two per frame. A frame
    // that fits the buffer is copied out of it into a buffer of its own
    // (binaries in it may outlive the read); a larger one gets its own
    // buffer at once and the rest of it is read straight into that.
    bytes in(read_buffer_size);
    std::size_t begin = 0; // first unparsed byte
    std::size_t end = 0;   // one past the last byte read
    // Reads until at least `count` bytes are unparsed (count <= in.size()).
    auto fill = [&](std::size_t count) -> awaitable<void> {
        if (in.size() - begin < count) {
            std::copy(in.begin() + static_cast<std::ptrdiff_t>(begin),
                      in.begin() + static_cast<std::ptrdiff_t>(end),
                      in.begin());
            end -= begin;
            begin = 0;
        }
        while (end - begin < count) {
            end += co_await socket->async_read_some(asio::buffer(in.data() + end, in.size() - end),
                                                    use_awaitable);
            ++reads_seen_;
        }
    };
    // Fills `into` with the next bytes: those the buffer holds first, the
    // rest straight from the socket.
    auto read_into = [&](std::span<std::byte> into) -> awaitable<void> {
        const std::size_t buffered = std::min(end - begin, into.size());
        std::copy_n(in.begin() + static_cast<std::ptrdiff_t>(begin), buffered, into.begin());
        begin += buffered;
        if (buffered < into.size()) {
            co_await asio::async_read(*socket,
                                      asio::buffer(into.data() + buffered, into.size() - buffered),
                                      use_awaitable);
            ++reads_seen_;
        }
    };
    try {
        for (;;) {
            co_await fill(4);
            std::size_t length = 0;
            for (std::size_t i = 0; i < 4; ++i) {
                length = (length << 8U) | std::to_integer<std::size_t>(in[begin + i]);
            }
            begin += 4;
            bytes_received.fetch_add(4 + length, std::memory_order_relaxed);
            if (length == 0) {
                ticks_received.fetch_add(1, std::memory_order_relaxed);
                continue; // a tick
            }
            if (length > max_frame) {
                throw protocol_error("a frame of " + std::to_string(length) +
                                     " bytes, over the limit of " + std::to_string(max_frame));
            }
            if (length > in.size() && assembler_) {
                // A large frame: when it continues a fragmented message,
                // its data is read straight into the message.
                co_await fill(18);
                if (in[begin] == etf::version_byte && in[begin + 1] == dist_frag_cont) {
                    std::uint64_t sequence = 0;
                    const std::span<std::byte> into = assembler_->begin_continuation(
                        std::span<const std::byte>(in).subspan(begin, 18), length - 18, sequence);
                    begin += 18;
                    co_await read_into(into);
                    frames_received.fetch_add(1, std::memory_order_relaxed);
                    std::optional<etf::shared_bytes> message =
                        assembler_->finish_continuation(sequence);
                    if (message) {
                        deliver(decode_message(*message, node_.node()));
                    }
                    continue;
                }
            }
            bytes body;
            if (length <= in.size()) {
                co_await fill(length);
                const auto first = in.begin() + static_cast<std::ptrdiff_t>(begin);
                body.assign(first, first + static_cast<std::ptrdiff_t>(length));
                begin += length;
            } else {
                body.resize(length);
                co_await read_into(body);
            }
            frames_received.fetch_add(1, std::memory_order_relaxed);
            deliver(decode_body(std::move(body)));
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

void connection::deliver(inbound_signal decoded) {
    if (auto* signal = std::get_if<remote_signal>(&decoded)) {
        deliver(std::move(*signal));
    } else if (auto* request = std::get_if<spawn_request>(&decoded)) {
        start_spawned(std::move(*request));
    }
}

void connection::start_spawned(spawn_request request) {
    if (request.from.node != peer_) {
        node_.log("dropped a spawn request from " + std::string(peer_.name()) + " for " +
                  to_string(request.from) + ": a peer asks only for its own processes");
        return;
    }
    runtime& rt = node_.rt();
    pid child;
    try {
        child = rt.spawn(run_spawn_request,
                         std::shared_ptr<const function_table>(node_.functions()),
                         spawn_request(request));
    } catch (const std::exception& e) {
        node_.log(std::string("a spawn request from ") + std::string(peer_.name()) +
                  " failed: " + e.what());
        send_spawn_reply(request, false, false, term(atom("system_limit")));
        return;
    }
    // The link and the monitor first, then the reply, then the go: the
    // reply leaves before anything the process sends (remote_calls.hpp).
    if (request.link) {
        rt.inject({.kind = remote_signal_kind::link, .from = request.from, .to = child});
    }
    if (request.monitor) {
        rt.inject({.kind = remote_signal_kind::monitor,
                   .from = request.from,
                   .to = child,
                   .ref = request.id});
    }
    if (request.link || request.monitor) {
        std::lock_guard lock(mutex_);
        note_party(child);
    }
    send_spawn_reply(request, request.link, request.monitor, term(child));
    rt.send(child, spawn_go{});
}

void connection::deliver(remote_signal signal) {
    if (signal.kind == remote_signal_kind::down && signal.name != atoms::undefined) {
        signal.from.node = peer_; // watched by name on the peer's node
    }
    // A peer speaks for its own processes, to this node's: anything else
    // is dropped (a message from no process has a default sender).
    const bool from_peer = signal.from.node == peer_ ||
                           (signal.kind == remote_signal_kind::message && signal.from == pid{});
    if (!from_peer || signal.to.node != node_.node()) {
        node_.log("dropped a signal from " + std::string(peer_.name()) + " from " +
                  to_string(signal.from) + " to " + to_string(signal.to) +
                  ": a peer signals only from its own processes to this node's");
        return;
    }
    const bool relation =
        signal.kind == remote_signal_kind::link || signal.kind == remote_signal_kind::monitor;
    const pid to = node_.rt().inject(std::move(signal));
    if (relation && to != pid{}) {
        std::lock_guard lock(mutex_);
        note_party(to);
    }
}

inbound_signal connection::decode_body(bytes body) {
    if (assembler_ && body.front() == etf::version_byte) {
        std::optional<etf::shared_bytes> message = assembler_->feed(std::move(body));
        return message ? decode_message(*message, node_.node()) : inbound_signal{};
    }
    return decode_frame(etf::shared_bytes::adopt(std::move(body)), node_.node());
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
        if (reads_seen_ != last_reads) {
            last_heard_ms.store(steady_ms(), std::memory_order_relaxed);
        }
        last_reads = reads_seen_;
        if (silent_quarters >= 4) {
            fail("nothing heard for " + std::to_string(node_.opts().net_ticktime.count()) +
                 " ms (net_ticktime)");
            co_return;
        }
        const std::uint64_t writes = writes_seen_.load(std::memory_order_relaxed);
        if (writes == last_writes) {
            ticks_sent.fetch_add(1, std::memory_order_relaxed);
            push_tick();
        }
        last_writes = writes;
    }
}

} // namespace rill::dist::internal
