#pragma once

// Readable C++ type names, for exit reasons and error messages.

#include <string>
#include <typeinfo>

namespace rill::otp::internal {

/// `type`'s name, demangled when the ABI can.
std::string type_name(const std::type_info& type);

} // namespace rill::otp::internal
