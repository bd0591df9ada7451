#pragma once

// The messages of the Erlang Port Mapper Daemon protocol, as OTP 25's epmd
// speaks it (../shared/reference/erlang-distribution.md section 3), without
// any socket: the client (epmd_client) and the embedded daemon
// (embedded_epmd) both build and parse them here, and the tests and fuzzer
// reach them without a network.
//
// Every request travels on a fresh TCP connection, prefixed by its length
// in 2 bytes; replies have no length prefix. All integers are big-endian.
//
//   ALIVE2_REQ     120 Port:16 Type:8 Proto:8 High:16 Low:16 Nlen:16 Name Elen:16 Extra
//     reply        118 Result:8 Creation:32   (ALIVE2_X_RESP; the connection
//                                              stays open: closing it unregisters)
//   PORT_PLEASE2   122 Name
//     reply        119 Result:8 [Port:16 Type:8 Proto:8 High:16 Low:16
//                                Nlen:16 Name Elen:16 Extra]   then close
//   NAMES_REQ      110
//     reply        EpmdPort:32 then "name N at port P\n" lines, then close
//   KILL_REQ       107
//     reply        "OK" (or, from the embedded daemon, "NO": it is not killed)

#include "dist/wire/wire_bytes.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace rill::dist::internal {

/// erl's default epmd port.
inline constexpr std::uint16_t default_epmd_port = 4369;

/// The epmd port as erl and epmd choose it: `ERL_EPMD_PORT` when set to a
/// port number, else 4369. Throws `std::invalid_argument` for a value that
/// is no port number (erl would not start either).
std::uint16_t epmd_port_from_environment();

namespace epmd_tag {
inline constexpr std::uint8_t alive2_request = 120;
inline constexpr std::uint8_t alive2_x_response = 118;
inline constexpr std::uint8_t alive2_response = 121; // the old reply, 16-bit creation
inline constexpr std::uint8_t port_please2_request = 122;
inline constexpr std::uint8_t port2_response = 119;
inline constexpr std::uint8_t names_request = 110;
inline constexpr std::uint8_t kill_request = 107;
} // namespace epmd_tag

/// Node types in ALIVE2 and PORT2 messages.
inline constexpr std::uint8_t epmd_hidden_node = 72;
inline constexpr std::uint8_t epmd_normal_node = 77;

/// A node as epmd knows it: what ALIVE2 registers, what PORT_PLEASE2 finds.
struct epmd_node {
    std::string alive; ///< the name before '@'
    std::uint16_t port = 0;
    std::uint8_t type = epmd_hidden_node;
    std::uint8_t protocol = 0; ///< 0: TCP/IPv4
    std::uint16_t highest_version = 6;
    std::uint16_t lowest_version = 6;
    std::string extra;

    friend bool operator==(const epmd_node&, const epmd_node&) = default;
};

struct alive2_request {
    epmd_node node;
};

struct port_please2_request {
    std::string alive;
};

struct names_request {};

struct kill_request {};

using epmd_request =
    std::variant<alive2_request, port_please2_request, names_request, kill_request>;

/// A request with its 2-byte length prefix, ready to write.
bytes encode_request(const epmd_request& request);

/// The request in `body` (the bytes after the length prefix). Throws
/// `protocol_error` for an unknown tag or a malformed request.
epmd_request parse_request(std::span<const std::byte> body);

/// ALIVE2_X_RESP: result 0 with the creation, or a failure (1).
bytes encode_alive2_response(bool ok, std::uint32_t creation);

/// The creation in an ALIVE2 reply (the X form or the old one); nullopt
/// when epmd refused the registration. Throws `protocol_error` for bytes
/// that are no such reply. `reply` must be complete (see alive2_reply_size).
std::optional<std::uint32_t> parse_alive2_response(std::span<const std::byte> reply);

/// How many bytes the ALIVE2 reply starting with `tag` takes.
std::size_t alive2_reply_size(std::uint8_t tag);

/// PORT2_RESP for `node`, or the "not found" reply.
bytes encode_port2_response(const std::optional<epmd_node>& node);

/// The node in a whole PORT2_RESP (the daemon closes after it); nullopt
/// for "not found". Throws `protocol_error` for a malformed reply.
std::optional<epmd_node> parse_port2_response(std::span<const std::byte> reply);

/// The NAMES reply listing `nodes` (alive name and port), as epmd writes it.
bytes encode_names_response(std::uint16_t epmd_port, const std::vector<epmd_node>& nodes);

/// The (name, port) lines of a whole NAMES reply. Throws `protocol_error`.
std::vector<std::pair<std::string, std::uint16_t>>
parse_names_response(std::span<const std::byte> reply);

} // namespace rill::dist::internal
