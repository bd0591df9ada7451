#pragma once

/// \file
/// Child specifications (OTP's `child_spec()`): what a supervisor starts,
/// when it restarts it, and how it shuts it down.
///
/// ```cpp
/// std::vector<otp::child_spec> children{
///     otp::worker<cache>(atom("cache"), 1024),              // start_link<cache>(1024)
///     otp::supervisor_child(atom("pool"), pool_flags, pool_children),
/// };
/// children[0].restart = otp::restart_type::transient;
/// children[0].shutdown = std::chrono::milliseconds(2000);  // or otp::brutal_kill, otp::infinity
/// ```

#include <rill/core/term.hpp>
#include <rill/otp/gen_server.hpp>
#include <rill/otp/server_ref.hpp>
#include <rill/otp/start.hpp>
#include <rill/process/task.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

namespace rill::otp {

/// OTP's `restart`: when a child that ended is started again.
enum class restart_type : std::uint8_t {
    permanent, ///< always
    transient, ///< unless it ended with normal, shutdown or {shutdown, _}
    temporary, ///< never (and it is forgotten once it ends)
};

/// OTP's restart names: `otp::permanent`, `otp::transient`, `otp::temporary`.
inline constexpr restart_type permanent = restart_type::permanent;
inline constexpr restart_type transient = restart_type::transient;
inline constexpr restart_type temporary = restart_type::temporary;

/// OTP's `type`.
enum class child_type : std::uint8_t { worker, supervisor };

/// OTP's `shutdown`: how long a child has to end after the supervisor's
/// `shutdown` exit signal before it is killed; `brutal_kill` kills at once.
/// A duration converts to it (`otp::infinity` waits forever).
class shutdown_policy {
public:
    enum class kind : std::uint8_t { brutal_kill, timeout, forever };

    constexpr shutdown_policy(std::chrono::milliseconds timeout) noexcept // NOLINT
        : kind_(timeout >= otp::infinity ? kind::forever : kind::timeout)
        , timeout_(timeout) {}

    constexpr explicit shutdown_policy(kind k) noexcept
        : kind_(k) {}

    [[nodiscard]] constexpr kind how() const noexcept { return kind_; }

    [[nodiscard]] constexpr std::chrono::milliseconds timeout() const noexcept { return timeout_; }

    /// As OTP writes it: `brutal_kill`, the milliseconds, or `infinity`.
    [[nodiscard]] term as_term() const;

    friend constexpr bool operator==(const shutdown_policy&, const shutdown_policy&) = default;

private:
    kind kind_;
    std::chrono::milliseconds timeout_{0};
};

inline constexpr shutdown_policy brutal_kill{shutdown_policy::kind::brutal_kill};

/// Starts a child, linked to the calling process (the supervisor), and
/// says how it went: `{ok, Pid}`, `ignore` or `{error, Reason}`.
/// `extra_args` is `[]`, except for a child of a `simple_one_for_one`
/// supervisor: the term given to `start_child`.
using start_function = std::function<task<start_result<>>(term extra_args)>;

struct child_spec {
    term id;
    start_function start;
    restart_type restart = restart_type::permanent;
    /// Unset: 5 s for a worker, `infinity` for a supervisor (OTP's defaults).
    std::optional<shutdown_policy> shutdown;
    child_type type = child_type::worker;

    [[nodiscard]] shutdown_policy shutdown_or_default() const {
        if (shutdown) {
            return *shutdown;
        }
        return type == child_type::worker ? shutdown_policy(std::chrono::milliseconds(5000))
                                          : shutdown_policy(otp::infinity);
    }
};

namespace detail {
/// A gen_server child's start: `start_link<S>(args...)`, with the extra
/// argument of a simple_one_for_one child when `S` takes one. No frame of
/// its own: it returns the start's task.
template <class S, class... Args>
task<start_result<>> start_worker(term extra, Args... args) {
    if constexpr (std::is_constructible_v<S, Args..., term>) {
        if (!extra.is_nil()) {
            return start_server<S, start_result<>, Args..., term>(
                true, std::nullopt, std::move(args)..., std::move(extra));
        }
    }
    return start_server<S, start_result<>, Args...>(true, std::nullopt, std::move(args)...);
}
} // namespace detail

/// A gen_server child: `start_link<S>(args...)`. Under a
/// `simple_one_for_one` supervisor, the term given to `start_child` is
/// passed as one more constructor argument when `S` takes one.
/// The arguments are copied into the spec: each restart starts from them.
template <class S, class... Args>
[[nodiscard]] child_spec worker(term id, Args... args) {
    child_spec spec;
    spec.id = std::move(id);
    spec.start = [args...](term extra) {
        return detail::start_worker<S, Args...>(std::move(extra), args...);
    };
    return spec;
}

} // namespace rill::otp
