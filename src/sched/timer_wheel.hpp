#pragma once

/// \file
/// A hierarchical timer wheel, one per worker, touched only by its owner.
///
/// Six levels of 64 slots; level L's slots are 64^L milliseconds wide, so one
/// rotation of the wheel spans 64^6 ms (about 795 days); a deadline beyond
/// the current rotation waits in an overflow list until the rotation in
/// which it falls begins. An entry
/// sits in the level of the highest 6-bit group in which its deadline differs
/// from `elapsed_` (the time processed so far), so every entry of level L
/// lies in the same level-(L+1) slot as `elapsed_`, and lower levels always
/// expire first. When time reaches a slot of level L > 0, its entries are
/// re-inserted and cascade down; a level-0 slot's entries are due and fire.
/// Each slot is an intrusive doubly linked list, so insert and remove are
/// O(1); a 64-bit occupancy mask per level finds the next slot in O(1).
///
/// Entries are owned by their creator; the wheel only links them. `fire` is
/// called with the entry already unlinked, and may free it or insert new
/// entries.

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>

namespace rill::internal {

struct timer_entry {
    using fire_function = void (*)(timer_entry* self) noexcept;

    explicit timer_entry(fire_function on_fire) noexcept
        : fire(on_fire) {}

    fire_function fire;
    std::uint64_t deadline = 0; // milliseconds on the runtime's clock
    timer_entry* prev = nullptr;
    timer_entry* next = nullptr;
    std::uint16_t bucket = 0; // level * 64 + slot, or the pending / overflow list
    // Index of the worker whose wheel holds the entry, written once by the
    // arming thread; `not_on_a_worker` for entries armed from elsewhere.
    std::uint32_t armed_by = not_on_a_worker;
    static constexpr std::uint32_t not_on_a_worker = ~std::uint32_t{0};
    bool linked = false;
};

class timer_wheel {
public:
    static constexpr unsigned level_count = 6;
    static constexpr unsigned slot_count = 64;

    timer_wheel() = default;
    timer_wheel(const timer_wheel&) = delete;
    timer_wheel& operator=(const timer_wheel&) = delete;

    /// Links `entry` to fire at `entry->deadline` (already due: next advance).
    void insert(timer_entry* entry) noexcept;

    /// Unlinks a linked entry without firing it.
    void remove(timer_entry* entry) noexcept;

    /// The earliest time an entry may be due, if any entry is linked.
    [[nodiscard]] std::optional<std::uint64_t> next_deadline() const noexcept;

    /// Fires every entry whose deadline is at or before `now`.
    void advance(std::uint64_t now) noexcept;

    /// Unlinks every entry and hands each to `release` (shutdown).
    template <class Release>
    void clear(Release&& release) noexcept {
        for (auto& list : lists_) {
            while (timer_entry* entry = list) {
                unlink(entry);
                release(entry);
            }
        }
        occupied_.fill(0);
        size_.store(0, std::memory_order_relaxed);
    }

    [[nodiscard]] std::uint64_t elapsed() const noexcept { return elapsed_; }

    /// Armed entries. Exact for whoever holds the wheel; a relaxed figure
    /// for statistics on any other thread.
    [[nodiscard]] std::size_t size() const noexcept {
        return size_.load(std::memory_order_relaxed);
    }

private:
    static constexpr std::uint16_t pending_bucket = level_count * slot_count;
    static constexpr std::uint16_t overflow_bucket = pending_bucket + 1;

    struct expiration {
        std::uint16_t bucket;
        std::uint64_t deadline;
    };

    [[nodiscard]] std::optional<expiration> next_expiration() const noexcept;
    void link(timer_entry* entry, std::uint16_t bucket) noexcept;
    void unlink(timer_entry* entry) noexcept;

    std::uint64_t elapsed_ = 0;
    // Written only by whoever holds the wheel (load and store, no
    // read-modify-write); read relaxed by statistics on any thread.
    std::atomic<std::size_t> size_{0};

    void add_to_size(std::ptrdiff_t delta) noexcept {
        size_.store(size_.load(std::memory_order_relaxed) + static_cast<std::size_t>(delta),
                    std::memory_order_relaxed);
    }

    // One list head per (level, slot), plus the list of already-due entries.
    std::array<timer_entry*, level_count * slot_count + 2> lists_{};
    // Bit s of occupied_[L] is set when slot s of level L is non-empty.
    std::array<std::uint64_t, level_count> occupied_{};
};

} // namespace rill::internal
