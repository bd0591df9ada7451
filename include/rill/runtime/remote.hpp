#pragma once

/// \file
/// The two seams between a node's processes and other nodes, for the layer
/// that carries signals between nodes (rill's distribution layer, or a test
/// that joins two runtimes in one OS process):
///
/// - Outbound: every signal a process sends to a pid of another node (or
///   to `{name, node}`) reaches the `remote_route` installed with
///   `runtime::set_remote_route`, as a `remote_signal`. With no route, or
///   when the route throws, the node counts as unreachable, as in Erlang:
///   messages are dropped, a link answers with an exit `noconnection`, a
///   monitor with a DOWN `noconnection` (S73).
/// - Inbound: `runtime::inject` delivers a signal from another node to a
///   local process, with the same ordering as local signals: the signals
///   one thread injects for one target arrive in call order. A dead target
///   answers as a local one would (S68), back through the route.
///
/// Payloads cross as terms: a message whose C++ type has no term
/// conversion cannot leave the node (`no_term_conversion` at the send).

#include <rill/core/atom.hpp>
#include <rill/core/pid.hpp>
#include <rill/core/reference.hpp>
#include <rill/core/term.hpp>

#include <cstdint>

namespace rill {

/// What a `remote_signal` is; the names of Erlang's distribution control
/// messages are given for each.
enum class remote_signal_kind : std::uint8_t {
    message,    ///< SEND / REG_SEND: `payload` is the message
    exit,       ///< exit/2 (EXIT2): `payload` is the reason
    link_exit,  ///< a link broke (EXIT): `payload` is the reason
    link,       ///< LINK
    unlink,     ///< UNLINK_ID: `unlink_id`
    unlink_ack, ///< UNLINK_ID_ACK: `unlink_id`
    monitor,    ///< MONITOR_P: `from` watches `to` (or `name`), `ref`
    demonitor,  ///< DEMONITOR_P: `ref`
    down,       ///< MONITOR_P_EXIT: `from` died, `to` watched it, `ref`, `payload` the reason
    /// No control message: the connection to `from.node` is lost (inbound
    /// only). Every link of `to` with a process of that node fires as an
    /// exit `noconnection`, every monitor `to` holds on one a DOWN
    /// `noconnection`, and the monitors those processes hold on `to` are
    /// dropped (S74).
    node_down,
    /// ALIAS_SEND: a message to the process alias `ref` (`payload`); `to`
    /// only names the alias's node. Delivered while the alias is active,
    /// dropped otherwise.
    alias_message,
};

/// A signal between a process of this node and one of another node.
struct remote_signal {
    remote_signal_kind kind = remote_signal_kind::message;
    /// The sending process. A message sent from a thread that is no process
    /// has a default pid here.
    pid from;
    /// The receiving process. For a signal addressed by name (`name` set),
    /// only `to.node` counts: the node where the name is looked up.
    pid to;
    /// A message, monitor or demonitor addressed to a registered name; for
    /// a DOWN, the name the monitor was taken by. `undefined` otherwise.
    atom name = atoms::undefined;
    /// The monitor's reference (monitor, demonitor, down); the alias
    /// (alias_message).
    reference ref;
    /// The unlink's id (unlink, unlink_ack), as on the wire.
    std::uint64_t unlink_id = 0;
    /// The message (message, alias_message), or the exit reason (exit,
    /// link_exit, down).
    term payload;
    /// The sequential trace token a message carries (process/trace.hpp),
    /// as Erlang's `{Flags, Label, Serial, From, LastCnt}` (SEND_TT and
    /// the other `_TT` forms on the wire); `[]` for none. Inbound, a
    /// malformed token is ignored.
    term trace_token;
};

/// Carries signals to other nodes; installed on a runtime by the layer
/// that connects nodes. Called from any thread of the runtime (workers, the
/// thread of a runtime::send); signals from one sender must leave in the
/// order of the calls. May throw: the signal is then answered as if its
/// node were unreachable (no signal is lost silently).
class remote_route {
public:
    remote_route() = default;
    remote_route(const remote_route&) = delete;
    remote_route& operator=(const remote_route&) = delete;
    remote_route(remote_route&&) = delete;
    remote_route& operator=(remote_route&&) = delete;
    virtual ~remote_route() = default;

    /// Sends `signal` towards `signal.to.node`.
    virtual void send(remote_signal signal) = 0;
};

} // namespace rill
