#include "process/mailbox.hpp"

#include <rill/detail/mailbox_node.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <barrier>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <optional>
#include <rapidcheck/gtest.h>
#include <set>
#include <thread>
#include <vector>

namespace {

using rill::detail::holds_payload;
using rill::detail::mailbox_node;
using rill::detail::make_message_node;
using rill::detail::payload_node;
using rill::internal::mailbox;
using push_result = mailbox::push_result;

int value_of(const mailbox_node* node) {
    EXPECT_TRUE(holds_payload<int>(node));
    return static_cast<const payload_node<int>*>(node)->value;
}

// Reads a list linked through `next` and destroys its nodes.
std::vector<int> consume_list(mailbox_node* node) {
    std::vector<int> values;
    while (node != nullptr) {
        mailbox_node* next = node->next;
        values.push_back(value_of(node));
        node->destroy();
        node = next;
    }
    return values;
}

// Moves everything in the inbox to the message queue, as a process does.
void drain_into_queue(mailbox& box) {
    mailbox_node* node = box.take_incoming();
    while (node != nullptr) {
        mailbox_node* next = node->next;
        box.append(node, 0);
        node = next;
    }
}

void append_values(mailbox& box, const std::vector<int>& values) {
    for (int v : values) {
        box.append(make_message_node(v), 0);
    }
}

// A mailbox that frees whatever a test leaves in it.
struct owned_mailbox : mailbox {
    owned_mailbox() = default;
    owned_mailbox(const owned_mailbox&) = delete;
    owned_mailbox& operator=(const owned_mailbox&) = delete;

    ~owned_mailbox() {
        consume_list(close());
        consume_list(take_all_messages());
    }
};

// Scans with a matcher accepting `wanted`, counting its calls in `calls`.
mailbox_node* scan_for(mailbox& box, int wanted, int& calls) {
    return box.scan([&](const mailbox_node* node) {
        ++calls;
        return value_of(node) == wanted;
    });
}

} // namespace

TEST(Mailbox, TakeIncomingReturnsNodesInPushOrder) {
    owned_mailbox box;
    for (int i = 1; i <= 5; ++i) {
        ASSERT_EQ(box.push(make_message_node(i)), push_result::queued);
    }

    mailbox_node* taken = box.take_incoming();

    EXPECT_EQ(consume_list(taken), (std::vector<int>{1, 2, 3, 4, 5}));
    EXPECT_EQ(box.take_incoming(), nullptr);
}

TEST(Mailbox, TakeIncomingOnAnEmptyInboxReturnsNull) {
    owned_mailbox box;

    mailbox_node* taken = box.take_incoming();

    EXPECT_EQ(taken, nullptr);
}

TEST(Mailbox, TryBlockFailsWhileTheInboxHoldsNodes) {
    owned_mailbox box;
    ASSERT_EQ(box.push(make_message_node(1)), push_result::queued);

    const bool blocked = box.try_block();

    EXPECT_FALSE(blocked);
    EXPECT_EQ(consume_list(box.take_incoming()), (std::vector<int>{1}));
}

TEST(Mailbox, TryBlockSucceedsOnceTheInboxIsEmpty) {
    owned_mailbox box;
    ASSERT_EQ(box.push(make_message_node(1)), push_result::queued);
    consume_list(box.take_incoming());

    const bool blocked = box.try_block();

    EXPECT_TRUE(blocked);
}

TEST(Mailbox, FirstPushAfterABlockReportsQueuedAndWokeExactlyOnce) {
    owned_mailbox box;
    ASSERT_TRUE(box.try_block());

    const push_result first = box.push(make_message_node(1));
    const push_result second = box.push(make_message_node(2));
    const push_result third = box.push(make_message_node(3));

    EXPECT_EQ(first, push_result::queued_and_woke);
    EXPECT_EQ(second, push_result::queued);
    EXPECT_EQ(third, push_result::queued);
    EXPECT_EQ(consume_list(box.take_incoming()), (std::vector<int>{1, 2, 3}));
}

