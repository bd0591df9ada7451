// Fragmented messages and the two-lane send queue, without sockets: a
// large message splits into fragments that reassemble into it, the
// assembler refuses every malformed or unbounded sequence, and the queue
// lets other senders' frames and ticks pass a large message while one
// sender's frames keep their order.

#include "dist/connection/fragments.hpp"

#include "dist/connection/control.hpp"
#include "dist/connection/send_queue.hpp"
#include "dist/handshake/dist_flags.hpp"
#include "dist/wire/protocol_error.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace rill::dist::internal {
namespace {

// A message of `size` bytes of a recognisable pattern.
std::shared_ptr<const bytes> pattern(std::size_t size) {
    bytes data(size);
    for (std::size_t i = 0; i < size; ++i) {
        data[i] = static_cast<std::byte>((i * 7U + i / 251U) & 0xFFU);
    }
    return std::make_shared<const bytes>(std::move(data));
}

// The fragments of `message[offset, offset + size)`.
std::vector<outbound_frame> split(const std::shared_ptr<const bytes>& message,
                                  std::size_t offset,
                                  std::size_t size,
                                  std::uint64_t sequence) {
    return split_into_fragments({}, message, std::span(*message).subspan(offset, size), sequence);
}

// A fragment as the peer's reader gets it: the frame after its length.
bytes body_of(const outbound_frame& frame) {
    bytes body(frame.head.begin() + 4, frame.head.end());
    body.insert(body.end(), frame.tail.begin(), frame.tail.end());
    return body;
}

std::uint32_t length_field(const outbound_frame& frame) {
    std::uint32_t length = 0;
    for (int i = 0; i < 4; ++i) {
        length = (length << 8U) |
                 std::to_integer<std::uint32_t>(frame.head[static_cast<std::size_t>(i)]);
    }
    return length;
}

bytes frame_body(std::initializer_list<int> values) {
    bytes out;
    for (int v : values) {
        out.push_back(static_cast<std::byte>(v));
    }
    return out;
}

void put_header(bytes& out, int kind, std::uint64_t sequence, std::uint64_t id) {
    out.push_back(std::byte{131});
    out.push_back(static_cast<std::byte>(kind));
    put_u64(out, sequence);
    put_u64(out, id);
    if (kind == 69) {
        out.push_back(std::byte{0});
    }
}

TEST(Fragments, ALargeMessageSplitsIntoCountedDownFragmentsThatReassemble) {
    const std::size_t size = 3 * fragment_size + 123;
    const auto message = pattern(size + 10);
    const auto fragments = split(message, 10, size, 42);
    ASSERT_EQ(fragments.size(), 4U);
    for (std::size_t i = 0; i < fragments.size(); ++i) {
        const outbound_frame& f = fragments[i];
        EXPECT_EQ(length_field(f), f.size() - 4);
        EXPECT_EQ(f.head[4], std::byte{131});
        EXPECT_EQ(f.head[5], i == 0 ? dist_frag_header : dist_frag_cont);
        EXPECT_EQ(f.tail.size(), i < 3 ? fragment_size : 123U);
        EXPECT_EQ(f.tail.data(), message->data() + 10 + i * fragment_size);
    }
    fragment_assembler assembler(size_t{1} << 30U);
    for (std::size_t i = 0; i + 1 < fragments.size(); ++i) {
        EXPECT_FALSE(assembler.feed(body_of(fragments[i])));
        EXPECT_EQ(assembler.open_messages(), 1U);
    }
    const auto whole = assembler.feed(body_of(fragments.back()));
    ASSERT_TRUE(whole);
    EXPECT_TRUE(std::equal(
        whole->bytes.begin(), whole->bytes.end(), message->begin() + 10, message->end()));
    EXPECT_EQ(assembler.open_messages(), 0U);
    EXPECT_EQ(assembler.buffered_bytes(), 0U);
}

TEST(Fragments, AReaderCanPlaceContinuationsStraightIntoTheMessage) {
    const std::size_t size = 3 * fragment_size + 77;
    const auto message = pattern(size);
    const auto fragments = split(message, 0, size, 7);
    fragment_assembler assembler(std::size_t{1} << 30U);
    EXPECT_FALSE(assembler.feed(body_of(fragments[0])));
    // Room for the whole message is charged at once.
    EXPECT_GE(assembler.buffered_bytes(), 19 + 4 * fragment_size);
    std::optional<etf::shared_bytes> whole;
    for (std::size_t i = 1; i < fragments.size(); ++i) {
        const bytes body = body_of(fragments[i]);
        std::uint64_t sequence = 0;
        const std::span<std::byte> into = assembler.begin_continuation(
            std::span<const std::byte>(body).first(18), body.size() - 18, sequence);
        EXPECT_EQ(sequence, 7U);
        std::copy(body.begin() + 18, body.end(), into.begin());
        whole = assembler.finish_continuation(sequence);
        EXPECT_EQ(whole.has_value(), i + 1 == fragments.size());
    }
    ASSERT_TRUE(whole);
    EXPECT_TRUE(
        std::equal(whole->bytes.begin(), whole->bytes.end(), message->begin(), message->end()));
    EXPECT_EQ(assembler.buffered_bytes(), 0U);
    EXPECT_EQ(assembler.open_messages(), 0U);
}

TEST(Fragments, AContinuationOutOfOrderIsRefusedBeforeAnythingIsPlaced) {
    const auto message = pattern(3 * fragment_size);
    const auto fragments = split(message, 0, message->size(), 8);
    fragment_assembler assembler(std::size_t{1} << 30U);
    EXPECT_FALSE(assembler.feed(body_of(fragments[0])));
    const bytes third = body_of(fragments[2]);
    std::uint64_t sequence = 0;
    EXPECT_THROW((void)assembler.begin_continuation(
                     std::span<const std::byte>(third).first(18), third.size() - 18, sequence),
                 protocol_error);
}

TEST(Fragments, APrefixGoesWholeInTheFirstFragmentAndTheDataFollows) {
    const bytes prefix = frame_body({1, 2, 3, 4, 5});
    const auto data = pattern(2 * fragment_size);
    const auto fragments = split_into_fragments(prefix, data, *data, 3);
    ASSERT_EQ(fragments.size(), 3U);
    EXPECT_EQ(fragments[0].tail.size(), fragment_size - prefix.size());
    EXPECT_EQ(fragments[2].tail.size(), prefix.size());
    fragment_assembler assembler(std::size_t{1} << 30U);
    EXPECT_FALSE(assembler.feed(body_of(fragments[0])));
    EXPECT_FALSE(assembler.feed(body_of(fragments[1])));
    const auto whole = assembler.feed(body_of(fragments[2]));
    ASSERT_TRUE(whole);
    bytes expected = prefix;
    expected.insert(expected.end(), data->begin(), data->end());
    EXPECT_TRUE(
        std::equal(whole->bytes.begin(), whole->bytes.end(), expected.begin(), expected.end()));
}

TEST(Fragments, InterleavedMessagesReassembleEachOnItsOwn) {
    const auto a = pattern(2 * fragment_size + 1);
    const auto b = pattern(fragment_size + 5);
    const auto fa = split(a, 0, a->size(), 1);
    const auto fb = split(b, 0, b->size(), 2);
    fragment_assembler assembler(size_t{1} << 30U);
    EXPECT_FALSE(assembler.feed(body_of(fa[0])));
    EXPECT_FALSE(assembler.feed(body_of(fb[0])));
    EXPECT_FALSE(assembler.feed(body_of(fa[1])));
    const auto whole_b = assembler.feed(body_of(fb[1]));
    ASSERT_TRUE(whole_b);
    EXPECT_TRUE(std::equal(whole_b->bytes.begin(), whole_b->bytes.end(), b->begin(), b->end()));
    const auto whole_a = assembler.feed(body_of(fa[2]));
    ASSERT_TRUE(whole_a);
    EXPECT_TRUE(std::equal(whole_a->bytes.begin(), whole_a->bytes.end(), a->begin(), a->end()));
}

TEST(Fragments, AWholeMessageAndAOneFragmentMessageNeedNoReassembly) {
    fragment_assembler assembler(1024);
    const auto whole = assembler.feed(frame_body({131, 68, 0, 97, 1}));
    ASSERT_TRUE(whole);
    ASSERT_EQ(whole->bytes.size(), 2U);
    EXPECT_EQ(whole->bytes[0], std::byte{97});
    bytes single;
    put_header(single, 69, 9, 1);
    single.push_back(std::byte{97});
    const auto one = assembler.feed(single);
    ASSERT_TRUE(one);
    EXPECT_EQ(one->bytes.size(), 1U);
    EXPECT_EQ(assembler.open_messages(), 0U);
}

TEST(Fragments, MalformedSequencesAreProtocolErrors) {
    auto refused = [](std::vector<bytes> frames) {
        fragment_assembler assembler(1024);
        try {
            for (bytes& frame : frames) {
                (void)assembler.feed(std::move(frame));
            }
        } catch (const protocol_error&) {
            return true;
        }
        return false;
    };
    bytes start;
    put_header(start, 69, 5, 3);
    bytes cont_wrong_id;
    put_header(cont_wrong_id, 70, 5, 1); // 2 was due
    bytes cont_unknown;
    put_header(cont_unknown, 70, 6, 1);
    bytes id_zero;
    put_header(id_zero, 69, 7, 0);
    bytes big_start;
    put_header(big_start, 69, 8, 2);
    big_start.resize(big_start.size() + 2000); // over the 1024-byte bound
    EXPECT_TRUE(refused({start, cont_wrong_id}));
    EXPECT_TRUE(refused({cont_unknown}));
    EXPECT_TRUE(refused({start, start}));
    EXPECT_TRUE(refused({id_zero}));
    EXPECT_TRUE(refused({big_start}));
    EXPECT_TRUE(refused({frame_body({131, 68, 1, 0, 0})})); // atom cache references
    EXPECT_TRUE(refused({frame_body({131, 71})}));
    EXPECT_TRUE(refused({frame_body({131, 69, 0, 0})})); // truncated header
    EXPECT_FALSE(refused({start}));
}

TEST(Fragments, FramesUnderAHeaderDecodeToTheSignalTheyCarry) {
    remote_signal s;
    s.kind = remote_signal_kind::message;
    s.from = pid{atom{"a@localhost"}, 3, 0, 7};
    s.to = pid{atom{"b@localhost"}, 4, 0, 9};
    s.payload = term::tuple_of(atom{"hello"}, 42);
    bytes frame;
    append_frame(frame, s, dflag::offered);
    ASSERT_GE(frame.size(), whole_message_prefix);
    EXPECT_EQ(frame[4], std::byte{131});
    EXPECT_EQ(frame[5], dist_header);
    const inbound_signal decoded = decode_frame(
        etf::shared_bytes::adopt(bytes(frame.begin() + 4, frame.end())), atom{"b@localhost"});
    const auto* back = std::get_if<remote_signal>(&decoded);
    ASSERT_NE(back, nullptr);
    EXPECT_EQ(back->from, s.from);
    EXPECT_EQ(back->to, s.to);
    EXPECT_TRUE(exactly_equal(back->payload, s.payload));
    // Without the fragments flag the same signal goes in pass-through form.
    bytes plain;
    append_frame(plain, s, dflag::offered & ~dflag::fragments);
    EXPECT_EQ(plain[4], std::byte{'p'});
}

outbound_frame small_frame(pid sender, int marker) {
    outbound_frame f;
    f.head = frame_body({0, 0, 0, 1, marker});
    f.sender = sender;
    return f;
}

int marker_of(const outbound_frame& f) {
    return f.owner ? -static_cast<int>(
                         (f.tail.data() - static_cast<const bytes*>(f.owner.get())->data()) /
                         static_cast<std::ptrdiff_t>(fragment_size)) -
                         1
                   : std::to_integer<int>(f.head.back());
}

// Queues the fragments of a message of `count` fragments from `sender`.
void push_large_message(send_queue& queue, pid sender, std::size_t count) {
    const auto message = pattern(count * fragment_size);
    auto fragments = split(message, 0, message->size(), 1);
    for (outbound_frame& f : fragments) {
        f.sender = sender;
    }
    queue.push_fragments(fragments);
}

TEST(SendQueue, OtherSendersAndTicksPassALargeMessageOneSendersFramesKeepTheirOrder) {
    const pid a{atom{"a@localhost"}, 1, 0, 1};
    const pid b{atom{"a@localhost"}, 2, 0, 1};
    send_queue queue;
    push_large_message(queue, a, 10);
    queue.push(small_frame(a, 1)); // a's next message: after its large one
    queue.push(small_frame(b, 2)); // another sender's: passes it
    // Fragment frames: the length, a 19- or 18-byte header, the data.
    EXPECT_EQ(queue.size_in_bytes(), 10 * fragment_size + (4 + 19) + 9 * (4 + 18) + 2 * 5);

    std::vector<std::vector<int>> writes;
    while (!queue.empty()) {
        std::vector<int> write;
        for (const outbound_frame& f : queue.take_batch(4 * (fragment_size + 32))) {
            write.push_back(marker_of(f));
        }
        writes.push_back(write);
        if (writes.size() == 1) {
            outbound_frame tick;
            tick.head.assign(4, std::byte{0});
            queue.push_urgent(std::move(tick)); // a tick, while a is still sending
            queue.push(small_frame(b, 3));
        }
    }
    const std::vector<std::vector<int>> expected{
        {2, -1, -2, -3, -4},
        {0, 3, -5, -6, -7, -8},
        {-9, -10, 1},
    };
    EXPECT_EQ(writes, expected);
    EXPECT_EQ(queue.size_in_bytes(), 0U);
}

TEST(SendQueue, TakeAllEmptiesBothLanes) {
    const pid a{atom{"a@localhost"}, 1, 0, 1};
    send_queue queue;
    push_large_message(queue, a, 2);
    queue.push(small_frame(a, 1));
    EXPECT_EQ(queue.take_all().size(), 3U);
    EXPECT_TRUE(queue.empty());
    EXPECT_EQ(queue.size_in_bytes(), 0U);
    queue.push(small_frame(a, 4)); // a has nothing in the bulk lane any more
    EXPECT_EQ(queue.take_batch(1).size(), 1U);
}

} // namespace
} // namespace rill::dist::internal
