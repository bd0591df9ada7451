// The non-template half of starting a gen_server (include/rill/otp/start.hpp).

#include <rill/core/errors.hpp>
#include <rill/otp/start.hpp>
#include <rill/registry/registry.hpp>

#include <optional>
#include <string>

namespace rill::otp {

start_error::start_error(term result)
    : std::runtime_error("rill::otp::start: the server did not start: " + to_string(result))
    , result_(std::move(result)) {}

namespace detail {

void ack_start(const pid& starter, const reference& ref, term result) {
    process::send(starter, start_ack{ref, std::move(result)});
}

bool register_or_ack(const pid& starter, const reference& ref, atom name) {
    try {
        process::register_name(process::self(), name);
        return true;
    } catch (const badarg&) {
        std::optional<pid> holder = process::whereis(name);
        term reason =
            holder ? term::tuple_of(atom("already_started"), *holder) : term(atoms::badarg);
        ack_start(starter, ref, term::tuple_of(atom("error"), std::move(reason)));
        return false;
    }
}

} // namespace detail
} // namespace rill::otp
