# FindCAF: the C++ Actor Framework, for bench/caf/caf_bench.
#
#   find_package(CAF [version] COMPONENTS core)
#
# CAF 0.18 and later install a CMake package (CAFConfig.cmake, targets CAF::core,
# ...), which is tried first. Debian's libcaf-dev 0.17.6 installs none: only the
# headers (/usr/include/caf) and the libraries (libcaf_core.so, libcaf_io.so),
# so this module finds those and defines the same imported targets.
#
# Defines CAF_FOUND, CAF_VERSION, CAF_INCLUDE_DIR, and CAF::<component> for
# each component found (core, io).

find_package(CAF CONFIG QUIET)
if(CAF_FOUND AND TARGET CAF::core)
    return()
endif()

find_path(CAF_INCLUDE_DIR NAMES caf/config.hpp)
if(CAF_INCLUDE_DIR AND EXISTS "${CAF_INCLUDE_DIR}/caf/config.hpp")
    file(STRINGS "${CAF_INCLUDE_DIR}/caf/config.hpp" _caf_version_line
         REGEX "^#define CAF_VERSION [0-9]+")
    if(_caf_version_line MATCHES "CAF_VERSION ([0-9]+)")
        math(EXPR _caf_major "${CMAKE_MATCH_1} / 10000")
        math(EXPR _caf_minor "(${CMAKE_MATCH_1} / 100) % 100")
        math(EXPR _caf_patch "${CMAKE_MATCH_1} % 100")
        set(CAF_VERSION "${_caf_major}.${_caf_minor}.${_caf_patch}")
    endif()
endif()

if(NOT CAF_FIND_COMPONENTS)
    set(CAF_FIND_COMPONENTS core)
endif()
set(_caf_component_libraries)
foreach(_caf_component IN LISTS CAF_FIND_COMPONENTS)
    find_library(CAF_${_caf_component}_LIBRARY NAMES caf_${_caf_component})
    if(CAF_${_caf_component}_LIBRARY AND CAF_INCLUDE_DIR)
        set(CAF_${_caf_component}_FOUND TRUE)
        list(APPEND _caf_component_libraries CAF_${_caf_component}_LIBRARY)
        if(NOT TARGET CAF::${_caf_component})
            add_library(CAF::${_caf_component} UNKNOWN IMPORTED)
            set_target_properties(CAF::${_caf_component} PROPERTIES
                IMPORTED_LOCATION "${CAF_${_caf_component}_LIBRARY}"
                INTERFACE_INCLUDE_DIRECTORIES "${CAF_INCLUDE_DIR}")
            if(NOT _caf_component STREQUAL "core" AND TARGET CAF::core)
                set_property(TARGET CAF::${_caf_component} APPEND PROPERTY
                    INTERFACE_LINK_LIBRARIES CAF::core)
            endif()
        endif()
    else()
        set(CAF_${_caf_component}_FOUND FALSE)
    endif()
endforeach()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(CAF
    REQUIRED_VARS CAF_INCLUDE_DIR ${_caf_component_libraries}
    VERSION_VAR CAF_VERSION
    HANDLE_COMPONENTS)
mark_as_advanced(CAF_INCLUDE_DIR)
