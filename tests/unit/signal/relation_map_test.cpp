#include "signal/relation_map.hpp"

#include <rill/core/pid.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <rapidcheck/gtest.h>
#include <vector>

namespace {

/// A key whose hash takes four values: most keys collide, so probe runs
/// are long and erase must shift entries back across them.
struct colliding_key {
    std::uint32_t value = 0;
    friend bool operator==(const colliding_key&, const colliding_key&) = default;
};

} // namespace

template <>
struct std::hash<colliding_key> {
    std::size_t operator()(const colliding_key& k) const noexcept { return k.value & 3U; }
};

namespace {

using rill::internal::relation_map;

template <class Key>
std::map<std::uint32_t, int> contents(const relation_map<Key, int>& map) {
    std::map<std::uint32_t, int> out;
    for (const auto& [key, value] : map) {
        EXPECT_TRUE(out.emplace(key.value, value).second) << "a key listed twice";
    }
    return out;
}

TEST(RelationMap, FindsWhatWasInsertedAndNothingElse) {
    relation_map<colliding_key, int> map;
    EXPECT_EQ(map.find({7}), map.end());
    EXPECT_TRUE(map.try_emplace({7}, 70).second);
    EXPECT_FALSE(map.try_emplace({7}, 71).second); // the first value stays
    EXPECT_EQ(map.find({7})->second, 70);
    map.insert_or_assign(colliding_key{7}, 72);
    EXPECT_EQ(map.find({7})->second, 72);
    map[colliding_key{11}] = 110; // same home slot as 7
    EXPECT_EQ(map.size(), 2U);
    EXPECT_EQ(map.find({3}), map.end());
    EXPECT_EQ(map.erase({7}), 1U);
    EXPECT_EQ(map.erase({7}), 0U);
    EXPECT_EQ(map.find({11})->second, 110); // still reachable after the shift
    EXPECT_EQ(map.size(), 1U);
}

TEST(RelationMap, HoldsAHundredThousandPids) {
    relation_map<rill::pid, int> map;
    for (std::uint32_t id = 0; id < 100'000; ++id) {
        map.try_emplace(rill::pid{rill::atoms::nonode_at_nohost, id, 1, 0}, static_cast<int>(id));
    }
    EXPECT_EQ(map.size(), 100'000U);
    for (std::uint32_t id = 0; id < 100'000; id += 2) {
        ASSERT_EQ(map.erase(rill::pid{rill::atoms::nonode_at_nohost, id, 1, 0}), 1U);
    }
    for (std::uint32_t id = 0; id < 100'000; ++id) {
        auto found = map.find(rill::pid{rill::atoms::nonode_at_nohost, id, 1, 0});
        if (id % 2 == 0) {
            ASSERT_EQ(found, map.end()) << id;
        } else {
            ASSERT_NE(found, map.end()) << id;
            ASSERT_EQ(found->second, static_cast<int>(id));
        }
    }
    EXPECT_EQ(map.size(), 50'000U);
}

// Any sequence of inserts and erases leaves the same entries as std::map.
RC_GTEST_PROP(RelationMap,
              AgreesWithAnOrderedMapUnderInsertAndErase,
              (const std::vector<std::pair<bool, std::uint8_t>>& operations)) {
    relation_map<colliding_key, int> map;
    std::map<std::uint32_t, int> model;
    int next_value = 0;
    for (const auto& [insert, raw_key] : operations) {
        std::uint32_t key = raw_key % 40U;
        if (insert) {
            bool inserted = map.try_emplace(colliding_key{key}, next_value).second;
            RC_ASSERT(inserted == model.emplace(key, next_value).second);
            ++next_value;
        } else {
            RC_ASSERT(map.erase(colliding_key{key}) == model.erase(key));
        }
        RC_ASSERT(map.size() == model.size());
    }
    RC_ASSERT(contents(map) == model);
    for (std::uint32_t key = 0; key < 40; ++key) {
        auto found = map.find(colliding_key{key});
        auto expected = model.find(key);
        RC_ASSERT((found == map.end()) == (expected == model.end()));
        if (expected != model.end()) {
            RC_ASSERT(found->second == expected->second);
        }
    }
}

} // namespace
