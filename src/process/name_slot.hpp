#pragma once

/// \file
/// `name_slot`: the registered name of one process, as one atomic word in
/// its control block, and the protocol by which the registry and the
/// process itself change it.
///
/// The word holds the name's atom index, `no_name`, or `closed` once the
/// process is ending. The registry gives and takes names under its own
/// mutex, with a CAS from "no name" (`try_take`) and back (`drop`); the
/// dying process closes the slot lock-free (`close`), so no name can be
/// given to it any more, and then asks the registry to remove the name it
/// held. Readers on any thread (introspection, the watchdog's long-slice
/// report) load it with acquire, which pairs with the release of the store
/// that gave the name, so they also see the atom's interning, which
/// happened before.
///
/// The word lives in the control block (and this type in the process
/// layer) because the block's cold first line has room for it and the
/// block's lifetime is the name's; only the registry (src/registry) and
/// the dying process call the mutators.

#include <rill/core/atom.hpp>

#include <atomic>
#include <cstdint>
#include <optional>

namespace rill::internal {

class name_slot {
public:
    /// The name, if any (any thread).
    [[nodiscard]] std::optional<atom> get() const noexcept {
        std::uint32_t index = word_.load(std::memory_order_acquire);
        if (index == no_name || index == closed) {
            return std::nullopt;
        }
        return atom::from_index(index);
    }

    /// Registry only (under its mutex): gives the name unless the process
    /// already has one or is ending (CAS from "no name"; release publishes
    /// the atom to readers).
    bool try_take(atom name) noexcept {
        std::uint32_t expected = no_name;
        return word_.compare_exchange_strong(
            expected, name.index(), std::memory_order_acq_rel, std::memory_order_acquire);
    }

    /// Registry only (under its mutex): drops `name` if the slot still
    /// holds it (a closed slot stays closed).
    void drop(atom name) noexcept {
        std::uint32_t expected = name.index();
        word_.compare_exchange_strong(
            expected, no_name, std::memory_order_acq_rel, std::memory_order_relaxed);
    }

    /// The dying process itself: closes the slot and returns the name it
    /// held, if any, for the registry to remove.
    std::optional<atom> close() noexcept {
        std::uint32_t previous = word_.exchange(closed, std::memory_order_acq_rel);
        if (previous == no_name || previous == closed) {
            return std::nullopt;
        }
        return atom::from_index(previous);
    }

    /// A new process in the block: no name. Relaxed: published by the
    /// release that makes the process alive.
    void reset() noexcept { word_.store(no_name, std::memory_order_relaxed); }

private:
    static constexpr std::uint32_t no_name = ~std::uint32_t{0};
    static constexpr std::uint32_t closed = ~std::uint32_t{0} - 1;

    // See the file comment.
    std::atomic<std::uint32_t> word_{no_name};
};

} // namespace rill::internal