TEST(Mailbox, EachBlockIsWokenByExactlyOnePush) {
    owned_mailbox box;
    std::vector<push_result> results;

    for (int round = 0; round < 3; ++round) {
        ASSERT_TRUE(box.try_block());
        results.push_back(box.push(make_message_node(round)));
        results.push_back(box.push(make_message_node(round + 100)));
        EXPECT_EQ(consume_list(box.take_incoming()), (std::vector<int>{round, round + 100}));
    }

    EXPECT_EQ(results,
              (std::vector<push_result>{push_result::queued_and_woke,
                                        push_result::queued,
                                        push_result::queued_and_woke,
                                        push_result::queued,
                                        push_result::queued_and_woke,
                                        push_result::queued}));
}

TEST(Mailbox, PushAfterCloseReportsClosedAndLeavesTheNodeToTheCaller) {
    owned_mailbox box;
    consume_list(box.close());
    mailbox_node* node = make_message_node(7);

    const push_result result = box.push(node);

    EXPECT_EQ(result, push_result::closed);
    EXPECT_EQ(value_of(node), 7); // still the caller's, intact
    node->destroy();
}

// The inbox word of a closed (or parked) mailbox holds a marker, not a node:
// taking the inbox must not hand the marker out as a message, write through
// it, or reopen the mailbox. Run in a child process: today the marker is a
// const object and the write crashes.
TEST(Mailbox, TakeIncomingOnAClosedMailboxTakesNothingAndKeepsItClosed) {
    auto take_after_close = [] {
        owned_mailbox box;
        consume_list(box.close());
        mailbox_node* taken = box.take_incoming();
        mailbox_node* late = make_message_node(1);
        const bool still_closed = box.push(late) == push_result::closed;
        if (still_closed) {
            late->destroy();
        }
        std::exit(taken == nullptr && still_closed ? 0 : 1);
    };

    EXPECT_EXIT(take_after_close(), ::testing::ExitedWithCode(0), "");
}

TEST(Mailbox, CloseReturnsWhatWasStillInTheInboxOldestFirst) {
    owned_mailbox box;
    for (int i = 1; i <= 3; ++i) {
        ASSERT_EQ(box.push(make_message_node(i)), push_result::queued);
    }

    mailbox_node* left = box.close();

    EXPECT_EQ(consume_list(left), (std::vector<int>{1, 2, 3}));
    mailbox_node* late = make_message_node(4);
    EXPECT_EQ(box.push(late), push_result::closed);
    late->destroy();
}

TEST(Mailbox, CloseOfABlockedMailboxReturnsNothingAndRefusesPushes) {
    owned_mailbox box;
    ASSERT_TRUE(box.try_block());

    mailbox_node* left = box.close();

    EXPECT_EQ(left, nullptr);
    mailbox_node* late = make_message_node(1);
    EXPECT_EQ(box.push(late), push_result::closed);
    late->destroy();
}

TEST(Mailbox, ClosingTwiceReturnsNothingTheSecondTime) {
    owned_mailbox box;
    ASSERT_EQ(box.push(make_message_node(1)), push_result::queued);
    consume_list(box.close());

    mailbox_node* second = box.close();

    EXPECT_EQ(second, nullptr);
}

TEST(Mailbox, ReopenedMailboxAcceptsPushesAgain) {
    owned_mailbox box;
    consume_list(box.close());

    box.reopen();
    const push_result result = box.push(make_message_node(9));

    EXPECT_EQ(result, push_result::queued);
    EXPECT_EQ(consume_list(box.take_incoming()), (std::vector<int>{9}));
}

TEST(Mailbox, ScanRemovesTheFirstMatchAndKeepsTheOthersInOrder) {
    owned_mailbox box;
    append_values(box, {1, 2, 3, 2, 5});
    box.reset_scan();
    int calls = 0;

    mailbox_node* found = scan_for(box, 2, calls);

    ASSERT_NE(found, nullptr);
    EXPECT_EQ(value_of(found), 2);
    found->destroy();
    EXPECT_EQ(calls, 2);
    EXPECT_EQ(box.length(), 4U);
    EXPECT_EQ(consume_list(box.take_all_messages()), (std::vector<int>{1, 3, 2, 5}));
}

