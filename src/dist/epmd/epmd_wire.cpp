#include "dist/epmd/epmd_wire.hpp"

#include <charconv>
#include <cstdlib>
#include <stdexcept>

namespace rill::dist::internal {

namespace {

void put_node_fields(bytes& out, const epmd_node& node) {
    put_u16(out, node.port);
    put_u8(out, node.type);
    put_u8(out, node.protocol);
    put_u16(out, node.highest_version);
    put_u16(out, node.lowest_version);
    if (node.alive.size() > 0xFFFF || node.extra.size() > 0xFFFF) {
        throw protocol_error("epmd: node name or extra field too long");
    }
    put_u16(out, static_cast<std::uint16_t>(node.alive.size()));
    put_text(out, node.alive);
    put_u16(out, static_cast<std::uint16_t>(node.extra.size()));
    put_text(out, node.extra);
}

epmd_node read_node_fields(wire_reader& in) {
    epmd_node node;
    node.port = in.u16();
    node.type = in.u8();
    node.protocol = in.u8();
    node.highest_version = in.u16();
    node.lowest_version = in.u16();
    node.alive = in.text(in.u16());
    node.extra = in.text(in.u16());
    return node;
}

} // namespace

std::uint16_t epmd_port_from_environment() {
    const char* text = std::getenv("ERL_EPMD_PORT"); // NOLINT(concurrency-mt-unsafe): read only
    if (text == nullptr || *text == '\0') {
        return default_epmd_port;
    }
    const std::string_view value(text);
    unsigned port = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), port);
    if (error != std::errc{} || end != value.data() + value.size() || port == 0 || port > 0xFFFF) {
        throw std::invalid_argument("ERL_EPMD_PORT is '" + std::string(value) +
                                    "', which is no port number");
    }
    return static_cast<std::uint16_t>(port);
}

bytes encode_request(const epmd_request& request) {
    bytes out{std::byte{0}, std::byte{0}}; // the length, sealed below

    struct writer {
        bytes& out;

        void operator()(const alive2_request& r) const {
            put_u8(out, epmd_tag::alive2_request);
            put_node_fields(out, r.node);
        }

        void operator()(const port_please2_request& r) const {
            put_u8(out, epmd_tag::port_please2_request);
            put_text(out, r.alive);
        }

        void operator()(const names_request& /*r*/) const { put_u8(out, epmd_tag::names_request); }

        void operator()(const kill_request& /*r*/) const { put_u8(out, epmd_tag::kill_request); }
    };

    std::visit(writer{out}, request);
    seal_u16_length(out);
    return out;
}

epmd_request parse_request(std::span<const std::byte> body) {
    wire_reader in(body, "epmd request");
    switch (const std::uint8_t tag = in.u8()) {
    case epmd_tag::alive2_request: {
        alive2_request request{read_node_fields(in)};
        in.expect_end();
        if (request.node.alive.empty()) {
            throw protocol_error("epmd: ALIVE2 with an empty name");
        }
        return request;
    }
    case epmd_tag::port_please2_request:
        return port_please2_request{in.rest_as_text()};
    case epmd_tag::names_request:
        in.expect_end();
        return names_request{};
    case epmd_tag::kill_request:
        in.expect_end();
        return kill_request{};
    default:
        throw protocol_error("epmd: unknown request tag " + std::to_string(tag));
    }
}

bytes encode_alive2_response(bool ok, std::uint32_t creation) {
    bytes out;
    put_u8(out, epmd_tag::alive2_x_response);
    put_u8(out, ok ? 0 : 1);
    put_u32(out, creation);
    return out;
}

std::size_t alive2_reply_size(std::uint8_t tag) {
    switch (tag) {
    case epmd_tag::alive2_x_response:
        return 6;
    case epmd_tag::alive2_response:
        return 4;
    default:
        throw protocol_error("epmd: ALIVE2 answered with tag " + std::to_string(tag));
    }
}

std::optional<std::uint32_t> parse_alive2_response(std::span<const std::byte> reply) {
    wire_reader in(reply, "epmd ALIVE2 reply");
    const std::uint8_t tag = in.u8();
    const std::size_t size = alive2_reply_size(tag);
    const std::uint8_t result = in.u8();
    const std::uint32_t creation = size == 6 ? in.u32() : in.u16();
    in.expect_end();
    if (result != 0) {
        return std::nullopt;
    }
    return creation;
}

bytes encode_port2_response(const std::optional<epmd_node>& node) {
    bytes out;
    put_u8(out, epmd_tag::port2_response);
    put_u8(out, node ? 0 : 1);
    if (node) {
        put_node_fields(out, *node);
    }
    return out;
}

std::optional<epmd_node> parse_port2_response(std::span<const std::byte> reply) {
    wire_reader in(reply, "epmd PORT2 reply");
    if (const std::uint8_t tag = in.u8(); tag != epmd_tag::port2_response) {
        throw protocol_error("epmd: PORT_PLEASE2 answered with tag " + std::to_string(tag));
    }
    if (in.u8() != 0) {
        return std::nullopt;
    }
    epmd_node node = read_node_fields(in);
    in.expect_end();
    return node;
}

bytes encode_names_response(std::uint16_t epmd_port, const std::vector<epmd_node>& nodes) {
    bytes out;
    put_u32(out, epmd_port);
    for (const epmd_node& node : nodes) {
        put_text(out, "name " + node.alive + " at port " + std::to_string(node.port) + "\n");
    }
    return out;
}

std::vector<std::pair<std::string, std::uint16_t>>
parse_names_response(std::span<const std::byte> reply) {
    wire_reader in(reply, "epmd NAMES reply");
    in.u32(); // epmd's own port
    const std::string text = in.rest_as_text();
    std::vector<std::pair<std::string, std::uint16_t>> names;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) {
            end = text.size();
        }
        const std::string_view line(text.data() + start, end - start);
        start = end + 1;
        // "name <alive> at port <port>"
        constexpr std::string_view prefix = "name ";
        constexpr std::string_view middle = " at port ";
        const std::size_t at = line.rfind(middle);
        if (!line.starts_with(prefix) || at == std::string_view::npos || at < prefix.size()) {
            throw protocol_error("epmd: NAMES line '" + std::string(line) + "' does not parse");
        }
        const std::string_view port_text = line.substr(at + middle.size());
        unsigned port = 0;
        auto [ptr, error] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (error != std::errc{} || ptr != port_text.data() + port_text.size() || port > 0xFFFF) {
            throw protocol_error("epmd: NAMES line '" + std::string(line) + "' has no port");
        }
        names.emplace_back(std::string(line.substr(prefix.size(), at - prefix.size())),
                           static_cast<std::uint16_t>(port));
    }
    return names;
}

} // namespace rill::dist::internal
