#pragma once

/// \file
/// How the process layer reads a timeout given as any `std::chrono`
/// duration. Not part of the API.

#include <chrono>
#include <cmath>
#include <cstdint>
#include <type_traits>

namespace rill::detail {

/// Timeouts of this many milliseconds (2^52 ms, about 142,000 years) or
/// more wait forever, as Erlang's `infinity`: no timer is armed for them.
/// The bound keeps every deadline (`now + timeout`) far from overflow.
inline constexpr std::int64_t infinite_timeout_ms = std::int64_t{1} << 52;

/// What `timeout_milliseconds` returns for an infinite timeout.
inline constexpr std::int64_t wait_forever = -1;

[[noreturn]] void throw_nan_timeout(const char* operation);

/// A timeout in whole milliseconds, rounded up (a timer never fires early):
/// 0 for zero and negative durations, `wait_forever` for durations of
/// `infinite_timeout_ms` or more (`hours::max()`, a double of 1e300 or
/// infinity). Throws `badarg` for a NaN duration. Never overflows: the
/// comparison is made in `long double` milliseconds before any integer
/// conversion.
template <class Rep, class Period>
std::int64_t timeout_milliseconds(std::chrono::duration<Rep, Period> timeout,
                                  const char* operation = "a timeout") {
    if constexpr (std::is_floating_point_v<Rep>) {
        if (std::isnan(timeout.count())) {
            throw_nan_timeout(operation);
        }
    }
    const long double ms =
        std::chrono::duration<long double, std::milli>(
            std::chrono::duration<long double, Period>(static_cast<long double>(timeout.count())))
            .count();
    if (!(ms > 0)) {
        return 0;
    }
    if (ms >= static_cast<long double>(infinite_timeout_ms)) {
        return wait_forever;
    }
    if constexpr (std::is_floating_point_v<Rep>) {
        return static_cast<std::int64_t>(std::ceil(ms));
    } else {
        // In range, so the exact integer rounding cannot overflow either.
        return static_cast<std::int64_t>(
            std::chrono::ceil<std::chrono::milliseconds>(timeout).count());
    }
}

} // namespace rill::detail
