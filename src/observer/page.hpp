#pragma once

// The observer's web page (src/observer/page/index.html), compiled into
// the library so it is served with no file and no network.

#include <string_view>

namespace rill::observer::internal {

std::string_view page_html() noexcept;

} // namespace rill::observer::internal
