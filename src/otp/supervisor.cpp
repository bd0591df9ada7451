// otp::supervisor (include/rill/otp/supervisor.hpp): OTP 25's supervisor
// as a gen_server class. The cases tests/otp/supervisor_test.cpp checks
// were run on OTP 25 first (tests/otp/erlang/supervisor_oracle.erl).
//
// Children live in start order in `children_`; a simple_one_for_one
// supervisor keeps its one template there and its running children in
// `dynamic_` (pid -> the extra arguments they were started with). Every
// child is linked to the supervisor, which traps exits: a child's end
// arrives as `{'EXIT', Pid, Reason}` in handle_info. Shutting a child
// down is OTP's monitor_child + shutdown/2: monitor, unlink, take an exit
// signal that beat the unlink, then `shutdown` (or `kill`) and wait for
// the DOWN, killing after the child's timeout.

#include <rill/core/errors.hpp>
#include <rill/otp/logger.hpp>
#include <rill/otp/supervisor.hpp>
#include <rill/process/exit.hpp>
#include <rill/process/receive_first.hpp>
#include <rill/process/self.hpp>
#include <rill/process/send.hpp>
#include <rill/process/timer.hpp>
#include <rill/signal/exit.hpp>
#include <rill/signal/link.hpp>
#include <rill/signal/monitor.hpp>

#include <algorithm>
#include <exception>
#include <unordered_set>
#include <utility>

