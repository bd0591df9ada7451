#include <rill/detail/mailbox_node.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace rill::detail {
namespace {

struct no_conversion {
    int value;
};

// What a payload type's vtable says about it is fixed at compile time.
static_assert(payload_vtable_for<int>.integer_kind == integer_kind::signed_integer);
static_assert(payload_vtable_for<char>.integer_kind != integer_kind::none);
static_assert(payload_vtable_for<std::uint64_t>.integer_kind == integer_kind::unsigned_integer);
static_assert(payload_vtable_for<bool>.integer_kind == integer_kind::none, "bool is no integer");
static_assert(payload_vtable_for<char8_t>.integer_kind == integer_kind::none);
static_assert(payload_vtable_for<double>.integer_kind == integer_kind::none);
static_assert(payload_vtable_for<no_conversion>.integer_kind == integer_kind::none);

// Checked at run time: GCC's sanitizer builds cannot compare function
// pointers with null in a constant expression.
TEST(MailboxNode, OnlyTypesWithATermConversionCanLeaveTheNode) {
    EXPECT_NE(payload_vtable_for<int>.encode, nullptr);
    EXPECT_NE(payload_vtable_for<std::string>.encode, nullptr);
    EXPECT_NE(payload_vtable_for<term>.encode, nullptr);
    EXPECT_EQ(payload_vtable_for<no_conversion>.encode, nullptr)
        << "a type without term conversion cannot leave the node";
    EXPECT_EQ(payload_vtable_for<bool>.integer_bits, nullptr);
}

TEST(MailboxNode, EncodeMovesAConvertiblePayloadOutAsATerm) {
    mailbox_node* node = make_message_node(std::string("hello"));

    term encoded = node->vtable->encode(node);
    node->destroy();

    EXPECT_EQ(encoded, term("hello"));
}

TEST(MailboxNode, IntegerBitsSignExtendSignedAndZeroExtendUnsignedPayloads) {
    mailbox_node* minus_one = make_message_node(std::int8_t{-1});
    mailbox_node* big = make_message_node(std::numeric_limits<std::uint64_t>::max());
    mailbox_node* small = make_message_node(std::uint8_t{200});

    EXPECT_EQ(static_cast<std::int64_t>(minus_one->vtable->integer_bits(minus_one)), -1);
    EXPECT_EQ(big->vtable->integer_bits(big), std::numeric_limits<std::uint64_t>::max());
    EXPECT_EQ(small->vtable->integer_bits(small), 200U);

    minus_one->destroy();
    big->destroy();
    small->destroy();
}

} // namespace
} // namespace rill::detail
