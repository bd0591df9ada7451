#include "process/alias_message.hpp"

#include "process/process.hpp"
#include "process/runtime_core.hpp"
#include "process/signal_vtable.hpp"

#include <new>

namespace rill::internal {

namespace {

// Id words of an alias reference made by this node.
constexpr std::uint32_t alias_words = 5;
constexpr std::size_t owner_id_word = 3;
constexpr std::size_t owner_serial_word = 4;

} // namespace

detail::mailbox_node* make_alias_message(const reference& alias, detail::mailbox_node* message) {
    alias_message_node* node = nullptr;
    try {
        node = new alias_message_node();
    } catch (...) {
        message->destroy();
        throw;
    }
    node->vtable = &signal_vtable<alias_message_node>;
    node->kind = detail::signal_kind::alias_message;
    node->alias = alias;
    node->message = message;
    return node;
}

reference make_alias_reference(detail::runtime_core& runtime, const process& owner) noexcept {
    reference ref = runtime.make_reference();
    const pid self = owner.to_pid();
    ref.size = alias_words;
    ref.id[owner_id_word] = self.id;
    ref.id[owner_serial_word] = self.serial;
    return ref;
}

std::optional<pid> alias_destination(const detail::runtime_core& runtime, const reference& alias) {
    if (alias.node != runtime.node()) {
        return pid{alias.node, 0, 0, 0};
    }
    if (alias.size != alias_words) {
        return std::nullopt; // a plain reference of this node: no process behind it
    }
    return pid{
        runtime.node(), alias.id[owner_id_word], alias.id[owner_serial_word], alias.creation};
}

} // namespace rill::internal
