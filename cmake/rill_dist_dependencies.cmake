# What rill::dist needs beyond rill::core, all from Debian packages. Sets
#   RILL_DIST_DEPENDENCIES_FOUND   TRUE when every one was found
#   RILL_DIST_MISSING              "package (Debian package)" of each one missing
#   RILL_DIST_DEPENDENCY_TARGETS   the imported targets rill_dist links PRIVATE
#   RILL_DIST_FIND_DEPENDENCIES    the find_dependency() lines rillConfig.cmake needs
# Add a dependency with one more block (Asio, OpenSSL: see DESIGN.md section 6).
set(RILL_DIST_MISSING "")
set(RILL_DIST_DEPENDENCY_TARGETS "")
set(RILL_DIST_FIND_DEPENDENCIES "")

# zlib: compressed terms (tag 80).
find_package(ZLIB QUIET)
if(ZLIB_FOUND)
    list(APPEND RILL_DIST_DEPENDENCY_TARGETS ZLIB::ZLIB)
    string(APPEND RILL_DIST_FIND_DEPENDENCIES "find_dependency(ZLIB)\n")
else()
    list(APPEND RILL_DIST_MISSING "zlib (zlib1g-dev)")
endif()

if(RILL_DIST_MISSING)
    set(RILL_DIST_DEPENDENCIES_FOUND FALSE)
else()
    set(RILL_DIST_DEPENDENCIES_FOUND TRUE)
endif()
