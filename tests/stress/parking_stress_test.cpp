// The two lock-free protocols under the scheduler, driven hard on real
// threads: parking (a worker that finds no work announces itself idle, then
// looks once more; a pusher publishes, then looks for idle workers; the
// fence pair in between, sync/fence.hpp, makes one of them see the other)
// and pinning (a sender pins a control block and checks its serial, so a
// stale pid never reaches the next process in the slot). A lost wake-up
// shows as a round that never completes, a wrong pin as a message that
// reaches a process it was not addressed to.

#include <rill/rill.hpp>

#include "support/sanitizer_scale.hpp"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

using namespace rill;
using namespace std::chrono_literals;

namespace {

using test::scale_down;

// Handed from a process to the test's thread.
struct reply_box {
    std::mutex mutex;
    std::condition_variable arrived;
    std::optional<int> value;

    void put(int v) {
        // Notifies under the lock: the waiter cannot return, and the test
        // end the box, before the notification is done.
        std::lock_guard lock(mutex);
        value = v;
        arrived.notify_one();
    }

    // Empty when nothing came within the guard: a lost wake-up.
    std::optional<int> take() {
        std::unique_lock lock(mutex);
        if (!arrived.wait_for(lock, 60s, [&] { return value.has_value(); })) {
            return std::nullopt;
        }
        return std::exchange(value, std::nullopt);
    }
};

task<> relay(reply_box* box, int round) {
    box->put(round);
    co_return;
}

// Answers each round through a new process, which an idle worker may have
// to be woken for.
task<> echo(reply_box* box) {
    for (;;) {
        int round = co_await process::receive_exact<int>();
        process::spawn(relay, box, round);
    }
}

// Spins (no sleep) for up to `most`: the next send lands at a random point
// of the workers' way from spinning to parked.
void jitter(std::mt19937& rng, std::chrono::microseconds most) {
    auto until = std::chrono::steady_clock::now() +
                 std::chrono::microseconds(
                     std::uniform_int_distribution<std::int64_t>(0, most.count())(rng));
    while (std::chrono::steady_clock::now() < until) {
    }
}

TEST(ParkingStress, AWakeFromAnotherThreadReachesTheWorkersAtEveryMomentOfTheirParking) {
    constexpr int rounds = 4'000 / scale_down;
    reply_box box; // outlives the runtime, whose processes use it
    runtime rt(runtime_options{.workers = 2});
    pid server = rt.spawn(echo, &box);
    std::mt19937 rng(2026);
    for (int round = 0; round < rounds; ++round) {
        jitter(rng, 120us); // the workers spin 50us before they park
        rt.send(server, round);
        std::optional<int> answer = box.take();
        ASSERT_TRUE(answer.has_value()) << "round " << round << " was never answered";
        ASSERT_EQ(*answer, round);
    }
    rt.send(server, -1); // the echo lives on; the runtime's end takes it down
}

struct addressed {
    pid to;
};

std::atomic<int> misdelivered{0};

// Takes whatever reached it and checks it was meant for it.
task<> check_own_mail(int polls) {
    for (int i = 0; i < polls; ++i) {
        while (std::optional<addressed> m = co_await process::receive_exact<addressed>(0ms)) {
            if (m->to != process::self()) {
                misdelivered.fetch_add(1, std::memory_order_relaxed);
            }
        }
        co_await process::yield();
    }
}

TEST(ParkingStress, AStalePidNeverReachesTheNextProcessInItsSlot) {
    constexpr int waves = 400 / scale_down;
    constexpr int per_wave = 64;
    constexpr int senders = 2;
    misdelivered.store(0);
    runtime rt(runtime_options{.workers = 2});
    // The pids most recently spawned, read by the senders while the
    // processes behind them end and their blocks are reused.
    std::array<std::atomic<std::uint64_t>, per_wave> recent{};
    auto pack = [](const pid& p) {
        return (std::uint64_t{p.serial} << 32) | p.id;
    };
    const std::uint32_t creation = rt.spawn(check_own_mail, 1).creation;
    std::atomic<bool> done{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < senders; ++t) {
        threads.emplace_back([&, t] {
            std::uint64_t sent = 0;
            while (!done.load(std::memory_order_acquire)) {
                for (std::size_t i = 0; i < recent.size(); ++i) {
                    std::uint64_t packed = recent[i].load(std::memory_order_relaxed);
                    if (packed == 0) {
                        continue;
                    }
                    pid to{rt.node(),
                           static_cast<std::uint32_t>(packed),
                           static_cast<std::uint32_t>(packed >> 32),
                           creation};
                    rt.send(to, addressed{to});
                    ++sent;
                }
            }
            EXPECT_GT(sent, 0U) << "sender " << t;
        });
    }
    for (int wave = 0; wave < waves; ++wave) {
        for (std::size_t i = 0; i < recent.size(); ++i) {
            pid p = rt.spawn(check_own_mail, 1 + static_cast<int>(i % 3));
            recent[i].store(pack(p), std::memory_order_relaxed);
        }
    }
    done.store(true, std::memory_order_release);
    for (std::thread& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(misdelivered.load(), 0);
}

} // namespace
