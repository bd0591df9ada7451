#include "sched/timer_wheel.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <rapidcheck/gtest.h>
#include <unistd.h>
#include <vector>

namespace {

using rill::internal::timer_entry;
using rill::internal::timer_wheel;

// The wheel's span: 64^6 ms; a deadline further than `max_span` ahead is
// clamped to `elapsed + max_span`.
constexpr std::uint64_t max_span = (std::uint64_t{1} << 36) - 1;

// What the entries of one test saw: the `now` of the advance in progress
// (set by the test before each advance) and every firing, in order.
struct fire_log {
    struct firing {
        int id;
        std::uint64_t now;
    };

    void record(int id) {
        fired.push_back({id, now});
        auto index = static_cast<std::size_t>(id);
        if (index >= counts.size()) {
            counts.resize(index + 1, 0);
            first_at.resize(index + 1, 0);
        }
        if (counts[index]++ == 0) {
            first_at[index] = now;
        }
    }

    [[nodiscard]] int times_fired(int id) const {
        auto index = static_cast<std::size_t>(id);
        return index < counts.size() ? counts[index] : 0;
    }

    [[nodiscard]] std::optional<std::uint64_t> fired_at(int id) const {
        if (times_fired(id) == 0) {
            return std::nullopt;
        }
        return first_at[static_cast<std::size_t>(id)];
    }

    std::uint64_t now = 0;
    std::vector<firing> fired;
    std::vector<int> counts;
    std::vector<std::uint64_t> first_at;
};

// An entry that records its firing in a log; `on_fire` (optional) runs
// after the record, with the wheel, to test re-entrant inserts.
struct recording_entry : timer_entry {
    using hook = void (*)(recording_entry& self);

    recording_entry(fire_log& into,
                    int entry_id,
                    std::uint64_t at,
                    timer_wheel* owner = nullptr,
                    hook then = nullptr)
        : timer_entry(&recording_entry::record)
        , log(&into)
        , id(entry_id)
        , wheel(owner)
        , on_fire(then) {
        deadline = at;
    }

    static void record(timer_entry* self) noexcept {
        auto* entry = static_cast<recording_entry*>(self);
        entry->log->record(entry->id);
        if (entry->on_fire != nullptr) {
            entry->on_fire(*entry);
        }
    }

    fire_log* log;
    int id;
    timer_wheel* wheel;
    hook on_fire;
    std::uint64_t period = 0;
    recording_entry* chained = nullptr;
};

void advance_to(timer_wheel& wheel, fire_log& log, std::uint64_t now) {
    log.now = now;
    wheel.advance(now);
}

// Deadlines on both sides of every level boundary up to level 2, plus a few
// inside levels; cheap enough to walk one millisecond at a time.
const std::vector<std::uint64_t> boundary_deadlines = {
    1,
    2,
    62,
    63,
    64,
    65,
    127,
    128,
    129,
    4031,
    4095,
    4096,
    4097,
    8191,
    8192,
    262143,
    262144,
    262145,
};

// Deadlines that need cascades from levels 3..5.
const std::vector<std::uint64_t> far_deadlines = {
    262144 * 64 - 1, // 64^4 - 1: top of level 3
    262144 * 64,     // 64^4: level 4
    262144 * 64 + 1,
    1073741824ULL + 7,     // 64^5 + 7: level 5
    1073741824ULL * 63 + 5 // deep inside level 5
};

} // namespace

TEST(TimerWheel, FiresEachEntryExactlyAtItsDeadlineWhenAdvancedOneMillisecondAtATime) {
    timer_wheel wheel;
    fire_log log;
    std::vector<std::unique_ptr<recording_entry>> entries;
    for (std::size_t i = 0; i < boundary_deadlines.size(); ++i) {
        entries.push_back(
            std::make_unique<recording_entry>(log, static_cast<int>(i), boundary_deadlines[i]));
        wheel.insert(entries.back().get());
    }

    for (std::uint64_t now = 1; now <= 262145 + 10; ++now) {
        advance_to(wheel, log, now);
    }

    ASSERT_EQ(log.fired.size(), boundary_deadlines.size());
    for (std::size_t i = 0; i < boundary_deadlines.size(); ++i) {
        EXPECT_EQ(log.times_fired(static_cast<int>(i)), 1) << "deadline " << boundary_deadlines[i];
        EXPECT_EQ(log.fired_at(static_cast<int>(i)), boundary_deadlines[i]);
    }
    EXPECT_EQ(wheel.size(), 0U);
}

