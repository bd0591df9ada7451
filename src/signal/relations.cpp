#include "signal/relations.hpp"

#include "process/process.hpp"
#include "process/process_table.hpp"
#include "process/runtime_core.hpp"

#include <utility>

namespace rill::internal {

process_relations& relations_of(process& p) {
    process_relations*& slot = p.relations_slot();
    if (slot == nullptr) {
        slot = new process_relations();
    }
    return *slot;
}

process_relations* relations_if_any(process& p) noexcept {
    return p.relations_slot();
}

void free_relations(process& p) noexcept {
    p.set_holds_monitor(false);
    delete std::exchange(p.relations_slot(), nullptr);
    // The slot's next process starts from none.
    p.runtime().table().publish_relation_counts(p.id(), 0);
}

void publish_relation_counts(process& owner) noexcept {
    if (const process_relations* tables = owner.relations_slot()) {
        owner.runtime().table().publish_relation_counts(
            owner.id(),
            process_table::pack_relation_counts(
                tables->links.size(), tables->monitors.size(), tables->monitored_by.size()));
    }
}

void hold_monitor(process& owner, const reference& ref, const monitor_held& held) {
    owner.release_held_monitor(); // one at a time, in order
    held_monitor& slot = relations_of(owner).held_back;
    slot.ref = ref;
    slot.held = held;
    owner.set_holds_monitor(true);
}

bool cancel_held_monitor(process& owner, const reference& ref) noexcept {
    if (!owner.holds_monitor() || !(owner.relations_slot()->held_back.ref == ref)) {
        return false;
    }
    owner.set_holds_monitor(false);
    return true;
}

const held_monitor* held_back_monitor(process& owner) noexcept {
    return owner.holds_monitor() ? &owner.relations_slot()->held_back : nullptr;
}

} // namespace rill::internal
