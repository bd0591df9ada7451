#pragma once

/// \file
/// `otp::supervisor`: OTP's supervisor, a gen_server class.
///
/// ```cpp
/// otp::supervisor_flags flags;                      // one_for_one, 1 restart in 5 s
/// std::vector<otp::child_spec> children{otp::worker<db>(atom("db")),
///                                       otp::worker<web>(atom("web"), 8080)};
/// auto sup = co_await otp::start_link<otp::supervisor>(otp::local_name{atom("top")}, flags,
/// children); std::vector<otp::child_info> running = co_await otp::which_children(atom("top"));
/// ```
///
/// The semantics are OTP 25's: children start in order (a child that
/// fails to start stops the others, in reverse order, and the start
/// returns `{error, {shutdown, {failed_to_start_child, Id, Reason}}}`);
/// a child that ends is restarted by its `restart_type` and the
/// strategy; more than `intensity` restarts within `period` shut the
/// supervisor down (children in reverse start order) with reason
/// `shutdown`. A child is restarted only after the incarnation it replaces
/// is gone (its exit signal has arrived, and under one_for_all and
/// rest_for_one every sibling that goes with it has been shut down and
/// waited for). Shutting a child down is OTP's: `shutdown` exit signal,
/// then `kill` after the child's timeout; `brutal_kill` kills at once.
///
/// `supervisor_flags::backoff` (off by default; OTP has none) delays
/// restarts: the n-th restart within the period waits `initial * 2^(n-1)`,
/// at most `max`, and the child is `restarting` meanwhile.
///
/// From other nodes the supervisor answers supervisor:which_children,
/// count_children, terminate_child, restart_child, delete_child and
/// start_child (a `simple_one_for_one` child, with its argument list) as a
/// BEAM supervisor does.

#include <rill/core/atom.hpp>
#include <rill/core/pid.hpp>
#include <rill/core/term.hpp>
#include <rill/otp/call.hpp>
#include <rill/otp/child_spec.hpp>
#include <rill/otp/from.hpp>
#include <rill/otp/gen_server.hpp>
#include <rill/otp/results.hpp>
#include <rill/otp/server_ref.hpp>
#include <rill/process/task.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

namespace rill::otp {

/// OTP's `strategy`.
enum class restart_strategy : std::uint8_t {
    one_for_one,
    one_for_all,
    rest_for_one,
    simple_one_for_one,
};

/// OTP's strategy names, as DESIGN.md writes them: `otp::one_for_one`, ...
inline constexpr restart_strategy one_for_one = restart_strategy::one_for_one;
inline constexpr restart_strategy one_for_all = restart_strategy::one_for_all;
inline constexpr restart_strategy rest_for_one = restart_strategy::rest_for_one;
inline constexpr restart_strategy simple_one_for_one = restart_strategy::simple_one_for_one;

/// The opt-in restart delay (see the file comment).
struct restart_backoff {
    std::chrono::milliseconds initial{100};
    std::chrono::milliseconds max{10000};
};

/// OTP's `sup_flags()`, with OTP's defaults.
struct supervisor_flags {
    restart_strategy strategy = restart_strategy::one_for_one;
    int intensity = 1;
    std::chrono::milliseconds period{5000};
    std::optional<restart_backoff> backoff;
};

/// One entry of `which_children`: OTP's `{Id, Child, Type, Modules}`.
struct child_info {
    term id;                    ///< `undefined` under simple_one_for_one
    std::optional<pid> process; ///< none: `undefined` (not running) or restarting
    bool restarting = false;
    child_type type = child_type::worker;

    /// `{Id, Pid | undefined | restarting, worker | supervisor, []}`.
    [[nodiscard]] term as_term() const;
    friend bool operator==(const child_info&, const child_info&) = default;
};

/// `count_children`.
struct child_counts {
    std::size_t specs = 0;
    std::size_t active = 0;
    std::size_t supervisors = 0;
    std::size_t workers = 0;

