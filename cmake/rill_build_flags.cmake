# Private build flags: warnings and sanitizers for rill's own targets only.
# Linked PRIVATE, so nothing here reaches a consumer of rill.
add_library(rill_build_flags INTERFACE)

target_compile_options(rill_build_flags INTERFACE
    -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    # Options structs are meant to be filled with designated initializers
    # naming only what differs from the defaults.
    -Wno-missing-field-initializers
    $<$<BOOL:${RILL_WARNINGS_AS_ERRORS}>:-Werror>)

if(RILL_SANITIZER)
    list(JOIN RILL_SANITIZER "," _rill_sanitizers)
    # Sanitizers apply to the whole build (tests and examples too), so they go
    # on the directory scope of this project rather than on one target.
    add_compile_options(-fsanitize=${_rill_sanitizers} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    add_link_options(-fsanitize=${_rill_sanitizers})
endif()
