#include <rill/core/term.hpp>
#include <rill/core/term_conversion.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <rapidcheck/gtest.h>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

using rill::atom;
using rill::term;

namespace conversion_test {

// A user type opting in through the customization point.
struct point {
    int x;
    int y;
    friend bool operator==(const point&, const point&) = default;
};

struct opaque_thing {};

} // namespace conversion_test

template <>
struct rill::term_conversion<conversion_test::point> {
    static term to_term(const conversion_test::point& p) {
        return term::tuple_of(atom("point"), p.x, p.y);
    }

    static std::optional<conversion_test::point> from_term(const term& t) {
        const auto parts = term_conversion<std::tuple<atom, int, int>>::from_term(t);
        if (parts && std::get<0>(*parts) == atom("point")) {
            return conversion_test::point{std::get<1>(*parts), std::get<2>(*parts)};
        }
        return std::nullopt;
    }
};

static_assert(rill::term_convertible<conversion_test::point>);
static_assert(rill::term_extractable<conversion_test::point>);
static_assert(rill::term_convertible<std::vector<conversion_test::point>>);
static_assert(!rill::term_convertible<conversion_test::opaque_thing>);
static_assert(!rill::term_convertible<std::vector<conversion_test::opaque_thing>>);
static_assert(!rill::term_extractable<std::vector<conversion_test::opaque_thing>>);
static_assert(rill::term_convertible<std::string_view>);
static_assert(!rill::term_extractable<std::string_view>, "a view cannot own extracted bytes");
static_assert(!rill::term_extractable<const char*>);

TEST(TermConversion, UserTypeConvertsThroughItsSpecialization) {
    const term t{conversion_test::point{1, 2}};

    EXPECT_EQ(rill::to_string(t), "{point,1,2}");
    EXPECT_EQ(t.as<conversion_test::point>(), (conversion_test::point{1, 2}));
    EXPECT_TRUE(t.is<conversion_test::point>());
    EXPECT_FALSE(term{1}.is<conversion_test::point>());
}

TEST(TermConversion, IntegersOutOfRangeDoNotConvert) {
    EXPECT_EQ(term{300}.as<int>(), 300);
    EXPECT_THROW((void)term{300}.as<std::int8_t>(), rill::badarg);
    EXPECT_THROW((void)term{-1}.as<unsigned>(), rill::badarg);
    EXPECT_FALSE(term{-1}.is<std::uint64_t>());
    EXPECT_THROW((void)term{std::numeric_limits<std::uint64_t>::max()}.as<std::int64_t>(),
                 rill::badarg);
    EXPECT_EQ(term{std::numeric_limits<std::uint64_t>::max()}.as<std::uint64_t>(),
              std::numeric_limits<std::uint64_t>::max());
    EXPECT_FALSE(term{1.0}.is<int>());
}

TEST(TermConversion, DoublesAcceptExactIntegers) {
    EXPECT_EQ(term{2}.as<double>(), 2.0);
    EXPECT_EQ(term{1.5}.as<double>(), 1.5);
    EXPECT_FALSE(term{9007199254740993LL}.is<double>()); // 2^53 + 1 has no double
    EXPECT_FALSE(term{INT64_MAX}.is<double>());
    EXPECT_FALSE(term{"1.0"}.is<double>());
    EXPECT_EQ(term{0.1f}.as<float>(), 0.1f);
    EXPECT_FALSE(term{1.0e300}.is<float>());
}

namespace conversion_test {

// The big integer (negative ? -1 : 1) * 2^exponent * odd.
term scaled(bool negative, std::uint64_t odd, int exponent) {
    std::vector<std::uint8_t> magnitude(static_cast<std::size_t>(exponent / 8) + 9, 0);
    const int shift = exponent % 8;
    for (std::size_t i = 0; i < 8; ++i) {
        const auto byte = static_cast<unsigned>((odd >> (8 * i)) & 0xFFU) << shift;
        magnitude[static_cast<std::size_t>(exponent / 8) + i] |= static_cast<std::uint8_t>(byte);
        magnitude[static_cast<std::size_t>(exponent / 8) + i + 1] |=
            static_cast<std::uint8_t>(byte >> 8U);
    }
    while (!magnitude.empty() && magnitude.back() == 0) {
        magnitude.pop_back();
    }
    return term::big_integer(negative, magnitude);
}

} // namespace conversion_test

TEST(TermConversion, FloatsAcceptBigIntegersTheyHoldExactly) {
    using conversion_test::scaled;
    const term two_to_the_63{std::uint64_t{1} << 63};

    ASSERT_TRUE(two_to_the_63.is_big_integer());
    EXPECT_EQ(two_to_the_63.as<double>(), 0x1p63);
    EXPECT_EQ(two_to_the_63.as<float>(), 0x1p63f);
    EXPECT_EQ(term{std::numeric_limits<std::uint64_t>::max() - 2047}.as<double>(),
              0x1.fffffffffffffp63);
    EXPECT_EQ(scaled(true, 1, 64).as<double>(), -0x1p64);
    EXPECT_EQ(scaled(false, (std::uint64_t{1} << 53) - 1, 971).as<double>(),
              std::numeric_limits<double>::max());
    EXPECT_EQ(scaled(true, 3, 1000).as<double>(), -0x3p1000);
    EXPECT_EQ(scaled(false, 1, 127).as<float>(), 0x1p127f);
}

