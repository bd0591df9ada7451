# Install and export rules (only when RILL_INSTALL, i.e. by default when rill is
# the top-level project). Installed target names equal the in-tree aliases:
# rill::rill (umbrella), rill::core, and rill::dist / rill::otp / rill::observer
# once those libraries exist. rill_build_flags is never installed: rill's targets
# link it as $<BUILD_INTERFACE:…>, so it vanishes from the exported interface.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(RILL_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/rill"
    CACHE STRING "Where rillConfig.cmake and rillTargets.cmake are installed")
mark_as_advanced(RILL_INSTALL_CMAKEDIR)

# Libraries appear as the layers land; install whichever this build defines.
set(_rill_install_targets rill_core rill_rill)
foreach(_rill_target IN ITEMS rill_runtime rill_dist rill_otp rill_observer)
    if(TARGET ${_rill_target})
        list(APPEND _rill_install_targets ${_rill_target})
    endif()
endforeach()

install(TARGETS ${_rill_install_targets}
    EXPORT rillTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT rill_development
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT rill_runtime
            NAMELINK_COMPONENT rill_development
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT rill_runtime)
# (The include path comes from each target's $<INSTALL_INTERFACE:…>; src/ sets it.)

# include/rill/ holds the public API only (private headers live under src/).
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/rill"
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
    COMPONENT rill_development
    FILES_MATCHING PATTERN "*.hpp")

install(EXPORT rillTargets
    NAMESPACE rill::
    DESTINATION ${RILL_INSTALL_CMAKEDIR}
    COMPONENT rill_development)

if(TARGET rill_dist)
    set(RILL_CONFIG_DIST_DEPENDENCIES "${RILL_DIST_FIND_DEPENDENCIES}")
else()
    set(RILL_CONFIG_DIST_DEPENDENCIES "")
endif()
configure_package_config_file(
    "${PROJECT_SOURCE_DIR}/cmake/rillConfig.cmake.in"
    "${PROJECT_BINARY_DIR}/rillConfig.cmake"
    INSTALL_DESTINATION ${RILL_INSTALL_CMAKEDIR})

# 0.x: a minor release may break the API, so 0.1 satisfies only 0.1.*.
write_basic_package_version_file(
    "${PROJECT_BINARY_DIR}/rillConfigVersion.cmake"
    VERSION ${PROJECT_VERSION}
    COMPATIBILITY SameMinorVersion)

install(FILES
        "${PROJECT_BINARY_DIR}/rillConfig.cmake"
        "${PROJECT_BINARY_DIR}/rillConfigVersion.cmake"
    DESTINATION ${RILL_INSTALL_CMAKEDIR}
    COMPONENT rill_development)

# pkg-config file for non-CMake builds. Paths are relative to ${prefix}, which
# pkg-config derives from the .pc file's own location, so a relocated install
# (cmake --install --prefix …) still works.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
    set(RILL_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
    set(RILL_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
    set(RILL_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
    set(RILL_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
# Number of "../" from <libdir>/pkgconfig back to the prefix.
file(RELATIVE_PATH _rill_pc_to_prefix
    "/rill-prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/rill-prefix")
string(REGEX REPLACE "/$" "" _rill_pc_to_prefix "${_rill_pc_to_prefix}")
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
    set(RILL_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
    set(RILL_PC_PREFIX "\${pcfiledir}/${_rill_pc_to_prefix}")
endif()
# rill::dist is a second library, with zlib and libcrypto behind it.
if(TARGET rill_dist)
    set(RILL_PC_DIST_LIBS "-lrill_dist")
    if(TARGET rill_observer)
        set(RILL_PC_DIST_LIBS "-lrill_observer -lrill_dist")
        string(APPEND RILL_PC_DIST_DEPENDENCY_LIBS_EXTRA " -lcpp-httplib")
    endif()
    set(RILL_PC_DIST_DEPENDENCY_LIBS "-lz -lcrypto${RILL_PC_DIST_DEPENDENCY_LIBS_EXTRA}")
else()
    set(RILL_PC_DIST_LIBS "")
    set(RILL_PC_DIST_DEPENDENCY_LIBS "")
endif()
configure_file("${PROJECT_SOURCE_DIR}/cmake/rill.pc.in" "${PROJECT_BINARY_DIR}/rill.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/rill.pc"
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
    COMPONENT rill_development)

unset(_rill_install_targets)
unset(_rill_target)
unset(_rill_pc_to_prefix)
unset(RILL_CONFIG_DIST_DEPENDENCIES)
