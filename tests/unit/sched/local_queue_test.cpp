#include "sched/local_queue.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <barrier>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

namespace {

using rill::internal::local_queue;
using rill::internal::runnable;
using rill::internal::worker;

void never_run(runnable* /*self*/, worker& /*on*/) noexcept {}

// A batch of distinct runnables whose index is their address's offset.
class items {
public:
    explicit items(std::size_t count) {
        storage_.reserve(count);
        for (std::size_t i = 0; i < count; ++i) {
            storage_.emplace_back(&never_run);
        }
    }

    runnable* operator[](std::size_t index) { return &storage_[index]; }

    std::size_t index_of(const runnable* item) const {
        return static_cast<std::size_t>(item - storage_.data());
    }

    [[nodiscard]] std::size_t size() const { return storage_.size(); }

private:
    std::vector<runnable> storage_;
};

// Pops everything left, oldest first.
std::vector<runnable*> drain(local_queue& queue) {
    std::vector<runnable*> out;
    while (runnable* item = queue.pop()) {
        out.push_back(item);
    }
    return out;
}

} // namespace

TEST(LocalQueue, PopsInPushOrderForTheOwner) {
    items pool(10);
    local_queue queue;
    for (std::size_t i = 0; i < pool.size(); ++i) {
        ASSERT_TRUE(queue.try_push(pool[i]));
    }

    const std::vector<runnable*> popped = drain(queue);

    ASSERT_EQ(popped.size(), pool.size());
    for (std::size_t i = 0; i < popped.size(); ++i) {
        EXPECT_EQ(popped[i], pool[i]);
    }
}

TEST(LocalQueue, PopOnAnEmptyQueueReturnsNull) {
    local_queue queue;

    runnable* popped = queue.pop();

    EXPECT_EQ(popped, nullptr);
    EXPECT_EQ(queue.size_hint(), 0U);
}

TEST(LocalQueue, KeepsFifoOrderAcrossManyWrapsOfTheRing) {
    items pool(local_queue::capacity * 3);
    local_queue queue;
    std::size_t pushed = 0;
    std::vector<runnable*> popped;

    // Keep the ring between 100 and 200 deep while the positions wrap.
    while (pushed < pool.size()) {
        while (pushed < pool.size() && queue.size_hint() < 200) {
            ASSERT_TRUE(queue.try_push(pool[pushed++]));
        }
        while (queue.size_hint() > 100) {
            popped.push_back(queue.pop());
        }
    }
    for (runnable* item : drain(queue)) {
        popped.push_back(item);
    }

    ASSERT_EQ(popped.size(), pool.size());
    for (std::size_t i = 0; i < popped.size(); ++i) {
        EXPECT_EQ(popped[i], pool[i]) << "position " << i;
    }
}

TEST(LocalQueue, TryPushFailsWhenTheRingHoldsCapacityItems) {
    items pool(local_queue::capacity + 1);
    local_queue queue;
    for (std::size_t i = 0; i < local_queue::capacity; ++i) {
        ASSERT_TRUE(queue.try_push(pool[i]));
    }

    const bool pushed_when_full = queue.try_push(pool[local_queue::capacity]);

    EXPECT_FALSE(pushed_when_full);
    EXPECT_EQ(queue.size_hint(), local_queue::capacity);
    EXPECT_EQ(queue.pop(), pool[0]); // the failed push changed nothing
}

TEST(LocalQueue, TryPushSucceedsAgainAfterOnePopFromAFullRing) {
    items pool(local_queue::capacity + 1);
    local_queue queue;
    for (std::size_t i = 0; i < local_queue::capacity; ++i) {
        ASSERT_TRUE(queue.try_push(pool[i]));
    }

    runnable* first = queue.pop();
    const bool pushed = queue.try_push(pool[local_queue::capacity]);

    EXPECT_EQ(first, pool[0]);
    EXPECT_TRUE(pushed);
    const std::vector<runnable*> rest = drain(queue);
    ASSERT_EQ(rest.size(), local_queue::capacity);
    EXPECT_EQ(rest.front(), pool[1]);
    EXPECT_EQ(rest.back(), pool[local_queue::capacity]);
}

