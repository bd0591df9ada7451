// Sub-binaries: binaries decoded from a shared buffer refer to it instead of
// copying it (from `etf::shared_binary_threshold` bytes up), keep it alive,
// and behave in every other way like copied binaries.

#include <rill/dist/etf.hpp>

#include "unit/etf/etf_test_support.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <vector>

namespace rill {
namespace {

term binary_of_size(std::size_t size) {
    std::vector<std::byte> bytes(size);
    for (std::size_t i = 0; i < size; ++i) {
        bytes[i] = static_cast<std::byte>(i * 7);
    }
    return term::binary(bytes);
}

bool points_into(std::span<const std::byte> part, std::span<const std::byte> whole) {
    const std::less_equal<const std::byte*> at_or_before;
    return at_or_before(whole.data(), part.data()) &&
           at_or_before(part.data() + part.size(), whole.data() + whole.size());
}

TEST(EtfSharing, DecodesALargeBinaryAsAViewIntoTheSharedBuffer) {
    const term original = term::tuple_of(atom("data"), binary_of_size(1000));
    const etf::shared_bytes frame = etf::shared_bytes::adopt(etf::encode(original));

    const term decoded = etf::decode(frame);

    const auto bytes = decoded.elements()[1].bytes();
    EXPECT_TRUE(points_into(bytes, frame.bytes));
    EXPECT_TRUE(exactly_equal(decoded, original));
}

TEST(EtfSharing, KeepsTheBufferAliveAfterTheFrameIsDropped) {
    const term original = binary_of_size(etf::shared_binary_threshold);
    std::weak_ptr<const void> watch;
    term decoded;
    {
        etf::shared_bytes frame = etf::shared_bytes::adopt(etf::encode(original));
        watch = frame.owner;
        decoded = etf::decode(frame);
    }

    EXPECT_FALSE(watch.expired());
    EXPECT_TRUE(exactly_equal(decoded, original));
    decoded = term{};
    EXPECT_TRUE(watch.expired());
}

TEST(EtfSharing, CopiesBinariesShorterThanTheThreshold) {
    const etf::shared_bytes frame =
        etf::shared_bytes::adopt(etf::encode(binary_of_size(etf::shared_binary_threshold - 1)));

    const term decoded = etf::decode(frame);

    EXPECT_FALSE(points_into(decoded.bytes(), frame.bytes));
    EXPECT_EQ(frame.owner.use_count(), 1);
}

TEST(EtfSharing, CopiesEveryBinaryDecodedFromAPlainSpan) {
    const auto input = etf::encode(binary_of_size(1000));

    const term decoded = etf::decode(input);

    EXPECT_FALSE(points_into(decoded.bytes(), input));
}

TEST(EtfSharing, SharesTheInflatedBufferOfACompressedTerm) {
    const term original = term::list_of(binary_of_size(5000), binary_of_size(5000));
    auto input = etf::encode(original, {.compressed = true});
    ASSERT_EQ(std::to_integer<int>(input.at(1)), 80);

    term decoded = etf::decode(input);
    input.assign(input.size(), std::byte{0xAA});

    const auto first = decoded.list_elements()[0].bytes();
    const auto second = decoded.list_elements()[1].bytes();
    EXPECT_EQ(first.data() + first.size() + 5, second.data()); // one buffer, a header apart
    EXPECT_TRUE(exactly_equal(decoded, original));
}

TEST(EtfSharing, DecodesFramesAtAnOffsetFromTheSharedBuffer) {
    std::vector<std::byte> frame{std::byte{112}};
    etf::append_encoded(frame, term{atom("control")});
    etf::append_encoded(frame, binary_of_size(100));
    const etf::shared_bytes shared = etf::shared_bytes::adopt(std::move(frame));

    const etf::decoded_term control = etf::decode_at(shared, 1);
    const etf::decoded_term payload = etf::decode_at(shared, 1 + control.size);

    EXPECT_TRUE(points_into(payload.value.bytes(), shared.bytes));
    EXPECT_EQ(1 + control.size + payload.size, shared.bytes.size());
}

TEST(EtfSharing, SharedBinariesCompareHashAndPrintAsCopiedOnes) {
    const term copied = binary_of_size(200);
    const term shared = etf::decode(etf::shared_bytes::adopt(etf::encode(copied)));

    EXPECT_TRUE(exactly_equal(shared, copied));
    EXPECT_EQ(shared <=> copied, std::weak_ordering::equivalent);
    EXPECT_EQ(shared.hash(), copied.hash());
    EXPECT_EQ(to_string(shared), to_string(copied));
    EXPECT_EQ(etf::encode(shared), etf::encode(copied));
}

} // namespace
} // namespace rill
