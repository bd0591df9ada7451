// The node's logger (include/rill/otp/logger.hpp). The logger is a
// process registered as `rill_logger`, so each runtime has its own and the
// sink runs in one process at a time; `log` looks it up by name and sends
// it the event. With no logger process, `log` writes to stderr itself at
// the default level.

#include <rill/core/errors.hpp>
#include <rill/otp/logger.hpp>
#include <rill/process/node_value.hpp>
#include <rill/process/receive.hpp>
#include <rill/process/receive_first.hpp>
#include <rill/process/self.hpp>
#include <rill/process/send.hpp>
#include <rill/process/spawn.hpp>
#include <rill/process/task.hpp>
#include <rill/process/timer.hpp>
#include <rill/registry/registry.hpp>
#include <rill/signal/exit.hpp>

#include <cctype>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rill::otp {

namespace {

const atom logger_name{"rill_logger"};

/// What every process of the node reads before it logs (process::node_value
/// under `rill_logger`): the logger's pid and level.
struct logger_state {
    pid logger;
    log_level level;
};

std::shared_ptr<const logger_state> current_logger() {
    return std::static_pointer_cast<const logger_state>(process::node_value(logger_name));
}

std::string headline(const log_event& event) {
    std::string kind(event.kind.name());
    for (char& c : kind) {
        c = c == '_' ? ' ' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (event.level <= log_level::error && kind != "CRASH REPORT" && kind != "SUPERVISOR REPORT") {
        kind = "ERROR REPORT";
    }
    return "=" + kind + "==== " + std::to_string(event.time.count()) + " ms ===";
}

void write_to_stderr(const log_event& event) {
    const std::string text = format(event);
    std::fwrite(text.data(), 1, text.size(), stderr);
}

/// A request to the logger process to add (with a sink) or remove (without)
/// the handler `id`.
struct handler_change {
    atom id;
    log_level level = log_level::debug;
    log_sink sink;
};

struct handler {
    atom id;
    log_level level;
    log_sink sink;
};

/// The logger process: one event at a time, filtered by level, to the sink
/// and then to each added handler, in the order they were added.
task<> logger_main(logger_options options) {
    std::vector<handler> handlers;
    for (;;) {
        auto on_event = [&](log_event event) {
            if (event.level > options.level) {
                return;
            }
            if (options.sink) {
                options.sink(event);
            } else {
                write_to_stderr(event);
            }
            for (const handler& h : handlers) {
                if (event.level <= h.level) {
                    h.sink(event);
                }
            }
        };
        auto on_change = [&](handler_change change) {
            std::erase_if(handlers, [&](const handler& h) { return h.id == change.id; });
            if (change.sink) {
                handlers.push_back(handler{change.id, change.level, std::move(change.sink)});
            }
        };
        co_await process::receive_first(on_event, on_change);
    }
}

} // namespace

const char* level_name(log_level level) noexcept {
    switch (level) {
    case log_level::emergency:
        return "emergency";
    case log_level::alert:
        return "alert";
    case log_level::critical:
        return "critical";
    case log_level::error:
        return "error";
    case log_level::warning:
        return "warning";
    case log_level::notice:
        return "notice";
    case log_level::info:
        return "info";
    case log_level::debug:
        return "debug";
    }
    return "unknown";
}

std::string format(const log_event& event) {
    std::string text = headline(event) + "\n";
    const term& report = event.report;
    if (report.is_list() && report.is_proper_list()) {
        for (const term& item : report.list_elements()) {
            if (item.is_tuple() && item.elements().size() == 2 && item.elements()[0].is_atom()) {
                text += "    " + std::string(item.elements()[0].as_atom().name()) + ": " +
                        to_string(item.elements()[1]) + "\n";
            } else {
                text += "    " + to_string(item) + "\n";
            }
        }
    } else {
        text += "    " + to_string(report) + "\n";
    }
    return text;
}

pid start_logger(logger_options options) {
    if (process::whereis(logger_name)) {
        throw badarg("rill::otp::start_logger: this node has a logger already (rill_logger)");
    }
    const log_level level = options.level;
    const pid logger = process::spawn(logger_main, std::move(options));
    try {
        process::register_name(logger, logger_name);
    } catch (...) {
        process::exit(logger, term(atom("kill")));
        throw;
    }
    process::set_node_value(logger_name,
                            std::make_shared<logger_state>(logger_state{logger, level}));
    return logger;
}

void add_log_handler(atom id, log_level level, log_sink sink) {
    if (!sink) {
        throw badarg("rill::otp::add_log_handler: an empty sink");
    }
    std::optional<pid> logger = process::whereis(logger_name);
    if (!logger) {
        try {
            logger = start_logger({});
        } catch (const badarg&) {
            logger = process::whereis(logger_name); // another process started one meanwhile
        }
    }
    if (logger) {
        process::send(*logger, handler_change{id, level, std::move(sink)});
    }
}

void remove_log_handler(atom id) {
    if (std::optional<pid> logger = process::whereis(logger_name)) {
        process::send(*logger, handler_change{id, log_level::debug, {}});
    }
}

bool log_enabled(log_level level) {
    const std::shared_ptr<const logger_state> logger = current_logger();
    return level <= (logger ? logger->level : log_level::notice);
}

void log(log_level level, atom kind, term report) {
    const std::shared_ptr<const logger_state> logger = current_logger();
    if (level > (logger ? logger->level : log_level::notice)) {
        return;
    }
    log_event event{level, kind, std::move(report), process::self(), process::now()};
    if (logger) {
        process::send(logger->logger, std::move(event));
    } else {
        write_to_stderr(event);
    }
}

} // namespace rill::otp
