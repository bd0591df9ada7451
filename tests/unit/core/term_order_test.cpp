#include <rill/core/term.hpp>

#include "term_generators.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <compare>
#include <cstddef>
#include <rapidcheck/gtest.h>
#include <vector>

using rill::atom;
using rill::term;

namespace {

term bits(std::initializer_list<int> values, std::uint8_t last_bits) {
    std::vector<std::byte> bytes;
    for (int v : values) {
        bytes.push_back(static_cast<std::byte>(v));
    }
    return term::bitstring(bytes, last_bits);
}

} // namespace

// Expectations marked "erl:" were checked against Erlang/OTP 25.

TEST(TermOrder, OrdersKindsAsErlangDoes) {
    const std::vector<term> ascending{
        term{1},
        term{atom("a")},
        term{rill::reference{}},
        term::opaque(term::kind::fun, std::vector<std::byte>{std::byte{113}}),
        term::opaque(term::kind::port, std::vector<std::byte>{std::byte{89}}),
        term{rill::pid{}},
        term::tuple({}),
        term::map({}),
        term{},
        term::list_of(1),
        term{"bin"},
    };

    for (std::size_t i = 0; i + 1 < ascending.size(); ++i) {
        EXPECT_LT(ascending[i], ascending[i + 1]) << i;
    }
}

TEST(TermOrder, IntegerEqualsFloatOfTheSameValueButIsNotExactlyEqual) {
    EXPECT_EQ(term{1}, term{1.0});                   // erl: 1 == 1.0
    EXPECT_FALSE(exactly_equal(term{1}, term{1.0})); // erl: 1 =:= 1.0 is false
    EXPECT_FALSE(term{1} < term{1.0});               // erl: false
    EXPECT_FALSE(term{1.0} < term{1});               // erl: false
}

TEST(TermOrder, NegativeZeroEqualsZeroButIsNotExactlyEqual) {
    EXPECT_EQ(term{0.0}, term{-0.0});
    EXPECT_FALSE(term{-0.0} < term{0.0});
    EXPECT_FALSE(exactly_equal(term{0.0}, term{-0.0})); // OTP 27 semantics
}

TEST(TermOrder, ComparesIntegersWithFloatsExactly) {
    constexpr std::int64_t two_to_53 = 9007199254740992;

    EXPECT_LT(term{two_to_53}, term{two_to_53 + 1});
    EXPECT_GT(term{two_to_53 + 1}, term{9007199254740992.0}); // the double would round it away
    EXPECT_LT(term{2}, term{2.5});
    EXPECT_GT(term{-2}, term{-2.5});
    EXPECT_LT(term{INT64_MAX}, term{9223372036854775808.0});
    EXPECT_GT(term{INT64_MIN}, term{-1.0e19});
    EXPECT_EQ(term{INT64_MIN}, term{-9223372036854775808.0});
}

TEST(TermOrder, ComparesAtomsByName) {
    EXPECT_LT(term{atom("abc")}, term{atom("abd")});
    EXPECT_LT(term{atom("ab")}, term{atom("abc")});
}

