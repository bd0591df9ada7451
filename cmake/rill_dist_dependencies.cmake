# What rill::dist needs beyond rill::core, all from Debian packages. Sets
#   RILL_DIST_DEPENDENCIES_FOUND   TRUE when every one was found
#   RILL_DIST_MISSING              "package (Debian package)" of each one missing
#   RILL_DIST_DEPENDENCY_TARGETS   the imported targets rill_dist links PRIVATE
#   RILL_DIST_FIND_DEPENDENCIES    the find_dependency() lines rillConfig.cmake needs
# Add a dependency with one more block (see DESIGN.md section 6).
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

# OpenSSL: MD5 of the handshake's cookie digest (libcrypto only).
find_package(OpenSSL QUIET COMPONENTS Crypto)
if(OPENSSL_FOUND)
    list(APPEND RILL_DIST_DEPENDENCY_TARGETS OpenSSL::Crypto)
    string(APPEND RILL_DIST_FIND_DEPENDENCIES "find_dependency(OpenSSL COMPONENTS Crypto)\n")
else()
    list(APPEND RILL_DIST_MISSING "OpenSSL (libssl-dev)")
endif()

# Standalone Asio: sockets and timers of the connections. Header-only and
# used only inside rill::dist's sources, so installed users need nothing.
find_path(RILL_ASIO_INCLUDE_DIR asio.hpp)
if(NOT RILL_ASIO_INCLUDE_DIR)
    list(APPEND RILL_DIST_MISSING "standalone Asio (libasio-dev)")
endif()

if(RILL_DIST_MISSING)
    set(RILL_DIST_DEPENDENCIES_FOUND FALSE)
else()
    set(RILL_DIST_DEPENDENCIES_FOUND TRUE)
endif()
