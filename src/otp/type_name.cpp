#include "otp/type_name.hpp"

#include <rill/core/atom.hpp>
#include <rill/otp/callbacks.hpp>

#include <cstdlib>
#include <cxxabi.h>
#include <memory>

namespace rill::otp {

std::string internal::type_name(const std::type_info& type) {
    int status = 0;
    std::unique_ptr<char, decltype(&std::free)> demangled(
        abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), &std::free);
    return status == 0 && demangled ? std::string(demangled.get()) : std::string(type.name());
}

term detail::type_name_term(const std::type_info& type) {
    std::string name = internal::type_name(type);
    if (name.size() > max_atom_length) {
        name.resize(max_atom_length);
    }
    try {
        return term(atom(name));
    } catch (...) {
        // A full atom table (or a cut UTF-8 character): the name as a binary.
        return term(name);
    }
}

} // namespace rill::otp
