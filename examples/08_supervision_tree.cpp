// 08 — a supervision tree that survives injected crashes (rill::otp).
//
//   top (one_for_one)
//   ├── db        a worker
//   ├── sessions  simple_one_for_one: one worker per session
//   └── cache     a transient worker: restarted after a crash, not after
//                 a normal end
//
// Every worker tells the root when it starts, and the logger prints the
// supervisors' reports (child_terminated, progress), so what restarts is
// on the screen. The root crashes workers, waits for their replacements,
// and finally stops the tree: children stop in reverse start order.

#include <rill/otp.hpp>
#include <rill/rill.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

using namespace rill;

/// A worker that reports `{started, Name, Pid}` to the process registered
/// as `root`, and ends with whatever reason it is cast.
struct worker : otp::gen_server {
    explicit worker(std::string who)
        : name(std::move(who)) {}

    worker(std::string who, term session)
        : name(who + " " + to_string(session)) {}

    void init() {
        process::send(atom("root"), term::tuple_of(atom("started"), name, process::self()));
    }

    otp::result handle_cast(const term& reason) { return otp::stop_with(reason); }

    std::string name;
};

/// One whole line at a time (one locked stdio write): the logger process
/// prints too, from another worker.
void say(const std::string& line) {
    const std::string text = line + "\n";
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

/// Waits for the next worker start; returns its pid.
task<pid> started(const std::string& name) {
    auto is_it = [&name](const term& t) {
        return t.is_tuple() && t.elements().size() == 3 && t.elements()[1] == term(name);
    };
    auto take = process::when<term>(is_it, [](term t) { return t; });
    term report = co_await process::receive_first(std::move(take));
    say("  started " + name + " as " + to_string(report.elements()[2]));
    co_return report.elements()[2].as_pid();
}

void print_report(const otp::log_event& event) {
    if (event.kind == atom("supervisor_report")) {
        say("  report: " + to_string(event.report));
    }
}

task<> root(bool* ok) {
    process::register_name(process::self(), atom("root"));
    otp::logger_options logging;
    logging.level = otp::log_level::notice;
    logging.sink = print_report;
    (void)otp::start_logger(logging);

    otp::supervisor_flags sessions_flags;
    sessions_flags.strategy = otp::simple_one_for_one;
    sessions_flags.intensity = 10;
    std::vector<otp::child_spec> children{
        otp::worker<worker>(atom("db"), std::string("db")),
        otp::supervisor_child(atom("sessions"),
                              sessions_flags,
                              {otp::worker<worker>(atom("session"), std::string("session"))}),
        otp::worker<worker>(atom("cache"), std::string("cache")),
    };
    children[2].restart = otp::transient;
    otp::supervisor_flags top_flags;
    top_flags.intensity = 3;
    top_flags.period = std::chrono::seconds(10);
    const otp::local_name top_name{atom("top")};

    say("starting the tree");
    otp::start_result<otp::supervisor> top =
        co_await otp::start_link<otp::supervisor>(top_name, top_flags, children);
    const pid db = co_await started("db");
    const pid cache = co_await started("cache");
    const std::vector<otp::child_info> top_children = co_await otp::which_children(atom("top"));
    const pid sessions = *top_children[1].process; // newest first: cache, sessions, db
    for (int user = 1; user <= 2; ++user) {
        (void)co_await otp::start_child(sessions, term::list_of(user));
        (void)co_await started("session [" + std::to_string(user) + "]");
    }

    say("crashing db");
    otp::cast(otp::server_ref<>(db), atom("disk_on_fire"));
    const pid db2 = co_await started("db");

    say("crashing a session");
    const pid session = *(co_await otp::which_children(sessions))[0].process;
    otp::cast(otp::server_ref<>(session), atom("timeout"));
    (void)co_await process::receive_first(
        process::when<term>([](const term& t) { return t.is_tuple() && t.elements().size() == 3; },
                            [](term t) { return t; }));

    say("the cache ends normally: a transient child stays down");
    // The DOWN of the cache is the moment to ask: a dying process signals
    // its links (the supervisor) before its monitors (this process), so
    // the supervisor has the exit before anything sent after the DOWN.
    const reference watch = process::monitor(cache);
    otp::cast(otp::server_ref<>(cache), atom("normal"));
    auto cache_ended = process::when<down_signal>(
        [watch](const down_signal& d) { return d.ref == watch; }, [](const down_signal&) {});
    co_await process::receive_first(std::move(cache_ended));
    bool cache_down = false;
    const std::vector<otp::child_info> now = co_await otp::which_children(atom("top"));
    for (const otp::child_info& child : now) {
        cache_down = cache_down || (child.id == term(atom("cache")) && !child.process);
    }
    const otp::child_counts counts = co_await otp::count_children(atom("top"));
    say("top: " + to_string(counts.as_term()));

    say("stopping the tree");
    co_await otp::stop(top.server());
    *ok = db2 != db && cache_down && counts.specs == 3 && counts.active == 2 &&
          !process::alive(db2) && !process::alive(sessions);
}

int main() {
    runtime rt;
    bool ok = false;
    const term reason = rt.run(root, &ok);
    return ok && reason == term(atom("normal")) ? 0 : 1;
}
