#include "dist/handshake/digest.hpp"

#include <memory>
#include <openssl/evp.h>
#include <stdexcept>
#include <string>

namespace rill::dist::internal {

digest cookie_digest(std::string_view cookie, std::uint32_t challenge) {
    const std::string text = std::string(cookie) + std::to_string(challenge);
    digest out{};
    unsigned size = 0;
    if (EVP_Digest(text.data(), text.size(), out.data(), &size, EVP_md5(), nullptr) != 1 ||
        size != out.size()) {
        throw std::runtime_error("distribution handshake: OpenSSL's MD5 failed");
    }
    return out;
}

} // namespace rill::dist::internal