TEST(TermOrder, OrdersForgedAtomsAfterInternedAtomsAndPidsOnForgedNodesLikewise) {
    const atom forged = atom::from_index(900'000);
    const rill::pid on_forged_node{forged, 1, 1, 0};
    const rill::pid on_real_node{atom("z@host"), 1, 1, 0};

    EXPECT_LT(term{atom("zzz")}, term{forged});
    EXPECT_LT(term{forged}, term{atom::from_index(900'001)});
    EXPECT_EQ(term{forged}, term{forged});
    EXPECT_LT(term{on_real_node}, term{on_forged_node});
    EXPECT_EQ(term{on_forged_node}, term{on_forged_node});
}

TEST(TermOrder, ComparesTuplesBySizeFirst) {
    EXPECT_LT(term::tuple_of(9, 9), term::tuple_of(1, 1, 1));
    EXPECT_LT(term::tuple_of(1, 2), term::tuple_of(1, 3));
    EXPECT_EQ(term::tuple_of(1, 2), term::tuple_of(1.0, 2));
}

TEST(TermOrder, ComparesListsAsConsCells) {
    EXPECT_LT(term::list({term{1}}, term{2}), term::list_of(1, 2)); // erl: [1|2] < [1,2]
    EXPECT_LT(term::list_of(1, 2), term::list_of(1, 2, 3));
    EXPECT_LT(term::list_of(1, 2, 3), term::list_of(1, 3));
    EXPECT_LT(term{}, term::list_of(0));
    EXPECT_GT(term::list({term{1}}, term{"bin"}), term::list_of(1, 2)); // bitstring > list
}

TEST(TermOrder, ComparesMapsBySizeThenKeysThenValues) {
    const term one_int = term::map({{term{1}, term{atom("a")}}});
    const term one_float = term::map({{term{1.0}, term{atom("a")}}});

    EXPECT_NE(one_int, one_float); // erl: #{1=>a} == #{1.0=>a} is false
    EXPECT_LT(one_int, one_float); // erl: #{1=>a} < #{1.0=>a}
    EXPECT_LT(term::map({{term{9}, term{9}}}), term::map({{term{1}, term{1}}, {term{2}, term{2}}}));
    EXPECT_LT(term::map({{term{1}, term{1}}}), term::map({{term{1}, term{2}}}));
    EXPECT_EQ(term::map({{term{1}, term{1}}}), term::map({{term{1}, term{1.0}}}));
    EXPECT_FALSE(exactly_equal(term::map({{term{1}, term{1}}}), term::map({{term{1}, term{1.0}}})));
}

TEST(TermOrder, ComparesBitstringsBitwiseThenByLength) {
    EXPECT_GT(bits({0x20}, 3), bits({1}, 8)); // erl: <<1:3>> < <<1>> is false (001 > 000)
    EXPECT_LT(term{""}, bits({0}, 1));        // erl: <<>> < <<0:1>>
    EXPECT_LT(term{"ab"}, term{"abc"});
    EXPECT_LT(term{"abc"}, term{"abd"});
    EXPECT_LT(bits({0xFF, 0x80}, 1), term{"\xFF\xFF"});
}

TEST(TermOrder, ExactlyEqualImpliesEqualButNotTheOtherWayRound) {
    EXPECT_TRUE(exactly_equal(term::list_of(1, "a"), term::list_of(1, "a")));
    EXPECT_EQ(term::list_of(1), term::list_of(1.0));
    EXPECT_FALSE(exactly_equal(term::list_of(1), term::list_of(1.0)));
}

RC_GTEST_PROP(TermOrder, IsATotalPreorderOverNestedTerms, ()) {
    auto terms = *rc::gen::container<std::vector<term>>(rill::test::gen_term(3));

    std::sort(terms.begin(), terms.end());

    for (std::size_t i = 0; i < terms.size(); ++i) {
        for (std::size_t j = i + 1; j < terms.size(); ++j) {
            RC_ASSERT(terms[i] <= terms[j]);
            RC_ASSERT(!(terms[j] < terms[i]));
        }
    }
}

RC_GTEST_PROP(TermOrder, IsTransitive, ()) {
    const auto gen = rill::test::gen_term(2);
    const term a = *gen;
    const term b = *gen;
    const term c = *gen;

    if (a <= b && b <= c) {
        RC_ASSERT(a <= c);
    }
    if (a == b && b == c) {
        RC_ASSERT(a == c);
    }
}

RC_GTEST_PROP(TermOrder, EqualityIsEquivalenceUnderTheOrder, ()) {
    const auto gen = rill::test::gen_term(3);
    const term a = *gen;
    const term b = *gen;

    RC_ASSERT((a == b) == (a <= b && b <= a));
    RC_ASSERT((a == b) == std::is_eq(a <=> b));
    RC_ASSERT((a < b) == (b > a));
}

RC_GTEST_PROP(TermOrder, ExactlyEqualImpliesEqual, ()) {
    const auto gen = rill::test::gen_term(2);
    const term a = *gen;
    const term b = *gen;

    if (exactly_equal(a, b)) {
        RC_ASSERT(a == b);
    }
}

RC_GTEST_PROP(TermOrder, ARebuiltTermIsExactlyEqualAndHashesTheSame, ()) {
    const term a = *rill::test::gen_term(3);

    const term b = rill::test::rebuild(a);

    RC_ASSERT(exactly_equal(a, b));
    RC_ASSERT(a == b);
    RC_ASSERT(a.hash() == b.hash());
    RC_ASSERT(rill::to_string(a) == rill::to_string(b));
}

RC_GTEST_PROP(TermOrder, HashIsConsistentWithExactlyEqual, ()) {
    const auto gen = rill::test::gen_term(2);
    const term a = *gen;
    const term b = *gen;

    if (exactly_equal(a, b)) {
        RC_ASSERT(a.hash() == b.hash());
    }
}

RC_GTEST_PROP(TermOrder, HashIsConsistentWithEquality, ()) {
    const auto gen = rill::test::gen_term(2);
    const term a = *gen;
    const term b = *gen;

    if (a == b) {
        RC_ASSERT(a.hash() == b.hash());
    }
}

TEST(TermOrder, IntegerAndEqualFloatHashAlike) {
    EXPECT_EQ(term{1}.hash(), term{1.0}.hash());
    EXPECT_EQ(term{0.0}.hash(), term{-0.0}.hash());
    EXPECT_EQ(term::list_of(1, 2.0).hash(), term::list_of(1.0, 2).hash());
    const std::vector<std::uint8_t> two_to_64{0, 0, 0, 0, 0, 0, 0, 0, 1};
    EXPECT_EQ(term::big_integer(false, two_to_64).hash(), term{18446744073709551616.0}.hash());
    EXPECT_NE(term{1}.hash(), term{1.5}.hash());
}
