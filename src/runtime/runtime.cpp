#include <rill/core/errors.hpp>
#include <rill/detail/process_entry.hpp>
#include <rill/runtime/runtime.hpp>

#include "core/atom_table.hpp"
#include "process/process.hpp"
#include "process/runtime_core.hpp"
#include "runtime/node_layers.hpp"
#include "sched/scheduler.hpp"
#include "sched/worker.hpp"
#include "sync/small_object_cache.hpp"

namespace rill {

namespace {

void require_deterministic(detail::runtime_core& core, const char* operation) {
    if (!core.sched().deterministic()) {
        throw deterministic_error(
            std::string(operation) +
            " needs a runtime made with runtime_options{.deterministic = true}");
    }
}

} // namespace

runtime::runtime()
    : runtime(runtime_options{}) {}

runtime::runtime(runtime_options options)
    : core_(std::make_unique<detail::runtime_core>(std::move(options)))
    , layers_(std::make_unique<internal::node_layers>(*core_)) {
    core_->names = &layers_->names();
    core_->upper = layers_.get();
}

runtime::~runtime() {
    core_->shutdown();
}

term runtime::run_root(task<> body) {
    if (internal::process* caller = internal::process::current();
        caller != nullptr && &caller->runtime() == core_.get()) {
        throw std::logic_error(
            "rill: runtime::run called from one of the runtime's own processes; it would wait "
            "for itself. Spawn the work with process::spawn and wait for a message instead");
    }
    // Acq_rel: one caller wins; a loser learns it at once and touches nothing.
    if (running_.exchange(true, std::memory_order_acq_rel) || core_->shut_down()) {
        throw std::logic_error(core_->shut_down()
                                   ? "rill: runtime::run called on a runtime that has already run"
                                   : "rill: runtime::run is already running on another thread; a "
                                     "runtime runs one root, once");
    }
    core_->spawn(std::move(body), true);
    if (core_->sched().deterministic()) {
        for (;;) {
            core_->sched().run_until_idle();
            if (core_->root_done()) {
                break;
            }
            auto next = core_->sched().next_timer_deadline();
            if (!next) {
                core_->shutdown();
                throw deterministic_error(
                    "rill: deterministic run cannot progress: the root process waits and no "
                    "process is ready and no timer is armed");
            }
            auto now = core_->sched().now_ms();
            core_->sched().advance(std::chrono::milliseconds(*next > now ? *next - now : 0));
        }
    }
    term reason = core_->wait_for_root();
    core_->shutdown();
    return reason;
}

std::size_t runtime::run_until_idle() {
    require_deterministic(*core_, "runtime::run_until_idle");
    return core_->sched().run_until_idle();
}

void runtime::advance(std::chrono::milliseconds by) {
    require_deterministic(*core_, "runtime::advance");
    if (by.count() < 0) {
        throw badarg("runtime::advance: a negative duration (" + std::to_string(by.count()) +
                     " ms) would move the clock back");
    }
    core_->sched().advance(by);
}

const std::vector<pid>& runtime::schedule_trace() const {
    require_deterministic(*core_, "runtime::schedule_trace");
    return core_->trace;
}

std::size_t runtime::process_count() const noexcept {
    return core_->live_count();
}

std::uint64_t runtime::spawned_count() const noexcept {
    return core_->spawned_total();
}

void runtime::set_remote_route(std::shared_ptr<remote_route> route) {
    layers_->set_remote_route(std::move(route));
}

pid runtime::inject(remote_signal signal) {
    return layers_->inject(std::move(signal));
}

std::vector<pid> runtime::processes() const {
    return core_->processes();
}

std::vector<std::pair<pid, std::string>> runtime::labels() const {
    return core_->labels();
}

std::optional<pid> runtime::whereis(atom name) const {
    return layers_->whereis(name);
}

void runtime::trace(const pid& target,
                    std::shared_ptr<trace_receiver> receiver,
                    trace_options options) {
    if (!receiver) {
        throw badarg("rill::runtime::trace: a null receiver (untrace ends a trace)");
    }
    core_->deliver_local(target, internal::make_trace_signal(std::move(receiver), options, false));
}

void runtime::untrace(const pid& target, std::shared_ptr<trace_receiver> only) {
    core_->deliver_local(target, internal::make_trace_signal(std::move(only), {}, true));
}

void runtime::follow(term label, std::shared_ptr<trace_receiver> receiver) {
    if (!receiver || label.is_nil()) {
        throw badarg("rill::runtime::follow: a null receiver or the label [] (no label)");
    }
    core_->traces().follow(std::move(label), std::move(receiver));
}

void runtime::unfollow(const term& label) {
    core_->traces().unfollow(label);
}

bool runtime::deterministic() const noexcept {
    return core_->options().deterministic;
}

std::shared_ptr<void> runtime::node_value(atom key) const {
    return core_->node_value(key);
}

std::optional<process_summary> runtime::summary(const pid& p) const {
    return core_->summary(p);
}

memory_statistics runtime::memory() const {
    memory_statistics figures;
    core_->table().memory(figures.process_blocks, figures.process_table);
    figures.small_blocks =
        internal::small_object_cache_enabled() ? internal::small_object_cache_bytes() : 0;
    figures.atoms = internal::atom_table::global().memory_bytes();
    return figures;
}

::rill::scheduler_statistics runtime::scheduler_statistics() const {
    internal::scheduler& sched = core_->sched();
    const std::uint64_t now_ns = sched.now_ns();
    ::rill::scheduler_statistics result;
    result.uptime = std::chrono::nanoseconds(now_ns);
    result.injector_length = sched.injected_hint();
    result.workers.reserve(sched.worker_count());
    for (unsigned i = 0; i < sched.worker_count(); ++i) {
        internal::worker::counters c = sched.worker_at(i).read_counters(now_ns);
        result.workers.push_back(worker_statistics{
            .slices = c.slices,
            .steals = c.steals,
            .parks = c.parks,
            .run_queue_length = c.run_queue_length,
            .busy_time = std::chrono::nanoseconds(now_ns > c.parked_ns ? now_ns - c.parked_ns : 0),
            .armed_timers = c.armed_timers,
            .messages_sent = c.messages_sent,
        });
    }
    return result;
}

bool runtime::is_alive(const pid& p) const noexcept {
    return detail::is_alive(*core_, p);
}

atom runtime::node() const noexcept {
    return core_->node();
}

std::uint32_t runtime::creation() const noexcept {
    return core_->creation();
}

const std::string& runtime::cookie() const noexcept {
    return core_->options().cookie;
}

std::chrono::milliseconds runtime::now() const noexcept {
    return std::chrono::milliseconds(core_->sched().now_ms());
}

std::optional<term> runtime::exit_reason_of(const pid& p) const {
    auto found = core_->exit_reasons.find(p);
    if (found == core_->exit_reasons.end()) {
        return std::nullopt;
    }
    return found->second;
}

} // namespace rill
