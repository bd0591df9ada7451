#include "core/big_integer.hpp"

#include <rill/core/term.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <compare>
#include <cstdint>
#include <limits>
#include <rapidcheck/gtest.h>
#include <string>
#include <vector>

namespace {

using rill::internal::big_integer;

__extension__ using int128 = __int128;
__extension__ using uint128 = unsigned __int128;

std::string int128_to_string(int128 value) {
    if (value == 0) {
        return "0";
    }
    const bool negative = value < 0;
    uint128 magnitude = negative ? ~static_cast<uint128>(value) + 1 : static_cast<uint128>(value);
    std::string digits;
    while (magnitude != 0) {
        digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(magnitude % 10)));
        magnitude /= 10;
    }
    return negative ? "-" + digits : digits;
}

rill::term int128_term(int128 value) {
    const bool negative = value < 0;
    uint128 magnitude = negative ? ~static_cast<uint128>(value) + 1 : static_cast<uint128>(value);
    std::vector<std::uint8_t> bytes;
    while (magnitude != 0) {
        bytes.push_back(static_cast<std::uint8_t>(magnitude & 0xFFU));
        magnitude >>= 8U;
    }
    return rill::term::big_integer(negative, bytes);
}

int128 make_int128(std::int64_t high, std::uint64_t low) {
    return static_cast<int128>((static_cast<uint128>(static_cast<std::uint64_t>(high)) << 64U) |
                               low);
}

} // namespace

