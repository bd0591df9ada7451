#include "process/mailbox.hpp"

namespace rill::internal {

namespace {
// Two distinct addresses that are never real nodes; only compared.
const mailbox_node blocked_sentinel{};
const mailbox_node closed_sentinel{};
} // namespace

mailbox_node* mailbox::blocked_marker() noexcept {
    return const_cast<mailbox_node*>(&blocked_sentinel); // NOLINT: compared, never written
}

mailbox_node* mailbox::closed_marker() noexcept {
    return const_cast<mailbox_node*>(&closed_sentinel); // NOLINT: compared, never written
}

} // namespace rill::internal
