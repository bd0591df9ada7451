#include "process/signals.hpp"

namespace rill::internal {

namespace {

void destroy_exit_signal(detail::mailbox_node* node) noexcept {
    delete static_cast<exit_signal_node*>(node);
}

term exit_signal_as_term(detail::mailbox_node* node) {
    auto* signal = static_cast<exit_signal_node*>(node);
    return term::tuple({term(atoms::EXIT), term(signal->from), signal->reason});
}

const term* no_term(const detail::mailbox_node* /*node*/) noexcept { return nullptr; }

constexpr detail::payload_vtable exit_signal_vtable{
    &destroy_exit_signal, &exit_signal_as_term, &no_term};

} // namespace

detail::mailbox_node* make_exit_signal(const pid& from, term reason, bool from_link) {
    auto* node = new exit_signal_node();
    node->vtable = &exit_signal_vtable;
    node->kind = detail::signal_kind::exit;
    node->from = from;
    node->reason = std::move(reason);
    node->from_link = from_link;
    return node;
}

} // namespace rill::internal