TEST(TimerWheel, DoesNotFireAnEntryOneMillisecondBeforeItsDeadlineAtAnyLevel) {
    std::vector<std::uint64_t> deadlines = boundary_deadlines;
    deadlines.insert(deadlines.end(), far_deadlines.begin(), far_deadlines.end());

    for (std::uint64_t deadline : deadlines) {
        timer_wheel wheel;
        fire_log log;
        recording_entry entry(log, 0, deadline);
        wheel.insert(&entry);

        advance_to(wheel, log, deadline - 1);
        const bool fired_early = !log.fired.empty();
        advance_to(wheel, log, deadline);

        EXPECT_FALSE(fired_early) << "deadline " << deadline;
        ASSERT_EQ(log.fired.size(), 1U) << "deadline " << deadline;
        EXPECT_EQ(log.fired[0].now, deadline);
        EXPECT_FALSE(entry.linked);
    }
}

TEST(TimerWheel, FiresEveryEntryOnceWhenJumpingFarPastAllDeadlines) {
    timer_wheel wheel;
    fire_log log;
    std::vector<std::uint64_t> deadlines = boundary_deadlines;
    deadlines.insert(deadlines.end(), far_deadlines.begin(), far_deadlines.end());
    std::vector<std::unique_ptr<recording_entry>> entries;
    for (std::size_t i = 0; i < deadlines.size(); ++i) {
        entries.push_back(
            std::make_unique<recording_entry>(log, static_cast<int>(i), deadlines[i]));
        wheel.insert(entries.back().get());
    }

    advance_to(wheel, log, max_span);

    ASSERT_EQ(log.fired.size(), deadlines.size());
    for (std::size_t i = 0; i < deadlines.size(); ++i) {
        EXPECT_EQ(log.times_fired(static_cast<int>(i)), 1) << "deadline " << deadlines[i];
    }
    EXPECT_EQ(wheel.size(), 0U);
    EXPECT_EQ(wheel.next_deadline(), std::nullopt);
    EXPECT_EQ(wheel.elapsed(), max_span);
}

TEST(TimerWheel, JumpFiresExactlyTheDueEntriesInDeadlineOrder) {
    timer_wheel wheel;
    fire_log log;
    // Inserted in an order unrelated to their deadlines.
    const std::vector<std::uint64_t> deadlines = {
        4096, 65, 262144, 63, 1, 4095, 64, 262143, 300000};
    std::vector<std::unique_ptr<recording_entry>> entries;
    for (std::size_t i = 0; i < deadlines.size(); ++i) {
        entries.push_back(
            std::make_unique<recording_entry>(log, static_cast<int>(i), deadlines[i]));
        wheel.insert(entries.back().get());
    }

    advance_to(wheel, log, 262143);

    ASSERT_EQ(log.fired.size(), 7U);
    std::uint64_t previous = 0;
    for (const fire_log::firing& f : log.fired) {
        const std::uint64_t deadline = deadlines[static_cast<std::size_t>(f.id)];
        EXPECT_LE(deadline, 262143U);
        EXPECT_LE(previous, deadline) << "fired out of deadline order";
        previous = deadline;
    }
    EXPECT_EQ(wheel.size(), 2U);
    EXPECT_TRUE(entries[2]->linked);
    EXPECT_TRUE(entries[8]->linked);
}

TEST(TimerWheel, CascadesEntriesInsertedAtANonZeroElapsedTime) {
    timer_wheel wheel;
    fire_log log;
    advance_to(wheel, log, 4000); // level-1 slot 62, level-0 slot 32
    std::vector<std::unique_ptr<recording_entry>> entries;
    const std::vector<std::uint64_t> deadlines = {
        4001, 4031, 4032, 4095, 4096, 4100, 8191, 8192, 262143, 262144, 266240, 1073741824ULL + 7};
    for (std::size_t i = 0; i < deadlines.size(); ++i) {
        entries.push_back(
            std::make_unique<recording_entry>(log, static_cast<int>(i), deadlines[i]));
        wheel.insert(entries.back().get());
    }

    // Event-driven, as a parking worker does: jump to each reported deadline.
    while (std::optional<std::uint64_t> next = wheel.next_deadline()) {
        ASSERT_GT(*next, wheel.elapsed());
        advance_to(wheel, log, *next);
    }

    ASSERT_EQ(log.fired.size(), deadlines.size());
    for (std::size_t i = 0; i < deadlines.size(); ++i) {
        EXPECT_EQ(log.fired_at(static_cast<int>(i)), deadlines[i]);
    }
}

