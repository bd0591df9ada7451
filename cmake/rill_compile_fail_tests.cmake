# rill_add_compile_fail_test(<name> <source> <regex>)
#
# A test that compiles <source> (syntax only) against the public headers
# and passes when the compiler's output matches <regex>: the readable
# static_assert message a misuse of the API must produce. Label
# compile_fail; not added to sanitizer builds, whose flags change nothing here.
function(rill_add_compile_fail_test name source regex)
    add_test(NAME compile_fail.${name}
        COMMAND ${CMAKE_CXX_COMPILER} -std=c++20 -fsyntax-only
            -I${PROJECT_SOURCE_DIR}/include ${source})
    set_tests_properties(compile_fail.${name} PROPERTIES
        LABELS compile_fail
        PASS_REGULAR_EXPRESSION "${regex}"
        TIMEOUT 120)
endfunction()
