# rill_add_test(<name> SOURCES <files...> LABELS <labels...> [LIBRARIES <libs...>])
#
# One test executable per group of tests (link time matters on small
# machines); each GoogleTest case becomes a CTest test carrying LABELS.
include(GoogleTest)

function(rill_add_test name)
    cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SOURCES;LABELS;LIBRARIES")
    add_executable(${name} ${arg_SOURCES})
    target_link_libraries(${name} PRIVATE
        rill::core rill_test_support GTest::gtest GTest::gmock GTest::gtest_main
        rill_build_flags ${arg_LIBRARIES})
    target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src)
    gtest_discover_tests(${name}
        PROPERTIES LABELS "${arg_LABELS}"
        DISCOVERY_TIMEOUT 60)
endfunction()