TEST(TimerWheel, AdvancingToEachNextDeadlineFiresEveryEntryAtItsDeadline) {
    timer_wheel wheel;
    fire_log log;
    std::vector<std::uint64_t> deadlines = boundary_deadlines;
    deadlines.insert(deadlines.end(), far_deadlines.begin(), far_deadlines.end());
    std::vector<std::unique_ptr<recording_entry>> entries;
    for (std::size_t i = 0; i < deadlines.size(); ++i) {
        entries.push_back(
            std::make_unique<recording_entry>(log, static_cast<int>(i), deadlines[i]));
        wheel.insert(entries.back().get());
    }

    int advances = 0;
    while (std::optional<std::uint64_t> next = wheel.next_deadline()) {
        ASSERT_LT(++advances, 10000) << "the wheel does not make progress";
        advance_to(wheel, log, *next);
    }

    ASSERT_EQ(log.fired.size(), deadlines.size());
    for (std::size_t i = 0; i < deadlines.size(); ++i) {
        EXPECT_EQ(log.fired_at(static_cast<int>(i)), deadlines[i]) << "deadline " << deadlines[i];
    }
}

TEST(TimerWheel, FiresEntriesSharingADeadlineAllInTheSameAdvance) {
    timer_wheel wheel;
    fire_log log;
    std::vector<std::unique_ptr<recording_entry>> entries;
    for (int i = 0; i < 5; ++i) {
        entries.push_back(std::make_unique<recording_entry>(log, i, 5000));
    }
    for (auto& entry : entries) {
        wheel.insert(entry.get());
    }

    advance_to(wheel, log, 4999);
    const std::size_t before = log.fired.size();
    advance_to(wheel, log, 5000);

    EXPECT_EQ(before, 0U);
    ASSERT_EQ(log.fired.size(), 5U);
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(log.fired_at(i), 5000U);
    }
}

TEST(TimerWheel, RemovedEntryNeverFires) {
    timer_wheel wheel;
    fire_log log;
    recording_entry first(log, 1, 100);
    recording_entry middle(log, 2, 100);
    recording_entry last(log, 3, 100);
    wheel.insert(&first);
    wheel.insert(&middle);
    wheel.insert(&last);

    wheel.remove(&middle);
    advance_to(wheel, log, 200);

    EXPECT_FALSE(middle.linked);
    EXPECT_EQ(log.times_fired(1), 1);
    EXPECT_EQ(log.times_fired(2), 0);
    EXPECT_EQ(log.times_fired(3), 1);
    EXPECT_EQ(wheel.size(), 0U);
}

TEST(TimerWheel, RemovingTheHeadAndTailOfASlotListKeepsTheRestLinked) {
    timer_wheel wheel;
    fire_log log;
    recording_entry a(log, 1, 70);
    recording_entry b(log, 2, 70);
    recording_entry c(log, 3, 70);
    wheel.insert(&a);
    wheel.insert(&b);
    wheel.insert(&c); // the list is c, b, a

    wheel.remove(&c);
    wheel.remove(&a);
    advance_to(wheel, log, 70);

    ASSERT_EQ(log.fired.size(), 1U);
    EXPECT_EQ(log.fired[0].id, 2);
}

TEST(TimerWheel, RemovedEntryAtAHigherLevelNeverFiresAndClearsItsSlot) {
    timer_wheel wheel;
    fire_log log;
    recording_entry far(log, 1, 1073741824ULL + 7);
    recording_entry near(log, 2, 5000);
    wheel.insert(&far);
    wheel.insert(&near);

    wheel.remove(&far);

    EXPECT_EQ(wheel.size(), 1U);
    ASSERT_TRUE(wheel.next_deadline().has_value());
    EXPECT_LE(*wheel.next_deadline(), 5000U);
    advance_to(wheel, log, std::uint64_t{1} << 35);
    ASSERT_EQ(log.fired.size(), 1U);
    EXPECT_EQ(log.fired[0].id, 2);
    EXPECT_EQ(wheel.next_deadline(), std::nullopt);
}

TEST(TimerWheel, RemovingTheOnlyEntryLeavesNoNextDeadline) {
    timer_wheel wheel;
    fire_log log;
    recording_entry entry(log, 1, 300);
    wheel.insert(&entry);

    wheel.remove(&entry);

    EXPECT_EQ(wheel.next_deadline(), std::nullopt);
    EXPECT_EQ(wheel.size(), 0U);
}

