// libFuzzer target: the connection's frame reader on arbitrary frame bodies
// (what follows the 4-byte length): a body decodes to a signal, to nothing
// (an ignored control message), or throws protocol_error / decode_error.
// Whatever decodes must encode back into a frame that decodes to the same
// signal. Anything else (a crash, a sanitizer report, an abort) is a bug.

#include <rill/dist/etf.hpp>

#include "dist/connection/control.hpp"
#include "dist/handshake/dist_flags.hpp"
#include "dist/wire/protocol_error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

namespace {

using namespace rill;
using namespace rill::dist::internal;

void check(bool condition) {
    if (!condition) {
        std::abort();
    }
}

bool same(const remote_signal& a, const remote_signal& b) {
    return a.kind == b.kind && a.from == b.from && a.to == b.to && a.name == b.name &&
           a.ref == b.ref && a.unlink_id == b.unlink_id && exactly_equal(a.payload, b.payload);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data), // NOLINT
                                           size);
    const atom local{"fuzz@localhost"};
    inbound_signal signal;
    try {
        signal = decode_frame(etf::shared_bytes::adopt({input.begin(), input.end()}), local);
    } catch (const protocol_error&) {
        return 0;
    } catch (const etf::decode_error&) {
        return 0;
    }
    if (!signal) {
        return 0;
    }
    for (std::uint64_t flags : {std::uint64_t{0}, dflag::offered}) {
        bytes frame;
        try {
            append_frame(frame, *signal, flags);
        } catch (const etf::encode_error&) {
            continue; // a forged atom, say: refused at the send, never written
        }
        check(frame.size() >= 5);
        const auto body = std::span<const std::byte>(frame).subspan(4);
        inbound_signal again =
            decode_frame(etf::shared_bytes::adopt({body.begin(), body.end()}), local);
        check(again.has_value());
        if (signal->kind == remote_signal_kind::message && flags == 0 &&
            signal->name == atoms::undefined) {
            again->from = signal->from; // plain SEND carries no sender
        }
        check(same(*again, *signal));
    }
    return 0;
}
