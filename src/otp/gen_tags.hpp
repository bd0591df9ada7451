#pragma once

// The tags of gen_server calls on the wire, as OTP 25's gen module writes
// them: a call is `{'$gen_call', {From, Tag}, Request}` (and a system
// message `{system, {From, Tag}, Message}`), answered `{Tag, Reply}`. An
// OTP 24+ caller tags it `[alias | Alias]` and the reply goes to the alias
// (gen:reply); an older caller's tag is a reference, and the reply goes to
// its pid.

#include <rill/core/atom.hpp>
#include <rill/core/reference.hpp>
#include <rill/core/term.hpp>

#include <optional>
#include <vector>

namespace rill::otp::internal {

inline const atom alias_atom{"alias"};

/// `[alias | Alias]`.
inline term alias_tag(const reference& alias) {
    std::vector<term> head;
    head.emplace_back(alias_atom);
    return term::list(std::move(head), term::from_reference(alias));
}

/// The alias in a tag `[alias | Alias]`; none for any other tag.
inline std::optional<reference> alias_of_tag(const term& tag) {
    if (!tag.is_list() || tag.is_nil() || tag.list_elements().size() != 1 ||
        !tag.list_elements()[0].is_atom(alias_atom) || !tag.list_tail().is_reference()) {
        return std::nullopt;
    }
    return tag.list_tail().as_reference();
}

} // namespace rill::otp::internal