TEST(Mailbox, ScanThatFindsNothingExaminesEveryMessageOnceAndRemovesNothing) {
    owned_mailbox box;
    append_values(box, {1, 2, 3});
    box.reset_scan();
    int calls = 0;

    mailbox_node* found = scan_for(box, 42, calls);

    EXPECT_EQ(found, nullptr);
    EXPECT_EQ(calls, 3);
    EXPECT_EQ(box.length(), 3U);
    EXPECT_EQ(consume_list(box.take_all_messages()), (std::vector<int>{1, 2, 3}));
}

TEST(Mailbox, ScanResumesWhereThePreviousScanStopped) {
    owned_mailbox box;
    append_values(box, {1, 2, 3});
    box.reset_scan();
    int first_calls = 0;
    ASSERT_EQ(scan_for(box, 10, first_calls), nullptr);
    append_values(box, {4, 5});
    int second_calls = 0;
    ASSERT_EQ(scan_for(box, 10, second_calls), nullptr);
    append_values(box, {10});
    int third_calls = 0;

    mailbox_node* found = scan_for(box, 10, third_calls);

    EXPECT_EQ(first_calls, 3);
    EXPECT_EQ(second_calls, 2); // only the two new messages
    EXPECT_EQ(third_calls, 1);
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(value_of(found), 10);
    found->destroy();
    EXPECT_EQ(consume_list(box.take_all_messages()), (std::vector<int>{1, 2, 3, 4, 5}));
}

TEST(Mailbox, ScanOfAnEmptyQueueResumesAtTheFirstMessageAppendedLater) {
    owned_mailbox box;
    box.reset_scan();
    int first_calls = 0;
    ASSERT_EQ(scan_for(box, 1, first_calls), nullptr);
    append_values(box, {1});
    int second_calls = 0;

    mailbox_node* found = scan_for(box, 1, second_calls);

    EXPECT_EQ(first_calls, 0);
    EXPECT_EQ(second_calls, 1);
    ASSERT_NE(found, nullptr);
    found->destroy();
    EXPECT_EQ(box.length(), 0U);
}

TEST(Mailbox, ResetScanMakesTheNextScanStartAtTheOldestMessage) {
    owned_mailbox box;
    append_values(box, {1, 2, 3});
    box.reset_scan();
    int first_calls = 0;
    ASSERT_EQ(scan_for(box, 10, first_calls), nullptr);
    box.reset_scan();
    int second_calls = 0;

    mailbox_node* found = scan_for(box, 2, second_calls);

    EXPECT_EQ(second_calls, 2);
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(value_of(found), 2);
    found->destroy();
}

TEST(Mailbox, ScanStartsAgainFromTheOldestAfterAMatch) {
    owned_mailbox box;
    append_values(box, {1, 2, 3});
    box.reset_scan();
    int first_calls = 0;
    mailbox_node* two = scan_for(box, 2, first_calls);
    ASSERT_NE(two, nullptr);
    two->destroy();
    int second_calls = 0;

    mailbox_node* one = scan_for(box, 1, second_calls);

    EXPECT_EQ(second_calls, 1);
    ASSERT_NE(one, nullptr);
    EXPECT_EQ(value_of(one), 1);
    one->destroy();
}

TEST(Mailbox, RemovingTheLastMessageKeepsTheTailForLaterAppends) {
    owned_mailbox box;
    append_values(box, {1, 2, 3});
    box.reset_scan();
    int calls = 0;

    mailbox_node* last = scan_for(box, 3, calls);
    append_values(box, {4, 5});

    ASSERT_NE(last, nullptr);
    last->destroy();
    EXPECT_EQ(box.length(), 4U);
    EXPECT_EQ(consume_list(box.take_all_messages()), (std::vector<int>{1, 2, 4, 5}));
}

TEST(Mailbox, RemovingAMiddleMessageKeepsOrderAndTail) {
    owned_mailbox box;
    append_values(box, {1, 2, 3});
    box.reset_scan();
    int calls = 0;

    mailbox_node* middle = scan_for(box, 2, calls);
    append_values(box, {4});

    ASSERT_NE(middle, nullptr);
    middle->destroy();
    EXPECT_EQ(consume_list(box.take_all_messages()), (std::vector<int>{1, 3, 4}));
}

