# rill_check_headers: every public header must compile on its own (asio, Seastar).
#
# One generated translation unit per header under include/rill/, each including
# just that header (twice, which also checks #pragma once). The glob is for this
# check target only — library sources stay listed explicitly — and uses
# CONFIGURE_DEPENDS, so a header added later is picked up by the next build.
# Not part of `all`; build it with
#   cmake --build <dir> --target rill_check_headers
file(GLOB_RECURSE _rill_public_headers CONFIGURE_DEPENDS
    RELATIVE "${PROJECT_SOURCE_DIR}/include"
    "${PROJECT_SOURCE_DIR}/include/rill/*.hpp")
list(SORT _rill_public_headers)

set(_rill_check_dir "${PROJECT_BINARY_DIR}/rill_check_headers")
set(_rill_check_sources "")
foreach(_rill_header IN LISTS _rill_public_headers)
    string(REGEX REPLACE "\\.hpp$" "" _rill_stem "${_rill_header}")
    string(REPLACE "/" "__" _rill_stem "${_rill_stem}")
    set(_rill_source "${_rill_check_dir}/${_rill_stem}.cpp")
    # file(CONFIGURE) rewrites only on change, so reconfiguring rebuilds nothing.
    file(CONFIGURE OUTPUT "${_rill_source}"
        CONTENT "#include <${_rill_header}>\n#include <${_rill_header}>\n"
        @ONLY)
    list(APPEND _rill_check_sources "${_rill_source}")
endforeach()

if(_rill_check_sources)
    add_library(rill_check_headers OBJECT EXCLUDE_FROM_ALL ${_rill_check_sources})
    # Only rill's public include path: a header that needs src/ fails here.
    target_link_libraries(rill_check_headers PRIVATE rill_build_flags)
    target_include_directories(rill_check_headers PRIVATE "${PROJECT_SOURCE_DIR}/include")
    target_compile_features(rill_check_headers PRIVATE cxx_std_20)
    target_link_libraries(rill_check_headers PRIVATE Threads::Threads)
else()
    add_custom_target(rill_check_headers
        COMMAND ${CMAKE_COMMAND} -E echo "rill_check_headers: no public headers yet")
endif()

unset(_rill_public_headers)
unset(_rill_check_dir)
unset(_rill_check_sources)
unset(_rill_header)
unset(_rill_stem)
unset(_rill_source)
