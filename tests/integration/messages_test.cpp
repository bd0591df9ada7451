// S7..S12 of SEMANTICS.md (messages and ordering), the receive variants,
// timers on the virtual clock, and the deterministic scheduler's replay.

#include <rill/testing.hpp>

#include "support/deterministic.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace rill {
namespace {

using test::returns_at_once;

using namespace std::chrono_literals;
using testing::collect_all;
using testing::deterministic_options;

TEST(Messages, S7SendNeverFailsForAPidDeadOrAlive) {
    runtime rt(deterministic_options());
    std::vector<term> got;
    pid alive = rt.spawn(collect_all, &got);
    pid dead = rt.spawn(returns_at_once);
    rt.run_until_idle();

    EXPECT_NO_THROW(rt.send(alive, atom("hello")));
    EXPECT_NO_THROW(rt.send(dead, atom("hello")));
    rt.run_until_idle();

    EXPECT_EQ(got, std::vector<term>{term(atom("hello"))});
}

task<> send_numbers(pid to, int count) {
    for (int i = 1; i <= count; ++i) {
        process::send(to, i);
    }
    co_return;
}

TEST(Messages, S8MessagesFromOneSenderArriveInSendOrder) {
    runtime rt(deterministic_options());
    std::vector<term> got;
    pid receiver = rt.spawn(collect_all, &got);

    rt.spawn(send_numbers, receiver, 1000);
    rt.run_until_idle();

    ASSERT_EQ(got.size(), 1000U);
    for (int i = 0; i < 1000; ++i) {
        EXPECT_EQ(got[static_cast<std::size_t>(i)], term(i + 1));
    }
}

task<> take_b_then_rest(std::vector<term>* out) {
    co_await process::receive_if<atom>([](atom a) { return a == atom("b"); });
    out->push_back(term(atom("b")));
    for (int i = 0; i < 2; ++i) {
        out->push_back(std::get<term>(co_await process::receive_any()));
    }
}

TEST(Messages, S9SelectiveReceiveLeavesTheRestInOrder) {
    runtime rt(deterministic_options());
    std::vector<term> got;
    pid p = rt.spawn(take_b_then_rest, &got);

    rt.send(p, atom("a"));
    rt.send(p, atom("b"));
    rt.send(p, atom("c"));
    rt.run_until_idle();

    EXPECT_EQ(got, (std::vector<term>{term(atom("b")), term(atom("a")), term(atom("c"))}));
}

task<> sends_interleaved(pid to, std::uint64_t tag) {
    for (int i = 0; i < 50; ++i) {
        process::send(to, term::tuple({term(tag), term(i)}));
        if (i % 7 == 0) {
            co_await process::yield();
        }
    }
}

TEST(Messages, S12OnlyPerSenderOrderIsGuaranteedAcrossSenders) {
    // Across senders nothing is promised (S12); what must hold whatever the
    // interleaving is each sender's own order. Checked over many seeds.
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        runtime rt(deterministic_options(seed));
        std::vector<term> got;
        pid receiver = rt.spawn(collect_all, &got);

        for (std::uint64_t tag = 0; tag < 4; ++tag) {
            rt.spawn(sends_interleaved, receiver, tag);
        }
        rt.run_until_idle();

        ASSERT_EQ(got.size(), 200U) << "seed " << seed;
        std::map<std::int64_t, std::int64_t> next;
        for (const term& t : got) {
            auto tag = *t.elements()[0].to_int64();
            EXPECT_EQ(*t.elements()[1].to_int64(), next[tag]++) << "seed " << seed;
        }
    }
}

struct tagged {
    int tag;
    std::string text;
};

task<> receive_each_kind(std::vector<std::string>* log) {
    auto typed = co_await process::receive<tagged>();
    log->push_back("typed:" + std::get<tagged>(typed).text);
    int exact = co_await process::receive_exact<int>();
    log->push_back("exact:" + std::to_string(exact));
    std::string from_literal = co_await process::receive_exact<std::string>();
    log->push_back("literal:" + from_literal);
    int from_term = co_await process::receive_exact<int>();
    log->push_back("from_term:" + std::to_string(from_term));
    dyn_message any = co_await process::receive_any();
    log->push_back("any:" + to_string(std::get<term>(any)));
    dyn_message opaque = co_await process::receive_any();
    log->push_back(std::string("opaque:") + (std::get<term>(opaque).is<tagged>()
                                                 ? std::get<term>(opaque).get<tagged>().text
                                                 : "?"));
}

