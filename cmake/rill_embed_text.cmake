# Writes a C++ source that returns a text file's contents, so a library
# serves it with no file at run time (the observer's page).
#   cmake -DINPUT=page.html -DOUTPUT=page.cpp -DHEADER=observer/page.hpp
#         -DFUNCTION=rill::observer::internal::page_html -P rill_embed_text.cmake
file(READ "${INPUT}" _rill_text)
string(FIND "${_rill_text}" ")rill_embedded\"" _rill_clash)
if(NOT _rill_clash EQUAL -1)
    message(FATAL_ERROR "${INPUT} contains the raw string's end marker")
endif()
string(REGEX REPLACE "::[^:]+$" "" _rill_namespace "${FUNCTION}")
string(REGEX REPLACE "^.*::" "" _rill_function "${FUNCTION}")
file(WRITE "${OUTPUT}.tmp"
"// Generated from ${INPUT} by cmake/rill_embed_text.cmake: do not edit.
#include \"${HEADER}\"

namespace ${_rill_namespace} {

std::string_view ${_rill_function}() noexcept {
    static constexpr char text[] = R\"rill_embedded(${_rill_text})rill_embedded\";
    return {text, sizeof text - 1};
}

} // namespace ${_rill_namespace}
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