namespace rill::otp {

namespace {

const atom ok_atom{"ok"};
const atom error_atom{"error"};
const atom undefined_atom{"undefined"};
const atom restarting_atom{"restarting"};
const atom running_atom{"running"};
const atom not_found_atom{"not_found"};
const atom shutdown_atom{"shutdown"};
const atom normal_atom{"normal"};
const atom kill_atom{"kill"};
const atom exit_atom{"EXIT"};
const atom restart_message{"$rill_supervisor_restart"};
const atom try_again_message{"$rill_supervisor_try_again"};
const atom simple_one_for_one_atom{"simple_one_for_one"};

term error_of(term reason) {
    return term::tuple_of(error_atom, std::move(reason));
}

bool restarts_after(restart_type restart, const term& reason) {
    switch (restart) {
    case restart_type::permanent:
        return true;
    case restart_type::transient:
        return !detail::is_orderly_end(reason);
    case restart_type::temporary:
        return false;
    }
    return false;
}

atom type_atom(child_type type) {
    return type == child_type::worker ? atom("worker") : atom("supervisor");
}

term restart_name(restart_type restart) {
    switch (restart) {
    case restart_type::permanent:
        return term(atom("permanent"));
    case restart_type::transient:
        return term(atom("transient"));
    case restart_type::temporary:
        break;
    }
    return term(atom("temporary"));
}

/// OTP's child description in reports: `[{pid, P}, {id, Id}, ...]`.
term describe_child(const child_spec& spec, std::optional<pid> process) {
    return term::list_of(
        term::tuple_of(atom("pid"), process ? term(*process) : term(undefined_atom)),
        term::tuple_of(atom("id"), spec.id),
        term::tuple_of(atom("restart_type"), restart_name(spec.restart)),
        term::tuple_of(atom("shutdown"), spec.shutdown_or_default().as_term()),
        term::tuple_of(atom("child_type"), type_atom(spec.type)));
}

/// A supervisor report: `errorContext` is child_terminated, start_error,
/// shutdown_error or shutdown (intensity reached).
void report_error(const char* context,
                  const term& reason,
                  const child_spec& spec,
                  std::optional<pid> process) {
    otp::log(log_level::error,
             atom("supervisor_report"),
             term::list_of(term::tuple_of(atom("supervisor"), process::self()),
                           term::tuple_of(atom("errorContext"), atom(context)),
                           term::tuple_of(atom("reason"), reason),
                           term::tuple_of(atom("offender"), describe_child(spec, process))));
}

/// child_terminated, as OTP: always for a permanent child, for the others
/// unless the end was orderly.
void report_child_end(const child_spec& spec, const pid& process, const term& reason) {
    if (spec.restart == restart_type::permanent || !detail::is_orderly_end(reason)) {
        report_error("child_terminated", reason, spec, process);
    }
}

/// Runs a child's start function, and reports the start (progress) or its
/// failure (start_error). An exception the function throws is `{error, Reason}`.
task<term> run_start(const child_spec& spec, term extra_args) {
    std::exception_ptr error;
    term result;
    try {
        start_result<> started = co_await spec.start(std::move(extra_args));
        result = started.as_term();
    } catch (...) {
        error = std::current_exception();
    }
    if (error) {
        result = error_of(process::exit_reason(error));
    }
    if (result.is_tuple() && result.elements()[0].is_atom(error_atom)) {
        report_error("start_error", result.elements()[1], spec, std::nullopt);
    } else if (result.is_tuple() && result.elements()[1].is_pid() &&
               otp::log_enabled(log_level::info)) {
        otp::log(
            log_level::info,
            atom("progress"),
            term::list_of(term::tuple_of(atom("supervisor"), process::self()),
                          term::tuple_of(atom("started"),
                                         describe_child(spec, result.elements()[1].as_pid()))));
    }
    co_return result;
}

/// The pid of a `{ok, Pid}` start; none for `ignore` and errors.
std::optional<pid> started_pid(const term& result) {
    if (result.is_tuple() && result.elements().size() == 2 &&
        result.elements()[0].is_atom(ok_atom) && result.elements()[1].is_pid()) {
        return result.elements()[1].as_pid();
    }
    return std::nullopt;
}

bool is_start_error(const term& result) {
    return result.is_tuple() && !result.elements().empty() &&
           result.elements()[0].is_atom(error_atom);
}

/// Ends `child` as OTP's supervisor:shutdown/2 does and waits until it
/// has; returns the reason it ended with.
task<term> shut_down_process(pid child, shutdown_policy policy) {
    const reference monitor = process::monitor(child);
    process::unlink(child);
    auto down =
        process::when<down_signal>([monitor](const down_signal& d) { return d.ref == monitor; },
                                   [](down_signal&& d) { return std::move(d.reason); });
    // An exit signal that came before the unlink: the child is gone already.
    auto early_exit =
        process::when<exit_signal>([child](const exit_signal& e) { return e.from == child; },
                                   [](exit_signal&& e) { return std::move(e.reason); });
    std::optional<term> early =
        co_await process::receive_first(std::chrono::milliseconds(0), early_exit);
    if (early) {
        (void)co_await process::receive_first(process::sent_after(monitor), down);
        co_return std::move(*early);
    }
    if (policy.how() == shutdown_policy::kind::brutal_kill) {
        process::exit(child, term(kill_atom));
        co_return co_await process::receive_first(process::sent_after(monitor), down);
    }
    process::exit(child, term(shutdown_atom));
    if (policy.how() == shutdown_policy::kind::forever) {
        co_return co_await process::receive_first(process::sent_after(monitor), down);
    }
    std::optional<term> ended =
        co_await process::receive_first(process::sent_after(monitor), policy.timeout(), down);
    if (ended) {
        co_return std::move(*ended);
    }
    process::exit(child, term(kill_atom));
    co_return co_await process::receive_first(process::sent_after(monitor), down);
}

/// shut_down_process, and a shutdown_error report when the child did not
/// end with `shutdown` (or `killed`, for brutal_kill).
task<term> shut_down_reported(const child_spec& spec, pid child) {
    const shutdown_policy policy = spec.shutdown_or_default();
    term reason = co_await shut_down_process(child, policy);
    const bool expected =
        reason.is_atom(shutdown_atom) ||
        (policy.how() == shutdown_policy::kind::brutal_kill && reason.is_atom(atom("killed")));
    if (!expected) {
        report_error("shutdown_error", reason, spec, child);
    }
    co_return reason;
}

} // namespace

term shutdown_policy::as_term() const {
    switch (kind_) {
    case kind::brutal_kill:
        return term(atom("brutal_kill"));
    case kind::forever:
        return term(atom("infinity"));
    case kind::timeout:
        break;
    }
    return term(timeout_.count());
}

term child_info::as_term() const {
    term child = process ? term(*process) : term(restarting ? restarting_atom : undefined_atom);
    // OTP's Modules: [supervisor] for a supervisor; a rill worker has no module.
    term modules = type == child_type::supervisor ? term::list_of(atom("supervisor")) : term{};
    return term::tuple_of(id, std::move(child), type_atom(type), std::move(modules));
}

term child_counts::as_term() const {
    return term::list_of(term::tuple_of(atom("specs"), specs),
                         term::tuple_of(atom("active"), active),
                         term::tuple_of(atom("supervisors"), supervisors),
                         term::tuple_of(atom("workers"), workers));
}

supervisor::supervisor(supervisor_flags flags, std::vector<child_spec> children)
    : flags_(flags) {
    children_.reserve(children.size());
    for (child_spec& spec : children) {
        children_.push_back(child{std::move(spec), std::nullopt, false});
    }
}

// ---- init ---------------------------------------------------------------------------------

task<init_result> supervisor::init() {
    process::trap_exit(true);
    if (flags_.intensity < 0 || flags_.period <= std::chrono::milliseconds(0)) {
        co_return stop_with(term::tuple_of(atom("supervisor_data"),
                                           term::tuple_of(atom("invalid_intensity_or_period"),
                                                          flags_.intensity,
                                                          flags_.period.count())));
    }
    std::unordered_set<term> ids;
    for (std::size_t i = 0; i < children_.size(); ++i) {
        if (!children_[i].spec.start) {
            co_return stop_with(term::tuple_of(
                atom("start_spec"), term::tuple_of(atom("missing_start"), children_[i].spec.id)));
        }
        if (!ids.insert(children_[i].spec.id).second) {
            co_return stop_with(
                term::tuple_of(atom("start_spec"),
                               term::tuple_of(atom("duplicate_child_name"), children_[i].spec.id)));
        }
    }
    if (simple()) {
        if (children_.size() != 1) {
            co_return stop_with(term::tuple_of(atom("bad_start_spec"),
                                               static_cast<std::int64_t>(children_.size())));
        }
        co_return ok();
    }
    for (std::size_t i = 0; i < children_.size(); ++i) {
        term result = co_await run_start(children_[i].spec, term());
        if (is_start_error(result)) {
            term failure = term::tuple_of(
                atom("failed_to_start_child"), children_[i].spec.id, result.elements()[1]);
            for (std::size_t k = i; k-- > 0;) {
                if (children_[k].process) {
                    co_await shut_down(children_[k]);
                }
            }
            co_return stop_with(term::tuple_of(shutdown_atom, std::move(failure)));
        }
        children_[i].process = started_pid(result);
    }
    co_return ok();
}

// ---- the typed requests -------------------------------------------------------------------

supervisor::child* supervisor::find_by_id(const term& id) {
    auto it = std::find_if(
        children_.begin(), children_.end(), [&](const child& c) { return c.spec.id == id; });
    return it == children_.end() ? nullptr : &*it;
}

supervisor::child* supervisor::find_by_pid(const pid& p) {
    auto it = std::find_if(children_.begin(), children_.end(), [&](const child& c) {
        return c.process && *c.process == p;
    });
    return it == children_.end() ? nullptr : &*it;
}

task<term> supervisor::start_static_child(child_spec spec) {
    if (!spec.start) {
        co_return error_of(atom("missing_start"));
    }
    if (child* existing = find_by_id(spec.id)) {
        if (existing->process) {
            co_return error_of(term::tuple_of(atom("already_started"), *existing->process));
        }
        co_return error_of(atom("already_present"));
    }
    term result = co_await run_start(spec, term());
    if (is_start_error(result)) {
        co_return result;
    }
    std::optional<pid> started = started_pid(result);
    if (started || spec.restart != restart_type::temporary) {
        children_.push_back(child{std::move(spec), started, false});
    }
    co_return started ? result : term::tuple_of(ok_atom, undefined_atom);
}

task<term> supervisor::start_dynamic_child(term extra_args) {
    term result = co_await run_start(children_.front().spec, extra_args);
    if (std::optional<pid> started = started_pid(result)) {
        dynamic_.emplace(*started, std::move(extra_args));
        co_return result;
    }
    co_return is_start_error(result) ? result : term::tuple_of(ok_atom, undefined_atom);
}

task<term> supervisor::handle_call(supervisor_request::start_child request) {
    if (simple()) {
        co_return error_of(simple_one_for_one_atom);
    }
    co_return co_await start_static_child(std::move(request.spec));
}

task<term> supervisor::handle_call(supervisor_request::start_child_with request) {
    if (!simple()) {
        co_return error_of(term::tuple_of(atom("not_simple_one_for_one"), request.extra_args));
    }
    co_return co_await start_dynamic_child(std::move(request.extra_args));
}

task<term> supervisor::handle_call(supervisor_request::terminate_child request) {
    if (simple()) {
        // As OTP 25: an id is no way to name a dynamic child; a pid that is
        // no child is `not_found` while it lives, and `ok` once dead.
        if (!request.id.is_pid()) {
            co_return error_of(simple_one_for_one_atom);
        }
        if (!dynamic_.contains(request.id.as_pid())) {
            co_return process::alive(request.id.as_pid()) ? error_of(not_found_atom)
                                                          : term(ok_atom);
        }
        const pid p = request.id.as_pid();
        dynamic_.erase(p);
        (void)co_await shut_down_reported(children_.front().spec, p);
        co_return term(ok_atom);
    }
    child* c = find_by_id(request.id);
    if (c == nullptr) {
        co_return error_of(not_found_atom);
    }
    const term id = c->spec.id;
    if (c->process) {
        co_await shut_down(*c);
    }
    c = find_by_id(id);
    if (c != nullptr && c->spec.restart == restart_type::temporary) {
        children_.erase(children_.begin() + (c - children_.data()));
    }
    co_return term(ok_atom);
}

task<term> supervisor::handle_call(supervisor_request::restart_child request) {
    if (simple()) {
        co_return error_of(simple_one_for_one_atom);
    }
    child* c = find_by_id(request.id);
    if (c == nullptr) {
        co_return error_of(not_found_atom);
    }
    if (c->process) {
        co_return error_of(running_atom);
    }
    if (c->restarting) {
        co_return error_of(restarting_atom);
    }
    const term id = c->spec.id;
    term result = co_await run_start(c->spec, term());
    if (is_start_error(result)) {
        co_return result;
    }
    if (child* again = find_by_id(id)) {
        again->process = started_pid(result);
    }
    co_return started_pid(result) ? result : term::tuple_of(ok_atom, undefined_atom);
}

term supervisor::handle_call(const supervisor_request::delete_child& request) {
    if (simple()) {
        return error_of(simple_one_for_one_atom);
    }
    child* c = find_by_id(request.id);
    if (c == nullptr) {
        return error_of(not_found_atom);
    }
    if (c->process) {
        return error_of(running_atom);
    }
    if (c->restarting) {
        return error_of(restarting_atom);
    }
    children_.erase(children_.begin() + (c - children_.data()));
    return term(ok_atom);
}

std::vector<child_info> supervisor::handle_call(supervisor_request::which_children) const {
    std::vector<child_info> out;
    if (simple()) {
        const child_type type = children_.front().spec.type;
        for (const auto& entry : dynamic_) {
            out.push_back(child_info{term(undefined_atom), entry.first, false, type});
        }
        for (std::size_t i = 0; i < dynamic_restarting_; ++i) {
            out.push_back(child_info{term(undefined_atom), std::nullopt, true, type});
        }
        return out;
    }
    // Newest first, as OTP lists them.
    for (auto it = children_.rbegin(); it != children_.rend(); ++it) {
        out.push_back(child_info{it->spec.id, it->process, it->restarting, it->spec.type});
    }
    return out;
}

child_counts supervisor::handle_call(supervisor_request::count_children) const {
    child_counts counts;
    if (simple()) {
        counts.specs = 1;
        counts.active = dynamic_.size();
        const std::size_t all = dynamic_.size() + dynamic_restarting_;
        (children_.front().spec.type == child_type::worker ? counts.workers : counts.supervisors) =
            all;
        return counts;
    }
    counts.specs = children_.size();
    for (const child& c : children_) {
        counts.active += c.process ? 1U : 0U;
        (c.spec.type == child_type::worker ? counts.workers : counts.supervisors) += 1;
    }
    return counts;
}

// ---- the same requests from other nodes ---------------------------------------------------

task<term> supervisor::handle_call(term request, const from&) {
    if (request.is_atom(atom("which_children"))) {
        std::vector<term> entries;
        for (const child_info& info : handle_call(supervisor_request::which_children{})) {
            entries.push_back(info.as_term());
        }
        co_return term::list(std::move(entries));
    }
    if (request.is_atom(atom("count_children"))) {
        co_return handle_call(supervisor_request::count_children{}).as_term();
    }
    if (request.is_tuple() && request.elements().size() == 2 && request.elements()[0].is_atom()) {
        const atom what = request.elements()[0].as_atom();
        term argument = request.elements()[1];
        // Requests built before the co_await: GCC 12 miscompiles a braced list there.
        if (what == atom("terminate_child")) {
            supervisor_request::terminate_child terminate{std::move(argument)};
            co_return co_await handle_call(std::move(terminate));
        }
        if (what == atom("restart_child")) {
            supervisor_request::restart_child restart{std::move(argument)};
            co_return co_await handle_call(std::move(restart));
        }
        if (what == atom("delete_child")) {
            co_return handle_call(supervisor_request::delete_child{std::move(argument)});
        }
        if (what == atom("start_child") && simple() && argument.is_list()) {
            co_return co_await start_dynamic_child(std::move(argument));
        }
    }
    // A rill supervisor cannot start an Erlang module's child, and answers
    // a request it does not know instead of crashing on it.
    co_return error_of(term::tuple_of(atom("unsupported_request"), std::move(request)));
}

// ---- children that end --------------------------------------------------------------------

task<result> supervisor::handle_info(term message) {
    if (message.is_tuple() && message.elements().size() == 3 &&
        message.elements()[0].is_atom(exit_atom) && message.elements()[1].is_pid()) {
        co_return co_await child_exited(message.elements()[1].as_pid(), message.elements()[2]);
    }
    if (message.is_tuple() && message.elements().size() == 2 &&
        message.elements()[1].is_reference()) {
        const bool delayed = message.elements()[0].is_atom(restart_message);
        const bool retry = message.elements()[0].is_atom(try_again_message);
        auto job = pending_.find(message.elements()[1].as_reference());
        if ((delayed || retry) && job != pending_.end()) {
            term what = std::move(job->second);
            pending_.erase(job);
            if (retry && !add_restart()) {
                co_return stop_with(term(shutdown_atom));
            }
            if (what.is_tuple()) { // {dynamic, ExtraArgs}
                --dynamic_restarting_;
                if (!co_await restart_dynamic_now(what.elements()[1])) {
                    ++dynamic_restarting_;
                    const reference key = process::make_ref();
                    pending_.emplace(key, std::move(what));
                    process::send(process::self(), term::tuple_of(try_again_message, key));
                }
                co_return noreply();
            }
            child* c = find_by_id(what);
            if (c != nullptr) {
                co_await restart_now(static_cast<std::size_t>(c - children_.data()));
            }
            co_return noreply();
        }
    }
    co_return noreply(); // OTP logs an unexpected message and goes on
}

task<result> supervisor::child_exited(const pid& process, const term& reason) {
    if (simple()) {
        auto it = dynamic_.find(process);
        if (it == dynamic_.end()) {
            co_return noreply();
        }
        term extra_args = std::move(it->second);
        dynamic_.erase(it);
        const child_spec& spec = children_.front().spec;
        report_child_end(spec, process, reason);
        if (!restarts_after(spec.restart, reason)) {
            co_return noreply();
        }
        if (!add_restart()) {
            report_error("shutdown", term(atom("reached_max_restart_intensity")), spec, process);
            co_return stop_with(term(shutdown_atom));
        }
        term job = term::tuple_of(atom("dynamic"), std::move(extra_args));
        const bool now = !flags_.backoff;
        if (now && co_await restart_dynamic_now(job.elements()[1])) {
            co_return noreply();
        }
        ++dynamic_restarting_;
        const reference key = process::make_ref();
        pending_.emplace(key, std::move(job));
        if (now) {
            process::send(process::self(), term::tuple_of(try_again_message, key));
        } else {
            (void)process::send_after(
                process::self(), term::tuple_of(restart_message, key), backoff_delay());
        }
        co_return noreply();
    }
    child* c = find_by_pid(process);
    if (c == nullptr) {
        co_return noreply();
    }
    c->process.reset();
    report_child_end(c->spec, process, reason);
    if (!restarts_after(c->spec.restart, reason)) {
        if (c->spec.restart == restart_type::temporary) {
            children_.erase(children_.begin() + (c - children_.data()));
        }
        co_return noreply();
    }
    if (!add_restart()) {
        report_error("shutdown", term(atom("reached_max_restart_intensity")), c->spec, process);
        co_return stop_with(term(shutdown_atom));
    }
    if (flags_.backoff) {
        c->restarting = true;
        const reference key = process::make_ref();
        pending_.emplace(key, c->spec.id);
        (void)process::send_after(
            process::self(), term::tuple_of(restart_message, key), backoff_delay());
        co_return noreply();
    }
    co_await restart_now(static_cast<std::size_t>(c - children_.data()));
    co_return noreply();
}

bool supervisor::add_restart() {
    // OTP 25 counts in whole seconds of the monotonic clock: a restart
    // still counts while Now - Then =< Period, so the window is between
    // Period and Period + 1 seconds long (checked with erl).
    using std::chrono::seconds;
    const auto now = std::chrono::duration_cast<seconds>(process::now());
    const auto period = std::chrono::ceil<seconds>(flags_.period);
    restarts_.push_back(now);
    while (!restarts_.empty() &&
           now - std::chrono::duration_cast<seconds>(restarts_.front()) > period) {
        restarts_.pop_front();
    }
    return restarts_.size() <= static_cast<std::size_t>(flags_.intensity);
}

std::chrono::milliseconds supervisor::backoff_delay() const {
    std::chrono::milliseconds delay = flags_.backoff->initial;
    for (std::size_t n = 1; n < restarts_.size() && delay < flags_.backoff->max; ++n) {
        delay *= 2;
    }
    return std::min(delay, flags_.backoff->max);
}

task<bool> supervisor::restart_dynamic_now(term extra_args) {
    term result = co_await run_start(children_.front().spec, extra_args);
    if (is_start_error(result)) {
        co_return false;
    }
    if (std::optional<pid> started = started_pid(result)) {
        dynamic_.emplace(*started, std::move(extra_args));
    }
    co_return true;
}

task<bool> supervisor::restart_now(std::size_t index) {
    // Which children go down with the one that ended, and start again.
    std::size_t first = index;
    std::size_t last = index + 1;
    if (flags_.strategy == restart_strategy::one_for_all) {
        first = 0;
        last = children_.size();
    } else if (flags_.strategy == restart_strategy::rest_for_one) {
        last = children_.size();
    }
    const term failed_id = children_[index].spec.id;
    for (std::size_t k = last; k-- > first;) {
        if (k != index && children_[k].process) {
            co_await shut_down(children_[k]);
        }
    }
    // Temporary siblings that were shut down are forgotten, as in OTP.
    std::vector<term> to_start;
    for (std::size_t k = first; k < last; ++k) {
        to_start.push_back(children_[k].spec.id);
    }
    std::erase_if(children_, [&](const child& c) {
        return c.spec.restart == restart_type::temporary && !c.process &&
               !(c.spec.id == failed_id) &&
               std::find(to_start.begin(), to_start.end(), c.spec.id) != to_start.end();
    });
    for (const term& id : to_start) {
        child* c = find_by_id(id);
        if (c == nullptr || c->process) {
            continue;
        }
        term result = co_await run_start(c->spec, term());
        c = find_by_id(id);
        if (c == nullptr) {
            continue;
        }
        if (is_start_error(result)) {
            // OTP's try_again_restart: marked restarting, retried as a new
            // restart (it counts towards the intensity).
            c->restarting = true;
            const reference key = process::make_ref();
            pending_.emplace(key, id);
            process::send(process::self(), term::tuple_of(try_again_message, key));
            co_return false;
        }
        c->restarting = false;
        c->process = started_pid(result);
    }
    co_return true;
}

// ---- shutting down ------------------------------------------------------------------------

task<> supervisor::shut_down(child& c) {
    // `c` stays where it is: the supervisor runs no callback while it waits.
    (void)co_await shut_down_reported(c.spec, *c.process);
    c.process.reset();
}

task<> supervisor::shut_down_dynamic() {
    const shutdown_policy policy = children_.front().spec.shutdown_or_default();
    std::unordered_map<reference, pid> monitors;
    monitors.reserve(dynamic_.size());
    for (const auto& entry : dynamic_) {
        const pid p = entry.first;
        monitors.emplace(process::monitor(p), p);
        process::unlink(p);
        process::exit(
            p,
            term(policy.how() == shutdown_policy::kind::brutal_kill ? kill_atom : shutdown_atom));
    }
    dynamic_.clear();
    auto down =
        process::when<down_signal>([&](const down_signal& d) { return monitors.contains(d.ref); },
                                   [&](down_signal&& d) { monitors.erase(d.ref); });
    const bool timed = policy.how() == shutdown_policy::kind::timeout;
    const std::chrono::milliseconds deadline =
        timed ? process::now() + policy.timeout() : otp::infinity;
    while (!monitors.empty()) {
        if (!timed) {
            co_await process::receive_first(down);
            continue;
        }
        const std::chrono::milliseconds left =
            std::max(deadline - process::now(), std::chrono::milliseconds(0));
        if (!co_await process::receive_first(left, down)) {
            for (const auto& entry : monitors) {
                process::exit(entry.second, term(kill_atom));
            }
            while (!monitors.empty()) {
                co_await process::receive_first(down);
            }
        }
    }
}

task<> supervisor::terminate(const term&) {
    if (simple()) {
        co_await shut_down_dynamic();
        co_return;
    }
    for (std::size_t k = children_.size(); k-- > 0;) {
        if (children_[k].process) {
            co_await shut_down(children_[k]);
        }
    }
}

term supervisor::describe_strategy() const {
    switch (flags_.strategy) {
    case restart_strategy::one_for_one:
        return term(atom("one_for_one"));
    case restart_strategy::one_for_all:
        return term(atom("one_for_all"));
    case restart_strategy::rest_for_one:
        return term(atom("rest_for_one"));
    case restart_strategy::simple_one_for_one:
        return term(simple_one_for_one_atom);
    }
    return term{};
}

term supervisor::state() const {
    std::vector<term> ids;
    for (const child& c : children_) {
        ids.push_back(c.spec.id);
    }
    return term::tuple_of(atom("supervisor"),
                          describe_strategy(),
                          flags_.intensity,
                          flags_.period.count(),
                          term::list(std::move(ids)));
}

} // namespace rill::otp
