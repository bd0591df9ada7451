// observer::start and observer::server (include/rill/observer/server.hpp).

#include <rill/observer/server.hpp>

#include "observer/http_service.hpp"

namespace rill::observer {

server::server(std::unique_ptr<internal::http_service> service)
    : service_(std::move(service)) {}

server::server(server&&) noexcept = default;
server& server::operator=(server&&) noexcept = default;
server::~server() = default;

std::uint16_t server::port() const noexcept {
    return service_ ? service_->port() : 0;
}

std::string server::url() const {
    if (!service_) {
        return {};
    }
    const std::string& address = service_->address();
    const bool ipv6 = address.find(':') != std::string::npos;
    return "http://" + (ipv6 ? "[" + address + "]" : address) + ":" + std::to_string(port()) + "/";
}

server start(runtime& rt, options opts) {
    return server(std::make_unique<internal::http_service>(rt, std::move(opts)));
}

} // namespace rill::observer
