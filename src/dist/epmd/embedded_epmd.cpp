#include "dist/epmd/embedded_epmd.hpp"

#include "dist/io/deadline.hpp"
#include "dist/io/u16_messages.hpp"

#include <array>
#include <random>

namespace rill::dist::internal {

namespace {

std::uint32_t random_creation() {
    std::random_device device;
    return std::uniform_int_distribution<std::uint32_t>(1, 0x7FFFFFFF)(device);
}

} // namespace

embedded_epmd::embedded_epmd(asio::io_context& context, tcp::endpoint endpoint)
    : acceptor_(context)
    , next_creation_(random_creation()) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
}

void embedded_epmd::start() {
    asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached);
}

void embedded_epmd::stop() {
    asio::error_code ignored;
    acceptor_.close(ignored);
    for (auto& [name, entry] : registered_) {
        entry.connection->close(ignored);
    }
    registered_.clear();
}

std::vector<epmd_node> embedded_epmd::nodes() const {
    std::vector<epmd_node> out;
    out.reserve(registered_.size());
    for (const auto& [name, entry] : registered_) {
        out.push_back(entry.node);
    }
    return out;
}

awaitable<void> embedded_epmd::accept_loop() {
    auto self = shared_from_this();
    for (;;) {
        auto [error, socket] =
            co_await acceptor_.async_accept(asio::experimental::as_tuple(use_awaitable));
        if (error == asio::error::operation_aborted || !acceptor_.is_open()) {
            co_return;
        }
        if (error) {
            continue; // one failed accept (out of descriptors, say) ends no one's service
        }
        auto connection = std::make_shared<tcp::socket>(std::move(socket));
        asio::co_spawn(acceptor_.get_executor(), serve(std::move(connection)), asio::detached);
    }
}

awaitable<void> embedded_epmd::serve(std::shared_ptr<tcp::socket> socket) {
    auto self = shared_from_this();
    try {
        const bytes body =
            co_await within(epmd_request_timeout, read_u16_message(*socket), "epmd request");
        const epmd_request request = parse_request(body);
        bytes reply;
        if (const auto* alive2 = std::get_if<alive2_request>(&request)) {
            const std::string alive = alive2->node.alive;
            if (registered_.contains(alive)) {
                reply = encode_alive2_response(false, 0);
                co_await asio::async_write(*socket, asio::buffer(reply), use_awaitable);
                co_return; // epmd closes a refused registration
            }
            const std::uint32_t creation = next_creation_;
            next_creation_ = next_creation_ == 0xFFFFFFFF ? 1 : next_creation_ + 1;
            registered_.emplace(alive, registration{alive2->node, socket});
            reply = encode_alive2_response(true, creation);
            co_await asio::async_write(*socket, asio::buffer(reply), use_awaitable);
            co_await hold_registration(socket, alive);
            co_return;
        }
        if (const auto* lookup = std::get_if<port_please2_request>(&request)) {
            auto found = registered_.find(lookup->alive);
            reply = encode_port2_response(found == registered_.end()
                                              ? std::nullopt
                                              : std::optional<epmd_node>(found->second.node));
        } else if (std::holds_alternative<names_request>(request)) {
            reply = encode_names_response(port_, nodes());
        } else {
            reply = bytes{std::byte{'N'}, std::byte{'O'}};
        }
        co_await asio::async_write(*socket, asio::buffer(reply), use_awaitable);
    } catch (const std::exception&) {
        // A malformed or stalled request: the connection is closed, as
        // epmd does; nothing else changes.
    }
    asio::error_code ignored;
    socket->shutdown(tcp::socket::shutdown_both, ignored);
    socket->close(ignored);
}

awaitable<void> embedded_epmd::hold_registration(std::shared_ptr<tcp::socket> socket,
                                                 std::string alive) {
    // The node sends nothing more; its connection closing (or anything it
    // sends, which epmd does not expect) ends the registration.
    std::array<std::byte, 64> ignored_bytes{};
    for (;;) {
        auto [error, count] = co_await socket->async_read_some(
            asio::buffer(ignored_bytes), asio::experimental::as_tuple(use_awaitable));
        if (error) {
            break;
        }
    }
    auto found = registered_.find(alive);
    if (found != registered_.end() && found->second.connection == socket) {
        registered_.erase(found);
    }
}

} // namespace rill::dist::internal
