// Pids and figures as text (src/observer/text.hpp).

#include "observer/text.hpp"

#include <charconv>
#include <cmath>

namespace rill::observer::internal {

namespace {

/// Reads a decimal uint32 at the front of `text`, moving past it.
std::optional<std::uint32_t> take_number(std::string_view& text) {
    std::uint32_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end == text.data()) {
        return std::nullopt;
    }
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    return value;
}

bool take(std::string_view& text, char c) {
    if (text.empty() || text.front() != c) {
        return false;
    }
    text.remove_prefix(1);
    return true;
}

} // namespace

std::string pid_text(const pid& p, atom local) {
    std::string node = p.node == local ? "0" : std::string(p.node.name());
    return "<" + node + "." + std::to_string(p.id) + "." + std::to_string(p.serial) + ">";
}

std::optional<pid> parse_local_pid(std::string_view text, atom local, std::uint32_t creation) {
    if (!take(text, '<') || !take(text, '0') || !take(text, '.')) {
        return std::nullopt;
    }
    const std::optional<std::uint32_t> id = take_number(text);
    if (!id || !take(text, '.')) {
        return std::nullopt;
    }
    const std::optional<std::uint32_t> serial = take_number(text);
    if (!serial || !take(text, '>') || !text.empty()) {
        return std::nullopt;
    }
    pid p;
    p.node = local;
    p.id = *id;
    p.serial = *serial;
    p.creation = creation;
    return p;
}

std::optional<std::uint64_t> parse_count(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return value;
}

const char* status_name(process_status status) noexcept {
    switch (status) {
    case process_status::running:
        return "running";
    case process_status::runnable:
        return "runnable";
    case process_status::waiting:
        return "waiting";
    }
    return "unknown";
}

std::string number_text(double value) {
    if (std::isnan(value)) {
        return "NaN";
    }
    if (std::isinf(value)) {
        return value > 0 ? "+Inf" : "-Inf";
    }
    char buffer[32];
    const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
    return error == std::errc{} ? std::string(buffer, end) : std::string("0");
}

} // namespace rill::observer::internal
