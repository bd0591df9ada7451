#pragma once

// The error of the distribution's byte protocols other than the term format
// (epmd requests, handshake messages, frames): a peer sent something that
// does not parse, or that the protocol forbids. The connection it came on
// is closed with this message in the log; nothing else is affected.

#include <stdexcept>
#include <string>

namespace rill::dist::internal {

class protocol_error : public std::runtime_error {
public:
    explicit protocol_error(const std::string& what)
        : std::runtime_error(what) {}
};

} // namespace rill::dist::internal
