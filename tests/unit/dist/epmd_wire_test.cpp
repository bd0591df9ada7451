#include "dist/epmd/epmd_wire.hpp"

#include "unit/etf/etf_test_support.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace rill::dist::internal {
namespace {

using test::from_hex;
using test::to_hex;

std::span<const std::byte> body(const bytes& request) {
    return std::span(request).subspan(2);
}

TEST(EpmdWire, Alive2RequestIsWhatErlWrites) {
    // Captured from a node registering "py" on port 57693 as a normal node
    // (tests/data/etf-vectors.txt section 6).
    epmd_node node{"py", 57693, epmd_normal_node, 0, 6, 5, ""};
    EXPECT_EQ(to_hex(encode_request(alive2_request{node})), "000f78e15d4d0000060005000270790000");
}

TEST(EpmdWire, EveryRequestParsesBackToItself) {
    epmd_node node{"rill", 4370, epmd_hidden_node, 0, 6, 6, "x"};
    auto alive = parse_request(body(encode_request(alive2_request{node})));
    EXPECT_EQ(std::get<alive2_request>(alive).node, node);
    auto lookup = parse_request(body(encode_request(port_please2_request{"beam1"})));
    EXPECT_EQ(std::get<port_please2_request>(lookup).alive, "beam1");
    EXPECT_TRUE(std::holds_alternative<names_request>(
        parse_request(body(encode_request(names_request{})))));
}

TEST(EpmdWire, RepliesParseBack) {
    EXPECT_EQ(parse_alive2_response(encode_alive2_response(true, 1795485330)), 1795485330U);
    EXPECT_EQ(parse_alive2_response(encode_alive2_response(false, 0)), std::nullopt);
    // The old ALIVE2_RESP with a 16-bit creation.
    EXPECT_EQ(parse_alive2_response(test::bytes_of({121, 0, 0x12, 0x34})), 0x1234U);

    epmd_node node{"beam1", 40000, epmd_normal_node, 0, 6, 5, ""};
    EXPECT_EQ(parse_port2_response(encode_port2_response(node)), node);
    EXPECT_EQ(parse_port2_response(encode_port2_response(std::nullopt)), std::nullopt);

    const bytes names = encode_names_response(4369, {node, {"rill", 5000}});
    const auto listed = parse_names_response(names);
    ASSERT_EQ(listed.size(), 2U);
    EXPECT_EQ(listed[0], (std::pair<std::string, std::uint16_t>("beam1", 40000)));
    EXPECT_EQ(listed[1], (std::pair<std::string, std::uint16_t>("rill", 5000)));
}

TEST(EpmdWire, MalformedRequestsAreProtocolErrors) {
    EXPECT_THROW((void)parse_request({}), protocol_error);
    EXPECT_THROW((void)parse_request(test::bytes_of({99})), protocol_error);
    // ALIVE2 cut short, and one with bytes after its extra field.
    const bytes alive = encode_request(alive2_request{{"n", 1}});
    for (std::size_t size = 0; size + 2 < alive.size(); ++size) {
        EXPECT_THROW((void)parse_request(body(alive).first(size)), protocol_error) << size;
    }
    bytes longer = alive;
    longer.push_back(std::byte{0});
    EXPECT_THROW((void)parse_request(body(longer)), protocol_error);
    EXPECT_THROW((void)parse_names_response(from_hex("00001111"
                                                     "6e616d65")),
                 protocol_error);
}

TEST(EpmdWire, PortComesFromErlEpmdPortLikeErl) {
    ::setenv("ERL_EPMD_PORT", "4411", 1);
    EXPECT_EQ(epmd_port_from_environment(), 4411);
    ::setenv("ERL_EPMD_PORT", "not a port", 1);
    EXPECT_THROW((void)epmd_port_from_environment(), std::invalid_argument);
    ::unsetenv("ERL_EPMD_PORT");
    EXPECT_EQ(epmd_port_from_environment(), default_epmd_port);
}

} // namespace
} // namespace rill::dist::internal
