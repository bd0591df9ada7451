/// \file
/// Introspection without the target's help (include/rill/process/summary.hpp).
///
/// The list of processes reads each block's alive bit and serial without
/// pinning: pinning would write to the first cache line of every process
/// on the node, the line its senders use. The pair may mix two incarnations
/// of a slot (the alive bit of one and the serial of the next), which still
/// names a process that was alive during the walk. A summary pins its one
/// block, so the figures it reads belong to the incarnation asked about.

#include <rill/detail/process_entry.hpp>

#include "process/process.hpp"
#include "process/process_table.hpp"
#include "process/runtime_core.hpp"
#include "sched/scheduler.hpp"
#include "sched/worker.hpp"

namespace rill::detail {

std::vector<pid> runtime_core::processes() const {
    std::vector<pid> live;
    live.reserve(live_count());
    table_.for_each_block([&](const internal::process& block) {
        if (block.is_alive_hint()) {
            live.push_back(pid{node_, block.id(), block.serial(), creation_});
        }
    });
    return live;
}

void runtime_core::set_label(internal::process& owner, std::string label) {
    const std::lock_guard lock(labels_mutex_);
    if (label.empty()) {
        labels_.erase(&owner);
    } else {
        labels_.insert_or_assign(&owner, std::pair(owner.to_pid(), std::move(label)));
    }
    owner.set_labelled(labels_.contains(&owner));
}

void runtime_core::forget_label(internal::process& owner) noexcept {
    const std::lock_guard lock(labels_mutex_);
    labels_.erase(&owner);
    owner.set_labelled(false);
}

std::vector<std::pair<pid, std::string>> runtime_core::labels() const {
    const std::lock_guard lock(labels_mutex_);
    std::vector<std::pair<pid, std::string>> out;
    out.reserve(labels_.size());
    for (const auto& [block, entry] : labels_) {
        out.push_back(entry);
    }
    return out;
}

std::uint64_t runtime_core::spawned_total() const noexcept {
    // Each start adds one to its slot's serial (process::start), so the
    // serials add up to the processes ever started, at no cost to a spawn.
    std::uint64_t total = 0;
    table_.for_each_block([&](const internal::process& block) { total += block.serial(); });
    return total;
}

bool runtime_core::runs_now(const internal::process* block) noexcept {
    if (internal::process::current() == block) {
        return true; // the caller asks about itself
    }
    internal::scheduler& workers = sched();
    for (unsigned i = 0; i < workers.worker_count(); ++i) {
        if (workers.worker_at(i).running() == block) {
            return true;
        }
    }
    return false;
}

std::optional<process_summary> runtime_core::summary(const pid& p) noexcept {
    internal::process* block = pin(p);
    if (block == nullptr) {
        return std::nullopt;
    }
    std::optional<process_summary> result;
    if (block->is_alive_hint()) {
        internal::process::published_figures figures = block->read_published(sched().now_ms());
        result = process_summary{
            .self = p,
            .registered_name = block->registered_name(),
            .status = runs_now(block) ? process_status::running : figures.status,
            .message_queue_length = figures.message_queue_length,
            .oldest_message_age = std::chrono::milliseconds(figures.oldest_message_age_ms),
            .memory = figures.memory,
            .message_queue_bytes = figures.queued_bytes,
            .reductions = figures.reductions,
            .links = figures.links,
            .monitors = figures.monitors,
            .monitored_by = figures.monitored_by,
        };
    }
    block->unpin();
    return result;
}

} // namespace rill::detail

namespace rill::process {

std::vector<pid> processes() {
    return detail::current_runtime("process::processes").processes();
}

std::optional<process_summary> summary(const pid& p) {
    return detail::current_runtime("process::summary").summary(p);
}

} // namespace rill::process