TEST(TermConversion, FloatsRefuseBigIntegersTheyCannotHoldExactly) {
    using conversion_test::scaled;

    EXPECT_FALSE(term{std::numeric_limits<std::uint64_t>::max()}.is<double>()); // 64 bits
    EXPECT_FALSE(scaled(false, (std::uint64_t{1} << 53) + 1, 20).is<double>()); // 54 bits
    EXPECT_FALSE(scaled(false, 1, 1024).is<double>());                          // past the range
    EXPECT_FALSE(scaled(true, 1, 1024).is<double>());
    EXPECT_FALSE(scaled(false, 1, 128).is<float>());
    EXPECT_FALSE(scaled(false, (std::uint64_t{1} << 24) + 1, 64).is<float>());
    EXPECT_THROW((void)scaled(false, 1, 5000).as<double>(), rill::badarg);
}

TEST(TermConversion, LongDoubleAcceptsEveryIntegerItsMantissaHolds) {
    constexpr int digits = std::numeric_limits<long double>::digits;
    const term uint64_max{std::numeric_limits<std::uint64_t>::max()};

    if constexpr (digits >= 64) {
        EXPECT_EQ(uint64_max.as<long double>(),
                  static_cast<long double>(std::numeric_limits<std::uint64_t>::max()));
    } else {
        EXPECT_FALSE(uint64_max.is<long double>());
    }
    EXPECT_EQ(term{std::uint64_t{1} << 63}.as<long double>(), 0x1p63L);
}

TEST(TermConversion, BoolIsTheAtomsTrueAndFalse) {
    EXPECT_TRUE(exactly_equal(term{true}, term{atom("true")}));
    EXPECT_TRUE(term{atom("false")}.is<bool>());
    EXPECT_FALSE(term{atom("false")}.as<bool>());
    EXPECT_FALSE(term{atom("yes")}.is<bool>());
    EXPECT_FALSE(term{1}.is<bool>());
}

TEST(TermConversion, StringsAreBinariesAndReadBackFromCharLists) {
    EXPECT_TRUE(term{std::string("abc")}.is_binary());
    EXPECT_EQ(term{std::string_view("abc")}, term{"abc"});
    EXPECT_EQ(term::list_of(97, 98, 99).as<std::string>(), "abc");
    EXPECT_EQ(term{}.as<std::string>(), "");
    EXPECT_FALSE(term::list_of(97, 256).is<std::string>());
    EXPECT_FALSE(term::list({term{97}}, term{98}).is<std::string>());
    EXPECT_FALSE(term{atom("abc")}.is<std::string>());
}

TEST(TermConversion, StringsKeepEmbeddedNulBytes) {
    const std::string with_nul("a\0b", 3);

    EXPECT_EQ(term{with_nul}.as<std::string>(), with_nul);
}

TEST(TermConversion, VectorIsAProperList) {
    const term t{std::vector<int>{1, 2, 3}};

    EXPECT_TRUE(t.is_proper_list());
    EXPECT_EQ(t.as<std::vector<int>>(), (std::vector<int>{1, 2, 3}));
    EXPECT_FALSE(term::list({term{1}}, term{2}).is<std::vector<int>>());
    EXPECT_FALSE(term::list_of(1, "x").is<std::vector<int>>());
    EXPECT_TRUE(term{}.as<std::vector<int>>().empty());
}

TEST(TermConversion, TupleAndPairAreTuplesOfTheSameSize) {
    const term t{std::tuple{atom("ok"), 1, std::string("x")}};

    EXPECT_EQ(rill::to_string(t), "{ok,1,<<\"x\">>}");
    EXPECT_EQ((t.as<std::tuple<atom, int, std::string>>()),
              (std::tuple{atom("ok"), 1, std::string("x")}));
    EXPECT_FALSE((t.is<std::tuple<atom, int>>()));
    EXPECT_EQ((term{std::pair{1, 2}}.as<std::pair<int, int>>()), (std::pair{1, 2}));
    EXPECT_TRUE(term{std::tuple<>{}}.is<std::tuple<>>());
}

TEST(TermConversion, MapsConvertBothWays) {
    const std::map<std::string, int> ordered{{"a", 1}, {"b", 2}};
    const std::unordered_map<int, std::string> unordered{{1, "one"}, {2, "two"}};

    EXPECT_EQ(rill::to_string(term{ordered}), "#{<<\"a\">> => 1,<<\"b\">> => 2}");
    EXPECT_EQ((term{ordered}.as<std::map<std::string, int>>()), ordered);
    EXPECT_EQ((term{unordered}.as<std::unordered_map<int, std::string>>()), unordered);
    EXPECT_FALSE((term{ordered}.is<std::map<int, int>>()));
}

