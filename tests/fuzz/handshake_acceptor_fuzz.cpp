// libFuzzer target: the acceptor's handshake fed arbitrary initiator
// messages. It may answer, complete, or throw handshake_refused /
// protocol_error; it must never crash or complete without the right digest.

#include "dist/handshake/dist_flags.hpp"
#include "dist/handshake/handshake.hpp"
#include "handshake_fuzz.hpp"

#include <cstdlib>

using namespace rill::dist::internal;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The statuses the connection table can choose, from the first byte.
    const auto status = static_cast<accept_status>(size > 0 ? data[0] % 5 : 0);
    handshake_acceptor acceptor(
        {"fuzz@localhost", dflag::offered, 7, "secret"},
        1943199801,
        [status](const peer_identity&) { return status; },
        [](const peer_identity&) {});
    bool complete = false;
    try {
        rill::fuzz::feed_messages({data + (size > 0 ? 1 : 0), size > 0 ? size - 1 : 0},
                                  [&](std::span<const std::byte> body) {
                                      complete = acceptor.on_message(body).complete;
                                      return acceptor.refusal().empty() && !complete;
                                  });
    } catch (const protocol_error&) {
        return 0; // handshake_refused included
    }
    if (complete && acceptor.peer().node.find('@') == std::string::npos) {
        std::abort(); // completed with a peer that is no node name
    }
    return 0;
}
