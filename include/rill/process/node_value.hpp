#pragma once

/// \file
/// `process::node_value`: values a node keeps for the code running on it,
/// one per key, shared by all its processes (what the layers above the
/// core keep per node without process-global state: the logger's level,
/// which every process reads before building a report). Several runtimes
/// in one OS process each have their own.

#include <rill/core/atom.hpp>
#include <rill/detail/process_entry.hpp>

#include <memory>
#include <utility>

namespace rill::process {

/// The value this node keeps under `key`; null when none. The object it
/// points to is shared by every process of the node: make it thread-safe
/// (atomics, or immutable).
[[nodiscard]] inline std::shared_ptr<void> node_value(atom key) {
    return detail::node_value(detail::current_runtime("process::node_value"), key);
}

/// Keeps `value` under `key` on this node (null removes it), replacing
/// what was there.
inline void set_node_value(atom key, std::shared_ptr<void> value) {
    detail::set_node_value(
        detail::current_runtime("process::set_node_value"), key, std::move(value));
}

} // namespace rill::process
