#include <rill/core/pid.hpp>

#include <gtest/gtest.h>

#include <sstream>
#include <type_traits>
#include <unordered_set>

static_assert(std::is_trivially_copyable_v<rill::pid>);
static_assert(std::is_nothrow_move_constructible_v<rill::pid>);

namespace {

// Restores the thread's local node when a test changed it.
class local_node_guard {
public:
    local_node_guard()
        : saved_(rill::detail::local_node_of_this_thread()) {}

    local_node_guard(const local_node_guard&) = delete;
    local_node_guard& operator=(const local_node_guard&) = delete;

    ~local_node_guard() { rill::detail::set_local_node_of_this_thread(saved_); }

private:
    rill::atom saved_;
};

} // namespace

TEST(Pid, PrintsLocalPidWithNodeZero) {
    const rill::pid p{rill::atoms::nonode_at_nohost, 42, 0, 0};

    EXPECT_EQ(rill::to_string(p), "<0.42.0>");
    std::ostringstream out;
    out << rill::pid{rill::atoms::nonode_at_nohost, 7, 3, 1};
    EXPECT_EQ(out.str(), "<0.7.3>");
}

TEST(Pid, PrintsPidOfThisThreadsNodeWithNodeZero) {
    const local_node_guard guard;
    const rill::atom node("a@host");
    rill::detail::set_local_node_of_this_thread(node);

    EXPECT_EQ(rill::to_string(rill::pid{node, 5, 1, 0}), "<0.5.1>");
    EXPECT_EQ(rill::to_string(rill::pid{rill::atom("b@host"), 5, 1, 0}), "<b@host.5.1>");
}

TEST(Pid, DefaultPidNamesNoProcessAndEqualsItself) {
    const rill::pid p{};

    EXPECT_EQ(p.node, rill::atoms::nonode_at_nohost);
    EXPECT_EQ(p, rill::pid{});
}

TEST(Pid, OrdersByNodeThenSerialThenId) {
    const rill::atom a("a@host");
    const rill::atom b("b@host");

    EXPECT_LT((rill::pid{a, 9, 9, 0}), (rill::pid{b, 0, 0, 0}));
    EXPECT_LT((rill::pid{a, 9, 0, 0}), (rill::pid{a, 0, 1, 0}));
    EXPECT_LT((rill::pid{a, 1, 1, 0}), (rill::pid{a, 2, 1, 0}));
    EXPECT_EQ((rill::pid{a, 1, 1, 0} <=> rill::pid{a, 1, 1, 0}), std::strong_ordering::equal);
}

TEST(Pid, OrderingDistinguishesCreationSoItAgreesWithEquality) {
    const rill::pid old_incarnation{rill::atoms::nonode_at_nohost, 1, 1, 1};
    const rill::pid new_incarnation{rill::atoms::nonode_at_nohost, 1, 1, 2};

    EXPECT_NE(old_incarnation, new_incarnation);
    EXPECT_LT(old_incarnation, new_incarnation);
}

TEST(Pid, PidOnAForgedNodeOrdersAfterRealNodesAndPrintsThePlaceholder) {
    const rill::pid forged{rill::atom::from_index(900'000), 1, 2, 0};
    const rill::pid real{rill::atom("z@host"), 1, 2, 0};

    EXPECT_LT(real, forged);
    EXPECT_EQ(forged <=> forged, std::strong_ordering::equal);
    EXPECT_EQ(rill::to_string(forged), "<$invalid_atom.1.2>");
}

TEST(Pid, EqualPidsHashEqualAndDistinctPidsMostlyDiffer) {
    std::unordered_set<std::size_t> hashes;
    for (std::uint32_t id = 0; id < 100; ++id) {
        hashes.insert(std::hash<rill::pid>{}(rill::pid{rill::atoms::nonode_at_nohost, id, 0, 0}));
    }

    EXPECT_EQ(std::hash<rill::pid>{}(rill::pid{rill::atoms::nonode_at_nohost, 3, 4, 0}),
              std::hash<rill::pid>{}(rill::pid{rill::atoms::nonode_at_nohost, 3, 4, 0}));
    EXPECT_EQ(hashes.size(), 100U);
}
