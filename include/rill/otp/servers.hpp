#pragma once

/// \file
/// `otp::running_servers`: the gen_servers and supervisors alive on a node,
/// with their C++ class, read without messaging them. What a tool needs to
/// find the supervision trees (every supervisor, then `which_children`)
/// and to label a process in a process list; the observer uses it.
///
/// A server is listed from its start (before `init`) until its process
/// ends, however it ends (a `kill` included: the listing belongs to the
/// server's frame). Listing costs a server one short lock at its start and
/// one at its end.

#include <rill/core/pid.hpp>

#include <memory>
#include <string>
#include <typeinfo>
#include <vector>

namespace rill {
class runtime;
}

namespace rill::otp {

struct running_server {
    pid self;
    /// The server's C++ class, demangled (`otp::supervisor` for supervisors).
    std::string class_name;
    bool is_supervisor = false;
};

/// The servers of the calling process's node, in no particular order.
[[nodiscard]] std::vector<running_server> running_servers();

/// The servers of `rt`'s node, from any thread.
[[nodiscard]] std::vector<running_server> running_servers(const runtime& rt);

namespace detail {

/// Lists the calling process as a server of class `type` for as long as
/// the object lives (one lives in each server's frame, see start.hpp).
class server_listing {
public:
    explicit server_listing(const std::type_info& type);
    ~server_listing();

    server_listing(const server_listing&) = delete;
    server_listing& operator=(const server_listing&) = delete;

private:
    pid self_;
    std::shared_ptr<void> directory_;
};

} // namespace detail
} // namespace rill::otp
