#pragma once

/// \file
/// The readable name of a C++ type, for the texts users read: badarg
/// messages, `#Local<...>` terms, `{exception, Type, What}` exit reasons.

#include <string>

namespace rill::internal {

/// `mangled` (a `std::type_info::name()`) as the C++ ABI demangles it
/// (`std::vector<int>`, not `St6vectorIiSaIiEE`), or `mangled` unchanged
/// when it cannot be demangled. Any thread.
std::string demangle(const char* mangled);

} // namespace rill::internal