TEST(TimerWheel, RemovingAnAlreadyDueEntryPreventsItsFiring) {
    timer_wheel wheel;
    fire_log log;
    advance_to(wheel, log, 100);
    recording_entry entry(log, 1, 50);
    wheel.insert(&entry);

    wheel.remove(&entry);
    advance_to(wheel, log, 101);

    EXPECT_TRUE(log.fired.empty());
    EXPECT_EQ(wheel.next_deadline(), std::nullopt);
}

TEST(TimerWheel, RemovingAnUnlinkedEntryIsHarmless) {
    timer_wheel wheel;
    fire_log log;
    recording_entry fired(log, 1, 10);
    recording_entry other(log, 2, 20);
    wheel.insert(&fired);
    wheel.insert(&other);
    advance_to(wheel, log, 10);

    wheel.remove(&fired); // already unlinked by its firing
    advance_to(wheel, log, 20);

    EXPECT_EQ(log.times_fired(1), 1);
    EXPECT_EQ(log.times_fired(2), 1);
    EXPECT_EQ(wheel.size(), 0U);
}

TEST(TimerWheel, RemovedEntryCanBeInsertedAgainWithANewDeadline) {
    timer_wheel wheel;
    fire_log log;
    recording_entry entry(log, 1, 100);
    wheel.insert(&entry);

    wheel.remove(&entry);
    entry.deadline = 5000;
    wheel.insert(&entry);
    advance_to(wheel, log, 4999);
    const bool fired_early = !log.fired.empty();
    advance_to(wheel, log, 5000);

    EXPECT_FALSE(fired_early);
    ASSERT_EQ(log.fired.size(), 1U);
    EXPECT_EQ(log.fired[0].now, 5000U);
}

TEST(TimerWheel, ReportsNoNextDeadlineWhenEmpty) {
    const timer_wheel wheel;

    EXPECT_EQ(wheel.next_deadline(), std::nullopt);
    EXPECT_EQ(wheel.size(), 0U);
}

TEST(TimerWheel, NextDeadlineEqualsTheDeadlineOfALevelZeroEntry) {
    timer_wheel wheel;
    fire_log log;
    advance_to(wheel, log, 64);
    recording_entry later(log, 1, 120);
    recording_entry earlier(log, 2, 100);

    wheel.insert(&later);
    wheel.insert(&earlier);

    EXPECT_EQ(wheel.next_deadline(), 100U);
}

TEST(TimerWheel, NextDeadlineIsNeverLaterThanTheEarliestDeadlineAtHigherLevels) {
    for (std::uint64_t deadline :
         {64ULL, 65ULL, 100ULL, 4095ULL, 4096ULL, 262144ULL, 1073741831ULL}) {
        timer_wheel wheel;
        fire_log log;
        recording_entry entry(log, 1, deadline);

        wheel.insert(&entry);

        ASSERT_TRUE(wheel.next_deadline().has_value());
        EXPECT_LE(*wheel.next_deadline(), deadline);
        EXPECT_GT(*wheel.next_deadline(), wheel.elapsed());
    }
}

TEST(TimerWheel, NextDeadlineReachesTheExactDeadlineOnceTheEntryCascadesToLevelZero) {
    timer_wheel wheel;
    fire_log log;
    recording_entry entry(log, 1, 4100);
    wheel.insert(&entry);

    advance_to(wheel, log, 4096); // the level-1 slot of 4096..4159 cascades

    EXPECT_TRUE(log.fired.empty());
    EXPECT_EQ(wheel.next_deadline(), 4100U);
}

TEST(TimerWheel, EntryAlreadyDueAtInsertFiresOnTheNextAdvance) {
    timer_wheel wheel;
    fire_log log;
    advance_to(wheel, log, 1000);
    recording_entry past(log, 1, 10);
    recording_entry now(log, 2, 1000);
    recording_entry zero(log, 3, 0);

    wheel.insert(&past);
    wheel.insert(&now);
    wheel.insert(&zero);
    const std::optional<std::uint64_t> reported = wheel.next_deadline();
    const bool fired_at_insert = !log.fired.empty();
    advance_to(wheel, log, 1000);

    EXPECT_FALSE(fired_at_insert);
    EXPECT_EQ(reported, 1000U); // due now: no later than the current time
    EXPECT_EQ(log.fired.size(), 3U);
    EXPECT_EQ(wheel.size(), 0U);
}

