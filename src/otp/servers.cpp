// The node's directory of running servers (include/rill/otp/servers.hpp):
// a map from pid to class, under a mutex, kept as the node value
// `rill_otp_servers` so that each runtime has its own.

#include <rill/otp/servers.hpp>
#include <rill/otp/supervisor.hpp>
#include <rill/process/node_value.hpp>
#include <rill/process/self.hpp>
#include <rill/runtime/runtime.hpp>

#include "otp/type_name.hpp"

#include <mutex>
#include <unordered_map>
#include <utility>

namespace rill::otp {

namespace {

const atom directory_key{"rill_otp_servers"};

struct server_directory {
    std::mutex mutex;
    std::unordered_map<pid, const std::type_info*> servers; // guarded by mutex
};

// Guards only the making of a node's directory (node_value and
// set_node_value are two steps): two servers starting at once on two
// workers of a node without one must not make two. Taken once per server
// start only while no directory exists yet.
std::mutex making_directory;

std::shared_ptr<server_directory> directory_of_this_node() {
    if (auto found = process::node_value(directory_key)) {
        return std::static_pointer_cast<server_directory>(found);
    }
    const std::lock_guard lock(making_directory);
    if (auto found = process::node_value(directory_key)) {
        return std::static_pointer_cast<server_directory>(found);
    }
    auto made = std::make_shared<server_directory>();
    process::set_node_value(directory_key, made);
    return made;
}

std::vector<running_server> list(const std::shared_ptr<void>& value) {
    std::vector<running_server> result;
    if (!value) {
        return result;
    }
    auto& directory = *std::static_pointer_cast<server_directory>(value);
    std::vector<std::pair<pid, const std::type_info*>> copied;
    {
        const std::lock_guard lock(directory.mutex);
        copied.assign(directory.servers.begin(), directory.servers.end());
    }
    result.reserve(copied.size());
    for (const auto& [self, type] : copied) {
        const bool supervisor = *type == typeid(otp::supervisor);
        result.push_back(
            running_server{self,
                           supervisor ? std::string("otp::supervisor") : internal::type_name(*type),
                           supervisor});
    }
    return result;
}

} // namespace

std::vector<running_server> running_servers() {
    return list(process::node_value(directory_key));
}

std::vector<running_server> running_servers(const runtime& rt) {
    return list(rt.node_value(directory_key));
}

namespace detail {

server_listing::server_listing(const std::type_info& type)
    : self_(process::self()) {
    auto directory = directory_of_this_node();
    {
        const std::lock_guard lock(directory->mutex);
        directory->servers.insert_or_assign(self_, &type);
    }
    directory_ = std::move(directory);
}

// Runs where the frame is destroyed: on the server's worker, or on the
// thread that shuts the node down (no current process there, hence self_).
server_listing::~server_listing() {
    auto& directory = *std::static_pointer_cast<server_directory>(directory_);
    const std::lock_guard lock(directory.mutex);
    directory.servers.erase(self_);
}

} // namespace detail
} // namespace rill::otp