TEST(Mailbox, RemovingTheOnlyMessageLeavesAnEmptyQueueThatAppendsStillReach) {
    owned_mailbox box;
    append_values(box, {1});
    box.reset_scan();
    int calls = 0;

    mailbox_node* only = scan_for(box, 1, calls);
    append_values(box, {2});

    ASSERT_NE(only, nullptr);
    only->destroy();
    EXPECT_EQ(box.length(), 1U);
    EXPECT_EQ(consume_list(box.take_all_messages()), (std::vector<int>{2}));
}

TEST(Mailbox, RemovingTheLastMessageAfterAResumedScanKeepsTheTail) {
    owned_mailbox box;
    append_values(box, {1, 2});
    box.reset_scan();
    int calls = 0;
    ASSERT_EQ(scan_for(box, 3, calls), nullptr);
    append_values(box, {3});

    mailbox_node* found = scan_for(box, 3, calls);
    append_values(box, {4});

    ASSERT_NE(found, nullptr);
    found->destroy();
    EXPECT_EQ(calls, 3);
    EXPECT_EQ(consume_list(box.take_all_messages()), (std::vector<int>{1, 2, 4}));
}

TEST(Mailbox, TakeAllMessagesEmptiesTheQueueAndResetsTheScan) {
    owned_mailbox box;
    append_values(box, {1, 2});
    box.reset_scan();
    int calls = 0;
    ASSERT_EQ(scan_for(box, 9, calls), nullptr);

    const std::vector<int> all = consume_list(box.take_all_messages());
    append_values(box, {9});
    int after_calls = 0;
    mailbox_node* found = scan_for(box, 9, after_calls);

    EXPECT_EQ(all, (std::vector<int>{1, 2}));
    EXPECT_EQ(after_calls, 1);
    ASSERT_NE(found, nullptr);
    found->destroy();
    EXPECT_EQ(box.length(), 0U);
}

TEST(Mailbox, RemoveIfRemovesEveryMatchAndKeepsOrderAndTail) {
    owned_mailbox box;
    append_values(box, {2, 1, 2, 3, 2});

    const std::uint32_t removed =
        box.remove_if([](const mailbox_node* node) { return value_of(node) == 2; });
    append_values(box, {4});

    EXPECT_EQ(removed, 3U);
    EXPECT_EQ(box.length(), 3U);
    EXPECT_EQ(consume_list(box.take_all_messages()), (std::vector<int>{1, 3, 4}));
}

TEST(Mailbox, QueuedBytesSumTheNodeSizeOfEachQueuedMessage) {
    owned_mailbox box;
    append_values(box, {1, 2});
    box.append(make_message_node(std::array<char, 100>{}), 0);

    const std::size_t with_three = box.queued_bytes();
    box.remove_if(
        [](const mailbox_node* node) { return holds_payload<std::array<char, 100>>(node); });

    EXPECT_EQ(with_three,
              2 * sizeof(payload_node<int>) + sizeof(payload_node<std::array<char, 100>>));
    EXPECT_EQ(box.queued_bytes(), 2 * sizeof(payload_node<int>));
    EXPECT_EQ(consume_list(box.take_all_messages()), (std::vector<int>{1, 2}));
    EXPECT_EQ(box.queued_bytes(), 0U);
}

TEST(Mailbox, RemoveIfOfEverythingLeavesAnEmptyQueueThatAppendsStillReach) {
    owned_mailbox box;
    append_values(box, {1, 2, 3});

    const std::uint32_t removed = box.remove_if([](const mailbox_node* /*node*/) { return true; });
    append_values(box, {7});

    EXPECT_EQ(removed, 3U);
    EXPECT_EQ(box.length(), 1U);
    EXPECT_EQ(consume_list(box.take_all_messages()), (std::vector<int>{7}));
}