TEST(TimerWheel, EntryAlreadyDueAtInsertFiresWhenTheNextAdvanceMovesTimeOn) {
    timer_wheel wheel;
    fire_log log;
    advance_to(wheel, log, 500);
    recording_entry past(log, 1, 499);
    wheel.insert(&past);

    advance_to(wheel, log, 501);

    ASSERT_EQ(log.fired.size(), 1U);
    EXPECT_EQ(log.fired[0].now, 501U);
}

TEST(TimerWheel, FiringCallbackMayReArmItsOwnEntry) {
    timer_wheel wheel;
    fire_log log;
    recording_entry periodic(log, 1, 10, &wheel, [](recording_entry& self) {
        if (self.log->now < 100) {
            self.deadline = self.log->now + 10;
            self.wheel->insert(&self);
        }
    });
    wheel.insert(&periodic);

    for (std::uint64_t now = 1; now <= 200; ++now) {
        advance_to(wheel, log, now);
    }

    ASSERT_EQ(log.fired.size(), 10U);
    for (std::size_t i = 0; i < log.fired.size(); ++i) {
        EXPECT_EQ(log.fired[i].now, 10 * (i + 1));
    }
    EXPECT_EQ(wheel.size(), 0U);
}

TEST(TimerWheel, EntryInsertedByACallbackAndDueByNowFiresInTheSameAdvance) {
    timer_wheel wheel;
    fire_log log;
    recording_entry chained[3] = {
        recording_entry(log, 2, 0), // re-armed for later in this advance
        recording_entry(log, 3, 0), // re-armed already due
        recording_entry(log, 4, 0), // re-armed after this advance
    };
    recording_entry first(log, 1, 10, &wheel, [](recording_entry& self) {
        // Fired while the wheel processes time 10 of an advance to 100.
        recording_entry* next = self.chained;
        next[0].deadline = 50;
        next[1].deadline = 5;
        next[2].deadline = 150;
        self.wheel->insert(&next[0]);
        self.wheel->insert(&next[1]);
        self.wheel->insert(&next[2]);
    });
    first.chained = chained;
    wheel.insert(&first);

    advance_to(wheel, log, 100);

    EXPECT_EQ(log.times_fired(1), 1);
    EXPECT_EQ(log.times_fired(2), 1);
    EXPECT_EQ(log.times_fired(3), 1);
    EXPECT_EQ(log.times_fired(4), 0);
    EXPECT_EQ(wheel.size(), 1U);
    advance_to(wheel, log, 150);
    EXPECT_EQ(log.times_fired(4), 1);
}

TEST(TimerWheel, FiringCallbackMayFreeItsEntry) {
    timer_wheel wheel;
    fire_log log;

    struct owned_entry : timer_entry {
        explicit owned_entry(int* counter)
            : timer_entry(&owned_entry::fire_and_free)
            , fired(counter) {}

        static void fire_and_free(timer_entry* self) noexcept {
            auto* entry = static_cast<owned_entry*>(self);
            ++*entry->fired;
            delete entry;
        }

        int* fired;
    };

    int fired = 0;
    for (std::uint64_t deadline : {5ULL, 5ULL, 70ULL, 5000ULL}) {
        auto* entry = new owned_entry(&fired);
        entry->deadline = deadline;
        wheel.insert(entry);
    }

    advance_to(wheel, log, 6000);

    EXPECT_EQ(fired, 4);
    EXPECT_EQ(wheel.size(), 0U);
}

namespace {

// Runs `body` in a child process that is killed after 10 s: a wheel that
// loops forever inside `advance` fails the test instead of hanging the run.
template <class Body>
void in_child_with_time_limit(Body body) {
    EXPECT_EXIT(
        {
            alarm(10);
            body();
            std::fflush(stdout);
            std::_Exit(::testing::Test::HasFailure() ? 1 : 0);
        },
        ::testing::ExitedWithCode(0),
        "");
}

// Drives the wheel as a parking worker does (advance to each reported next
// deadline) until `entry` fired or the next deadline lies beyond `until`.
void drive_until_fired(timer_wheel& wheel,
                       fire_log& log,
                       const recording_entry& entry,
                       std::uint64_t until) {
    for (int advances = 0; entry.linked; ++advances) {
        std::optional<std::uint64_t> next = wheel.next_deadline();
        ASSERT_TRUE(next.has_value());
        // A not-yet-due entry reported at or before the time already
        // processed would make `advance` re-file it in the same slot forever.
        ASSERT_GE(*next, wheel.elapsed());
        ASSERT_LT(advances, 1000) << "the wheel makes no progress";
        if (*next > until) {
            return;
        }
        advance_to(wheel, log, *next);
    }
}

} // namespace

