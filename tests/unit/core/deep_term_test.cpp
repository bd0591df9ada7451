// Terms nested far deeper than the C++ stack could recurse: every traversal
// (destroy, ==, <, hash, print) walks them with an explicit stack. The
// stress label holds the ten-million-level version (stress/deep_term_stress_test.cpp).

#include <rill/core/list_builder.hpp>
#include <rill/core/term.hpp>

#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace rill {
namespace {

// A nest this deep overflowed the 8 MiB stack when printed, hashed or
// compared by recursion, and in a Debug build when destroyed.
constexpr std::size_t depth = 300'000;

term tuple_nest(std::size_t levels, term innermost) {
    term t = std::move(innermost);
    for (std::size_t i = 0; i < levels; ++i) {
        t = term::tuple({std::move(t)});
    }
    return t;
}

term list_nest(std::size_t levels, term innermost) {
    term t = std::move(innermost);
    for (std::size_t i = 0; i < levels; ++i) {
        t = term::list({std::move(t)});
    }
    return t;
}

term map_nest(std::size_t levels, term innermost) {
    term t = std::move(innermost);
    for (std::size_t i = 0; i < levels; ++i) {
        t = term::map({{term{atom("k")}, std::move(t)}});
    }
    return t;
}

term improper_nest(std::size_t levels) {
    // [1 | {[1 | {... {}}]}]: the nesting goes through the tails.
    term t = term::tuple({});
    for (std::size_t i = 0; i < levels; ++i) {
        t = term::list({term{1}}, term::tuple({std::move(t)}));
    }
    return t;
}

TEST(DeepTerm, TupleNestComparesHashesPrintsAndFrees) {
    const term a = tuple_nest(depth, term{1});
    const term b = tuple_nest(depth, term{1});
    const term c = tuple_nest(depth, term{2});
    EXPECT_TRUE(a == b);
    EXPECT_TRUE(exactly_equal(a, b));
    EXPECT_TRUE(a < c);
    EXPECT_FALSE(c < a);
    EXPECT_EQ(a.hash(), b.hash());
    EXPECT_EQ(a.hash(), tuple_nest(depth, term{1.0}).hash()) << "1 == 1.0 at any depth";
    EXPECT_TRUE(a == tuple_nest(depth, term{1.0}));

    const std::string text = to_string(a);
    ASSERT_EQ(text.size(), 2 * depth + 1);
    EXPECT_EQ(text.substr(0, 3), "{{{");
    EXPECT_EQ(text.substr(depth - 1, 3), "{1}");
    EXPECT_EQ(text.substr(text.size() - 3), "}}}");
}

TEST(DeepTerm, ListNestComparesHashesPrintsAndFrees) {
    const term a = list_nest(depth, term{atom("x")});
    const term b = list_nest(depth, term{atom("x")});
    const term shorter = list_nest(depth - 1, term{atom("x")});
    EXPECT_TRUE(a == b);
    EXPECT_EQ(a.hash(), b.hash());
    EXPECT_NE(a.hash(), shorter.hash());
    EXPECT_TRUE(shorter < a) << "an atom sorts before a list";
    EXPECT_EQ(to_string(a).size(), 2 * depth + 1);
}

TEST(DeepTerm, MapNestComparesHashesPrintsAndFrees) {
    const term a = map_nest(depth, term{});
    const term b = map_nest(depth, term{});
    EXPECT_TRUE(a == b);
    EXPECT_EQ(a.hash(), b.hash());
    EXPECT_EQ(to_string(map_nest(2, term{})), "#{k => #{k => []}}");
    EXPECT_EQ(to_string(a, 20), "#{k => #{k => #{k =>...");
}

TEST(DeepTerm, NestThroughImproperTailsIsWalkedToo) {
    const term a = improper_nest(depth);
    const term b = improper_nest(depth);
    EXPECT_TRUE(a == b);
    EXPECT_EQ(a.hash(), b.hash());
    EXPECT_EQ(to_string(improper_nest(2)), "[1|{[1|{{}}]}]");
    EXPECT_EQ(to_string(a).size(), to_string(b).size());
}

TEST(DeepTerm, SharedSubtermSurvivesTheTeardownOfItsParent) {
    term shared = tuple_nest(1000, term{7});
    {
        const term parent = tuple_nest(depth, shared);
        EXPECT_TRUE(parent.is_tuple());
    }
    EXPECT_TRUE(shared == tuple_nest(1000, term{7}));
}

TEST(DeepTerm, WideAndDeepMixIsFreed) {
    // A wide list of deep nests and a deep nest of wide tuples.
    std::vector<term> wide;
    for (int i = 0; i < 100; ++i) {
        wide.push_back(list_nest(10'000, term{i}));
    }
    term mix = term::list(std::move(wide));
    for (int i = 0; i < 10'000; ++i) {
        mix = term::tuple({term{i}, std::move(mix), term{atom("z")}});
    }
    EXPECT_TRUE(mix == mix);
    EXPECT_GT(to_string(mix, 1000).size(), 900U);
}

TEST(BoundedPrint, CutsAtTheLimitAndSaysSo) {
    EXPECT_EQ(to_string(term::tuple_of(1, 2, 3), 100), "{1,2,3}");
    EXPECT_EQ(to_string(term::tuple_of(1, 2, 3), 7), "{1,2,3}") << "exactly the limit: not cut";
    EXPECT_EQ(to_string(term::tuple_of(1, 2, 3), 6), "{1,2,3...");
    EXPECT_EQ(to_string(term::tuple_of(1, 2, 3), 0), "...");
    const term deep = tuple_nest(depth, term{1});
    EXPECT_EQ(to_string(deep, 10), "{{{{{{{{{{...");
}

TEST(BoundedPrint, ErrorMessageOfAHugeListIsShort) {
    std::vector<term> elements(5'000'000, term{atom("element")});
    const term huge = term::list(std::move(elements));
    try {
        (void)huge.as<int>();
        FAIL() << "as<int>() of a list must throw";
    } catch (const badarg& error) {
        const std::string message = error.what();
        EXPECT_LT(message.size(), 300U) << message;
        EXPECT_NE(message.find("[element,element,"), std::string::npos) << message;
        EXPECT_NE(message.find("..."), std::string::npos) << message;
    }
}

TEST(BoundedPrint, HugeIntegerIsNamedByItsSizeNotConverted) {
    std::vector<std::uint8_t> magnitude(100'000, 0xAB);
    const term big = term::big_integer(true, magnitude);
    EXPECT_EQ(to_string(big, 200), "-<integer of 800000 bits>");
    EXPECT_EQ(to_string(term::tuple_of(big), 200), "{-<integer of 800000 bits>}");
    // Small big integers still print exactly when bounded.
    EXPECT_EQ(to_string(term::from_uint64(18446744073709551615ULL), 200), "18446744073709551615");
}

TEST(BoundedPrint, LongBinaryAndStringStopAtTheLimit) {
    const std::string text(1'000'000, 'a');
    EXPECT_EQ(to_string(term{text.c_str()}, 10), "<<\"aaaaaaa...");
    std::vector<std::byte> bytes(1'000'000, std::byte{1});
    EXPECT_EQ(to_string(term::binary(bytes), 10), "<<1,1,1,1,...");
    std::vector<term> codes(1'000'000, term{98});
    EXPECT_EQ(to_string(term::list(std::move(codes)), 5), "\"bbbb...");
}

TEST(ListBuilder, BuildsFromBothEnds) {
    list_builder b;
    b.push_back(term{2}).push_back(term{3});
    b.push_front(term{1}).push_front(term{0});
    EXPECT_EQ(b.size(), 4U);
    EXPECT_TRUE(std::move(b).build() == term::list_of(0, 1, 2, 3));
}

TEST(ListBuilder, EndsInTheGivenTail) {
    list_builder b;
    b.push_front(term{1});
    EXPECT_EQ(to_string(std::move(b).build(term{atom("t")})), "[1|t]");
    list_builder empty;
    EXPECT_TRUE(std::move(empty).build().is_nil());
    list_builder appended;
    appended.push_back(term{1});
    EXPECT_TRUE(std::move(appended).build(term::list_of(2, 3)) == term::list_of(1, 2, 3));
}

TEST(ListBuilder, ConsingAMillionElementsFromTheFront) {
    // The cons pattern of recursive Erlang code: each element goes in front.
    constexpr int count = 1'000'000;
    list_builder b;
    for (int i = count - 1; i >= 0; --i) {
        b.push_front(term{i});
    }
    const term list = std::move(b).build();
    ASSERT_EQ(list.list_elements().size(), static_cast<std::size_t>(count));
    EXPECT_EQ(list.list_elements().front().to_int64(), 0);
    EXPECT_EQ(list.list_elements().back().to_int64(), count - 1);
}

TEST(LocalTermOrder, FollowsCreationNotAddresses) {
    // Locals of one type order by when they were made, so a replay of the
    // same run orders them alike whatever addresses the allocator hands out.
    std::vector<term> made;
    for (int i = 0; i < 1000; ++i) {
        made.push_back(term::local(i));
    }
    for (std::size_t i = 1; i < made.size(); ++i) {
        EXPECT_TRUE(made[i - 1] < made[i]) << i;
        EXPECT_FALSE(made[i] < made[i - 1]) << i;
    }
    EXPECT_TRUE(made[3] == made[3]);
    const term copy = made[3];
    EXPECT_EQ(copy.hash(), made[3].hash());
}

} // namespace
} // namespace rill
