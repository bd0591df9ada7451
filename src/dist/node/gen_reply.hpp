#pragma once

/// \file
/// gen_server's wire shape for the servers the node runs itself
/// (`net_kernel`, `rex`) and for its calls out (`dist::rpc`): a call is
/// `{'$gen_call', {From, Tag}, Request}` and its reply `{Tag, Reply}`. An
/// OTP 24+ caller tags the call `[alias | Alias]` and the reply goes to
/// the alias (OTP's gen:reply), so a reply that comes after the caller
/// gave up is dropped instead of left in its mailbox; an older caller's
/// tag is a reference, and the reply goes to its pid.

#include <rill/core/atom.hpp>
#include <rill/core/pid.hpp>
#include <rill/core/reference.hpp>
#include <rill/core/term.hpp>
#include <rill/process/send.hpp>

#include <optional>
#include <utility>
#include <vector>

namespace rill::dist::internal {

/// `[alias | Alias]`, the tag of a call whose reply goes to `alias`.
inline term alias_tag(const reference& alias) {
    static const atom alias_atom{"alias"};
    std::vector<term> head;
    head.emplace_back(alias_atom);
    return term::list(std::move(head), term::from_reference(alias));
}

/// The alias in a tag `[alias | Alias]`; none for any other tag.
inline std::optional<reference> alias_of_tag(const term& tag) {
    static const atom alias_atom{"alias"};
    if (!tag.is_list() || tag.is_nil() || tag.list_elements().size() != 1 ||
        !tag.list_elements()[0].is_atom(alias_atom) || !tag.list_tail().is_reference()) {
        return std::nullopt;
    }
    return tag.list_tail().as_reference();
}

/// Sends `{Tag, Reply}` to the caller of a call from `{caller, tag}`, as
/// gen:reply does. Call from a process.
inline void reply_to_call(const pid& caller, const term& tag, term reply) {
    term message = term::tuple_of(tag, std::move(reply));
    if (std::optional<reference> alias = alias_of_tag(tag)) {
        process::send(*alias, std::move(message));
    } else {
        process::send(caller, std::move(message));
    }
}

} // namespace rill::dist::internal
