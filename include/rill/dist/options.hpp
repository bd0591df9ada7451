#pragma once

/// \file
/// `dist::options`: how a node joins an Erlang cluster (see net_kernel.hpp).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace rill::dist {

/// Short names (`erl -sname`: `name@host`, host without dots) or long
/// names (`erl -name`: `name@host.domain` or `name@127.0.0.1`). Nodes of the
/// two kinds do not talk to each other, as in Erlang.
enum class name_mode : std::uint8_t { short_names, long_names };

/// How the node finds the port mapper daemon (epmd).
enum class epmd_mode : std::uint8_t {
    /// Register with the epmd on the epmd port, starting an embedded one in
    /// this node when none answers there (the default: no daemon to install).
    automatic,
    /// Register with a running epmd; fail when none answers.
    external,
    /// Start an embedded epmd on the epmd port; fail when the port is taken.
    embedded,
    /// Register with no epmd: other nodes cannot find this one (it can still
    /// connect to them).
    none,
};

struct options {
    /// The address to listen on for other nodes: loopback unless told
    /// otherwise.
    std::string listen_address = "127.0.0.1";
    /// The port to listen on; 0 takes any free port (epmd tells peers which).
    std::uint16_t port = 0;
    name_mode names = name_mode::short_names;
    /// A hidden node (the default) is not in other nodes' `nodes()` and is
    /// not drawn into `global`'s cluster-wide locking (erl `-hidden`).
    bool hidden = true;
    /// Liveness: a tick goes out when nothing was written for a quarter of
    /// it, and a peer heard nothing from for this long is disconnected
    /// (erl's `net_ticktime`, 60 s by default).
    std::chrono::milliseconds net_ticktime{60'000};
    /// The longest a connection setup (epmd lookup, connect, handshake) may
    /// take (erl's `net_setuptime`, 7 s).
    std::chrono::milliseconds setup_time{7'000};
    /// The cookie; else the runtime's (`runtime_options::cookie`) when set,
    /// else the first line of `~/.erlang.cookie` as erl reads it.
    std::optional<std::string> cookie;
    epmd_mode epmd = epmd_mode::automatic;
    /// epmd's port; else `ERL_EPMD_PORT` when set, else 4369 (as erl). With
    /// `epmd_mode::embedded`, 0 takes any free port (read it back with
    /// `net_kernel::epmd_port()`, for tests that start nodes beside it).
    std::optional<std::uint16_t> epmd_port;
    /// The most bytes of frames queued for one peer and not yet written.
    /// A sender that pushes a connection past it closes that connection
    /// (logged; its links and monitors fire `noconnection`), so a slow or
    /// stalled peer can never make the node buffer without limit.
    std::size_t max_queued_bytes = std::size_t{256} << 20U;
    /// Past this many queued bytes a connection is busy, as BEAM's
    /// `dist_buf_busy_limit` (1 MiB by default, as BEAM's): each time its
    /// queue goes over, `connection_statistics::busy_events` counts one.
    /// Unlike BEAM, rill does not suspend the senders then: frames queue on
    /// up to `max_queued_bytes`.
    std::size_t busy_limit = std::size_t{1} << 20U;
    /// The largest frame accepted from a peer; a longer length field closes
    /// the connection before anything is allocated for it.
    std::size_t max_frame_size = std::size_t{1} << 30U;
    /// Receives the distribution's log lines (refused connections, lost
    /// peers, protocol errors), from the distribution's I/O thread; by
    /// default they go to standard error.
    std::function<void(std::string_view)> log{};
};

} // namespace rill::dist
