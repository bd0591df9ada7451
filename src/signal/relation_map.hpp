#pragma once

/// \file
/// The hash table behind a process's links and monitors: open addressing
/// with linear probing in one flat array of slots.
///
/// Why not `std::unordered_map`: a process that links to 100,000 workers
/// (a supervisor, the link-storm benchmark) looks a link up on every exit
/// signal, and a node-based table costs a bucket-array miss plus a node miss
/// per lookup, a node allocation per insert and a full rehash pass over
/// scattered nodes as it grows. Here the key sits in the slot: one miss per
/// lookup, no allocation per entry. A process with one or two relations
/// holds a four-slot array.
///
/// The slot of a key is a Fibonacci hash of `std::hash<Key>` (so weak
/// hashes still spread over a power-of-two table); a collision takes the
/// next free slot. Erase shifts the following entries of the probe run back
/// (no tombstones), so lookups never scan deleted slots. Iteration order is
/// the slot order: unspecified, as with the standard containers. Any insert
/// or erase invalidates iterators.

#include "sync/small_object_cache.hpp"

#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

namespace rill::internal {

template <class Key, class Value>
class relation_map {
    using slot = std::optional<std::pair<Key, Value>>;

    template <bool Const>
    class basic_iterator {
        using map_pointer = std::conditional_t<Const, const relation_map*, relation_map*>;
        using reference_type =
            std::conditional_t<Const, const std::pair<Key, Value>&, std::pair<Key, Value>&>;

    public:
        basic_iterator(map_pointer map, std::size_t index) noexcept
            : map_(map)
            , index_(index) {
            skip_empty();
        }

        reference_type operator*() const noexcept { return *map_->slots_[index_]; }

        auto* operator->() const noexcept { return &*map_->slots_[index_]; }

        basic_iterator& operator++() noexcept {
            ++index_;
            skip_empty();
            return *this;
        }

        friend bool operator==(const basic_iterator& a, const basic_iterator& b) noexcept {
            return a.index_ == b.index_;
        }

    private:
        friend class relation_map;

        void skip_empty() noexcept {
            while (index_ < map_->slots_.size() && !map_->slots_[index_]) {
                ++index_;
            }
        }

        map_pointer map_;
        std::size_t index_;
    };

public:
    using iterator = basic_iterator<false>;
    using const_iterator = basic_iterator<true>;

    iterator begin() noexcept { return {this, 0}; }

    iterator end() noexcept { return {this, slots_.size()}; }

    const_iterator begin() const noexcept { return {this, 0}; }

    const_iterator end() const noexcept { return {this, slots_.size()}; }

    [[nodiscard]] std::size_t size() const noexcept { return size_; }

    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }

    /// Bytes of the slot array (for process_info's memory figure).
    [[nodiscard]] std::size_t memory_bytes() const noexcept {
        return slots_.capacity() * sizeof(slot);
    }

    iterator find(const Key& key) noexcept { return {this, locate(key)}; }

    const_iterator find(const Key& key) const noexcept { return {this, locate(key)}; }

    /// Inserts `key` with a value built from `args` unless present; the
    /// entry and whether it was inserted.
    template <class... Args>
    std::pair<iterator, bool> try_emplace(const Key& key, Args&&... args) {
        if (std::size_t found = locate(key); found != slots_.size()) {
            return {iterator(this, found), false};
        }
        reserve_one();
        std::size_t index = free_slot_for(key);
        slots_[index].emplace(std::piecewise_construct,
                              std::forward_as_tuple(key),
                              std::forward_as_tuple(std::forward<Args>(args)...));
        ++size_;
        return {iterator(this, index), true};
    }

    template <class V>
    std::pair<iterator, bool> insert_or_assign(const Key& key, V&& value) {
        auto result = try_emplace(key, std::forward<V>(value));
        if (!result.second) {
            result.first->second = std::forward<V>(value);
        }
        return result;
    }

    Value& operator[](const Key& key) { return try_emplace(key).first->second; }

    std::size_t erase(const Key& key) noexcept {
        std::size_t found = locate(key);
        if (found == slots_.size()) {
            return 0;
        }
        erase_at(found);
        return 1;
    }

    void erase(iterator position) noexcept { erase_at(position.index_); }

private:
    static constexpr std::size_t initial_slots = 4;

    [[nodiscard]] std::size_t home_of(const Key& key) const noexcept {
        // Fibonacci hashing: the top bits of the product pick the slot.
        std::uint64_t h = std::hash<Key>{}(key)*0x9E3779B97F4A7C15ULL;
        return static_cast<std::size_t>(h >> shift_);
    }

    /// The slot holding `key`, or slots_.size() if none does.
    [[nodiscard]] std::size_t locate(const Key& key) const noexcept {
        if (size_ == 0) {
            return slots_.size();
        }
        std::size_t mask = slots_.size() - 1;
        for (std::size_t i = home_of(key);; i = (i + 1) & mask) {
            if (!slots_[i]) {
                return slots_.size();
            }
            if (slots_[i]->first == key) {
                return i;
            }
        }
    }

    [[nodiscard]] std::size_t free_slot_for(const Key& key) const noexcept {
        std::size_t mask = slots_.size() - 1;
        std::size_t i = home_of(key);
        while (slots_[i]) {
            i = (i + 1) & mask;
        }
        return i;
    }

    /// Makes room for one more entry: at most three quarters full.
    void reserve_one() {
        if (!slots_.empty() && (size_ + 1) * 4 <= slots_.size() * 3) {
            return;
        }
        std::size_t capacity = slots_.empty() ? initial_slots : slots_.size() * 2;
        std::vector<slot, small_allocator<slot>> previous(capacity);
        previous.swap(slots_); // slots_ is now the empty larger array
        shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
        for (slot& entry : previous) {
            if (entry) {
                slots_[free_slot_for(entry->first)] = std::move(entry);
            }
        }
    }

    /// Empties slot `hole` and moves later entries of its probe run back,
    /// so that every entry stays reachable from its home slot.
    void erase_at(std::size_t hole) noexcept {
        std::size_t mask = slots_.size() - 1;
        slots_[hole].reset();
        --size_;
        for (std::size_t next = (hole + 1) & mask; slots_[next]; next = (next + 1) & mask) {
            std::size_t home = home_of(slots_[next]->first);
            // The entry at `next` may fill the hole unless its home lies
            // cyclically in (hole, next]: then it is already where a lookup
            // from its home finds it.
            bool home_after_hole =
                hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
            if (home_after_hole) {
                continue;
            }
            slots_[hole] = std::move(slots_[next]);
            slots_[next].reset();
            hole = next;
        }
    }

    std::vector<slot, small_allocator<slot>> slots_;
    std::size_t size_ = 0;
    unsigned shift_ = 64;
};

} // namespace rill::internal
