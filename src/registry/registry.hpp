#pragma once

/// \file
/// A node's name registry: atom -> pid, under one mutex (registration is
/// rare next to messaging; lookups for sends by name take the lock briefly).
/// The process side is one atomic word in the control block
/// (`registered_name_`): the registry gives a name by CAS from "no name"
/// under its mutex, and a dying process closes the word with one exchange,
/// without the lock, before it sends any exit or DOWN signal; only if it
/// held a name does it take the mutex to remove it (S23, S67). So "one
/// name per process, one process per name" holds across threads, and the
/// common exit path takes no lock.

#include "process/process.hpp"
#include "process/runtime_core.hpp"

#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

namespace rill::internal {

class registry {
public:
    explicit registry(detail::runtime_core& runtime)
        : runtime_(runtime) {}

    /// Throws badarg (leaving everything unchanged) for `undefined`, a dead
    /// or remote pid, a pid that has a name, or a taken name.
    void register_name(const pid& p, atom name);
    /// Throws badarg when `name` is not registered.
    void unregister(atom name);
    [[nodiscard]] std::optional<pid> whereis(atom name) const;
    [[nodiscard]] std::vector<atom> registered() const;

    /// Called by a dying process on its own worker, before it signals.
    void release(process& dying) noexcept;

private:
    detail::runtime_core& runtime_;
    mutable std::mutex mutex_;
    std::unordered_map<atom, pid> names_;
};

} // namespace rill::internal
