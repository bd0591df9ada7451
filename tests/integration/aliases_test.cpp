// Process aliases (include/rill/signal/alias.hpp) on one deterministic node:
// what reaches the owner and what is dropped, as OTP 25 does it (checked
// with `erl`: a message still in the signal queue when `unalias` runs is
// dropped; a `reply` alias takes one message). The cross-node half is in
// remote_route_test.cpp and, against BEAM, tests/interop.

#include <rill/testing.hpp>

#include "support/deterministic.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace rill {
namespace {

using test::returns_at_once;
using testing::deterministic_options;
using testing::puppet;
using testing::run_in;
using testing::take_mailbox;

struct Aliases : ::testing::Test {
    runtime rt{deterministic_options()};
    pid owner = rt.spawn(puppet, false);
    pid sender = rt.spawn(puppet, false);

    reference make_alias(alias_mode mode = alias_mode::explicit_unalias) {
        reference alias;
        run_in(rt, owner, [&] { alias = process::alias(mode); });
        return alias;
    }

    void send_from_sender(const reference& to, term message) {
        run_in(rt, sender, [&] { process::send(to, message); });
    }
};

TEST_F(Aliases, AMessageToAnActiveAliasReachesItsOwner) {
    const reference alias = make_alias();
    send_from_sender(alias, term(atom("hello")));
    send_from_sender(alias, term(2));

    EXPECT_EQ(alias.node, rt.node());
    EXPECT_EQ(take_mailbox(rt, owner), (std::vector<term>{term(atom("hello")), term(2)}));
}

TEST_F(Aliases, UnaliasEndsTheAliasAndSaysWhetherItWasOne) {
    const reference alias = make_alias();
    bool first = false;
    bool second = true;
    run_in(rt, owner, [&] {
        first = process::unalias(alias);
        second = process::unalias(alias);
    });
    send_from_sender(alias, term(atom("late")));

    EXPECT_TRUE(first);
    EXPECT_FALSE(second);
    EXPECT_TRUE(take_mailbox(rt, owner).empty());
}

TEST_F(Aliases, UnaliasDropsWhatTheOwnerHasNotYetTakenFromItsInbox) {
    // As `A = alias(), A ! x, unalias(A)` on BEAM: the message is still a
    // signal when the alias ends, and it is dropped.
    bool was_alias = false;
    run_in(rt, owner, [&] {
        const reference alias = process::alias();
        process::send(alias, atom("x"));
        was_alias = process::unalias(alias);
    });

    EXPECT_TRUE(was_alias);
    EXPECT_TRUE(take_mailbox(rt, owner).empty());
}

TEST_F(Aliases, AReplyAliasTakesOneMessage) {
    const reference alias = make_alias(alias_mode::reply);
    run_in(rt, sender, [&] {
        process::send(alias, atom("one"));
        process::send(alias, atom("two"));
    });
    bool still_alias = true;
    run_in(rt, owner, [&] { still_alias = process::unalias(alias); });

    EXPECT_EQ(take_mailbox(rt, owner), std::vector<term>{term(atom("one"))});
    EXPECT_FALSE(still_alias);
}

TEST_F(Aliases, MessagesThroughAnAliasKeepOrderWithThoseByPid) {
    const reference alias = make_alias();
    run_in(rt, sender, [&] {
        process::send(owner, 1);
        process::send(alias, 2);
        process::send(owner, 3);
        process::send(alias, 4);
    });

    EXPECT_EQ(take_mailbox(rt, owner), (std::vector<term>{term(1), term(2), term(3), term(4)}));
}

TEST_F(Aliases, OnlyTheOwnerCanEndItsAlias) {
    const reference alias = make_alias();
    bool ended_by_other = true;
    run_in(rt, sender, [&] { ended_by_other = process::unalias(alias); });
    send_from_sender(alias, term(atom("still")));

    EXPECT_FALSE(ended_by_other);
    EXPECT_EQ(take_mailbox(rt, owner), std::vector<term>{term(atom("still"))});
}

TEST_F(Aliases, MessagesToWhatIsNoLiveAliasAreDroppedSilently) {
    reference plain;
    run_in(rt, owner, [&] { plain = process::make_ref(); });
    pid gone = rt.spawn(puppet, false);
    reference dead_alias;
    run_in(rt, gone, [&] { dead_alias = process::alias(); });
    run_in(rt, gone, [] { process::exit(atom("done")); });
    reference old_incarnation = make_alias();
    old_incarnation.creation += 1;

    run_in(rt, sender, [&] {
        process::send(plain, atom("to_a_plain_ref"));
        process::send(dead_alias, atom("to_the_dead"));
        process::send(old_incarnation, atom("to_another_incarnation"));
        process::send(reference{}, atom("to_no_ref"));
    });

    EXPECT_TRUE(take_mailbox(rt, owner).empty());
    EXPECT_EQ(rt.process_count(), 2U);
}

TEST_F(Aliases, AnAliasIsFreedWithItsOwner) {
    // The process that next gets the owner's control block gets no
    // message meant for an alias of the one before.
    const reference alias = make_alias();
    run_in(rt, owner, [] { process::exit(atom("done")); });
    std::optional<pid> successor;
    run_in(rt, sender, [&] { // a worker's own free blocks are reused first
        for (int i = 0; i < 256 && !successor; ++i) {
            const pid p = process::spawn(puppet, false);
            if (p.id == owner.id) {
                successor = p;
            }
        }
    });
    ASSERT_TRUE(successor.has_value()) << "no process took the owner's block";
    send_from_sender(alias, term(atom("stale")));

    EXPECT_TRUE(take_mailbox(rt, *successor).empty());
}

task<> call_through_alias(pid server, term* reply) {
    const reference alias = process::alias();
    process::send(server, term::tuple_of(term::from_reference(alias), atom("ping")));
    *reply = co_await process::receive_reply<term>(alias, [&](const term& t) {
        return t.is_tuple() && t.elements().size() == 2 &&
               t.elements()[0] == term::from_reference(alias);
    });
    process::unalias(alias);
}

task<> answer_by_alias() {
    term request = co_await process::receive_exact<term>();
    process::send(request.elements()[0].as_reference(),
                  term::tuple_of(request.elements()[0], atom("pong")));
}

TEST_F(Aliases, ACallRepliedThroughAnAliasIsReceived) {
    pid server = rt.spawn(answer_by_alias);
    term reply;
    rt.spawn(call_through_alias, server, &reply);
    rt.run_until_idle();

    ASSERT_TRUE(reply.is_tuple());
    EXPECT_EQ(reply.elements()[1], term(atom("pong")));
}

TEST_F(Aliases, SendingToAnAliasOutsideAProcessIsMisuse) {
    EXPECT_THROW(process::send(reference{}, 1), not_in_process);
    EXPECT_THROW((void)process::alias(), not_in_process);
    EXPECT_THROW((void)process::unalias(reference{}), not_in_process);
}

} // namespace
} // namespace rill