TEST(TermConversion, OptionalIsUndefinedOrTheValue) {
    EXPECT_TRUE(exactly_equal(term{std::optional<int>{}}, term{atom("undefined")}));
    EXPECT_TRUE(exactly_equal(term{std::optional<int>{5}}, term{5}));
    EXPECT_EQ(term{atom("undefined")}.as<std::optional<int>>(), std::nullopt);
    EXPECT_EQ(term{5}.as<std::optional<int>>(), 5);
    EXPECT_FALSE(term{"x"}.is<std::optional<int>>());
}

TEST(TermConversion, AtomPidReferenceAndTermConvertToThemselves) {
    const rill::pid p{rill::atoms::nonode_at_nohost, 1, 2, 0};
    const rill::reference r{rill::atoms::nonode_at_nohost, 0, 3, {1, 2, 3, 0, 0}};
    const term t = term::tuple_of(1, 2);

    EXPECT_EQ(term{atom("ok")}.as<atom>(), rill::atoms::ok);
    EXPECT_EQ(term{p}.as<rill::pid>(), p);
    EXPECT_EQ(term{r}.as<rill::reference>(), r);
    EXPECT_TRUE(exactly_equal(t.as<term>(), t));
    EXPECT_FALSE(term{1}.is<atom>());
    EXPECT_FALSE(term{1}.is<rill::pid>());
}

TEST(TermConversion, FailedConversionThrowsBadargNamingTheType) {
    try {
        (void)term{"x"}.as<int>();
        FAIL() << "as<int> on a binary did not throw";
    } catch (const rill::badarg& e) {
        EXPECT_EQ(std::string(e.what()), "badarg: cannot convert <<\"x\">> to int");
    }
}

RC_GTEST_PROP(TermConversion, Int64RoundTrips, (std::int64_t value)) {
    RC_ASSERT(term{value}.as<std::int64_t>() == value);
}

RC_GTEST_PROP(TermConversion, Uint64RoundTrips, (std::uint64_t value)) {
    RC_ASSERT(term{value}.as<std::uint64_t>() == value);
}

RC_GTEST_PROP(TermConversion, SmallIntegerTypesRoundTrip, (std::int16_t a, std::uint8_t b, int c)) {
    RC_ASSERT(term{a}.as<std::int16_t>() == a);
    RC_ASSERT(term{b}.as<std::uint8_t>() == b);
    RC_ASSERT(term{c}.as<int>() == c);
}

RC_GTEST_PROP(TermConversion, FiniteDoublesRoundTrip, (double value)) {
    RC_PRE(std::isfinite(value));

    const auto back = term{value}.as<double>();

    RC_ASSERT(back == value);
    RC_ASSERT(std::signbit(back) == std::signbit(value));
}

RC_GTEST_PROP(TermConversion, StringsRoundTrip, (const std::string& value)) {
    RC_ASSERT(term{value}.as<std::string>() == value);
}

RC_GTEST_PROP(TermConversion, VectorsRoundTrip, (const std::vector<std::int64_t>& value)) {
    RC_ASSERT(term{value}.as<std::vector<std::int64_t>>() == value);
}

RC_GTEST_PROP(TermConversion,
              TuplesRoundTrip,
              (std::int32_t number, const std::string& text, bool flag)) {
    const std::tuple<std::int32_t, std::string, bool> value{number, text, flag};

    RC_ASSERT((term{value}.as<std::tuple<std::int32_t, std::string, bool>>()) == value);
}

RC_GTEST_PROP(TermConversion, MapsRoundTrip, (const std::map<std::string, std::int64_t>& value)) {
    RC_ASSERT((term{value}.as<std::map<std::string, std::int64_t>>()) == value);
}

RC_GTEST_PROP(TermConversion,
              UnorderedMapsRoundTrip,
              (const std::unordered_map<std::int64_t, std::string>& value)) {
    RC_ASSERT((term{value}.as<std::unordered_map<std::int64_t, std::string>>()) == value);
}

RC_GTEST_PROP(TermConversion, OptionalsRoundTrip, (bool present, std::int64_t number)) {
    const std::optional<std::int64_t> value =
        present ? std::optional<std::int64_t>{number} : std::nullopt;

    RC_ASSERT(term{value}.as<std::optional<std::int64_t>>() == value);
}

RC_GTEST_PROP(TermConversion,
              NestedContainersRoundTrip,
              (const std::vector<std::pair<std::string, std::vector<std::int32_t>>>& value)) {
    using type = std::vector<std::pair<std::string, std::vector<std::int32_t>>>;

    RC_ASSERT(term{value}.as<type>() == value);
}
