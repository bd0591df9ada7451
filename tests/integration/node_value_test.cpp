// process::node_value (include/rill/process/node_value.hpp): one value per
// key per node, seen by all its processes, and never by another runtime's.

#include <rill/rill.hpp>
#include <rill/testing.hpp>

#include <gtest/gtest.h>

#include <memory>

namespace rill {
namespace {

using testing::deterministic_options;

task<> store(int value) {
    process::set_node_value(atom("answer"), std::make_shared<int>(value));
    co_return;
}

task<> read(int* out) {
    std::shared_ptr<void> value = process::node_value(atom("answer"));
    *out = value ? *std::static_pointer_cast<int>(value) : -1;
    co_return;
}

TEST(NodeValue, EveryProcessOfTheNodeSeesTheValueAndAnotherNodeDoesNot) {
    runtime first(deterministic_options());
    runtime second(deterministic_options());
    int seen_here = 0;
    int seen_there = 0;
    first.spawn(store, 42);
    first.run_until_idle();
    first.spawn(read, &seen_here);
    first.run_until_idle();
    second.spawn(read, &seen_there);
    second.run_until_idle();

    EXPECT_EQ(seen_here, 42);
    EXPECT_EQ(seen_there, -1);
}

TEST(NodeValue, TheRuntimeReadsItFromOutsideTheNodesProcesses) {
    runtime rt(deterministic_options());
    EXPECT_EQ(rt.node_value(atom("answer")), nullptr);
    rt.spawn(store, 7);
    rt.run_until_idle();
    std::shared_ptr<void> value = rt.node_value(atom("answer"));
    ASSERT_NE(value, nullptr);
    EXPECT_EQ(*std::static_pointer_cast<int>(value), 7);
    EXPECT_TRUE(rt.deterministic());
    EXPECT_FALSE(runtime(runtime_options{.workers = 1}).deterministic());
}

TEST(NodeValue, ASetReplacesAndNullRemoves) {
    runtime rt(deterministic_options());
    int seen = 0;
    rt.spawn(store, 1);
    rt.run_until_idle();
    rt.spawn(store, 2);
    rt.run_until_idle();
    rt.spawn(read, &seen);
    rt.run_until_idle();
    EXPECT_EQ(seen, 2);

    rt.spawn(+[]() -> task<> {
        process::set_node_value(atom("answer"), nullptr);
        co_return;
    });
    rt.run_until_idle();
    rt.spawn(read, &seen);
    rt.run_until_idle();
    EXPECT_EQ(seen, -1);
}

} // namespace
} // namespace rill
