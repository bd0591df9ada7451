#pragma once

// The last crash and supervisor reports of the node, for the page: a
// bounded ring (the oldest entries are dropped), each entry numbered so a
// client asks only for what it has not seen (`since`).

#include <cstdint>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>

namespace rill::observer::internal {

class crash_log {
public:
    static constexpr std::size_t capacity = 200;

    /// Appends `entry` (an object), numbering it.
    void add(nlohmann::json entry) {
        const std::lock_guard lock(mutex_);
        entry["seq"] = ++last_;
        entries_.push_back(std::move(entry));
        if (entries_.size() > capacity) {
            entries_.pop_front();
        }
    }

    /// `{"last": N, "entries": [...]}` with the entries numbered above `since`.
    nlohmann::json since(std::uint64_t since) const {
        const std::lock_guard lock(mutex_);
        nlohmann::json out = nlohmann::json::array();
        for (const nlohmann::json& entry : entries_) {
            if (entry["seq"].get<std::uint64_t>() > since) {
                out.push_back(entry);
            }
        }
        return {{"last", last_}, {"entries", std::move(out)}};
    }

private:
    mutable std::mutex mutex_;
    std::deque<nlohmann::json> entries_; // guarded by mutex_
    std::uint64_t last_ = 0;             // guarded by mutex_
};

} // namespace rill::observer::internal
