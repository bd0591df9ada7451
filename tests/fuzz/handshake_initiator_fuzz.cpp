// libFuzzer target: the initiator's handshake fed arbitrary acceptor
// messages (status, challenge, ack). It may answer, complete, give up, or
// throw handshake_refused / protocol_error; it must never crash, and never
// complete with a peer other than the one it dialled.

#include "dist/handshake/dist_flags.hpp"
#include "dist/handshake/handshake.hpp"
#include "handshake_fuzz.hpp"

#include <cstdlib>

using namespace rill::dist::internal;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    handshake_initiator initiator({"fuzz@localhost", dflag::offered, 7, "secret"},
                                  "py@localhost",
                                  343090400,
                                  [] { return true; });
    bool complete = false;
    try {
        rill::fuzz::feed_messages({data, size}, [&](std::span<const std::byte> body) {
            complete = initiator.on_message(body).complete;
            return !complete && !initiator.gave_up();
        });
    } catch (const protocol_error&) {
        return 0;
    }
    if (complete && initiator.peer().node != "py@localhost") {
        std::abort();
    }
    return 0;
}
