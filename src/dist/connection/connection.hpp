#pragma once

// One connection to one peer node: the queue of frames for it, and once the
// handshake is done, the socket with its reader, writer and ticker.
//
// Threads. `send` runs on any thread (a worker whose process sends to the
// peer): it encodes the frame outside any lock, then appends it to the
// queue under `mutex_`. Everything else runs on the I/O thread: the
// handshake coroutines call `attach` or `fail`, the reader decodes frames
// and injects them into the runtime, the writer and the ticker write.
//
// Writing. A sender that finds the connection idle (no write chain, nothing
// queued) sends its frame itself with a non-blocking send under `mutex_`,
// which saves waking the I/O thread; what the socket does not take goes to
// the queue. The writer takes every frame queued so far in one go and
// writes them with one vectored write (gather); frames queued meanwhile go
// in the next write. Between nodes that agreed on fragments, a message
// over 64 KiB goes as fragments that the queue lets other senders' frames
// and ticks pass (send_queue.hpp), and the reader puts fragments back
// together (fragments.hpp). `writing_` is true from the moment a sender schedules the
// writer until the writer finds the queue empty, so exactly one write chain
// runs and no sender ever waits for the socket. Order: a sender's frames
// enter the queue in the order of its sends and leave in queue order, so
// the signals of one process to one remote process keep their order.
//
// Before the handshake completes the queue only fills (frames in the
// forms every OTP 25 node reads, re-encoded at `attach` when the peer agreed
// on fragments, whose frames must all start with a distribution header); a setup that fails answers
// the queued links and monitors as unreachable (`noconnection`) and drops the rest, as for a node
// that cannot be reached (S73).
//
// Loss: the connection notes every local process that a link or monitor
// crossed it for (`parties_`, either direction). When it closes, each gets
// a `node_down` signal and breaks, on its own worker, every link and
// monitor it has with the peer's processes (S74); the peer's node monitors
// get `{nodedown, Peer}` (node_core). Dead processes leave the set when it
// has doubled since it was last swept, so a long-lived connection never
// holds more than twice the processes that ever had relations over it
// and still live.
//
// Identity: a signal from the peer must come from one of its processes and
// go to one of this node's (else it is dropped, logged). A signal to a pid
// of an earlier incarnation of the peer goes out as BEAM sends it: the peer
// treats it as bound for a dead process (link and monitor answered
// `noproc`, the rest dropped), as this node does for its own old pids.
//
// Liveness: every quarter of net_ticktime the ticker writes a tick (an
// empty frame) when nothing else was written, and fails the connection
// when nothing at all was read for four quarters in a row.
//
// Files: connection.cpp holds the state, sending and writing;
// connection_read.cpp the reader and the ticker.

#include <rill/core/atom.hpp>
#include <rill/core/pid.hpp>
#include <rill/runtime/remote.hpp>

#include "dist/connection/control.hpp"
#include "dist/connection/fragments.hpp"
#include "dist/connection/send_queue.hpp"
#include "dist/handshake/handshake.hpp"
#include "dist/io/asio.hpp"
#include "dist/wire/wire_bytes.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

namespace rill::dist::internal {

class node_core;

/// Milliseconds on the steady clock (connection figures).
std::int64_t steady_ms() noexcept;

class connection : public std::enable_shared_from_this<connection> {
public:
    enum class state : std::uint8_t { connecting, up, closed };

    connection(node_core& node, atom peer);

    [[nodiscard]] atom peer() const noexcept { return peer_; }

    /// Any thread: queues `signal` for the peer. Throws `etf::encode_error`
    /// for a payload that cannot be encoded (nothing is queued).
    void send(const remote_signal& signal);

    /// Queues the SPAWN_REPLY for `request`: the spawned pid, or an error
    /// atom. I/O thread.
    void send_spawn_reply(const spawn_request& request,
                          bool linked,
                          bool monitored,
                          const term& pid_or_error);

    /// I/O thread: the handshake on `socket` completed with `peer`; the
    /// connection is up.
    void attach(tcp::socket socket, const peer_identity& peer);

    /// I/O thread: ends the connection (a failed setup, a lost peer, a
    /// protocol error, a disconnect), logging `why`. Idempotent.
    void fail(const std::string& why);

    [[nodiscard]] state current_state() const;

    /// Whether the handshake completed at some point.
    [[nodiscard]] bool came_up() const;

    /// Whether the initiating handshake of this node gave way to the
    /// peer's (simultaneous connect); the acceptor then attaches. I/O thread.
    bool initiator_superseded = false;

