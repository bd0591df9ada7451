// libFuzzer target: the ETF decoder on arbitrary bytes. Whatever it accepts
// must encode, and decode back to an exactly equal term with the same bytes
// (the encoding is canonical); from a shared buffer it must decode alike.
// Anything else (a crash, a sanitizer report, an abort here) is a bug.
// Build and run: see docs/etf.md, "Fuzzing".

#include <rill/dist/etf.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

namespace {

// Small enough that a fuzzer's memory limit is never reached through a
// legitimate compressed term.
constexpr rill::etf::decode_options options{.max_depth = 10'000,
                                            .max_uncompressed_size = std::size_t{1} << 20U};

void check(bool condition) {
    if (!condition) {
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data), // NOLINT
                                           size);
    rill::term decoded;
    try {
        decoded = rill::etf::decode(input, options);
    } catch (const rill::etf::decode_error&) {
        return 0;
    }

    const std::vector<std::byte> encoded = rill::etf::encode(decoded);
    const rill::term again = rill::etf::decode(encoded, options);
    check(exactly_equal(again, decoded));
    check(rill::etf::encode(again) == encoded);

    const auto shared = rill::etf::shared_bytes::adopt({input.begin(), input.end()});
    check(exactly_equal(rill::etf::decode(shared, options), decoded));
    return 0;
}
