#include "process/query_signal.hpp"

#include <rill/core/term.hpp>

namespace rill::internal {

namespace {

void destroy_query(detail::mailbox_node* node) noexcept {
    delete static_cast<query_signal_node*>(node);
}

term query_as_term(detail::mailbox_node* /*node*/) {
    return term(atom("signal"));
}

const term* no_peek(const detail::mailbox_node* /*node*/) noexcept {
    return nullptr;
}

constexpr detail::payload_vtable query_vtable{
    .destroy = &destroy_query,
    .take_term = &query_as_term,
    .peek_term = &no_peek,
    .node_size = sizeof(query_signal_node),
};

} // namespace

detail::mailbox_node* make_query_signal(const pid& from, const reference& ref) {
    auto* node = new query_signal_node();
    node->vtable = &query_vtable;
    node->kind = detail::signal_kind::query;
    node->from = from;
    node->ref = ref;
    return node;
}

} // namespace rill::internal
