// The name registry: S13..S24 of SEMANTICS.md on the deterministic runtime.
// Registry calls are made from inside processes: a puppet (rill::testing::puppet)
// runs each step the test hands it. Where Erlang returns `true`, rill's call
// returns void: "returns true" reads as "does not throw". Arguments that C++
// types rule out (a string as a name, `unregister(42)`, `whereis("s")`)
// need no test (S19, S22); what the runtime checks is tested, and after
// every refused call the registry must be exactly as before.

#include <rill/testing.hpp>

#include "support/deterministic.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

namespace rill {
namespace {

using test::exit_on_message;
using test::returns_at_once;

using testing::collect_all;
using testing::deterministic_options;
using testing::puppet;
using testing::run_in;

/// The whole registry as the calling process sees it: every registered name
/// with its holder, sorted by name.
using name_table = std::vector<std::pair<atom, std::optional<pid>>>;

name_table names_now() {
    name_table table;
    for (atom name : process::registered()) {
        table.emplace_back(name, process::whereis(name));
    }
    std::sort(
        table.begin(), table.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return table;
}

bool is_listed(atom name) {
    std::vector<atom> names = process::registered();
    return std::find(names.begin(), names.end(), name) != names.end();
}

/// A node with a puppet to make registry calls from and two idle
/// processes to register.
struct registry_fixture {
    runtime rt{deterministic_options()};
    pid driver = rt.spawn(puppet, false);
    pid p = rt.spawn(test::wait_for_anything);
    pid q = rt.spawn(test::wait_for_anything);

    registry_fixture() { rt.run_until_idle(); }
};

// ---- S13 -------------------------------------------------------------------

TEST(Registry, S13RegisteredNameIsFoundByWhereisAndListedByRegistered) {
    registry_fixture f;
    std::optional<pid> found;
    bool listed = false;

    run_in(f.rt, f.driver, [&] {
        process::register_name(f.p, atom("n"));
        found = process::whereis(atom("n"));
        listed = is_listed(atom("n"));
    });

    EXPECT_EQ(found, f.p);
    EXPECT_TRUE(listed);
    EXPECT_TRUE(f.rt.is_alive(f.driver)); // register_name did not throw
}

TEST(Registry, S13WhereisOfANeverRegisteredNameOrOfUndefinedIsEmpty) {
    registry_fixture f;
    std::optional<pid> never = f.p;
    std::optional<pid> undefined = f.p;

    run_in(f.rt, f.driver, [&] {
        never = process::whereis(atom("never_registered"));
        undefined = process::whereis(atoms::undefined);
    });

    EXPECT_EQ(never, std::nullopt);
    EXPECT_EQ(undefined, std::nullopt);
}

// ---- S14 -------------------------------------------------------------------

TEST(Registry, S14SendingToARegisteredNameDeliversToItsHolder) {
    registry_fixture f;
    std::vector<term> got;
    pid holder = f.rt.spawn(collect_all, &got);
    f.rt.run_until_idle();
    run_in(f.rt, f.driver, [&] { process::register_name(holder, atom("n")); });

    run_in(f.rt, f.driver, [&] { process::send(atom("n"), atom("m")); });

    EXPECT_EQ(got, std::vector<term>{term(atom("m"))});
}

// ---- S15 -------------------------------------------------------------------

TEST(Registry, S15SendingToAnUnregisteredBareNameThrowsBadargInTheSender) {
    registry_fixture f;
    run_in(f.rt, f.driver, [&] { process::register_name(f.p, atom("somebody")); });
    name_table before;
    name_table after;
    bool continued = false;

    run_in(f.rt, f.driver, [&] {
        before = names_now();
        EXPECT_THROW(process::send(atom("nobody"), atom("m")), badarg);
        continued = true;
        after = names_now();
    });

    EXPECT_TRUE(continued); // the exception was catchable
    EXPECT_TRUE(f.rt.is_alive(f.driver));
    EXPECT_EQ(after, before);
}

TEST(Registry, S15AnUncaughtBadargFromASendEndsTheSenderWithBadarg) {
    registry_fixture f;

    run_in(f.rt, f.driver, [] { process::send(atom("nobody"), atom("m")); });

    EXPECT_EQ(f.rt.exit_reason_of(f.driver), term(atoms::badarg));
}

// ---- S16 -------------------------------------------------------------------

TEST(Registry, S16SendingToAnUnregisteredNameAtThisNodeIsSilentlyDropped) {
    registry_fixture f;
    std::vector<term> got;
    pid bystander = f.rt.spawn(collect_all, &got);
    f.rt.run_until_idle();
    run_in(f.rt, f.driver, [&] { process::register_name(bystander, atom("somebody")); });
    bool continued = false;

    run_in(f.rt, f.driver, [&] {
        EXPECT_NO_THROW(
            process::send(std::make_pair(atom("nobody"), process::self().node), atom("m")));
        continued = true;
    });

    EXPECT_TRUE(continued);
    EXPECT_TRUE(f.rt.is_alive(f.driver));
    EXPECT_TRUE(got.empty());
}

// ---- S17 -------------------------------------------------------------------

TEST(Registry, S17ATakenNameCannotBeRegisteredAgainAndKeepsItsHolder) {
    registry_fixture f;
    run_in(f.rt, f.driver, [&] { process::register_name(f.p, atom("n")); });
    name_table before;
    name_table after;

    run_in(f.rt, f.driver, [&] {
        before = names_now();
        EXPECT_THROW(process::register_name(f.q, atom("n")), badarg);
        after = names_now();
    });

    EXPECT_EQ(after, before);
    EXPECT_EQ(after, (name_table{{atom("n"), f.p}}));
}

// ---- S18 -------------------------------------------------------------------

TEST(Registry, S18AProcessWithANameCannotTakeAnotherOrTheSameAgain) {
    registry_fixture f;
    run_in(f.rt, f.driver, [&] { process::register_name(f.p, atom("a")); });
    name_table before;
    name_table after;

    run_in(f.rt, f.driver, [&] {
        before = names_now();
        EXPECT_THROW(process::register_name(f.p, atom("b")), badarg);
        EXPECT_THROW(process::register_name(f.p, atom("a")), badarg);
        after = names_now();
    });

    EXPECT_EQ(after, before);
    EXPECT_EQ(after, (name_table{{atom("a"), f.p}}));
}

// ---- S19 -------------------------------------------------------------------

TEST(Registry, S19UndefinedIsRejectedAsAName) {
    registry_fixture f;
    run_in(f.rt, f.driver, [&] { process::register_name(f.q, atom("other")); });
    name_table before;
    name_table after;
    std::optional<pid> undefined_holder = f.p;

    run_in(f.rt, f.driver, [&] {
        before = names_now();
        EXPECT_THROW(process::register_name(f.p, atoms::undefined), badarg);
        after = names_now();
        undefined_holder = process::whereis(atoms::undefined);
    });

    EXPECT_EQ(after, before);
    EXPECT_EQ(undefined_holder, std::nullopt);
}

// ---- S20 -------------------------------------------------------------------

TEST(Registry, S20ADeadPidCannotBeRegistered) {
    registry_fixture f;
    pid dead = f.rt.spawn(returns_at_once);
    f.rt.run_until_idle();
    run_in(f.rt, f.driver, [&] { process::register_name(f.q, atom("other")); });
    name_table before;
    name_table after;

    run_in(f.rt, f.driver, [&] {
        before = names_now();
        EXPECT_THROW(process::register_name(dead, atom("n")), badarg);
        after = names_now();
    });

    EXPECT_EQ(after, before);
    EXPECT_FALSE(std::any_of(
        after.begin(), after.end(), [](const auto& e) { return e.first == atom("n"); }));
}

TEST(Registry, S20APidOfAnotherNodeCannotBeRegistered) {
    registry_fixture f;
    pid remote{atom("other@host"), 1, 1, 7};
    run_in(f.rt, f.driver, [&] { process::register_name(f.q, atom("other")); });
    name_table before;
    name_table after;

    run_in(f.rt, f.driver, [&] {
        before = names_now();
        EXPECT_THROW(process::register_name(remote, atom("n")), badarg);
        after = names_now();
    });

    EXPECT_EQ(after, before);
    EXPECT_FALSE(std::any_of(
        after.begin(), after.end(), [](const auto& e) { return e.first == atom("n"); }));
}

// ---- S21 -------------------------------------------------------------------

TEST(Registry, S21UnregisterFreesTheNameForReuse) {
    registry_fixture f;
    run_in(f.rt, f.driver, [&] { process::register_name(f.p, atom("n")); });
    std::optional<pid> holder;

    run_in(f.rt, f.driver, [&] {
        process::unregister(atom("n"));
        process::register_name(f.q, atom("n"));
        holder = process::whereis(atom("n"));
    });

    EXPECT_TRUE(f.rt.is_alive(f.driver)); // neither call threw
    EXPECT_EQ(holder, f.q);
}

// ---- S22 -------------------------------------------------------------------

TEST(Registry, S22UnregisteringANeverRegisteredNameThrowsBadarg) {
    registry_fixture f;
    run_in(f.rt, f.driver, [&] { process::register_name(f.p, atom("n")); });
    name_table before;
    name_table after;

    run_in(f.rt, f.driver, [&] {
        before = names_now();
        EXPECT_THROW(process::unregister(atom("never_registered")), badarg);
        after = names_now();
    });

    EXPECT_EQ(after, before);
    EXPECT_EQ(after, (name_table{{atom("n"), f.p}}));
}

// ---- S23 -------------------------------------------------------------------

/// What the monitor owner saw at the moment the holder's DOWN reached it.
struct seen_at_down {
    std::optional<down_signal> down;
    std::optional<pid> holder;
    bool listed = true;
    bool send_threw_badarg = false;
    std::optional<pid> holder_after_reregistering;
};

task<> register_monitor_and_check_at_down(pid holder, pid replacement, seen_at_down* seen) {
    process::register_name(holder, atom("n"));
    (void)process::monitor(holder);
    dyn_message m = co_await process::receive_any();
    if (auto* down = std::get_if<down_signal>(&m)) {
        seen->down = *down;
    }
    seen->holder = process::whereis(atom("n"));
    seen->listed = is_listed(atom("n"));
    try {
        process::send(atom("n"), atom("x"));
    } catch (const badarg&) {
        seen->send_threw_badarg = true;
    }
    process::register_name(replacement, atom("n"));
    seen->holder_after_reregistering = process::whereis(atom("n"));
}

TEST(Registry, S23ANameIsReleasedBeforeTheHoldersDeathIsAnnounced) {
    runtime rt(deterministic_options());
    pid holder = rt.spawn(exit_on_message);
    pid replacement = rt.spawn(test::wait_for_anything);
    seen_at_down seen;
    rt.spawn(register_monitor_and_check_at_down, holder, replacement, &seen);
    rt.run_until_idle();

    rt.send(holder, atom("die"));
    rt.run_until_idle();

    ASSERT_TRUE(seen.down.has_value());
    EXPECT_EQ(seen.down->object, term(holder));
    EXPECT_EQ(seen.down->reason, term(atom("die")));
    EXPECT_EQ(seen.holder, std::nullopt);
    EXPECT_FALSE(seen.listed);
    EXPECT_TRUE(seen.send_threw_badarg);
    EXPECT_EQ(seen.holder_after_reregistering, replacement);
}

// ---- S24 -------------------------------------------------------------------

TEST(Registry, S24AnyProcessMayUnregisterAnotherProcesssName) {
    registry_fixture f;
    run_in(f.rt, f.driver, [&] { process::register_name(f.p, atom("n")); });
    pid other = f.rt.spawn(puppet, false);
    f.rt.run_until_idle();
    std::optional<pid> holder = f.p;
    bool listed = true;

    run_in(f.rt, other, [&] {
        process::unregister(atom("n"));
        holder = process::whereis(atom("n"));
        listed = is_listed(atom("n"));
    });

    EXPECT_TRUE(f.rt.is_alive(other)); // unregister did not throw
    EXPECT_EQ(holder, std::nullopt);
    EXPECT_FALSE(listed);
}

TEST(Registry, S24AProcessMayRegisterItself) {
    registry_fixture f;
    std::optional<pid> holder;

    // Erlang checks process_info(P, registered_name); until process::info
    // exists the name is observed through whereis.
    run_in(f.rt, f.driver, [&] {
        process::register_name(process::self(), atom("me"));
        holder = process::whereis(atom("me"));
    });

    EXPECT_EQ(holder, f.driver);
}

} // namespace
} // namespace rill
