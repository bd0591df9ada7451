#pragma once

// The cookie digest of the handshake: MD5 over the cookie followed by the
// challenge as unsigned decimal text (OTP's dist_util:gen_digest/2; the
// protocol document states the order the other way round, the code and
// every OTP node do it cookie first).

#include <array>
#include <cstdint>
#include <string_view>

namespace rill::dist::internal {

using digest = std::array<std::uint8_t, 16>;

digest cookie_digest(std::string_view cookie, std::uint32_t challenge);

} // namespace rill::dist::internal