TEST(Receive, EachVariantTakesWhatItMatchesAndConvertsTerms) {
    runtime rt(deterministic_options());
    std::vector<std::string> log;
    pid p = rt.spawn(receive_each_kind, &log);

    rt.send(p, 7); // waits: receive<tagged> is first
    rt.send(p, tagged{1, "one"});
    rt.send(p, "text");                 // a literal travels as std::string
    rt.send(p, term(42));               // a term that converts to int
    rt.send(p, std::vector<int>{1, 2}); // converted to a term for receive_any
    rt.send(p, tagged{2, "two"});       // no conversion: an opaque local term
    rt.run_until_idle();

    EXPECT_EQ(
        log,
        (std::vector<std::string>{
            "typed:one", "exact:7", "literal:text", "from_term:42", "any:[1,2]", "opaque:two"}));
}

task<> receive_with_timeouts(std::vector<std::string>* log) {
    auto none = co_await process::receive_exact<int>(0ms);
    log->push_back(none ? "poll:got" : "poll:empty");
    auto late = co_await process::receive_exact<int>(100ms);
    log->push_back(late ? "wait:" + std::to_string(*late) : "wait:timeout");
    auto timeout = co_await process::receive_exact<int>(50ms);
    log->push_back(timeout ? "second:got" : "second:timeout");
}

TEST(Receive, TimeoutEndsTheWaitOnlyWhenNothingMatchedInTime) {
    runtime rt(deterministic_options());
    std::vector<std::string> log;
    pid p = rt.spawn(receive_with_timeouts, &log);
    rt.run_until_idle();

    rt.advance(99ms);
    rt.send(p, 5);
    rt.run_until_idle();
    rt.advance(49ms);
    EXPECT_EQ(log.size(), 2U);
    rt.advance(1ms);

    EXPECT_EQ(log, (std::vector<std::string>{"poll:empty", "wait:5", "second:timeout"}));
    EXPECT_FALSE(rt.is_alive(p));
}

task<> sleeps_then_reports(pid to, std::chrono::milliseconds d) {
    co_await process::sleep(d);
    process::send(to, atom("woke"));
}

TEST(Timers, SleepLastsExactlyItsDurationOnTheVirtualClock) {
    runtime rt(deterministic_options());
    std::vector<term> got;
    pid collector = rt.spawn(collect_all, &got);
    rt.spawn(sleeps_then_reports, collector, 30ms);
    rt.run_until_idle();

    rt.advance(29ms);
    EXPECT_TRUE(got.empty());
    rt.advance(1ms);

    EXPECT_EQ(got, std::vector<term>{term(atom("woke"))});
}

task<> sleeper_keeps_messages(std::vector<term>* out) {
    co_await process::sleep(10ms);
    out->push_back(std::get<term>(co_await process::receive_any()));
}

TEST(Timers, MessagesArrivingDuringSleepStayQueued) {
    runtime rt(deterministic_options());
    std::vector<term> got;
    pid p = rt.spawn(sleeper_keeps_messages, &got);
    rt.run_until_idle();

    rt.send(p, 1);
    rt.run_until_idle();
    EXPECT_TRUE(got.empty());
    rt.advance(10ms);

    EXPECT_EQ(got, std::vector<term>{term(1)});
}

task<> timer_user(pid to, std::vector<std::string>* log) {
    reference first = process::send_after(to, atom("first"), 20ms);
    reference second = process::send_after(to, atom("second"), 40ms);
    co_await process::sleep(5ms);
    auto left = process::cancel_timer(second);
    log->push_back(left ? "cancelled:" + std::to_string(left->count()) : "cancel:none");
    co_await process::sleep(20ms);
    auto again = process::cancel_timer(first);
    log->push_back(again ? "late:" + std::to_string(again->count()) : "late:none");
}

TEST(Timers, SendAfterDeliversUnlessCancelledAndCancelReportsTimeLeft) {
    runtime rt(deterministic_options());
    std::vector<term> got;
    std::vector<std::string> log;
    pid collector = rt.spawn(collect_all, &got);
    rt.spawn(timer_user, collector, &log);

    rt.run_until_idle();
    rt.advance(100ms);

    EXPECT_EQ(got, std::vector<term>{term(atom("first"))});
    EXPECT_EQ(log, (std::vector<std::string>{"cancelled:35", "late:none"}));
}

task<> chatter(pid peer, int rounds) {
    for (int i = 0; i < rounds; ++i) {
        process::send(peer, i);
        if (i % 3 == 0) {
            co_await process::yield();
        }
        (void)co_await process::receive_exact<int>(0ms);
    }
}

