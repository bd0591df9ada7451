#include "sched/timer_wheel.hpp"

#include <bit>
#include <utility>

namespace rill::internal {

namespace {

constexpr unsigned bits_per_level = 6;
constexpr std::uint64_t slot_mask = timer_wheel::slot_count - 1;
// The span of one rotation of the top level: 64^6 ms.
constexpr std::uint64_t rotation_mask =
    (std::uint64_t{1} << (bits_per_level * timer_wheel::level_count)) - 1;

constexpr unsigned level_of(std::uint64_t elapsed, std::uint64_t deadline) noexcept {
    std::uint64_t masked = (elapsed ^ deadline) | slot_mask;
    auto significant = static_cast<unsigned>(63 - std::countl_zero(masked));
    return significant / bits_per_level;
}

} // namespace

void timer_wheel::insert(timer_entry* entry) noexcept {
    if (entry->deadline <= elapsed_) {
        link(entry, pending_bucket);
        return;
    }
    if (entry->deadline > (elapsed_ | rotation_mask)) {
        link(entry, overflow_bucket); // beyond this rotation: placed when it begins
        return;
    }
    unsigned level = level_of(elapsed_, entry->deadline);
    auto slot = static_cast<unsigned>((entry->deadline >> (level * bits_per_level)) & slot_mask);
    link(entry, static_cast<std::uint16_t>(level * slot_count + slot));
}

void timer_wheel::remove(timer_entry* entry) noexcept {
    if (entry->linked) {
        unlink(entry);
    }
}

void timer_wheel::link(timer_entry* entry, std::uint16_t bucket) noexcept {
    timer_entry*& head = lists_[bucket];
    entry->bucket = bucket;
    entry->prev = nullptr;
    entry->next = head;
    if (head != nullptr) {
        head->prev = entry;
    }
    head = entry;
    entry->linked = true;
    if (bucket < pending_bucket) {
        occupied_[bucket / slot_count] |= std::uint64_t{1} << (bucket % slot_count);
    }
    add_to_size(1);
}

void timer_wheel::unlink(timer_entry* entry) noexcept {
    std::uint16_t bucket = entry->bucket;
    if (entry->prev != nullptr) {
        entry->prev->next = entry->next;
    } else {
        lists_[bucket] = entry->next;
    }
    if (entry->next != nullptr) {
        entry->next->prev = entry->prev;
    }
    entry->prev = nullptr;
    entry->next = nullptr;
    entry->linked = false;
    if (bucket < pending_bucket && lists_[bucket] == nullptr) {
        occupied_[bucket / slot_count] &= ~(std::uint64_t{1} << (bucket % slot_count));
    }
    add_to_size(-1);
}

std::optional<timer_wheel::expiration> timer_wheel::next_expiration() const noexcept {
    if (lists_[pending_bucket] != nullptr) {
        return expiration{pending_bucket, elapsed_};
    }
    for (unsigned level = 0; level < level_count; ++level) {
        std::uint64_t occupied = occupied_[level];
        if (occupied == 0) {
            continue;
        }
        unsigned shift = level * bits_per_level;
        std::uint64_t slot_span = std::uint64_t{1} << shift;
        std::uint64_t level_span = slot_span << bits_per_level;
        auto now_slot = static_cast<unsigned>((elapsed_ >> shift) & slot_mask);
        auto distance = static_cast<unsigned>(
            std::countr_zero(std::rotr(occupied, static_cast<int>(now_slot))));
        unsigned slot = (now_slot + distance) % slot_count;
        std::uint64_t deadline = (elapsed_ & ~(level_span - 1)) + slot * slot_span;
        if (slot < now_slot) {
            deadline += level_span;
        }
        return expiration{static_cast<std::uint16_t>(level * slot_count + slot), deadline};
    }
    if (lists_[overflow_bucket] != nullptr) {
        return expiration{overflow_bucket, (elapsed_ | rotation_mask) + 1}; // next rotation
    }
    return std::nullopt;
}

std::optional<std::uint64_t> timer_wheel::next_deadline() const noexcept {
    if (auto next = next_expiration()) {
        return next->deadline;
    }
    return std::nullopt;
}

void timer_wheel::advance(std::uint64_t now) noexcept {
    while (auto next = next_expiration()) {
        if (next->deadline > now) {
            break;
        }
        if (next->deadline > elapsed_) {
            elapsed_ = next->deadline;
        }
        if (next->bucket == overflow_bucket) {
            // A new rotation begins: place what waited for it (what lies
            // beyond it again goes back to the overflow list).
            timer_entry* waiting = std::exchange(lists_[overflow_bucket], nullptr);
            while (timer_entry* entry = waiting) {
                waiting = entry->next;
                entry->linked = false;
                add_to_size(-1);
                insert(entry);
            }
            continue;
        }
        while (timer_entry* entry = lists_[next->bucket]) {
            unlink(entry);
            if (entry->deadline <= elapsed_) {
                entry->fire(entry);
            } else {
                insert(entry); // cascades to a lower level
            }
        }
    }
    if (now > elapsed_) {
        elapsed_ = now;
    }
}

} // namespace rill::internal
