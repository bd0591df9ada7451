// libFuzzer target: the connection's frame reader on arbitrary frame bodies
// (what follows the 4-byte length): a body decodes to a signal, to nothing
// (an ignored control message), or throws protocol_error / decode_error.
// Whatever decodes must encode back into a frame that decodes to the same
// signal. An input that starts with 131 70 ('F') is instead a run of
// frames, each a 16-bit length and a body, fed to a fragment assembler as
// the reader of a connection that agreed on fragments feeds it; whatever
// it completes must decode or be refused cleanly. Anything else (a crash,
// a sanitizer report, an abort) is a bug.

#include <rill/dist/etf.hpp>

#include "dist/connection/control.hpp"
#include "dist/connection/fragments.hpp"
#include "dist/handshake/dist_flags.hpp"
#include "dist/wire/protocol_error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
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

// The fragment assembler on the frames of `input` (16-bit length, body).
void feed_fragments(std::span<const std::byte> input, atom local) {
    fragment_assembler assembler(std::size_t{1} << 20U);
    while (input.size() >= 2) {
        const std::size_t length =
            (std::to_integer<std::size_t>(input[0]) << 8U) | std::to_integer<std::size_t>(input[1]);
        input = input.subspan(2);
        const std::size_t taken = length < input.size() ? length : input.size();
        try {
            std::optional<etf::shared_bytes> message =
                assembler.feed({input.begin(), input.begin() + static_cast<std::ptrdiff_t>(taken)});
            if (message) {
                (void)decode_message(*message, local);
            }
        } catch (const protocol_error&) {
            return; // the connection would close here
        } catch (const etf::decode_error&) {
            return;
        }
        check(assembler.buffered_bytes() <= (std::size_t{1} << 20U));
        input = input.subspan(taken);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data), // NOLINT
                                           size);
    const atom local{"fuzz@localhost"};
    if (size >= 2 && input[0] == etf::version_byte && input[1] == dist_frag_cont) {
        feed_fragments(input.subspan(2), local);
        return 0;
    }
    inbound_signal decoded;
    try {
        decoded = decode_frame(etf::shared_bytes::adopt({input.begin(), input.end()}), local);
    } catch (const protocol_error&) {
        return 0;
    } catch (const etf::decode_error&) {
        return 0;
    }
    if (const auto* request = std::get_if<spawn_request>(&decoded)) {
        check(request->args.is_list()); // a SPAWN_REQUEST: its arguments form a proper list
        return 0;
    }
    const auto* signal = std::get_if<remote_signal>(&decoded);
    if (signal == nullptr) {
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
        inbound_signal decoded_again =
            decode_frame(etf::shared_bytes::adopt({body.begin(), body.end()}), local);
        auto* again = std::get_if<remote_signal>(&decoded_again);
        check(again != nullptr);
        if (signal->kind == remote_signal_kind::message && flags == 0 &&
            signal->name == atoms::undefined) {
            again->from = signal->from; // plain SEND carries no sender
        }
        check(same(*again, *signal));
    }
    return 0;
}
