#include "core/demangle.hpp"

#include <cstdlib>
#include <cxxabi.h>
#include <memory>

namespace rill::internal {

std::string demangle(const char* mangled) {
    int status = 0;
    std::unique_ptr<char, decltype(&std::free)> name(
        abi::__cxa_demangle(mangled, nullptr, nullptr, &status), &std::free);
    return status == 0 && name ? std::string(name.get()) : std::string(mangled);
}

} // namespace rill::internal
