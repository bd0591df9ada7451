#include "dist/epmd/epmd_client.hpp"

#include "dist/io/deadline.hpp"

#include <array>

namespace rill::dist::internal {

namespace {

// The most a lookup or NAMES reply may take: far more than any epmd sends
// (a NAMES line is under 300 bytes), so a peer that streams forever is cut.
constexpr std::size_t max_reply_size = 1U << 20U;

awaitable<tcp::socket> connect_and_send(tcp::endpoint epmd, bytes message) {
    tcp::socket socket(co_await asio::this_coro::executor);
    co_await socket.async_connect(epmd, use_awaitable);
    socket.set_option(tcp::no_delay(true));
    co_await asio::async_write(socket, asio::buffer(message), use_awaitable);
    co_return socket;
}

// Everything the daemon writes before it closes the connection.
awaitable<bytes> read_to_end(tcp::socket& socket) {
    bytes reply;
    std::array<std::byte, 1024> chunk{};
    for (;;) {
        auto [error, count] = co_await socket.async_read_some(
            asio::buffer(chunk), asio::experimental::as_tuple(use_awaitable));
        reply.insert(
            reply.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(count));
        if (reply.size() > max_reply_size) {
            throw protocol_error("epmd: reply longer than " + std::to_string(max_reply_size) +
                                 " bytes");
        }
        if (error == asio::error::eof) {
            co_return reply;
        }
        if (error) {
            throw std::system_error(error, "epmd: reading a reply");
        }
    }
}

awaitable<epmd_registration> register_steps(tcp::endpoint epmd, epmd_node node) {
    const std::string alive = node.alive;
    // Built before the co_await: see deadline.hpp on GCC 12 and temporaries.
    bytes request = encode_request(epmd_request(alive2_request{std::move(node)}));
    tcp::socket socket = co_await connect_and_send(epmd, std::move(request));
    bytes reply(1);
    co_await asio::async_read(socket, asio::buffer(reply), use_awaitable);
    reply.resize(alive2_reply_size(std::to_integer<std::uint8_t>(reply[0])));
    co_await asio::async_read(
        socket, asio::buffer(reply.data() + 1, reply.size() - 1), use_awaitable);
    const std::optional<std::uint32_t> creation = parse_alive2_response(reply);
    if (!creation) {
        throw protocol_error("epmd refused to register the name '" + alive +
                             "' (a node of that name is registered already)");
    }
    co_return epmd_registration{std::make_shared<tcp::socket>(std::move(socket)), *creation};
}

awaitable<std::optional<epmd_node>> lookup_steps(tcp::endpoint epmd, std::string alive) {
    bytes request = encode_request(epmd_request(port_please2_request{std::move(alive)}));
    tcp::socket socket = co_await connect_and_send(epmd, std::move(request));
    const bytes reply = co_await read_to_end(socket);
    co_return parse_port2_response(reply);
}

awaitable<std::vector<std::pair<std::string, std::uint16_t>>> names_steps(tcp::endpoint epmd) {
    bytes request = encode_request(epmd_request(names_request{}));
    tcp::socket socket = co_await connect_and_send(epmd, std::move(request));
    const bytes reply = co_await read_to_end(socket);
    co_return parse_names_response(reply);
}

} // namespace

awaitable<epmd_registration> epmd_register(tcp::endpoint epmd, epmd_node node) {
    co_return co_await within(
        epmd_timeout, register_steps(epmd, std::move(node)), "epmd registration");
}

awaitable<std::optional<epmd_node>> epmd_lookup(tcp::endpoint epmd, std::string alive) {
    co_return co_await within(epmd_timeout, lookup_steps(epmd, std::move(alive)), "epmd lookup");
}

awaitable<std::vector<std::pair<std::string, std::uint16_t>>> epmd_names(tcp::endpoint epmd) {
    co_return co_await within(epmd_timeout, names_steps(epmd), "epmd names");
}

} // namespace rill::dist::internal