TEST(BigInteger, PrintsInDecimal) {
    EXPECT_EQ(big_integer().to_string(), "0");
    EXPECT_EQ(big_integer::from_uint64(18446744073709551615ULL).to_string(),
              "18446744073709551615");
    EXPECT_EQ(big_integer::from_int64(std::numeric_limits<std::int64_t>::min()).to_string(),
              "-9223372036854775808");
    EXPECT_EQ(big_integer::from_uint64(1'000'000'000).to_string(), "1000000000");
}

TEST(BigInteger, ParsesAndPrintsLongDecimalsUnchanged) {
    const std::string text = "-123456789012345678901234567890123456789000000000000000001";

    const auto value = big_integer::from_decimal(text);

    ASSERT_TRUE(value.has_value());
    EXPECT_EQ(value->to_string(), text);
    EXPECT_FALSE(big_integer::from_decimal("12a").has_value());
    EXPECT_FALSE(big_integer::from_decimal("-").has_value());
    EXPECT_EQ(big_integer::from_decimal("-0")->to_string(), "0");
}

TEST(BigInteger, PrintsTwentyThousandDigitsUnchanged) {
    // Digits with every kind of 10^9 chunk: leading zeros inside, all nines.
    std::string text = "9";
    for (int i = 0; i < 20'000; ++i) {
        text.push_back(static_cast<char>('0' + (i * 7 + i / 9) % 10));
    }
    text += "000000000999999999";
    const auto value = big_integer::from_decimal(text);
    ASSERT_TRUE(value.has_value());
    EXPECT_EQ(value->to_string(), text);
    EXPECT_EQ(value->bit_length(), 66'502U); // floor(log2(text)) + 1, by Python
}

TEST(BigInteger, BitLengthCountsTheMagnitude) {
    EXPECT_EQ(big_integer().bit_length(), 0U);
    EXPECT_EQ(big_integer::from_int64(-1).bit_length(), 1U);
    EXPECT_EQ(big_integer::from_uint64(1ULL << 32U).bit_length(), 33U);
    EXPECT_EQ(big_integer::from_uint64(~0ULL).bit_length(), 64U);
}

TEST(BigInteger, RoundTripsThroughLittleEndianBytes) {
    const auto value = *big_integer::from_decimal("340282366920938463463374607431768211456");

    const std::vector<std::uint8_t> bytes = value.magnitude_bytes();

    ASSERT_EQ(bytes.size(), 17U); // 2^128
    EXPECT_EQ(bytes.back(), 1);
    EXPECT_EQ(big_integer::from_bytes(false, bytes), value);
}

TEST(BigInteger, TrailingZeroBytesDoNotChangeTheValue) {
    const std::vector<std::uint8_t> padded{1, 2, 0, 0, 0, 0, 0, 0, 0, 0};
    const std::vector<std::uint8_t> tight{1, 2};

    EXPECT_EQ(big_integer::from_bytes(true, padded), big_integer::from_bytes(true, tight));
    EXPECT_EQ(big_integer::from_bytes(true, {}), big_integer());
    EXPECT_FALSE(big_integer::from_bytes(true, {}).is_negative()); // no negative zero
}

TEST(BigInteger, ConvertsIntegralDoublesExactly) {
    EXPECT_EQ(big_integer::from_double(std::ldexp(1.0, 100)).to_string(),
              "1267650600228229401496703205376");
    EXPECT_EQ(big_integer::from_double(-9007199254740992.0).to_string(), "-9007199254740992");
    EXPECT_EQ(big_integer::from_double(1e20).to_string(), "100000000000000000000");
}

TEST(BigInteger, NarrowsToInt64OnlyWhenInRange) {
    EXPECT_EQ(big_integer::from_decimal("-9223372036854775808")->to_int64(),
              std::numeric_limits<std::int64_t>::min());
    EXPECT_FALSE(big_integer::from_decimal("9223372036854775808")->to_int64().has_value());
    EXPECT_EQ(big_integer::from_decimal("18446744073709551615")->to_uint64(),
              18446744073709551615ULL);
    EXPECT_FALSE(big_integer::from_decimal("18446744073709551616")->to_uint64().has_value());
    EXPECT_FALSE(big_integer::from_decimal("-1")->to_uint64().has_value());
}

TEST(BigIntegerTerm, ValuesThatFitInt64AreSmallIntegers) {
    const std::vector<std::uint8_t> bytes{0x2A};

    const rill::term t = rill::term::big_integer(true, bytes);

    EXPECT_FALSE(t.is_big_integer());
    EXPECT_EQ(t.to_int64(), -42);
    EXPECT_EQ(t, rill::term{-42});
}

TEST(BigIntegerTerm, Uint64AboveInt64MaxBecomesBigInteger) {
    const rill::term t{std::numeric_limits<std::uint64_t>::max()};

    EXPECT_TRUE(t.is_integer());
    EXPECT_TRUE(t.is_big_integer());
    EXPECT_FALSE(t.to_int64().has_value());
    EXPECT_EQ(t.to_uint64(), std::numeric_limits<std::uint64_t>::max());
    EXPECT_EQ(rill::to_string(t), "18446744073709551615");
}

TEST(BigIntegerTerm, ExposesSignAndMagnitudeForTheDistributionLayer) {
    const rill::term big = int128_term(-make_int128(1, 2));

    const auto parts = big.as_integer_magnitude();

    EXPECT_TRUE(parts.negative);
    EXPECT_EQ(parts.little_endian, (std::vector<std::uint8_t>{2, 0, 0, 0, 0, 0, 0, 0, 1}));
    EXPECT_EQ(rill::term{-5}.as_integer_magnitude().little_endian, std::vector<std::uint8_t>{5});
    EXPECT_TRUE(rill::term{0}.as_integer_magnitude().little_endian.empty());
    EXPECT_THROW((void)rill::term{1.0}.as_integer_magnitude(), rill::badarg);
}

TEST(BigIntegerTerm, ComparesExactlyWithFloatsBeyondDoublePrecision) {
    const rill::term two_to_64{std::ldexp(1.0, 64)};
    const rill::term just_above = int128_term(make_int128(1, 1)); // 2^64 + 1

    EXPECT_LT(two_to_64, just_above);
    EXPECT_EQ(int128_term(make_int128(1, 0)), two_to_64); // 2^64 == 2^64.0
    EXPECT_FALSE(exactly_equal(int128_term(make_int128(1, 0)), two_to_64));
    EXPECT_LT(int128_term(-make_int128(1, 0)), rill::term{-1.0e10});
    EXPECT_GT(int128_term(make_int128(1, 0)), rill::term{1.0e10});
    EXPECT_LT(int128_term(make_int128(1, 0)), rill::term{1.0e30});
}

RC_GTEST_PROP(BigIntegerTerm, PrintsLikeItsDecimalValue, (std::int64_t high, std::uint64_t low)) {
    const int128 value = make_int128(high, low);

    RC_ASSERT(rill::to_string(int128_term(value)) == int128_to_string(value));
}

RC_GTEST_PROP(BigIntegerTerm, SmallIntegersPrintLikeStdToString, (std::int64_t value)) {
    RC_ASSERT(rill::to_string(rill::term{value}) == std::to_string(value));
}

RC_GTEST_PROP(
    BigIntegerTerm,
    OrdersLikeTheInt128Values,
    (std::int64_t high_a, std::uint64_t low_a, std::int64_t high_b, std::uint64_t low_b)) {
    const bool same_high = *rc::gen::arbitrary<bool>();
    const int128 a = make_int128(high_a, low_a);
    const int128 b = make_int128(same_high ? high_a : high_b, low_b);

    const auto order = int128_term(a) <=> int128_term(b);

    RC_ASSERT(std::is_lt(order) == (a < b));
    RC_ASSERT(std::is_eq(order) == (a == b));
    RC_ASSERT(std::is_gt(order) == (a > b));
}

RC_GTEST_PROP(BigIntegerTerm,
              OrdersAgainstIntegralFloatsLikeTheirExactValues,
              (std::int64_t high, std::uint64_t low)) {
    const int exponent = *rc::gen::inRange(0, 126);
    const auto mantissa = *rc::gen::inRange<std::int64_t>(-(1LL << 53) + 1, 1LL << 53);
    const double d = std::ldexp(static_cast<double>(mantissa), exponent - 53);
    const auto exact_d = static_cast<int128>(std::trunc(d));
    const bool d_is_integral = std::trunc(d) == d;
    const int128 value = *rc::gen::arbitrary<bool>() ? make_int128(high, low) : exact_d;

    const auto order = int128_term(value) <=> rill::term{d};

    if (d_is_integral) {
        RC_ASSERT(std::is_lt(order) == (value < exact_d));
        RC_ASSERT(std::is_eq(order) == (value == exact_d));
    } else {
        // value <=> d for a fractional d: compare with its truncation.
        RC_ASSERT(std::is_lt(order) == (d > 0 ? value <= exact_d : value < exact_d));
        RC_ASSERT(std::is_neq(order));
    }
}