TEST(Mailbox, RemoveIfRestartsTheScanAtTheOldestMessage) {
    owned_mailbox box;
    append_values(box, {1, 2, 3});
    box.reset_scan();
    int first_calls = 0;
    ASSERT_EQ(scan_for(box, 9, first_calls), nullptr); // the scan now rests at the end

    box.remove_if([](const mailbox_node* node) { return value_of(node) == 2; });
    int second_calls = 0;
    mailbox_node* found = scan_for(box, 3, second_calls);

    EXPECT_EQ(second_calls, 2); // 1, then 3: no dangling resume point
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(value_of(found), 3);
    found->destroy();
}

namespace {

// A step of the selective-receive model below.
struct mailbox_op {
    enum class kind { deliver, receive, retry } what;
    int value;  // deliver: the message's kind (0..4)
    int wanted; // receive: the kind to match, or -1 for "any"
};

rc::Gen<mailbox_op> mailbox_op_gen() {
    return rc::gen::weightedOneOf<mailbox_op>({
        {5,
         rc::gen::map(rc::gen::inRange(0, 5),
                      [](int v) {
                          return mailbox_op{mailbox_op::kind::deliver, v, 0};
                      })},
        {3,
         rc::gen::map(rc::gen::inRange(-1, 5),
                      [](int k) {
                          return mailbox_op{mailbox_op::kind::receive, 0, k};
                      })},
        {2, rc::gen::just(mailbox_op{mailbox_op::kind::retry, 0, 0})},
    });
}

// Messages are `serial * 8 + kind`, so every message is distinct.
bool kind_matches(int message, int wanted) {
    return wanted < 0 || message % 8 == wanted;
}

} // namespace

// A receive starts with reset_scan and scans; when nothing matches it stays
// pending, and "retry" scans again after new deliveries, as a woken process
// does. The mailbox must agree with a plain deque with the same removals,
// and a pending receive must examine each message at most once.
RC_GTEST_PROP(Mailbox, SelectiveReceivesLeaveTheQueueEqualToTheModel, ()) {
    const auto ops = *rc::gen::container<std::vector<mailbox_op>>(mailbox_op_gen());

    owned_mailbox box;
    std::deque<int> model;
    std::optional<int> pending; // the wanted kind of a receive still waiting
    std::set<int> examined;     // messages the pending receive has looked at
    int serial = 0;
    auto scan = [&](int wanted) {
        bool examined_twice = false;
        mailbox_node* found = box.scan([&](const mailbox_node* node) {
            const int message = static_cast<const payload_node<int>*>(node)->value;
            examined_twice = examined_twice || !examined.insert(message).second;
            return kind_matches(message, wanted);
        });
        RC_ASSERT(!examined_twice); // a waiting receive never rescans a message
        return found;
    };
    auto expect_model_match = [&](mailbox_node* found, int wanted) {
        auto it = std::find_if(
            model.begin(), model.end(), [&](int m) { return kind_matches(m, wanted); });
        if (it == model.end()) {
            RC_ASSERT(found == nullptr);
            return false;
        }
        RC_ASSERT(found != nullptr);
        const int message = static_cast<payload_node<int>*>(found)->value;
        found->destroy();
        RC_ASSERT(message == *it);
        model.erase(it);
        return true;
    };

    for (const mailbox_op& op : ops) {
        switch (op.what) {
        case mailbox_op::kind::deliver: {
            const int message = serial++ * 8 + op.value;
            RC_ASSERT(box.push(make_message_node(message)) != push_result::closed);
            drain_into_queue(box);
            model.push_back(message);
            break;
        }
        case mailbox_op::kind::receive: {
            box.reset_scan();
            examined.clear();
            const bool matched = expect_model_match(scan(op.wanted), op.wanted);
            pending = matched ? std::nullopt : std::optional<int>(op.wanted);
            break;
        }
        case mailbox_op::kind::retry: {
            if (!pending) {
                break;
            }
            if (expect_model_match(scan(*pending), *pending)) {
                pending.reset();
            }
            break;
        }
        }
        RC_ASSERT(box.length() == model.size());
    }

    std::vector<int> left;
    for (mailbox_node* node = box.take_all_messages(); node != nullptr;) {
        mailbox_node* next = node->next;
        left.push_back(static_cast<payload_node<int>*>(node)->value);
        node->destroy();
        node = next;
    }
    RC_ASSERT(left == std::vector<int>(model.begin(), model.end()));
}

