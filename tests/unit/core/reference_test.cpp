#include <rill/core/pid.hpp>
#include <rill/core/reference.hpp>

#include <gtest/gtest.h>

#include <sstream>
#include <type_traits>

static_assert(std::is_trivially_copyable_v<rill::reference>);

namespace {

rill::reference make_ref(std::uint32_t w2, std::uint32_t w1, std::uint32_t w0) {
    return rill::reference{rill::atoms::nonode_at_nohost, 0, 3, {w0, w1, w2, 0, 0}};
}

} // namespace

TEST(Reference, PrintsMostSignificantWordFirst) {
    EXPECT_EQ(rill::to_string(make_ref(3, 2, 1)), "#Ref<0.3.2.1>");
    std::ostringstream out;
    out << make_ref(1818337575, 2672558081, 27857);
    EXPECT_EQ(out.str(), "#Ref<0.1818337575.2672558081.27857>");
}

TEST(Reference, PrintsRemoteNodeByName) {
    const rill::reference r{rill::atom("far@host"), 1, 3, {1, 2, 3, 0, 0}};

    EXPECT_EQ(rill::to_string(r), "#Ref<far@host.3.2.1>");
}

TEST(Reference, OrdersByNodeThenMostSignificantWord) {
    EXPECT_LT(make_ref(1, 9, 9), make_ref(2, 0, 0));
    EXPECT_LT(make_ref(1, 1, 9), make_ref(1, 2, 0));
    EXPECT_LT(make_ref(1, 1, 1), make_ref(1, 1, 2));
    const rill::reference a{rill::atom("a@host"), 0, 3, {9, 9, 9, 0, 0}};
    const rill::reference b{rill::atom("b@host"), 0, 3, {0, 0, 0, 0, 0}};
    EXPECT_LT(a, b);
}

TEST(Reference, EqualReferencesCompareEqualAndHashEqual) {
    const rill::reference a = make_ref(5, 6, 7);
    const rill::reference b = make_ref(5, 6, 7);

    EXPECT_EQ(a, b);
    EXPECT_EQ(a <=> b, std::strong_ordering::equal);
    EXPECT_EQ(std::hash<rill::reference>{}(a), std::hash<rill::reference>{}(b));
    EXPECT_NE(std::hash<rill::reference>{}(a), std::hash<rill::reference>{}(make_ref(5, 6, 8)));
}

TEST(Reference, DefaultReferenceDiffersFromMadeOnes) {
    EXPECT_NE(rill::reference{}, make_ref(0, 0, 1));
    EXPECT_EQ(rill::reference{}, rill::reference{});
}