// Beyond one rotation of the wheel (64^6 ms) a deadline is either clamped to
// the end of the span or kept and re-filed; either way it is not lost and
// does not fire before the span has passed.
TEST(TimerWheel, FarDeadlineBeyondTheSpanIsNotLostAndNeverFiresBeforeTheSpanHasPassed) {
    in_child_with_time_limit([] {
        timer_wheel wheel;
        fire_log log;
        const std::uint64_t deadline = max_span + 5000;
        recording_entry entry(log, 1, deadline);

        wheel.insert(&entry);
        advance_to(wheel, log, max_span - 1);
        const bool fired_early = !log.fired.empty();
        drive_until_fired(wheel, log, entry, deadline);

        EXPECT_FALSE(fired_early);
        ASSERT_EQ(log.fired.size(), 1U);
        EXPECT_GE(log.fired[0].now, max_span);
        EXPECT_LE(log.fired[0].now, deadline);
    });
}

// Armed when the clock is not at a multiple of 64^6 ms, a deadline about a
// rotation ahead falls in the top level's current slot. The wheel must still
// report it in the future; reporting the slot's past start makes `advance`
// re-insert the entry into the same slot forever.
TEST(TimerWheel, FarDeadlineArmedAfterTimeMovedIsReportedInTheFutureAndFires) {
    in_child_with_time_limit([] {
        timer_wheel wheel;
        fire_log log;
        advance_to(wheel, log, 1);
        const std::uint64_t deadline = 1 + max_span + 5000;
        recording_entry entry(log, 1, deadline);

        wheel.insert(&entry);
        const std::optional<std::uint64_t> reported = wheel.next_deadline();
        ASSERT_TRUE(reported.has_value());
        ASSERT_GT(*reported, wheel.elapsed());
        drive_until_fired(wheel, log, entry, deadline);

        EXPECT_LE(*reported, deadline);
        ASSERT_EQ(log.fired.size(), 1U);
        EXPECT_GE(log.fired[0].now, 1 + max_span);
        EXPECT_LE(log.fired[0].now, deadline);
    });
}

TEST(TimerWheel, DeadlineNearlyAFullRotationAheadIsReportedInTheFutureAndFiresOnTime) {
    in_child_with_time_limit([] {
        timer_wheel wheel;
        fire_log log;
        const std::uint64_t start = 5 * (std::uint64_t{1} << 30) + 1000; // top-level slot 5
        advance_to(wheel, log, start);
        // Within the span, in the next 64^6 block's top slot 5.
        const std::uint64_t deadline = start + max_span - 100;
        recording_entry entry(log, 1, deadline);

        wheel.insert(&entry);
        const std::optional<std::uint64_t> reported = wheel.next_deadline();
        ASSERT_TRUE(reported.has_value());
        ASSERT_GT(*reported, wheel.elapsed());
        drive_until_fired(wheel, log, entry, deadline);

        EXPECT_LE(*reported, deadline);
        EXPECT_EQ(entry.deadline, deadline);
        ASSERT_EQ(log.fired.size(), 1U);
        EXPECT_EQ(log.fired[0].now, deadline);
    });
}

// A deadline about a rotation ahead shares the top level's current slot
// index with the present; a nearer entry in a later top-level slot must
// still be reported and fired first.
TEST(TimerWheel, FarEntryInTheTopLevelsCurrentSlotDoesNotDelayANearerEntry) {
    in_child_with_time_limit([] {
        timer_wheel wheel;
        fire_log log;
        advance_to(wheel, log, 1);
        const std::uint64_t near_deadline = (std::uint64_t{1} << 30) + 5; // top-level slot 1
        recording_entry far(log, 1, max_span - 100);                      // top-level slot 63
        recording_entry far_wrapped(log, 2, 1 + max_span); // top-level slot 0, wrapped
        recording_entry near(log, 3, near_deadline);

        wheel.insert(&far);
        wheel.insert(&far_wrapped);
        wheel.insert(&near);
        const std::optional<std::uint64_t> reported = wheel.next_deadline();
        ASSERT_TRUE(reported.has_value());
        ASSERT_GT(*reported, wheel.elapsed());
        drive_until_fired(wheel, log, near, near_deadline);

        EXPECT_LE(*reported, near_deadline);
        ASSERT_EQ(log.times_fired(3), 1);
        EXPECT_EQ(log.fired_at(3), near_deadline);
        EXPECT_EQ(log.times_fired(1) + log.times_fired(2), 0);
    });
}

