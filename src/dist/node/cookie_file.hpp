#pragma once

// The cookie as erl finds it when none is given: the first line of
// `$HOME/.erlang.cookie`.

#include <string>

namespace rill::dist::internal {

/// The cookie in `$HOME/.erlang.cookie` (its first line, trailing
/// whitespace removed). Throws `setup_error` when there is none: unlike
/// erl, rill does not write a random one (a node whose cookie nobody knows
/// is of no use to its user).
std::string read_cookie_file();

} // namespace rill::dist::internal
