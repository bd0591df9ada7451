#include "dist/connection/connection.hpp"

#include <rill/dist/etf.hpp>
#include <rill/runtime/runtime.hpp>

#include "dist/connection/control.hpp"
#include "dist/handshake/dist_flags.hpp"
#include "dist/io/deadline.hpp"
#include "dist/node/node_core.hpp"

#include <algorithm>
#include <chrono>
#include <sys/socket.h>
#include <utility>

namespace rill::dist::internal {

namespace {

// The most bytes of fragments one write takes when other frames wait: a
// tick or a small message waits for at most this much of a large message.
constexpr std::size_t bulk_budget = 2 * (fragment_size + 32); // two fragments with their headers

// Frames pushed closer together than this are a burst once `burst_after`
// of them came so in a row: they wait for the writer rather than each
// leaving with a system call of its own. A pair is no burst: an answer and
// the signal right behind it (a SPAWN_REPLY and the DOWN of a quick call)
// would otherwise wake the writer for the second, one thread hand-off more
// on a call's latency.
constexpr std::chrono::microseconds burst_gap{10};
constexpr unsigned burst_after = 2;

// A message that is one binary at least this large goes without its bytes
// being copied into the frame (see binary_frames).
constexpr std::size_t large_binary = std::size_t{64} << 10U;

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

bool connection::came_up() const {
    std::lock_guard lock(mutex_);
    return came_up_;
}

std::size_t connection::queued_bytes() const {
    std::lock_guard lock(mutex_);
    std::size_t total = queue_.size_in_bytes();
    for (const pending_frame& pending : before_up_) {
        total += pending.frame.size();
    }
    return total;
}

void connection::send(const remote_signal& signal) {
    const std::uint64_t flags = peer_flags_.load(std::memory_order_relaxed);
    const bool is_message = signal.kind == remote_signal_kind::message ||
                            signal.kind == remote_signal_kind::alias_message;
    if (signal.kind == remote_signal_kind::alias_message && flags != 0 &&
        (flags & dflag::alias) == 0) {
        return; // a peer without aliases has none to send to: dropped, as BEAM does
    }
    std::vector<outbound_frame> fragments;
    if ((flags & dflag::fragments) != 0 && is_message && signal.payload.is_binary() &&
        signal.payload.bytes().size() >= large_binary) {
        fragments = binary_frames(signal, flags);
    }
    outbound_frame frame;
    if (fragments.empty()) {
        append_frame(frame.head, signal, flags);
        frame.answer_if_lost = unreachable_answer(signal);
        const bool has_payload = is_message || signal.kind == remote_signal_kind::exit ||
                                 signal.kind == remote_signal_kind::link_exit ||
                                 signal.kind == remote_signal_kind::down;
        if ((flags & dflag::fragments) != 0 && has_payload &&
            frame.head.size() > whole_message_prefix + fragment_size) {
            // Fragments share the encoded frame; their data starts after
            // its length and header.
            const auto message = std::make_shared<const bytes>(std::move(frame.head));
            fragments =
                split_into_fragments({},
                                     message,
                                     std::span(*message).subspan(whole_message_prefix),
                                     next_sequence_.fetch_add(1, std::memory_order_relaxed));
        }
    }
    // A small message, the common case, is one frame on the stack: no
    // vector is allocated for it.
    const std::span<outbound_frame> frames =
        fragments.empty() ? std::span<outbound_frame>(&frame, 1) : std::span(fragments);
    for (outbound_frame& f : frames) {
        f.sender = signal.from;
    }
    std::optional<remote_signal> encoded_blind;
    if (flags == 0) {
        encoded_blind = signal; // the peer's flags are not known yet
    }
    push(frames, signal, std::move(encoded_blind));
}

void connection::send_spawn_reply(const spawn_request& request,
                                  bool linked,
                                  bool monitored,
                                  const term& pid_or_error) {
    outbound_frame frame;
    append_spawn_reply(frame.head,
                       request.id,
                       request.from,
                       linked,
                       monitored,
                       pid_or_error,
                       peer_flags_.load(std::memory_order_relaxed));
    remote_signal reply; // no link or monitor: nothing to note or answer if lost
    reply.from = pid_or_error.is_pid() ? pid_or_error.as_pid() : pid{};
    push(std::span<outbound_frame>(&frame, 1), reply, std::nullopt);
}

std::vector<outbound_frame> connection::binary_frames(const remote_signal& signal,
                                                      std::uint64_t flags) {
    // The frame of the same message with an empty binary ends with the
    // binary's tag and a zero size: the size is set, and the bytes follow
    // from the term's own buffer.
    remote_signal shell = signal;
    shell.payload = term::binary(std::span<const std::byte>{});
    bytes head;
    append_frame(head, shell, flags);
    const auto holder = std::make_shared<const term>(signal.payload);
    const std::span<const std::byte> data = holder->bytes();
    constexpr std::byte binary_ext{109};
    if (head.size() < whole_message_prefix + 5 || head[head.size() - 5] != binary_ext ||
        data.size() > 0xFFFFFFFFU - head.size()) {
        return {}; // not the expected form: encoded as usual
    }
    store_u32(head.data() + head.size() - 4, static_cast<std::uint32_t>(data.size()));
    std::vector<outbound_frame> frames;
    if (head.size() - whole_message_prefix + data.size() <= fragment_size) {
        store_u32(head.data(), static_cast<std::uint32_t>(head.size() - 4 + data.size()));
        outbound_frame whole;
        whole.head = std::move(head);
        whole.owner = holder;
        whole.tail = data;
        frames.push_back(std::move(whole));
        return frames;
    }
    return split_into_fragments(std::span<const std::byte>(head).subspan(whole_message_prefix),
                                holder,
                                data,
                                next_sequence_.fetch_add(1, std::memory_order_relaxed));
}

void connection::note_party(const pid& party) {
    parties_.insert(party);
    if (parties_.size() < sweep_parties_at_) {
        return;
    }
    std::erase_if(parties_, [this](const pid& p) { return !node_.rt().is_alive(p); });
    sweep_parties_at_ = std::max<std::size_t>(1024, 2 * parties_.size());
}

void connection::push(std::span<outbound_frame> frames,
                      const remote_signal& signal,
                      std::optional<remote_signal> encoded_blind) {
    bool schedule = false;
    bool overflow = false;
    {
        std::unique_lock lock(mutex_);
        if (state_ == state::closed) {
            // Lost with the connection: answered like any unsent frame
            // (outside the lock: an answer may come back this way).
            lock.unlock();
            answer_lost(frames);
            return;
        }
        if (signal.kind == remote_signal_kind::link || signal.kind == remote_signal_kind::monitor) {
            note_party(signal.from);
        }
        // A frame encoded blind (flags 0) is never fragmented: one frame.
        if (state_ == state::connecting) {
            for (outbound_frame& frame : frames) {
                before_up_bytes_ += frame.size();
                before_up_.push_back({std::move(frame), std::move(encoded_blind)});
            }
            overflow = before_up_bytes_ > node_.opts().max_queued_bytes;
        } else if (encoded_blind) {
            // Encoded before the handshake ended, queued after it.
            encode_again(frames.front(), *encoded_blind);
        }
        if (state_ == state::up) {
            // A lone frame leaves from this thread; in a burst (frames
            // coming less than `burst_gap` apart) frames queue for the
            // writer, which takes them all in one write instead of one
            // system call each.
            const auto now = std::chrono::steady_clock::now();
            close_pushes_ = now - last_push_ < burst_gap ? close_pushes_ + 1 : 0;
            last_push_ = now;
            const bool burst = close_pushes_ >= burst_after;
            if (!burst && !writing_ && queue_.empty() && frames.size() == 1 &&
                frames.front().tail.empty() && try_write_now(frames.front().head)) {
                return; // all of it left from this thread
            }
            const std::size_t before = queue_.size_in_bytes();
            if (frames.size() == 1) {
                queue_.push(std::move(frames.front()));
            } else {
                queue_.push_fragments(frames);
            }
            const std::size_t after = queue_.size_in_bytes();
            if (before <= node_.opts().busy_limit && after > node_.opts().busy_limit) {
                busy_events.fetch_add(1, std::memory_order_relaxed);
            }
            overflow = after > node_.opts().max_queued_bytes;
        }
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

void connection::push_tick() {
    outbound_frame tick;
    tick.head.assign(4, std::byte{0}); // an empty frame
    {
        std::lock_guard lock(mutex_);
        if (state_ != state::up) {
            return;
        }
        queue_.push_urgent(std::move(tick));
        if (writing_) {
            return;
        }
        writing_ = true;
    }
    start_write(); // on the I/O thread already
}

void connection::encode_again(outbound_frame& frame, const remote_signal& signal) const {
    const std::uint64_t flags = peer_flags_.load(std::memory_order_relaxed);
    if ((flags & dflag::fragments) == 0) {
        return; // the pass-through form it has is right
    }
    bytes again;
    append_frame(again, signal, flags);
    frame.head = std::move(again);
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

std::int64_t steady_ms() noexcept {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void connection::attach(tcp::socket socket, const peer_identity& peer) {
    peer_flags_.store(peer.flags, std::memory_order_relaxed);
    last_heard_ms.store(steady_ms(), std::memory_order_relaxed); // the handshake was heard
    socket.set_option(tcp::no_delay(true));
    socket_ = std::make_shared<tcp::socket>(std::move(socket));
    {
        std::lock_guard lock(mutex_);
        if (state_ != state::connecting) {
            return;
        }
        native_socket_ = socket_->native_handle();
        state_ = state::up;
        came_up_ = true;
        for (pending_frame& pending : before_up_) {
            if (pending.encoded_blind) {
                encode_again(pending.frame, *pending.encoded_blind);
            }
            queue_.push(std::move(pending.frame));
        }
        before_up_.clear();
        before_up_bytes_ = 0;
        writing_ = true; // what queued while connecting goes out now
    }
    if ((peer.flags & dflag::fragments) != 0) {
        assembler_.emplace(node_.opts().max_frame_size);
    }
    asio::co_spawn(node_.io(), read_loop(socket_), asio::detached);
    asio::co_spawn(node_.io(), tick_loop(socket_), asio::detached);
    start_write();
    node_.connected(shared_from_this());
}

void connection::fail(const std::string& why) {
    std::vector<outbound_frame> unsent;
    std::vector<pid> parties;
    bool was_up = false;
    {
        std::lock_guard lock(mutex_);
        if (state_ == state::closed) {
            return;
        }
        was_up = state_ == state::up;
        state_ = state::closed;
        unsent = queue_.take_all();
        for (pending_frame& pending : before_up_) {
            unsent.push_back(std::move(pending.frame));
        }
        before_up_.clear();
        before_up_bytes_ = 0;
        parties.assign(parties_.begin(), parties_.end());
        parties_.clear();
    }
    node_.log(std::string(was_up ? "connection to " : "no connection to ") +
              std::string(peer_.name()) + " closed: " + why);
    if (socket_) {
        asio::error_code ignored;
        socket_->shutdown(tcp::socket::shutdown_both, ignored);
        socket_->close(ignored);
    }
    answer_lost(unsent);
    notify_parties(parties);
    node_.forget(shared_from_this());
}

void connection::notify_parties(const std::vector<pid>& parties) {
    remote_signal lost;
    lost.kind = remote_signal_kind::node_down;
    lost.from = pid{peer_, 0, 0, 0};
    for (const pid& party : parties) {
        lost.to = party;
        node_.rt().inject(lost);
    }
}

void connection::answer_lost(std::span<outbound_frame> frames) {
    for (outbound_frame& frame : frames) {
        if (frame.answer_if_lost) {
            node_.rt().inject(std::move(*frame.answer_if_lost));
        }
    }
}

void connection::start_write() {
    auto batch = std::make_shared<std::vector<outbound_frame>>();
    {
        std::lock_guard lock(mutex_);
        if (state_ != state::up || queue_.empty()) {
            writing_ = false;
            return;
        }
        *batch = queue_.take_batch(bulk_budget);
    }
    std::vector<asio::const_buffer> buffers;
    buffers.reserve(2 * batch->size());
    std::size_t total = 0;
    for (const outbound_frame& frame : *batch) {
        buffers.emplace_back(asio::buffer(frame.head));
        if (!frame.tail.empty()) {
            buffers.emplace_back(asio::buffer(frame.tail.data(), frame.tail.size()));
        }
        total += frame.size();
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

} // namespace rill::dist::internal
