#pragma once

/// \file
/// Exceptions the runtime throws for misuse that Erlang answers with an
/// error. Uncaught inside a process, `badarg` ends it with reason `badarg`
/// exactly as in Erlang; any other exception ends it with
/// `{exception, Type, What}`.

#include <stdexcept>
#include <string>

namespace rill {

/// Erlang's `badarg`: an argument the operation cannot accept (an
/// unregistered name, a term that does not convert, a taken name).
class badarg : public std::invalid_argument {
public:
    explicit badarg(const std::string& what)
        : std::invalid_argument(what) {}
};

/// A message was sent to another node whose C++ type has no term
/// conversion (`term_conversion<T>`), so it cannot be put on the wire.
/// Nothing was sent. A `badarg`: uncaught in a process, it ends the
/// process with `badarg`.
class no_term_conversion : public badarg {
public:
    explicit no_term_conversion(const std::string& what)
        : badarg(what) {}
};

/// The atom table is full: interning one more atom would pass its bound.
/// Nothing was added.
class atom_table_full : public std::length_error {
public:
    explicit atom_table_full(const std::string& what)
        : std::length_error(what) {}
};

/// A process-only operation (`self`, `receive`, `spawn`, `send`, ...) was
/// called from a thread that is not running a rill process. Use the
/// `runtime` object's own `spawn` and `send` from other threads.
class not_in_process : public std::logic_error {
public:
    explicit not_in_process(const std::string& what)
        : std::logic_error(what) {}
};

/// A deterministic-only operation was called on a threaded runtime, or a
/// deterministic run cannot make progress.
class deterministic_error : public std::logic_error {
public:
    explicit deterministic_error(const std::string& what)
        : std::logic_error(what) {}
};

} // namespace rill
