# cmake -P driver for the consumer tests (registered by rill_consumer_tests.cmake).
# Builds and runs tests/consumer/* the way a user of rill would: two programs,
# `consumer` (the runtime) and `consumer_testing` (a test written with the
# installed test kit <rill/testing.hpp>, no test framework).
#   MODE=find_package      cmake --install this build into a prefix under WORK_DIR,
#                          then a fresh project does find_package(rill 0.1 CONFIG REQUIRED)
#   MODE=pkg_config        same install, then a plain compiler call with
#                          `pkg-config --cflags --libs rill`
#   MODE=add_subdirectory  a fresh project add_subdirectory()s the source tree
# Inputs (-D): MODE RILL_SOURCE_DIR RILL_BINARY_DIR WORK_DIR GENERATOR MAKE_PROGRAM
#              CXX_COMPILER BUILD_TYPE [CXX_COMPILER_LAUNCHER] [PKG_CONFIG]
cmake_minimum_required(VERSION 3.25)

foreach(var IN ITEMS MODE RILL_SOURCE_DIR RILL_BINARY_DIR WORK_DIR GENERATOR CXX_COMPILER)
    if("${${var}}" STREQUAL "")
        message(FATAL_ERROR "rill_run_consumer.cmake: -D${var}=… is required")
    endif()
endforeach()

set(consumer_root "${RILL_SOURCE_DIR}/tests/consumer")
set(prefix "${WORK_DIR}/prefix")
set(consumer_build "${WORK_DIR}/build")

# run(<step> COMMAND …): echo, run, stop the test on a non-zero exit.
function(run step)
    cmake_parse_arguments(PARSE_ARGV 1 arg "" "WORKING_DIRECTORY" "COMMAND")
    list(JOIN arg_COMMAND " " shown)
    message(STATUS "[${MODE}] ${step}: ${shown}")
    if(NOT arg_WORKING_DIRECTORY)
        set(arg_WORKING_DIRECTORY "${WORK_DIR}")
    endif()
    execute_process(COMMAND ${arg_COMMAND}
        WORKING_DIRECTORY "${arg_WORKING_DIRECTORY}"
        RESULT_VARIABLE result)
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "[${MODE}] ${step} failed (${result})")
    endif()
endfunction()

function(install_rill)
    file(REMOVE_RECURSE "${prefix}")
    set(config_args "")
    if(BUILD_TYPE)
        set(config_args --config "${BUILD_TYPE}")
    endif()
    run("install rill" COMMAND "${CMAKE_COMMAND}" --install "${RILL_BINARY_DIR}"
        --prefix "${prefix}" ${config_args})
    # The package must not mention rill's private build-flags target.
    file(GLOB_RECURSE exported "${prefix}/*/rillTargets*.cmake")
    if(NOT exported)
        message(FATAL_ERROR "[${MODE}] no rillTargets.cmake under ${prefix}")
    endif()
    foreach(file IN LISTS exported)
        file(STRINGS "${file}" leaks REGEX "rill_build_flags|-Werror|-Wconversion")
        if(leaks)
            message(FATAL_ERROR "[${MODE}] ${file} leaks private build flags: ${leaks}")
        endif()
    endforeach()
endfunction()

