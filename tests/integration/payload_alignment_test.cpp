// Over-aligned payloads travel at their own alignment: the mailbox node that
// carries them is allocated with it, so neither the send nor the receive
// builds a value at a misaligned address.

#include <rill/rill.hpp>
#include <rill/testing.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace rill {
namespace {

using testing::deterministic_options;

bool aligned_to(const void* address, std::size_t alignment) {
    return reinterpret_cast<std::uintptr_t>(address) % alignment == 0;
}

// Counts the constructions of over-aligned payloads at misaligned addresses
// (the deterministic runtime runs every process on the test's thread).
int misaligned_constructions = 0;

template <std::size_t Alignment>
struct alignas(Alignment) aligned_payload {
    explicit aligned_payload(std::uint64_t v)
        : value(v) {
        note_address();
    }

    aligned_payload(aligned_payload&& other) noexcept
        : value(other.value) {
        note_address();
    }

    aligned_payload(const aligned_payload& other)
        : value(other.value) {
        note_address();
    }

    aligned_payload& operator=(const aligned_payload&) = delete;
    aligned_payload& operator=(aligned_payload&&) = delete;
    ~aligned_payload() = default;

    void note_address() const {
        if (!aligned_to(this, Alignment)) {
            ++misaligned_constructions;
        }
    }

    std::uint64_t value;
};

template <std::size_t Alignment>
task<> sum_as_terms(int count, std::uint64_t* total) {
    for (int i = 0; i < count; ++i) {
        term got = co_await process::receive_exact<term>();
        *total += got.get<aligned_payload<Alignment>>().value;
    }
}

template <std::size_t Alignment>
task<> send_aligned(pid to, int count) {
    for (int i = 1; i <= count; ++i) {
        process::send(to, aligned_payload<Alignment>(static_cast<std::uint64_t>(i)));
    }
    co_return;
}

template <std::size_t Alignment>
void expect_delivered_aligned() {
    runtime rt(deterministic_options());
    misaligned_constructions = 0;
    std::uint64_t total = 0;
    pid receiver = rt.spawn(sum_as_terms<Alignment>, 100, &total);

    rt.spawn(send_aligned<Alignment>, receiver, 100);
    rt.run_until_idle();

    EXPECT_EQ(total, 5050U);
    EXPECT_EQ(misaligned_constructions, 0);
}

TEST(PayloadAlignment, A64ByteAlignedPayloadIsNeverBuiltMisaligned) {
    expect_delivered_aligned<64>();
}

TEST(PayloadAlignment, A128ByteAlignedPayloadIsNeverBuiltMisaligned) {
    expect_delivered_aligned<128>();
}

TEST(PayloadAlignment, A4096ByteAlignedPayloadIsNeverBuiltMisaligned) {
    expect_delivered_aligned<4096>();
}

// A 512-bit vector of doubles, the layout of `__m512d`, without needing
// AVX-512 to compile the test. Process bodies hold it only in heap storage:
// coroutine frames are 16-byte aligned (see receive.hpp).
using vector_of_eight_doubles [[gnu::vector_size(64)]] = double;

struct simd_payload {
    vector_of_eight_doubles lanes;
};

task<> send_vectors(pid to, int count) {
    auto v = std::make_unique<simd_payload>();
    for (int i = 0; i < count; ++i) {
        for (int lane = 0; lane < 8; ++lane) {
            v->lanes[lane] = i + lane * 0.5;
        }
        process::send(to, *v);
    }
    co_return;
}

task<> sum_vectors(int count, double* total) {
    for (int i = 0; i < count; ++i) {
        term got = co_await process::receive_exact<term>();
        const auto& v = got.get<simd_payload>();
        for (int lane = 0; lane < 8; ++lane) {
            *total += v.lanes[lane];
        }
    }
}

TEST(PayloadAlignment, ASimdVectorPayloadTravelsBetweenProcesses) {
    runtime rt(deterministic_options());
    double total = 0;
    pid receiver = rt.spawn(sum_vectors, 10, &total);

    rt.spawn(send_vectors, receiver, 10);
    rt.run_until_idle();

    // Each vector sums to 8 i + 14; over i = 0..9: 8 * 45 + 140.
    EXPECT_DOUBLE_EQ(total, 500.0);
}

TEST(PayloadAlignment, AnOverAlignedPayloadCanBeReceivedAsATerm) {
    runtime rt(deterministic_options());
    std::vector<term> got;
    pid receiver = rt.spawn(testing::collect_all, &got);

    rt.send(receiver, aligned_payload<64>(7));
    rt.run_until_idle();

    ASSERT_EQ(got.size(), 1U);
    ASSERT_TRUE(got[0].is<aligned_payload<64>>());
    EXPECT_EQ(got[0].get<aligned_payload<64>>().value, 7U);
    EXPECT_TRUE(aligned_to(&got[0].get<aligned_payload<64>>(), 64));
}

} // namespace
} // namespace rill
