#include <rill/detail/payload_match.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <rapidcheck/gtest.h>
#include <string>

namespace rill::detail {
namespace {

/// Whether a payload of `value` (sent as type V) is received as a T.
template <class T, class V>
bool received_as(V value) {
    mailbox_node* node = make_message_node(value);
    payload_matcher<T> matcher{};
    bool matched = matcher.match(node);
    node->destroy();
    return matched;
}

/// The T a payload of `value` is received as; asserts it matches.
template <class T, class V>
T take_as(V value) {
    mailbox_node* node = make_message_node(value);
    payload_matcher<T> matcher{};
    EXPECT_TRUE(matcher.match(node));
    return matcher.take(node);
}

TEST(PayloadMatch, IntegersMatchEveryIntegralTypeThatHoldsTheirValueAtTheBoundaries) {
    EXPECT_TRUE(received_as<std::int8_t>(127));
    EXPECT_FALSE(received_as<std::int8_t>(128));
    EXPECT_TRUE(received_as<std::int8_t>(-128));
    EXPECT_FALSE(received_as<std::int8_t>(-129));
    EXPECT_TRUE(received_as<std::uint8_t>(255L));
    EXPECT_FALSE(received_as<std::uint8_t>(256L));
    EXPECT_FALSE(received_as<std::uint64_t>(std::int8_t{-1}));
    EXPECT_TRUE(received_as<std::int64_t>(std::uint64_t{std::numeric_limits<std::int64_t>::max()}));
    EXPECT_FALSE(received_as<std::int64_t>(std::uint64_t{1} << 63));
    EXPECT_TRUE(received_as<std::uint64_t>(std::numeric_limits<std::uint64_t>::max()));
    EXPECT_EQ(take_as<std::int64_t>(std::int16_t{-300}), -300);
    EXPECT_EQ(take_as<char>(65), 'A');
}

TEST(PayloadMatch, BoolFloatsAndTextAreNotIntegers) {
    EXPECT_FALSE(received_as<int>(true));
    EXPECT_FALSE(received_as<bool>(1));
    EXPECT_FALSE(received_as<int>(1.0));
    EXPECT_FALSE(received_as<double>(1));
    EXPECT_FALSE(received_as<int>(std::string("1")));
}

TEST(PayloadMatch, ATermPayloadMatchesWhenItConvertsAndIsTakenConverted) {
    EXPECT_TRUE(received_as<std::uint8_t>(term(200)));
    EXPECT_FALSE(received_as<std::uint8_t>(term(300)));
    EXPECT_EQ(take_as<std::string>(term("text")), "text");
}

TEST(PayloadMatch, ATermReceiveMatchesEveryPayload) {
    EXPECT_EQ(take_as<term>(42), term(42));
    EXPECT_EQ(take_as<term>("text"), term("text"));
}

RC_GTEST_PROP(PayloadMatch, ASignedValueIsAnInt16ExactlyWhenInRange, (std::int64_t value)) {
    bool in_range = value >= std::numeric_limits<std::int16_t>::min() &&
                    value <= std::numeric_limits<std::int16_t>::max();
    RC_ASSERT(received_as<std::int16_t>(value) == in_range);
}

RC_GTEST_PROP(PayloadMatch, AnUnsignedValueIsAnInt32ExactlyWhenInRange, (std::uint64_t value)) {
    bool in_range = value <= static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max());
    RC_ASSERT(received_as<std::int32_t>(value) == in_range);
}

RC_GTEST_PROP(PayloadMatch, ASignedValueIsAnUnsignedExactlyWhenNotNegative, (std::int32_t value)) {
    RC_ASSERT(received_as<unsigned>(value) == (value >= 0));
}

} // namespace
} // namespace rill::detail