// Four producers push tagged nodes while one consumer drains the inbox and
// parks (try_block) whenever it finds it empty. A producer whose push
// reports `queued_and_woke` wakes the consumer, as the scheduler would.
TEST(Mailbox, ManyProducersLoseNothingKeepPerProducerOrderAndWakeOncePerBlock) {
#if defined(__SANITIZE_THREAD__)
    constexpr int per_producer = 2'000;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
    constexpr int per_producer = 2'000;
#else
    constexpr int per_producer = 10'000;
#endif
#else
    constexpr int per_producer = 10'000;
#endif
    constexpr int producer_count = 4;
    constexpr int tag_stride = 1'000'000; // message = producer * stride + sequence
    owned_mailbox box;
    std::atomic<std::uint64_t> wakes{0};
    std::barrier start(producer_count + 1);
    std::vector<std::thread> producers;
    for (int p = 0; p < producer_count; ++p) {
        producers.emplace_back([&, p] {
            start.arrive_and_wait();
            for (int i = 0; i < per_producer; ++i) {
                if (box.push(make_message_node(p * tag_stride + i)) ==
                    push_result::queued_and_woke) {
                    wakes.fetch_add(1, std::memory_order_release);
                    wakes.notify_one();
                }
            }
        });
    }
    std::vector<int> next_expected(producer_count, 0);
    int received = 0;
    int out_of_order = 0;
    std::uint64_t blocks = 0;
    std::uint64_t extra_wakes = 0;

    start.arrive_and_wait();
    while (received < producer_count * per_producer) {
        mailbox_node* node = box.take_incoming();
        if (node == nullptr) {
            if (!box.try_block()) {
                continue; // something arrived meanwhile
            }
            ++blocks;
            // Parked: exactly one push replaces the marker and wakes us.
            std::uint64_t seen = wakes.load(std::memory_order_acquire);
            while (seen < blocks) {
                wakes.wait(seen, std::memory_order_acquire);
                seen = wakes.load(std::memory_order_acquire);
            }
            extra_wakes += seen > blocks ? 1 : 0;
            continue;
        }
        while (node != nullptr) {
            mailbox_node* next = node->next;
            const int message = static_cast<payload_node<int>*>(node)->value;
            const int producer = message / tag_stride;
            const int sequence = message % tag_stride;
            if (sequence != next_expected[static_cast<std::size_t>(producer)]) {
                ++out_of_order;
            }
            next_expected[static_cast<std::size_t>(producer)] = sequence + 1;
            ++received;
            node->destroy();
            node = next;
        }
    }
    for (std::thread& producer : producers) {
        producer.join();
    }

    EXPECT_EQ(received, producer_count * per_producer);
    EXPECT_EQ(out_of_order, 0);
    for (int p = 0; p < producer_count; ++p) {
        EXPECT_EQ(next_expected[static_cast<std::size_t>(p)], per_producer) << "producer " << p;
    }
    EXPECT_EQ(extra_wakes, 0U);
    EXPECT_EQ(wakes.load(), blocks);
    EXPECT_EQ(box.take_incoming(), nullptr);
}

TEST(Mailbox, OldestArrivalIsTheStampOfTheHeadOfTheQueue) {
    owned_mailbox box;
    EXPECT_EQ(box.oldest_arrival(), std::nullopt);
    box.append(make_message_node(1), 5);
    box.append(make_message_node(2), 7);
    EXPECT_EQ(box.oldest_arrival(), 5U);

    box.remove_if([](const mailbox_node* node) { return value_of(node) == 1; });
    EXPECT_EQ(box.oldest_arrival(), 7U);

    consume_list(box.take_all_messages());
    EXPECT_EQ(box.oldest_arrival(), std::nullopt);
    EXPECT_EQ(box.length(), 0U);
    EXPECT_EQ(box.queued_bytes(), 0U);
}
