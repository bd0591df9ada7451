#pragma once

/// \file
/// How much smaller the stress tests run under ThreadSanitizer, which slows
/// everything 5-15x: loop counts are divided by `scale_down`.

namespace rill::test {

#if defined(__SANITIZE_THREAD__)
inline constexpr int scale_down = 2;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
inline constexpr int scale_down = 2;
#else
inline constexpr int scale_down = 1;
#endif
#else
inline constexpr int scale_down = 1;
#endif

} // namespace rill::test
