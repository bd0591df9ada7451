#include "sync/small_object_cache.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <thread>
#include <unordered_set>
#include <vector>

namespace {

using rill::internal::allocate_small;
using rill::internal::free_small;

struct held_block {
    unsigned char* memory;
    std::size_t size;
};

void fill(const held_block& block, std::size_t index) {
    std::memset(block.memory, static_cast<int>(index & 0xFF), block.size);
}

bool intact(const held_block& block, std::size_t index) {
    for (std::size_t i = 0; i < block.size; ++i) {
        if (block.memory[i] != static_cast<unsigned char>(index & 0xFF)) {
            return false;
        }
    }
    return true;
}

// Blocks of every class, held at once, never overlap: each keeps what was
// written into it while all the others are written.
TEST(SmallObjectCache, BlocksOfEveryClassAreDistinctAlignedAndKeepTheirContents) {
    std::mt19937 random(7);
    std::uniform_int_distribution<std::size_t> size_of(1, 512);
    std::vector<held_block> held;
    for (int round = 0; round < 2; ++round) { // the second round reuses freed blocks
        for (std::size_t i = 0; i < 50'000; ++i) {
            std::size_t size = size_of(random);
            held.push_back({static_cast<unsigned char*>(allocate_small(size)), size});
            ASSERT_EQ(reinterpret_cast<std::uintptr_t>(held.back().memory) % 16, 0U);
            fill(held.back(), i);
        }
        for (std::size_t i = 0; i < held.size(); ++i) {
            ASSERT_TRUE(intact(held[i], i)) << "block " << i << " was overwritten";
        }
        for (const held_block& block : held) {
            free_small(block.memory, block.size);
        }
        held.clear();
    }
}

// Fan-in's pattern: one thread allocates, another frees. The freed blocks
// come back to the allocating thread through the depot instead of going to
// the global allocator, once the freeing thread has ended.
TEST(SmallObjectCache, BlocksFreedOnAnotherThreadComeBackToTheAllocator) {
    if (!rill::internal::small_object_cache_enabled()) {
        GTEST_SKIP() << "the cache is bypassed in this build (AddressSanitizer)";
    }
    constexpr std::size_t count = 200'000;
    constexpr std::size_t size = 48;
    std::vector<void*> first(count);
    for (void*& block : first) {
        block = allocate_small(size);
    }
    std::thread consumer([&first] {
        for (void* block : first) {
            free_small(block, size);
        }
    });
    consumer.join(); // its last, partial list goes to the depot as it ends

    std::unordered_set<void*> freed(first.begin(), first.end());
    std::size_t reused = 0;
    std::vector<void*> second(count);
    for (void*& block : second) {
        block = allocate_small(size);
        reused += freed.count(block);
    }
    // All but what this thread still had carved and unused from its last
    // chunk (at most one chunk's worth) comes from the consumer.
    EXPECT_GE(reused, count - 64 * 1024 / size);
    for (void* block : second) {
        free_small(block, size);
    }
}

} // namespace