TEST(TimerWheel, DeadlineCrossingARotationBoundaryFiresOnTime) {
    in_child_with_time_limit([] {
        timer_wheel wheel;
        fire_log log;
        const std::uint64_t rotation = std::uint64_t{1} << 36;
        advance_to(wheel, log, rotation - 10);
        recording_entry entry(log, 1, rotation + 10);

        wheel.insert(&entry);
        drive_until_fired(wheel, log, entry, rotation + 10);

        ASSERT_EQ(log.fired.size(), 1U);
        EXPECT_EQ(log.fired[0].now, rotation + 10);
    });
}

TEST(TimerWheel, ClearHandsEveryLinkedEntryToReleaseWithoutFiring) {
    timer_wheel wheel;
    fire_log log;
    advance_to(wheel, log, 10);
    recording_entry due(log, 1, 5);
    recording_entry near(log, 2, 20);
    recording_entry far(log, 3, 1073741831ULL);
    wheel.insert(&due);
    wheel.insert(&near);
    wheel.insert(&far);
    std::vector<timer_entry*> released;

    wheel.clear([&](timer_entry* entry) { released.push_back(entry); });

    EXPECT_TRUE(log.fired.empty());
    EXPECT_EQ(released.size(), 3U);
    EXPECT_EQ(wheel.size(), 0U);
    EXPECT_EQ(wheel.next_deadline(), std::nullopt);
    EXPECT_FALSE(due.linked || near.linked || far.linked);
}

namespace {

// Kills the test process if a property case runs longer than `seconds`: a
// wheel that loops forever inside `advance` then fails loudly instead of
// hanging the run (a case normally takes well under a millisecond).
class hang_watchdog {
public:
    explicit hang_watchdog(unsigned seconds) noexcept { alarm(seconds); }

    hang_watchdog(const hang_watchdog&) = delete;
    hang_watchdog& operator=(const hang_watchdog&) = delete;

