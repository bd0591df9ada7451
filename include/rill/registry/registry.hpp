#pragma once

/// \file
/// The name registry: one name per process, one process per name; a name is
/// released when its holder dies, before anyone can observe the death (S23).
/// Misuse throws `badarg` and leaves the registry as it was.

#include <rill/core/atom.hpp>
#include <rill/core/pid.hpp>
#include <rill/detail/mailbox_node.hpp>
#include <rill/detail/registry_entry.hpp>

#include <optional>
#include <utility>
#include <vector>

namespace rill::process {

/// Registers `p` (a live process of this node without a name) as `name`.
/// Throws badarg for `undefined`, a dead or remote pid, a pid that already
/// has a name, or a taken name.
inline void register_name(const pid& p, atom name) {
    detail::register_name(detail::current_runtime("process::register_name"), p, name);
}

/// Frees `name`; anybody may unregister any name. Throws badarg when the
/// name is not registered.
inline void unregister(atom name) {
    detail::unregister(detail::current_runtime("process::unregister"), name);
}

/// The process registered as `name`, if any.
[[nodiscard]] inline std::optional<pid> whereis(atom name) {
    return detail::whereis(detail::current_runtime("process::whereis"), name);
}

/// Every registered name.
[[nodiscard]] inline std::vector<atom> registered() {
    return detail::registered(detail::current_runtime("process::registered"));
}

/// Sends to the process registered as `name`; throws badarg when no process
/// is (the one case where a send fails, S15).
template <class T>
void send(atom name, T&& msg) {
    auto& runtime = detail::current_runtime("process::send");
    pid to = detail::whereis_or_badarg(runtime, name);
    detail::send_node(runtime, to, detail::make_message_node(std::forward<T>(msg)));
}

/// Sends to `{name, node}`; silently dropped when nobody holds the name
/// (S16) or the node is unreachable. To another node the payload must have
/// a term conversion (`no_term_conversion` otherwise).
template <class T>
void send(const std::pair<atom, atom>& name_at_node, T&& msg) {
    auto& runtime = detail::current_runtime("process::send");
    detail::send_to_name(runtime,
                         name_at_node.first,
                         name_at_node.second,
                         detail::make_message_node(std::forward<T>(msg)));
}

} // namespace rill::process
