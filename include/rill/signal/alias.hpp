#pragma once

/// \file
/// Process aliases (Erlang's `alias/0,1` and `unalias/1`, OTP 24+): a
/// reference that stands for the calling process, so others can send to
/// it (`process::send(alias, msg)`) for as long as the process keeps the
/// alias, and not a moment longer. This is how a call can make sure that
/// a reply arriving after its timeout is dropped instead of lingering in
/// the caller's mailbox: OTP's `gen_server:call` replies to the tag
/// `[alias | Alias]`, and BEAM nodes send such replies to rill aliases
/// (ALIAS_SEND) as rill sends them to BEAM's.

#include <rill/core/reference.hpp>
#include <rill/detail/process_entry.hpp>
#include <rill/detail/signal_entry.hpp>

#include <cstdint>

namespace rill {

/// How an alias ends besides `unalias` and the end of its process.
enum class alias_mode : std::uint8_t {
    explicit_unalias, ///< only then (Erlang's default, `explicit_unalias`)
    reply,            ///< also after the first message through it (`reply`)
};

namespace process {

/// A new alias of the calling process. Messages sent to it join the
/// caller's mailbox in order with everything else from the same sender,
/// until `unalias`, the process's end, or (with `alias_mode::reply`) the
/// first message through it. Like `make_ref`, a receive for a reply that
/// carries the alias skips the messages queued before it was made.
inline reference alias(alias_mode mode = alias_mode::explicit_unalias) {
    return detail::make_alias(detail::current_runtime("process::alias"), mode == alias_mode::reply);
}

/// Ends `alias`, an alias of the calling process: messages sent to it that
/// the process has not yet taken from its inbox are dropped, as are all
/// later ones. Returns whether it was an active alias of the caller.
inline bool unalias(const reference& alias) {
    return detail::unalias(alias);
}

} // namespace process
} // namespace rill