std::vector<pid> trace_of(std::uint64_t seed) {
    runtime rt(deterministic_options(seed));
    std::vector<term> got;
    pid sink = rt.spawn(collect_all, &got);
    pid a = rt.spawn(chatter, sink, 30);
    rt.spawn(chatter, a, 30);
    rt.spawn(chatter, sink, 30);
    rt.run_until_idle();
    return rt.schedule_trace();
}

TEST(Deterministic, TheSameSeedReplaysTheSameSchedule) {
    std::vector<pid> first = trace_of(42);
    std::vector<pid> second = trace_of(42);
    std::vector<pid> other = trace_of(43);

    EXPECT_GT(first.size(), 30U);
    EXPECT_EQ(first, second);
    EXPECT_NE(first, other);
}

task<> spins_forever_sending(pid self_target) {
    for (;;) {
        process::send(self_target, 0);
        (void)co_await process::receive_exact<int>();
    }
}

task<> reports_once(bool* ran) {
    *ran = true;
    co_return;
}

task<> busy_pair_with_bystander(bool* bystander_ran) {
    pid a = process::spawn([]() -> task<> {
        pid peer = co_await process::receive_exact<pid>();
        for (;;) {
            process::send(peer, 1);
            (void)co_await process::receive_exact<int>();
        }
    });
    pid b = process::spawn(spins_forever_sending, a);
    process::send(a, b);
    process::spawn(reports_once, bystander_ran);
    while (!*bystander_ran) {
        co_await process::yield();
    }
}

TEST(Scheduler, AChattyPairDoesNotStarveAThirdProcessOnOneWorker) {
    runtime_options options;
    options.workers = 1;
    runtime rt(options);
    bool bystander_ran = false;

    term reason = rt.run(busy_pair_with_bystander, &bystander_ran);

    EXPECT_EQ(reason, term(atoms::normal));
    EXPECT_TRUE(bystander_ran);
}

} // namespace
} // namespace rill

namespace rill {
namespace {

struct reply_message {
    reference ref;
    int value;
};

task<> replier(pid to, reference ref, int value) {
    process::send(to, reply_message{ref, value});
    co_return;
}

task<> call_behind_a_full_mailbox(int queued, int* predicate_calls, std::vector<int>* got) {
    pid self = process::self();
    reference old_ref = process::make_ref();
    for (int i = 0; i < queued; ++i) {
        process::send(self, reply_message{old_ref, i}); // older than the call's ref
    }
    (void)co_await process::receive_exact<int>(std::chrono::milliseconds(0)); // queue them
    reference ref = process::make_ref();
    process::send(self, reply_message{old_ref, -1}); // after ref: examined, not matched
    process::spawn(replier, self, ref, 42);
    reply_message reply =
        co_await process::receive_reply<reply_message>(ref, [&](const reply_message& m) {
            ++*predicate_calls;
            return m.ref == ref;
        });
    got->push_back(reply.value);
    for (int i = 0; i < 3; ++i) {
        got->push_back((co_await process::receive_exact<reply_message>()).value);
    }
}

TEST(Receive, ReceiveReplySkipsMessagesQueuedBeforeItsReferenceWasMade) {
    runtime rt(deterministic_options());
    int predicate_calls = 0;
    std::vector<int> got;

    rt.spawn(call_behind_a_full_mailbox, 10'000, &predicate_calls, &got);
    rt.run_until_idle();

    EXPECT_EQ(got, (std::vector<int>{42, 0, 1, 2})); // the rest stays in order
    EXPECT_LE(predicate_calls, 3);                   // not 10,000
}

task<> reply_after_other_receives(std::vector<int>* got) {
    pid self = process::self();
    reference ref = process::make_ref();
    process::send(self, 1);
    process::send(self, reply_message{ref, 7});
    process::send(self, 2);
    got->push_back(co_await process::receive_exact<int>()); // removes a node after the mark
    reply_message reply = co_await process::receive_reply<reply_message>(
        ref, [&](const reply_message& m) { return m.ref == ref; });
    got->push_back(reply.value);
    got->push_back(co_await process::receive_exact<int>());
}

TEST(Receive, ReceiveReplyStillFindsItsReplyAfterOtherReceivesChangedTheQueue) {
    runtime rt(deterministic_options());
    std::vector<int> got;

    rt.spawn(reply_after_other_receives, &got);
    rt.run_until_idle();

    EXPECT_EQ(got, (std::vector<int>{1, 7, 2}));
}

} // namespace
} // namespace rill
