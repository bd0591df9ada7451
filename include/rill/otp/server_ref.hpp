#pragma once

/// \file
/// `otp::server_ref`: how a gen_server is addressed, as OTP's ServerRef: a
/// pid, a locally registered name, or `{Name, Node}`. `server_ref<>` is
/// any server; `server_ref<S>` is a server of class `S` (what
/// `otp::start<S>` returns), through which calls and casts are typed:
/// the request and the reply are moved C++ objects, never terms, and the
/// compiler checks that `S` handles the request.

#include <rill/core/atom.hpp>
#include <rill/core/pid.hpp>
#include <rill/core/term.hpp>

#include <chrono>
#include <type_traits>
#include <utility>
#include <variant>

namespace rill::otp {

/// Erlang's `infinity` for call, stop and start timeouts.
inline constexpr std::chrono::milliseconds infinity = std::chrono::milliseconds::max();

/// The timeout of `otp::call` without one: 5 s, as gen_server:call/2.
inline constexpr std::chrono::milliseconds default_call_timeout{5000};

/// A name to register a server under on this node (OTP's `{local, Name}`).
struct local_name {
    atom name;
};

template <class Server = void>
class server_ref {
public:
    using address_type = std::variant<pid, atom, std::pair<atom, atom>>;

    // Implicit for `server_ref<>`, explicit for a typed reference: naming
    // the class of the process behind a pid or a name is a claim the
    // caller makes on purpose. The server checks it (a typed request to a
    // server of another class ends that server with {bad_call, Request}).
    explicit(!std::is_void_v<Server>) server_ref(const pid& server) // NOLINT
        : address_(server) {}

    explicit(!std::is_void_v<Server>) server_ref(atom name) // NOLINT
        : address_(name) {}

    explicit(!std::is_void_v<Server>) server_ref(std::pair<atom, atom> name_at_node) // NOLINT
        : address_(name_at_node) {}

    /// Any typed reference is also an untyped one.
    template <class Other>

    requires(std::is_void_v<Server> && !std::is_void_v<Other>)
        server_ref(const server_ref<Other>& typed) // NOLINT(google-explicit-constructor)
        : address_(typed.address()) {}

    [[nodiscard]] const address_type& address() const noexcept { return address_; }

    /// The pid, when the reference is one.
    [[nodiscard]] const pid* as_pid() const noexcept { return std::get_if<pid>(&address_); }

    /// As OTP writes the ServerRef in exit reasons: `Pid`, `Name` or `{Name, Node}`.
    [[nodiscard]] term as_term() const {
        if (const auto* p = std::get_if<pid>(&address_)) {
            return term(*p);
        }
        if (const auto* name = std::get_if<atom>(&address_)) {
            return term(*name);
        }
        const auto& name_at_node = std::get<std::pair<atom, atom>>(address_);
        return term::tuple_of(name_at_node.first, name_at_node.second);
    }

    friend bool operator==(const server_ref&, const server_ref&) = default;

private:
    address_type address_;
};

} // namespace rill::otp