TEST(LocalQueue, TakeHalfTakesTheOldestHalfOfAFullRing) {
    items pool(local_queue::capacity);
    local_queue queue;
    for (std::size_t i = 0; i < pool.size(); ++i) {
        ASSERT_TRUE(queue.try_push(pool[i]));
    }
    std::array<runnable*, local_queue::capacity / 2> out{};

    const std::uint32_t taken = queue.take_half(out.data());

    ASSERT_EQ(taken, local_queue::capacity / 2);
    for (std::size_t i = 0; i < taken; ++i) {
        EXPECT_EQ(out[i], pool[i]);
    }
    const std::vector<runnable*> rest = drain(queue);
    ASSERT_EQ(rest.size(), local_queue::capacity / 2);
    for (std::size_t i = 0; i < rest.size(); ++i) {
        EXPECT_EQ(rest[i], pool[taken + i]);
    }
}

TEST(LocalQueue, TakeHalfRoundsDownAndTakesNothingFromOneItem) {
    items pool(5);
    local_queue five;
    local_queue one;
    for (std::size_t i = 0; i < 5; ++i) {
        ASSERT_TRUE(five.try_push(pool[i]));
    }
    ASSERT_TRUE(one.try_push(pool[0]));
    std::array<runnable*, local_queue::capacity / 2> out{};

    const std::uint32_t from_five = five.take_half(out.data());
    const std::uint32_t from_one = one.take_half(out.data() + from_five);

    EXPECT_EQ(from_five, 2U);
    EXPECT_EQ(out[0], pool[0]);
    EXPECT_EQ(out[1], pool[1]);
    EXPECT_EQ(from_one, 0U);
    EXPECT_EQ(one.size_hint(), 1U);
    EXPECT_EQ(five.pop(), pool[2]);
}

TEST(LocalQueue, StealIntoMovesTheOlderHalfAndReturnsTheNextOldest) {
    items pool(10);
    local_queue victim;
    local_queue thief;
    for (std::size_t i = 0; i < pool.size(); ++i) {
        ASSERT_TRUE(victim.try_push(pool[i]));
    }

    runnable* stolen = victim.steal_into(thief);

    // Ten visible: the thief takes five, runs the fifth, queues four.
    EXPECT_EQ(stolen, pool[4]);
    const std::vector<runnable*> moved = drain(thief);
    ASSERT_EQ(moved.size(), 4U);
    for (std::size_t i = 0; i < moved.size(); ++i) {
        EXPECT_EQ(moved[i], pool[i]);
    }
    const std::vector<runnable*> left = drain(victim);
    ASSERT_EQ(left.size(), 5U);
    for (std::size_t i = 0; i < left.size(); ++i) {
        EXPECT_EQ(left[i], pool[5 + i]);
    }
}

TEST(LocalQueue, StealIntoTakesTheLastItemAndMovesNothing) {
    items pool(1);
    local_queue victim;
    local_queue thief;
    ASSERT_TRUE(victim.try_push(pool[0]));

    runnable* stolen = victim.steal_into(thief);

    EXPECT_EQ(stolen, pool[0]);
    EXPECT_EQ(thief.size_hint(), 0U);
    EXPECT_EQ(victim.pop(), nullptr);
}

TEST(LocalQueue, StealIntoAnEmptyVictimReturnsNull) {
    local_queue victim;
    local_queue thief;

    runnable* stolen = victim.steal_into(thief);

    EXPECT_EQ(stolen, nullptr);
    EXPECT_EQ(thief.size_hint(), 0U);
}

TEST(LocalQueue, StealIntoFromAFullRingTakesAtMostHalf) {
    items pool(local_queue::capacity);
    local_queue victim;
    local_queue thief;
    for (std::size_t i = 0; i < pool.size(); ++i) {
        ASSERT_TRUE(victim.try_push(pool[i]));
    }

    runnable* stolen = victim.steal_into(thief);

    EXPECT_EQ(stolen, pool[local_queue::capacity / 2 - 1]);
    EXPECT_EQ(thief.size_hint(), local_queue::capacity / 2 - 1);
    EXPECT_EQ(victim.size_hint(), local_queue::capacity / 2);
    EXPECT_EQ(thief.pop(), pool[0]);
    EXPECT_EQ(victim.pop(), pool[local_queue::capacity / 2]);
}

