#pragma once

/// \file
/// `process::send`: asynchronous message sending, never blocking.

#include <rill/core/pid.hpp>
#include <rill/core/reference.hpp>
#include <rill/detail/mailbox_node.hpp>
#include <rill/detail/process_entry.hpp>

#include <utility>

namespace rill::process {

/// Sends `msg` to `to`. Call from a process. Never blocks; a message to a
/// dead pid is dropped silently (as in Erlang). The payload is moved once
/// into the receiver's mailbox: string literals travel as `std::string`,
/// everything else as its own type. Messages from one sender to one
/// receiver arrive in send order. To a pid of another node the payload
/// travels as a term: a type without a term conversion throws
/// `no_term_conversion` here, and nothing is sent.
template <class T>
void send(const pid& to, T&& msg) {
    detail::send_from_current("process::send", to, detail::make_message_node(std::forward<T>(msg)));
}

/// Sends `msg` to the process whose alias is `alias` (Erlang's
/// `Alias ! Msg`; see process::alias). Delivered while the owner keeps the
/// alias active; dropped silently otherwise: after `unalias` (even when
/// sent before it, if the owner had not yet taken it from its inbox), to
/// an owner that has ended, and to a reference that is no alias. An alias
/// of another node goes there as ALIAS_SEND, as a message to a pid would.
template <class T>
void send(const reference& alias, T&& msg) {
    detail::send_to_alias_from_current(
        "process::send", alias, detail::make_message_node(std::forward<T>(msg)));
}

} // namespace rill::process