    ~hang_watchdog() { alarm(0); }
};

// One step of the property below.
struct wheel_op {
    enum class kind { insert, advance, remove } what;
    std::int64_t delta; // insert: deadline - now (may be negative); advance: step
    std::size_t victim; // remove: index among the entries inserted so far
};

rc::Gen<wheel_op> wheel_op_gen() {
    using rc::gen::inRange;
    auto delta = rc::gen::weightedOneOf<std::int64_t>({
        {4, inRange<std::int64_t>(-70, 130)},
        {4, inRange<std::int64_t>(0, 300'000)},
        {2, inRange<std::int64_t>(0, std::int64_t{1} << 38)}, // beyond one rotation (2^36)
        {
            1,
            rc::gen::elementOf(std::vector<std::int64_t>{63,
                                                         64,
                                                         65,
                                                         4095,
                                                         4096,
                                                         4097,
                                                         262143,
                                                         262144,
                                                         1073741831,
                                                         68719476735,
                                                         68719476736,
                                                         68719476737})},
    });
    auto step = rc::gen::weightedOneOf<std::int64_t>({
        {5, inRange<std::int64_t>(0, 70)},
        {3, inRange<std::int64_t>(0, 5'000)},
        {2, inRange<std::int64_t>(0, 400'000)},
        {1, inRange<std::int64_t>(0, std::int64_t{1} << 37)},
    });
    return rc::gen::weightedOneOf<wheel_op>({
        {4,
         rc::gen::map(delta,
                      [](std::int64_t d) {
                          return wheel_op{wheel_op::kind::insert, d, 0};
                      })},
        {4,
         rc::gen::map(step,
                      [](std::int64_t s) {
                          return wheel_op{wheel_op::kind::advance, s, 0};
                      })},
        {1,
         rc::gen::map(inRange<std::size_t>(0, 64),
                      [](std::size_t v) {
                          return wheel_op{wheel_op::kind::remove, 0, v};
                      })},
    });
}

} // namespace

RC_GTEST_PROP(TimerWheel,
              EveryEntryFiresExactlyOnceNeitherBeforeItsDeadlineNorAfterTheFirstAdvanceReachingIt,
              ()) {
    const auto start = *rc::gen::weightedOneOf<std::uint64_t>({
        {3, rc::gen::just<std::uint64_t>(0)},
        {2, rc::gen::inRange<std::uint64_t>(0, 1'000'000)},
        {1,
         rc::gen::inRange<std::uint64_t>((std::uint64_t{1} << 36) - 500'000,
                                         (std::uint64_t{1} << 36) + 10)},
    });
    const auto ops = *rc::gen::container<std::vector<wheel_op>>(wheel_op_gen());
    const hang_watchdog watchdog(20);

    timer_wheel wheel;
    fire_log log;
    advance_to(wheel, log, start);
    std::vector<std::unique_ptr<recording_entry>> entries;
    std::vector<std::uint64_t> deadlines;
    std::vector<bool> removed;
    std::uint64_t now = start;

    // Checks the wheel against the model after each step.
    auto check = [&] {
        std::size_t linked = 0;
        std::optional<std::uint64_t> earliest;
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const int times = log.times_fired(static_cast<int>(i));
            if (removed[i]) {
                RC_ASSERT(times == 0);
                continue;
            }
            RC_ASSERT(times <= 1);
            if (times == 1) {
                RC_ASSERT(!entries[i]->linked);
                RC_ASSERT(*log.fired_at(static_cast<int>(i)) >= deadlines[i]);
            } else {
                RC_ASSERT(entries[i]->linked);
                ++linked;
                std::uint64_t due = std::max(deadlines[i], wheel.elapsed());
                earliest = earliest ? std::min(*earliest, due) : due;
            }
        }
        RC_ASSERT(wheel.size() == linked);
        const std::optional<std::uint64_t> next = wheel.next_deadline();
        RC_ASSERT(next.has_value() == earliest.has_value());
        if (next) {
            RC_ASSERT(*next >= wheel.elapsed());
            RC_ASSERT(*next <= *earliest);
        }
    };

    for (const wheel_op& op : ops) {
        switch (op.what) {
        case wheel_op::kind::insert: {
            const std::int64_t wanted = static_cast<std::int64_t>(now) + op.delta;
            const std::uint64_t deadline = wanted < 0 ? 0 : static_cast<std::uint64_t>(wanted);
            const int id = static_cast<int>(entries.size());
            entries.push_back(std::make_unique<recording_entry>(log, id, deadline));
            deadlines.push_back(deadline);
            removed.push_back(false);
            wheel.insert(entries.back().get());
            break;
        }
        case wheel_op::kind::advance: {
            now += static_cast<std::uint64_t>(op.delta);
            const std::size_t fired_before = log.fired.size();
            advance_to(wheel, log, now);
            // Every entry that fired in this advance was due by `now`, and every
            // linked entry due by `now` fired in it.
            for (std::size_t f = fired_before; f < log.fired.size(); ++f) {
                RC_ASSERT(deadlines[static_cast<std::size_t>(log.fired[f].id)] <= now);
            }
            for (std::size_t i = 0; i < entries.size(); ++i) {
                if (!removed[i] && deadlines[i] <= now) {
                    RC_ASSERT(log.times_fired(static_cast<int>(i)) == 1);
                }
            }
            RC_ASSERT(wheel.elapsed() == now);
            break;
        }
        case wheel_op::kind::remove: {
            if (entries.empty()) {
                break;
            }
            const std::size_t victim = op.victim % entries.size();
            if (entries[victim]->linked) {
                wheel.remove(entries[victim].get());
                removed[victim] = true;
            }
            break;
        }
        }
        check();
    }

    // Finally everything still armed fires, each at its own deadline when the
    // wheel is driven by its reported next deadlines (entries inserted after
    // the last advance and already due fire at once).
    const std::uint64_t final_start = now;
    while (std::optional<std::uint64_t> next = wheel.next_deadline()) {
        RC_ASSERT(*next >= now);
        const std::size_t fired_before = log.fired.size();
        now = *next;
        advance_to(wheel, log, now);
        for (std::size_t f = fired_before; f < log.fired.size(); ++f) {
            const auto id = static_cast<std::size_t>(log.fired[f].id);
            RC_ASSERT(log.fired[f].now == std::max(deadlines[id], final_start));
        }
        check();
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
        RC_ASSERT(log.times_fired(static_cast<int>(i)) == (removed[i] ? 0 : 1));
    }
}
