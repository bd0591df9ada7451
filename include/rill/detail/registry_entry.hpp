#pragma once

/// \file
/// The registry layer's non-template entry points, which the public name
/// functions call. Not part of the API; the definitions live in
/// src/registry.

#include <rill/core/atom.hpp>
#include <rill/core/pid.hpp>
#include <rill/detail/process_entry.hpp>

#include <optional>
#include <vector>

namespace rill::detail {

void register_name(runtime_core& runtime, const pid& p, atom name);
void unregister(runtime_core& runtime, atom name);
std::optional<pid> whereis(runtime_core& runtime, atom name);
std::vector<atom> registered(runtime_core& runtime);
/// Resolves a registered name for a send; throws badarg when unregistered.
pid whereis_or_badarg(runtime_core& runtime, atom name);

} // namespace rill::detail
