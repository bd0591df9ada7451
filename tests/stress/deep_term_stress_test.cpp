// Ten-million-level terms travelling between processes: built, sent,
// received and dropped, carried as an exit reason to a monitor, compared,
// hashed, printed (bounded) and destroyed, with nothing recursing on the
// C++ stack. Ten million levels in an optimised build; fewer in Debug and
// under sanitizers, still far past where recursion overflowed (~200k).

#include <rill/rill.hpp>

#include "support/sanitizer_scale.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <utility>

namespace rill {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr std::size_t levels = 1'000'000;
#elif defined(NDEBUG)
constexpr std::size_t levels = 10'000'000;
#else
constexpr std::size_t levels = 2'000'000;
#endif

constexpr std::size_t depth = levels / static_cast<std::size_t>(test::scale_down);

term list_nest(std::size_t n) {
    term t = term{atom("bottom")};
    for (std::size_t i = 0; i < n; ++i) {
        t = term::list({std::move(t)});
    }
    return t;
}

term tuple_nest(std::size_t n) {
    term t = term{42};
    for (std::size_t i = 0; i < n; ++i) {
        t = term::tuple({term{atom("level")}, std::move(t)});
    }
    return t;
}

task<> drop_what_arrives(pid report_to) {
    (void)co_await process::receive_any(); // received, then dropped
    process::send(report_to, atom("dropped"));
}

task<> exit_with_what_arrives() {
    dyn_message m = co_await process::receive_any();
    process::exit(std::get<term>(std::move(m)));
}

task<> deep_terms_between_processes(bool* all_checked) {
    // Sent to a process that receives and drops it.
    {
        pid dropper = process::spawn(drop_what_arrives, process::self());
        process::send(dropper, list_nest(depth));
        EXPECT_TRUE(co_await process::receive_exact<atom>() == atom("dropped"));
    }
    // Carried as an exit reason to a monitor, then compared with a copy
    // built here, hashed, printed and dropped.
    pid exiter = process::spawn(exit_with_what_arrives);
    reference mon = process::monitor(exiter);
    process::send(exiter, tuple_nest(depth));
    dyn_message m = co_await process::receive_any();
    EXPECT_TRUE(std::holds_alternative<down_signal>(m));
    if (auto* down = std::get_if<down_signal>(&m)) {
        EXPECT_EQ(down->ref, mon);
        const term expected = tuple_nest(depth);
        EXPECT_TRUE(down->reason == expected);
        EXPECT_EQ(down->reason.hash(), expected.hash());
        EXPECT_EQ(to_string(down->reason, 24), "{level,{level,{level,{le...");
        *all_checked = true;
    }
}

TEST(DeepTermStress, TenMillionLevelsTravelBetweenProcesses) {
    runtime rt(runtime_options{.workers = 2});
    bool all_checked = false;

    const term reason = rt.run(deep_terms_between_processes, &all_checked);

    EXPECT_EQ(reason, term(atoms::normal));
    EXPECT_TRUE(all_checked);
    EXPECT_EQ(rt.process_count(), 0U);
}

TEST(DeepTermStress, TenMillionLevelListIsComparedPrintedAndFreed) {
    const term a = list_nest(depth);
    const term b = list_nest(depth);
    EXPECT_TRUE(a == b);
    EXPECT_FALSE(a < b);
    EXPECT_EQ(a.hash(), b.hash());
    EXPECT_EQ(to_string(a).size(), 2 * depth + 6); // [[...[bottom]...]]
}

} // namespace
} // namespace rill