    /// `[{specs, N}, {active, N}, {supervisors, N}, {workers, N}]`.
    [[nodiscard]] term as_term() const;
    friend bool operator==(const child_counts&, const child_counts&) = default;
};

/// The typed requests the supervisor functions below send.
namespace supervisor_request {
struct start_child {
    child_spec spec;
};

struct start_child_with {
    term extra_args;
};

struct terminate_child {
    term id; ///< an id, or a pid under simple_one_for_one
};

struct restart_child {
    term id;
};

struct delete_child {
    term id;
};

struct which_children {};

struct count_children {};
} // namespace supervisor_request

class supervisor : public gen_server {
public:
    supervisor(supervisor_flags flags, std::vector<child_spec> children);

    task<init_result> init();
    task<term> handle_call(supervisor_request::start_child request);
    task<term> handle_call(supervisor_request::start_child_with request);
    task<term> handle_call(supervisor_request::terminate_child request);
    task<term> handle_call(supervisor_request::restart_child request);
    term handle_call(const supervisor_request::delete_child& request);
    std::vector<child_info> handle_call(supervisor_request::which_children request) const;
    child_counts handle_call(supervisor_request::count_children request) const;
    /// supervisor:* calls from other nodes.
    task<term> handle_call(term request, const from& caller);
    task<result> handle_info(term message);
    task<> terminate(const term& reason);
    /// What sys:get_state shows: `{supervisor, Strategy, Intensity, Period, Specs}`.
    [[nodiscard]] term state() const;

private:
    struct child {
        child_spec spec;
        std::optional<pid> process;
        bool restarting = false;
    };

    using child_list = std::vector<child>;

    [[nodiscard]] bool simple() const noexcept {
        return flags_.strategy == restart_strategy::simple_one_for_one;
    }

    child* find_by_id(const term& id);
    child* find_by_pid(const pid& p);

    task<term> start_static_child(child_spec spec);
    task<term> start_dynamic_child(term extra_args);
    task<result> child_exited(const pid& process, const term& reason);
    /// Restarts the child at `index` (already ended) and, as the strategy
    /// says, its siblings; false when a start failed (retried later).
    task<bool> restart_now(std::size_t index);
    task<bool> restart_dynamic_now(term extra_args);
    bool add_restart();
    std::chrono::milliseconds backoff_delay() const;
    task<> shut_down(child& c);
    task<> shut_down_dynamic();
    [[nodiscard]] term describe_strategy() const;

    supervisor_flags flags_;
    child_list children_;                            // static children, in start order
    std::unordered_map<pid, term> dynamic_;          // simple_one_for_one: pid -> extra args
    std::deque<std::chrono::milliseconds> restarts_; // within the period, oldest first
    std::map<reference, term> pending_; // backoff: timer -> child id or {dynamic, Args}
    std::size_t dynamic_restarting_ = 0;
};

/// A supervisor child: `start_link<supervisor>(flags, children)`, of type
/// `supervisor` (shutdown `infinity`).
[[nodiscard]] child_spec
supervisor_child(term id, supervisor_flags flags, std::vector<child_spec> children);

/// supervisor:start_child/2 with a child spec: `{ok, Pid}`, `ignore`,
/// `{error, {already_started, Pid}}`, `{error, already_present}` or
/// `{error, Reason}`.
task<start_result<>> start_child(server_ref<> sup, child_spec spec);
/// supervisor:start_child/2 under simple_one_for_one: the template child,
/// given `extra_args`.
task<start_result<>> start_child(server_ref<> sup, term extra_args);
/// supervisor:terminate_child/2: `ok` or `{error, not_found}` (under
/// simple_one_for_one the child is named by its pid).
task<term> terminate_child(server_ref<> sup, term id);
/// supervisor:restart_child/2: `{ok, Pid}` or `{error, running | restarting | not_found}`.
task<term> restart_child(server_ref<> sup, term id);
/// supervisor:delete_child/2: `ok` or `{error, running | restarting | not_found}`.
task<term> delete_child(server_ref<> sup, term id);
task<std::vector<child_info>> which_children(server_ref<> sup);
task<child_counts> count_children(server_ref<> sup);

} // namespace rill::otp