    // Figures for introspection; relaxed counters written on the I/O thread
    // (queued bytes under the mutex), read by any thread.
    std::atomic<std::uint64_t> bytes_sent{0};
    std::atomic<std::uint64_t> bytes_received{0};
    std::atomic<std::uint64_t> frames_sent{0};
    std::atomic<std::uint64_t> frames_received{0};
    std::atomic<std::uint64_t> ticks_sent{0};
    std::atomic<std::uint64_t> ticks_received{0};
    std::atomic<std::uint64_t> busy_events{0}; // pushes that took the queue over busy_limit
    // When the peer was last heard (anything read), in steady-clock ms, as
    // seen by the ticker each quarter of net_ticktime (set at attach).
    std::atomic<std::int64_t> last_heard_ms{0};
    [[nodiscard]] std::size_t queued_bytes() const;

private:
    // A frame, and the signal it was encoded from while the peer's flags
    // were not known yet (to encode again once they are).
    struct pending_frame {
        outbound_frame frame;
        std::optional<remote_signal> encoded_blind;
    };

    // The frames of a message that is one large binary, its bytes left in
    // the term's buffer; none when the encoding is not the expected one.
    std::vector<outbound_frame> binary_frames(const remote_signal& signal, std::uint64_t flags);
    // Queues `frames` (the fragments of one message, or one whole frame)
    // for `signal`, noting its sender among the parties when it is a link
    // or a monitor.
    void push(std::span<outbound_frame> frames,
              const remote_signal& signal,
              std::optional<remote_signal> encoded_blind);
    // Notes `party` as having a link or monitor over this connection
    // (mutex_ held).
    void note_party(const pid& party);
    // Tells every party that the connection is gone.
    void notify_parties(const std::vector<pid>& parties);
    // I/O thread: queues a tick ahead of any large message's fragments.
    void push_tick();
    // Encodes a frame queued before the handshake again for the agreed
    // flags (mutex_ held, peer flags known).
    void encode_again(outbound_frame& frame, const remote_signal& signal) const;
    // Sends what of `frame` the socket takes now, from the calling thread
    // (mutex_ held, connection up, no write chain): true when all of it left.
    bool try_write_now(bytes& frame);
    void start_write();
    awaitable<void> read_loop(std::shared_ptr<tcp::socket> socket);
    awaitable<void> tick_loop(std::shared_ptr<tcp::socket> socket);
    void answer_lost(std::span<outbound_frame> frames);
    // A frame body read from the peer: the signal it completes, if any.
    inbound_signal decode_body(bytes body);
    // Injects a signal read from the peer into the runtime, or starts the
    // process a spawn request asks for.
    void deliver(inbound_signal signal);
    void deliver(remote_signal signal);
    void start_spawned(spawn_request request);

    node_core& node_;
    atom peer_;

    mutable std::mutex mutex_;
    // Guarded by mutex_.
    state state_ = state::connecting;
    send_queue queue_;
    // Frames queued before the handshake, with the signals to encode them
    // from again (see encode_again).
    std::vector<pending_frame> before_up_;
    std::size_t before_up_bytes_ = 0;
    bool writing_ = false;
    bool came_up_ = false;
    std::chrono::steady_clock::time_point last_push_{}; // of the last frame queued or sent
    unsigned close_pushes_ = 0; // frames in a row pushed within burst_gap of the one before
    std::unordered_set<pid> parties_;
    std::size_t sweep_parties_at_ = 1024;
    int native_socket_ = -1; // the socket's descriptor while up (see try_write_now)

    // The peer's flags once up (0 before: frames then use the forms every
    // peer reads). Relaxed: a sender that reads 0 after the handshake
    // merely writes an older form, which the peer also reads.
    std::atomic<std::uint64_t> peer_flags_{0};

    // Ids of fragmented messages, unique on this connection; relaxed: only
    // uniqueness matters.
    std::atomic<std::uint64_t> next_sequence_{1};

    // I/O thread only.
    std::shared_ptr<tcp::socket> socket_;
    std::optional<fragment_assembler> assembler_; // when the peer agreed on fragments
    std::uint64_t reads_seen_ = 0;                // frames and ticks read, for the ticker
    // Writes completed (by the writer or a sender's direct write), for the
    // ticker; relaxed: a count, ordered with nothing.
    std::atomic<std::uint64_t> writes_seen_{0};
};

} // namespace rill::dist::internal
