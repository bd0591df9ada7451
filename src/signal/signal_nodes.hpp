#pragma once

/// \file
/// The signal nodes the runtime builds (everything in a mailbox that is not
/// a message). They travel through the same inbox as messages, so all
/// signals from one sender to one receiver keep their send order (S10), and
/// the owner handles them before any message matching.

#include <rill/core/pid.hpp>
#include <rill/core/reference.hpp>
#include <rill/core/term.hpp>
#include <rill/detail/mailbox_node.hpp>

#include <cstdint>

namespace rill::internal {

/// exit: an exit signal, from exit/2 or from a link. node_down: the
/// connection to `from.node` is lost (only `from.node` counts).
struct exit_signal_node final : detail::mailbox_node {
    pid from;
    term reason;
    bool from_link = false;
};

/// link, unlink (`unlink_id`), unlink_ack (`unlink_id`).
struct link_signal_node final : detail::mailbox_node {
    pid from;
    pid to;
    std::uint64_t unlink_id = 0;
};

/// monitor, demonitor, down (`reason`). A monitor taken by name carries
/// the name (`undefined` for one taken by pid), so its target can list it
/// and a remote node can resolve it; the watcher builds the DOWN's object
/// from its own table entry (`monitor_object`).
struct monitor_signal_node final : detail::mailbox_node {
    pid from;
    pid to;
    reference ref;
    atom name = atoms::undefined;
    term reason;
};

detail::mailbox_node* make_exit_signal(const pid& from, term reason, bool from_link);
detail::mailbox_node* make_link_signal(detail::signal_kind kind,
                                       const pid& from,
                                       const pid& to,
                                       std::uint64_t unlink_id = 0);
detail::mailbox_node* make_monitor_signal(detail::signal_kind kind,
                                          const pid& from,
                                          const pid& to,
                                          const reference& ref,
                                          atom name = atoms::undefined,
                                          term reason = term());
detail::mailbox_node* make_node_down_signal(atom node);

} // namespace rill::internal
