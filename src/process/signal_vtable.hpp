#pragma once

/// \file
/// The vtable of a node the runtime builds for a signal (anything in a
/// mailbox that is no message: exits, links, monitors, queries, alias
/// messages). A signal is no payload: it never leaves as a message (no
/// `encode`: the signal itself is what crosses to another node), shows as
/// the atom `signal` if asked for a term, and is no integer. `Node` is the
/// node's exact type, which it is deleted as.

#include <rill/core/atom.hpp>
#include <rill/core/term.hpp>
#include <rill/detail/mailbox_node.hpp>

namespace rill::internal {

namespace signal_vtable_detail {

template <class Node>
void destroy(detail::mailbox_node* node) noexcept {
    delete static_cast<Node*>(node);
}

inline term as_term(detail::mailbox_node* /*node*/) {
    return term(atom("signal"));
}

inline const term* no_term(const detail::mailbox_node* /*node*/) noexcept {
    return nullptr;
}

} // namespace signal_vtable_detail

template <class Node>
inline constexpr detail::payload_vtable signal_vtable{
    .destroy = &signal_vtable_detail::destroy<Node>,
    .encode = nullptr,
    .take_term = &signal_vtable_detail::as_term,
    .peek_term = &signal_vtable_detail::no_term,
    .node_size = sizeof(Node),
};

} // namespace rill::internal
