# What rill::observer needs beyond rill::core, rill::otp and rill::dist, all
# from Debian packages. Sets
#   RILL_OBSERVER_DEPENDENCIES_FOUND   TRUE when every one was found
#   RILL_OBSERVER_MISSING              "package (Debian package)" of each one missing
#   RILL_HTTPLIB_LIBRARY, RILL_HTTPLIB_INCLUDE_DIR, RILL_HTTPLIB_DEFINITIONS
#                                      cpp-httplib, a compiled library in Debian, with
#                                      the definitions it was built with (its .pc file)
#   nlohmann_json::nlohmann_json       header-only, used inside .cpp files only
set(RILL_OBSERVER_MISSING "")

find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
    pkg_check_modules(RILL_HTTPLIB_PC QUIET cpp-httplib)
endif()
if(RILL_HTTPLIB_PC_FOUND)
    find_library(RILL_HTTPLIB_LIBRARY NAMES cpp-httplib HINTS ${RILL_HTTPLIB_PC_LIBRARY_DIRS})
    find_path(RILL_HTTPLIB_INCLUDE_DIR httplib.h HINTS ${RILL_HTTPLIB_PC_INCLUDE_DIRS})
    set(RILL_HTTPLIB_DEFINITIONS "")
    foreach(_rill_flag IN LISTS RILL_HTTPLIB_PC_CFLAGS_OTHER)
        if(_rill_flag MATCHES "^-D(.+)$")
            list(APPEND RILL_HTTPLIB_DEFINITIONS "${CMAKE_MATCH_1}")
        endif()
    endforeach()
    unset(_rill_flag)
endif()
if(NOT RILL_HTTPLIB_LIBRARY OR NOT RILL_HTTPLIB_INCLUDE_DIR)
    list(APPEND RILL_OBSERVER_MISSING "cpp-httplib (libcpp-httplib-dev)")
endif()

find_package(nlohmann_json 3 QUIET)
if(NOT nlohmann_json_FOUND)
    list(APPEND RILL_OBSERVER_MISSING "nlohmann-json (nlohmann-json3-dev)")
endif()

if(NOT RILL_BUILD_DIST)
    list(APPEND RILL_OBSERVER_MISSING "rill::dist (RILL_BUILD_DIST)")
endif()

if(RILL_OBSERVER_MISSING)
    set(RILL_OBSERVER_DEPENDENCIES_FOUND FALSE)
else()
    set(RILL_OBSERVER_DEPENDENCIES_FOUND TRUE)
endif()
