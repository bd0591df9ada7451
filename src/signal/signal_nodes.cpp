#include "signal/signal_nodes.hpp"

#include "process/signal_vtable.hpp"

namespace rill::internal {

detail::mailbox_node* make_exit_signal(const pid& from, term reason, bool from_link) {
    auto* node = new exit_signal_node();
    node->vtable = &signal_vtable<exit_signal_node>;
    node->kind = detail::signal_kind::exit;
    node->from = from;
    node->reason = std::move(reason);
    node->from_link = from_link;
    return node;
}

detail::mailbox_node* make_node_down_signal(atom node) {
    auto* signal = new exit_signal_node();
    signal->vtable = &signal_vtable<exit_signal_node>;
    signal->kind = detail::signal_kind::node_down;
    signal->from = pid{node, 0, 0, 0};
    signal->reason = term(atoms::noconnection);
    return signal;
}

detail::mailbox_node* make_link_signal(detail::signal_kind kind,
                                       const pid& from,
                                       const pid& to,
                                       std::uint64_t unlink_id) {
    auto* node = new link_signal_node();
    node->vtable = &signal_vtable<link_signal_node>;
    node->kind = kind;
    node->from = from;
    node->to = to;
    node->unlink_id = unlink_id;
    return node;
}

detail::mailbox_node* make_monitor_signal(detail::signal_kind kind,
                                          const pid& from,
                                          const pid& to,
                                          const reference& ref,
                                          atom name,
                                          term reason) {
    auto* node = new monitor_signal_node();
    node->vtable = &signal_vtable<monitor_signal_node>;
    node->kind = kind;
    node->from = from;
    node->to = to;
    node->ref = ref;
    node->name = name;
    node->reason = std::move(reason);
    return node;
}

} // namespace rill::internal
