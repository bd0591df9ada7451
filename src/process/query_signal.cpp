#include "process/query_signal.hpp"

#include "process/signal_vtable.hpp"

namespace rill::internal {

detail::mailbox_node* make_query_signal(const pid& from, const reference& ref) {
    auto* node = new query_signal_node();
    node->vtable = &signal_vtable<query_signal_node>;
    node->kind = detail::signal_kind::query;
    node->from = from;
    node->ref = ref;
    return node;
}

} // namespace rill::internal
