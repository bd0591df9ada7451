#pragma once

/// \file
/// What a receive yields besides a typed payload: trapped exit signals and
/// fired monitors, each delivered as a message in signal order, and their
/// Erlang shapes as terms.

#include <rill/core/pid.hpp>
#include <rill/core/reference.hpp>
#include <rill/core/term.hpp>

#include <variant>

namespace rill {

/// An exit signal turned into a message because the receiver traps exits
/// (Erlang's `{'EXIT', From, Reason}`).
struct exit_signal {
    pid from;
    term reason;

    friend bool operator==(const exit_signal&, const exit_signal&) = default;
};

/// A monitor fired (Erlang's `{'DOWN', Ref, process, Object, Reason}`).
/// `object` is the pid, or `{Name, Node}` for a monitor taken by name.
struct down_signal {
    reference ref;
    term object;
    term reason;

    friend bool operator==(const down_signal&, const down_signal&) = default;
};

/// A trapped exit as a term: Erlang's `{'EXIT', From, Reason}` (what a
/// `term` handler of `receive_first` sees). One way only: a term of that
/// shape sent as a message is a message, not an exit signal.
template <>
struct term_conversion<exit_signal> {
    static term to_term(const exit_signal& e) {
        return term::tuple({term(atoms::EXIT), term(e.from), e.reason});
    }
};

/// A fired monitor as a term: Erlang's `{'DOWN', Ref, process, Object,
/// Reason}`. One way only, like `exit_signal`'s.
template <>
struct term_conversion<down_signal> {
    static term to_term(const down_signal& d) {
        return term::tuple(
            {term(atoms::DOWN), term(d.ref), term(atoms::process), d.object, d.reason});
    }
};

/// A typed receive's result: the payload, or a signal that must not wait
/// behind a selective receive.
template <class T>
using message = std::variant<T, exit_signal, down_signal>;

/// `receive_any`'s result: every payload as a term.
using dyn_message = std::variant<term, exit_signal, down_signal>;

} // namespace rill