# configure_and_build(<source dir> <extra cmake args…>)
function(configure_and_build source)
    set(args -S "${source}" -B "${consumer_build}" -G "${GENERATOR}"
        "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
        -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON
        ${ARGN})
    if(MAKE_PROGRAM)
        list(APPEND args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
    endif()
    if(BUILD_TYPE)
        list(APPEND args "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}")
    endif()
    if(CXX_COMPILER_LAUNCHER)
        list(APPEND args "-DCMAKE_CXX_COMPILER_LAUNCHER=${CXX_COMPILER_LAUNCHER}")
    endif()
    run("configure consumer" COMMAND "${CMAKE_COMMAND}" ${args})
    set(config_args "")
    if(BUILD_TYPE)
        set(config_args --config "${BUILD_TYPE}")
    endif()
    run("build consumer" COMMAND "${CMAKE_COMMAND}" --build "${consumer_build}"
        --parallel 2 ${config_args})
endfunction()

# run_consumer(<program>): run one of the consumer's programs.
function(run_consumer program)
    foreach(candidate IN ITEMS "${consumer_build}/${program}" "${consumer_build}/${BUILD_TYPE}/${program}")
        if(EXISTS "${candidate}" AND NOT IS_DIRECTORY "${candidate}")
            run("run ${program}" COMMAND "${candidate}")
            return()
        endif()
    endforeach()
    message(FATAL_ERROR "[${MODE}] ${program} executable not found under ${consumer_build}")
endfunction()

file(MAKE_DIRECTORY "${WORK_DIR}")

if(MODE STREQUAL "find_package")
    install_rill()
    file(REMOVE_RECURSE "${consumer_build}")
    configure_and_build("${consumer_root}/find_package" "-DCMAKE_PREFIX_PATH=${prefix}")
    # It must have found this install, not some other rill on the machine.
    file(STRINGS "${consumer_build}/CMakeCache.txt" rill_dir REGEX "^rill_DIR:")
    string(REGEX REPLACE "^rill_DIR:[A-Z]+=" "" rill_dir "${rill_dir}")
    file(REAL_PATH "${prefix}" real_prefix)
    file(REAL_PATH "${rill_dir}" real_rill_dir)
    string(FIND "${real_rill_dir}" "${real_prefix}/" at)
    if(NOT at EQUAL 0)
        message(FATAL_ERROR "[${MODE}] found rill at ${rill_dir}, not under ${prefix}")
    endif()
    run_consumer(consumer)
    run_consumer(consumer_testing)

elseif(MODE STREQUAL "add_subdirectory")
    # The build tree is kept between runs (incremental), the install is not needed.
    configure_and_build("${consumer_root}/add_subdirectory" "-DRILL_SOURCE_DIR=${RILL_SOURCE_DIR}")
    run_consumer(consumer)
    run_consumer(consumer_testing)

elseif(MODE STREQUAL "pkg_config")
    if(NOT PKG_CONFIG)
        message(FATAL_ERROR "[${MODE}] -DPKG_CONFIG=<path to pkg-config> is required")
    endif()
    install_rill()
    file(GLOB_RECURSE pc_files "${prefix}/*/pkgconfig/rill.pc")
    list(LENGTH pc_files count)
    if(NOT count EQUAL 1)
        message(FATAL_ERROR "[${MODE}] expected one rill.pc under ${prefix}, found: ${pc_files}")
    endif()
    get_filename_component(pc_dir "${pc_files}" DIRECTORY)
    set(ENV{PKG_CONFIG_PATH} "${pc_dir}")
    execute_process(COMMAND "${PKG_CONFIG}" --cflags --libs rill
        RESULT_VARIABLE result OUTPUT_VARIABLE flags OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "[${MODE}] pkg-config --cflags --libs rill failed")
    endif()
    message(STATUS "[${MODE}] pkg-config --cflags --libs rill: ${flags}")
    separate_arguments(flags UNIX_COMMAND "${flags}")
    file(MAKE_DIRECTORY "${consumer_build}")
    run("compile consumer" COMMAND "${CXX_COMPILER}" "${consumer_root}/find_package/main.cpp"
        -o "${consumer_build}/consumer" ${flags})
    run("compile consumer_testing" COMMAND "${CXX_COMPILER}"
        "${consumer_root}/find_package/testing.cpp"
        -o "${consumer_build}/consumer_testing" ${flags})
    run_consumer(consumer)
    run_consumer(consumer_testing)

else()
    message(FATAL_ERROR "rill_run_consumer.cmake: unknown MODE '${MODE}'")
endif()

message(STATUS "[${MODE}] consumer built and ran")
