// The page's process table (src/observer/process_table.hpp).

#include "observer/process_table.hpp"

#include "observer/text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string_view>

namespace rill::observer::internal {

namespace {

constexpr std::size_t max_filter_length = 200;
constexpr std::size_t max_limit = 10000;
constexpr auto sample_interval = std::chrono::seconds(1);

std::optional<sort_key> key_named(std::string_view name) {
    static constexpr std::pair<std::string_view, sort_key> keys[] = {
        {"pid", sort_key::pid},
        {"name", sort_key::name},
        {"label", sort_key::label},
        {"status", sort_key::status},
        {"mailbox", sort_key::mailbox},
        {"message_age", sort_key::message_age},
        {"memory", sort_key::memory},
        {"reductions", sort_key::reductions},
        {"reductions_delta", sort_key::reductions_delta},
        {"links", sort_key::links},
        {"monitors", sort_key::monitors},
        {"monitored_by", sort_key::monitored_by},
    };
    for (const auto& [text, key] : keys) {
        if (text == name) {
            return key;
        }
    }
    return std::nullopt;
}

std::string lowered(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

/// One row and its reductions delta; its texts are made only for the
/// filter and for the rows shown (a million rows cost no strings).
struct prepared {
    const process_row* row;
    std::uint64_t delta;
};

/// Pid order within one node, as `<0.ID.SERIAL>` reads.
std::pair<std::uint32_t, std::uint32_t> table_order(const process_summary& s) {
    return {s.self.id, s.self.serial};
}

std::string_view name_of(const process_row& row) {
    return row.summary.registered_name ? row.summary.registered_name->name() : std::string_view();
}

} // namespace

std::variant<table_query, std::string>
parse_table_query(const std::multimap<std::string, std::string>& params) {
    table_query query;
    for (const auto& [key, value] : params) {
        if (key == "sort") {
            std::optional<sort_key> found = key_named(value);
            if (!found) {
                return std::string("unknown sort key (one of pid, name, label, status, mailbox, "
                                   "message_age, memory, reductions, reductions_delta, links, "
                                   "monitors, monitored_by)");
            }
            query.key = *found;
        } else if (key == "order") {
            if (value != "asc" && value != "desc") {
                return std::string("order is asc or desc");
            }
            query.descending = value == "desc";
        } else if (key == "filter") {
            if (value.size() > max_filter_length) {
                return std::string("filter longer than 200 characters");
            }
            query.filter = lowered(value);
        } else if (key == "offset") {
            std::optional<std::uint64_t> n = parse_count(value);
            if (!n) {
                return std::string("offset is a non-negative integer");
            }
            query.offset = *n;
        } else if (key == "limit") {
            std::optional<std::uint64_t> n = parse_count(value);
            if (!n || *n > max_limit) {
                return std::string("limit is an integer from 0 to 10000");
            }
            query.limit = *n;
        } else if (key != "token") {
            return "unknown parameter " + key.substr(0, 40);
        }
    }
    return query;
}

nlohmann::json process_table::page(const snapshot& shot, const table_query& query) {
    std::vector<prepared> rows;
    rows.reserve(shot.processes.size());
    std::chrono::milliseconds interval{0};
    {
        const std::lock_guard lock(mutex_);
        const auto now = std::chrono::steady_clock::now();
        if (latest_.reductions.empty() || now - latest_.taken >= sample_interval) {
            previous_ = std::move(latest_);
            latest_.taken = now;
            latest_.reductions.clear();
            latest_.reductions.reserve(shot.processes.size());
            for (const process_row& row : shot.processes) {
                latest_.reductions.emplace(row.summary.self, row.summary.reductions);
            }
        }
        if (!previous_.reductions.empty()) {
            interval = std::chrono::duration_cast<std::chrono::milliseconds>(latest_.taken -
                                                                             previous_.taken);
        }
        for (const process_row& row : shot.processes) {
            std::uint64_t delta = 0;
            auto before = previous_.reductions.find(row.summary.self);
            if (before != previous_.reductions.end() && row.summary.reductions >= before->second) {
                delta = row.summary.reductions - before->second;
            }
            rows.push_back(prepared{&row, delta});
        }
    }

    if (!query.filter.empty()) {
        std::erase_if(rows, [&](const prepared& r) {
            return lowered(pid_text(r.row->summary.self, shot.node)).find(query.filter) ==
                       std::string::npos &&
                   lowered(name_of(*r.row)).find(query.filter) == std::string::npos &&
                   lowered(r.row->label).find(query.filter) == std::string::npos;
        });
    }

    auto less = [&](const prepared& a, const prepared& b) {
        const process_summary& x = a.row->summary;
        const process_summary& y = b.row->summary;
        switch (query.key) {
        case sort_key::pid:
            return table_order(x) < table_order(y);
        case sort_key::name:
            return name_of(*a.row) < name_of(*b.row);
        case sort_key::label:
            return a.row->label < b.row->label;
        case sort_key::status:
            return x.status < y.status;
        case sort_key::mailbox:
            return x.message_queue_length < y.message_queue_length;
        case sort_key::message_age:
            return x.oldest_message_age < y.oldest_message_age;
        case sort_key::memory:
            return x.memory < y.memory;
        case sort_key::reductions:
            return x.reductions < y.reductions;
        case sort_key::reductions_delta:
            return a.delta < b.delta;
        case sort_key::links:
            return x.links < y.links;
        case sort_key::monitors:
            return x.monitors < y.monitors;
        case sort_key::monitored_by:
            return x.monitored_by < y.monitored_by;
        }
        return false;
    };
    // Ties in pid order, so that a page is stable from one refresh to the next.
    auto ordered = [&](const prepared& a, const prepared& b) {
        if (less(a, b)) {
            return !query.descending;
        }
        if (less(b, a)) {
            return query.descending;
        }
        return table_order(a.row->summary) < table_order(b.row->summary);
    };
    const std::size_t first = std::min(query.offset, rows.size());
    const std::size_t last = std::min(rows.size(), first + query.limit);
    std::partial_sort(
        rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(last), rows.end(), ordered);

    nlohmann::json listed = nlohmann::json::array();
    for (std::size_t i = first; i < last; ++i) {
        const prepared& r = rows[i];
        const process_summary& s = r.row->summary;
        const std::string_view name = name_of(*r.row);
        listed.push_back(
            {{"pid", pid_text(s.self, shot.node)},
             {"name", name.empty() ? nlohmann::json(nullptr) : nlohmann::json(name)},
             {"label",
              r.row->label.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.row->label)},
             {"status", status_name(s.status)},
             {"mailbox", s.message_queue_length},
             {"message_age_ms", s.oldest_message_age.count()},
             {"memory", s.memory},
             {"reductions", s.reductions},
             {"reductions_delta", r.delta},
             {"links", s.links},
             {"monitors", s.monitors},
             {"monitored_by", s.monitored_by}});
    }
    return {{"total", shot.processes.size()},
            {"matched", rows.size()},
            {"offset", first},
            {"interval_ms", interval.count()},
            {"rows", std::move(listed)}};
}

} // namespace rill::observer::internal
