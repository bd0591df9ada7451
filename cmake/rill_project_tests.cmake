# Tests of the project rather than of the library (included at the end of
# tests/CMakeLists.txt):
#   consumer.find_package, consumer.pkg_config, consumer.add_subdirectory
#       (label consumer) — build and run tests/consumer/* as a user would;
#       driven by cmake/rill_run_consumer.cmake.
#   layering (label lint) — tools/check_layering.py over src/ and include/rill/.
#
# The consumer tests are skipped in sanitizer builds: packaging does not depend
# on the sanitizer, and a sanitized consumer would rebuild rill once more.

set(_rill_consumer_common
    -DRILL_SOURCE_DIR=${PROJECT_SOURCE_DIR}
    -DRILL_BINARY_DIR=${PROJECT_BINARY_DIR}
    -DGENERATOR=${CMAKE_GENERATOR}
    -DMAKE_PROGRAM=${CMAKE_MAKE_PROGRAM}
    -DCXX_COMPILER=${CMAKE_CXX_COMPILER}
    -DCXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER}
    -DBUILD_TYPE=$<CONFIG>)

# rill_add_consumer_test(<mode> [extra -D args…])
function(rill_add_consumer_test mode)
    add_test(NAME consumer.${mode}
        COMMAND ${CMAKE_COMMAND} -DMODE=${mode}
            -DWORK_DIR=${PROJECT_BINARY_DIR}/consumer/${mode}
            ${_rill_consumer_common} ${ARGN}
            -P ${PROJECT_SOURCE_DIR}/cmake/rill_run_consumer.cmake)
    # A consumer build runs two compilers; PROCESSORS keeps `ctest -j2` at two.
    set_tests_properties(consumer.${mode} PROPERTIES
        LABELS consumer
        PROCESSORS 2
        TIMEOUT 1200)
endfunction()

if(RILL_SANITIZER)
    message(STATUS "rill: consumer tests skipped in this sanitizer build (RILL_SANITIZER=${RILL_SANITIZER})")
else()
    rill_add_consumer_test(add_subdirectory)
    if(RILL_INSTALL)
        rill_add_consumer_test(find_package)
        find_program(RILL_PKG_CONFIG_EXECUTABLE NAMES pkg-config pkgconf)
        mark_as_advanced(RILL_PKG_CONFIG_EXECUTABLE)
        if(RILL_PKG_CONFIG_EXECUTABLE)
            rill_add_consumer_test(pkg_config -DPKG_CONFIG=${RILL_PKG_CONFIG_EXECUTABLE})
        else()
            message(STATUS "rill: pkg-config not found, consumer.pkg_config test skipped")
        endif()
    endif()
endif()

find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
    add_test(NAME layering
        COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tools/check_layering.py
            --root ${PROJECT_SOURCE_DIR})
    set_tests_properties(layering PROPERTIES LABELS lint TIMEOUT 60)
    # docs/semantics.md's index of S-numbers must match the tests' names.
    add_test(NAME semantics_index
        COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tools/semantics_index.py --check)
    set_tests_properties(semantics_index PROPERTIES LABELS lint TIMEOUT 60)
else()
    message(STATUS "rill: python3 not found, layering test skipped")
endif()

unset(_rill_consumer_common)