TEST(LocalQueue, OwnerCanPushAgainAfterAThiefEmptiedPartOfAFullRing) {
    items pool(local_queue::capacity + local_queue::capacity / 2);
    local_queue victim;
    local_queue thief;
    std::size_t pushed = 0;
    while (victim.try_push(pool[pushed])) {
        ++pushed;
    }
    ASSERT_EQ(pushed, local_queue::capacity);
    ASSERT_NE(victim.steal_into(thief), nullptr);

    while (pushed < pool.size() && victim.try_push(pool[pushed])) {
        ++pushed;
    }

    EXPECT_EQ(pushed, pool.size());
    const std::vector<runnable*> left = drain(victim);
    ASSERT_EQ(left.size(), local_queue::capacity);
    EXPECT_EQ(left.front(), pool[local_queue::capacity / 2]);
    EXPECT_EQ(left.back(), pool[pool.size() - 1]);
}

// One owner pushes and pops, three thieves steal into their own rings and
// run what they stole; every item must be taken exactly once. Meant for
// ThreadSanitizer as much as for the counts.
TEST(LocalQueue, EveryItemIsTakenExactlyOnceUnderConcurrentStealing) {
#if defined(__SANITIZE_THREAD__)
    constexpr std::size_t item_count = 50'000;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
    constexpr std::size_t item_count = 50'000;
#else
    constexpr std::size_t item_count = 400'000;
#endif
#else
    constexpr std::size_t item_count = 400'000;
#endif
    constexpr int thief_count = 3;
    items pool(item_count);
    local_queue owner_queue;
    auto seen = std::make_unique<std::atomic<int>[]>(item_count);
    std::atomic<bool> owner_done{false};
    std::atomic<std::size_t> taken_by_owner{0};
    std::atomic<std::size_t> taken_by_thieves{0};
    std::barrier start(thief_count + 1);
    auto take = [&](runnable* item) {
        seen[pool.index_of(item)].fetch_add(1, std::memory_order_relaxed);
    };

    std::thread owner([&] {
        start.arrive_and_wait();
        std::size_t mine = 0;
        std::size_t next = 0;
        while (next < item_count) {
            // Push a burst (up to a full ring), then pop a few, so thieves
            // meet full, half-full and nearly empty rings.
            const std::size_t burst = 1 + (next * 7919) % 300;
            for (std::size_t i = 0; i < burst && next < item_count; ++i) {
                if (!owner_queue.try_push(pool[next])) {
                    // Full: make room, as the worker would by spilling.
                    if (runnable* item = owner_queue.pop()) {
                        take(item);
                        ++mine;
                    }
                    continue;
                }
                ++next;
            }
            const std::size_t pops = (next * 104729) % 5;
            for (std::size_t i = 0; i < pops; ++i) {
                if (runnable* item = owner_queue.pop()) {
                    take(item);
                    ++mine;
                }
            }
        }
        owner_done.store(true, std::memory_order_release);
        while (runnable* item = owner_queue.pop()) {
            take(item);
            ++mine;
        }
        taken_by_owner.store(mine, std::memory_order_relaxed);
    });
    std::vector<std::thread> thieves;
    for (int t = 0; t < thief_count; ++t) {
        thieves.emplace_back([&] {
            local_queue own;
            std::size_t mine = 0;
            start.arrive_and_wait();
            for (;;) {
                const bool done = owner_done.load(std::memory_order_acquire);
                runnable* stolen = owner_queue.steal_into(own);
                if (stolen != nullptr) {
                    take(stolen);
                    ++mine;
                    while (runnable* item = own.pop()) {
                        take(item);
                        ++mine;
                    }
                } else if (done) {
                    break;
                }
            }
            taken_by_thieves.fetch_add(mine, std::memory_order_relaxed);
        });
    }

    owner.join();
    for (std::thread& thief : thieves) {
        thief.join();
    }

    std::size_t missing = 0;
    std::size_t duplicated = 0;
    for (std::size_t i = 0; i < item_count; ++i) {
        const int count = seen[i].load(std::memory_order_relaxed);
        missing += count == 0 ? 1 : 0;
        duplicated += count > 1 ? 1 : 0;
    }
    EXPECT_EQ(missing, 0U);
    EXPECT_EQ(duplicated, 0U);
    EXPECT_EQ(taken_by_owner.load() + taken_by_thieves.load(), item_count);
    EXPECT_EQ(owner_queue.size_hint(), 0U);
}
