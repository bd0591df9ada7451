#include "dist/node/cookie_file.hpp"

#include <rill/dist/net_kernel.hpp>

#include <cstdlib>
#include <fstream>

namespace rill::dist::internal {

std::string read_cookie_file() {
    const char* home = std::getenv("HOME"); // NOLINT(concurrency-mt-unsafe): read only
    const std::string path = std::string(home != nullptr ? home : "") + "/.erlang.cookie";
    std::ifstream file(path);
    std::string cookie;
    if (!file || !std::getline(file, cookie)) {
        throw setup_error("dist::net_kernel: no cookie: set dist::options::cookie or "
                          "runtime_options::cookie, or write one to " +
                          path);
    }
    while (!cookie.empty() &&
           (cookie.back() == '\r' || cookie.back() == ' ' || cookie.back() == '\t')) {
        cookie.pop_back();
    }
    if (cookie.empty()) {
        throw setup_error("dist::net_kernel: " + path + " holds no cookie");
    }
    return cookie;
}

} // namespace rill::dist::internal
