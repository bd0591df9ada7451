#pragma once

// The process table of the page and of GET /api/processes: a snapshot's
// rows filtered, sorted and cut to one page, with each process's
// reductions since the previous sample (kept here, one figure per live
// process, replaced at most once a second whoever asks).

#include <rill/observer/snapshot.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <variant>

namespace rill::observer::internal {

enum class sort_key : std::uint8_t {
    pid,
    name,
    label,
    status,
    mailbox,
    message_age,
    memory,
    reductions,
    reductions_delta,
    links,
    monitors,
    monitored_by,
};

struct table_query {
    sort_key key = sort_key::memory;
    bool descending = true;
    std::string filter; ///< case-insensitive substring of pid, name or label
    std::size_t offset = 0;
    std::size_t limit = 100;
};

/// Reads `sort`, `order`, `filter`, `offset` and `limit` (all optional);
/// a message saying which one is wrong otherwise.
std::variant<table_query, std::string>
parse_table_query(const std::multimap<std::string, std::string>& params);

class process_table {
public:
    /// `{"total", "matched", "offset", "interval_ms", "rows": [...]}`.
    nlohmann::json page(const snapshot& shot, const table_query& query);

private:
    /// Reductions per process at the last two samples.
    struct sample {
        std::chrono::steady_clock::time_point taken;
        std::unordered_map<pid, std::uint64_t> reductions;
    };

    std::mutex mutex_;
    sample previous_; // guarded by mutex_: what deltas are counted from
    sample latest_;   // guarded by mutex_
};

} // namespace rill::observer::internal
