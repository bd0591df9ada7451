#include "process/runtime_core.hpp"

#include <rill/core/errors.hpp>

#include "process/timers.hpp"
#include "sched/worker.hpp"

#include <iostream>
#include <random>
#include <sstream>
#include <thread>

namespace rill::detail {

namespace {

internal::scheduler_options scheduler_options_for(const runtime_options& options,
                                                  runtime_core& core) {
    internal::scheduler_options result;
    unsigned hardware = std::thread::hardware_concurrency();
    result.workers = options.workers != 0 ? options.workers : (hardware != 0 ? hardware : 1);
    result.deterministic = options.deterministic;
    result.seed = options.seed;
    result.long_slice_threshold = options.long_slice_threshold;
    result.on_long_slice =
        [&core](internal::runnable* item, unsigned worker, std::chrono::milliseconds held) {
            auto* block = static_cast<internal::process*>(item);
            long_slice_report report{block->to_pid(), block->registered_name(), worker, held};
            if (core.options().on_long_slice) {
                core.options().on_long_slice(report);
                return;
            }
            std::ostringstream line;
            line << "rill: process " << report.process << " has run for " << held.count()
                 << " ms on worker " << worker << " without suspending\n";
            std::cerr << line.str();
        };
    atom node = core.node();
    result.on_thread_start = [node] {
        set_local_node_of_this_thread(node);
    };
    return result;
}

std::uint32_t fresh_creation(const runtime_options& options) {
    if (options.deterministic) {
        // Replays must produce the same pids: derive it from the seed.
        auto mixed = static_cast<std::uint32_t>((options.seed + 1) * 0x9E3779B97F4A7C15ULL >> 32);
        return mixed != 0 ? mixed : 1;
    }
    // Distinct per runtime, so pids of two runtimes in one OS process never
    // resolve in the wrong one.
    std::random_device device;
    std::uint32_t value = 0;
    while (value == 0) {
        value = device();
    }
    return value;
}

} // namespace

runtime_core::runtime_core(runtime_options options)
    : options_(std::move(options))
    , node_(options_.node_name)
    , creation_(fresh_creation(options_))
    , scheduler_(std::make_unique<internal::scheduler>(scheduler_options_for(options_, *this)))
    , table_(*this, scheduler_->worker_count())
    , worker_references_(scheduler_->worker_count()) {
    scheduler_->start();
}

runtime_core::~runtime_core() {
    shutdown();
}

unsigned runtime_core::worker_index() const noexcept {
    internal::worker* w = scheduler_->current_worker();
    return w != nullptr ? w->index() : internal::process_table::no_worker;
}

pid runtime_core::spawn(task<> body, bool root) {
    return spawn_prepared(std::move(body), root, nullptr, nullptr);
}

pid runtime_core::spawn(task<> body, prepare_function prepare, void* context) {
    return spawn_prepared(std::move(body), false, prepare, context);
}

pid runtime_core::spawn_prepared(task<> body, bool root, prepare_function prepare, void* context) {
    // A spawn from a thread that is no worker of ours can race with
    // shutdown; it counts itself in `outside_spawns_` first, and shutdown
    // waits for the count to drain before it ends the processes it sees.
    const bool outside = scheduler_->current_worker() == nullptr;
    if (outside) {
        // Seq_cst, with the seq_cst exchange of shut_down_ in shutdown():
        // either this thread sees the flag, or shutdown sees the count.
        outside_spawns_.fetch_add(1, std::memory_order_seq_cst);
    }

    struct outside_spawn_done {
        std::atomic<std::uint32_t>* count;

        ~outside_spawn_done() {
            if (count != nullptr) {
                // Release: the started block is visible to the shutdown
                // that reads zero (acquire).
                count->fetch_sub(1, std::memory_order_release);
            }
        }
    } done{outside ? &outside_spawns_ : nullptr};

    if (shut_down_.load(std::memory_order_seq_cst)) {
        return pid{node_, 0, 0, creation_}; // the body is dropped: nothing runs any more
    }
    if (internal::process* parent = internal::process::current()) {
        parent->release_held_monitor(); // the child may act on the target
    }
    internal::process* block = table_.acquire(worker_index());
    std::uint32_t serial = block->start(body.release(), root);
    pid child{node_, block->id(), serial, creation_};
    live_.fetch_add(1, std::memory_order_relaxed);
    if (prepare != nullptr) {
        prepare(*block, context);
    }
    if (root) {
        std::lock_guard lock(root_mutex_);
        root_ = child;
        root_pending_ = true;
        root_reason_.reset();
    }
    scheduler_->schedule_fair(block);
    return child;
}

std::shared_ptr<void> runtime_core::node_value(atom key) const {
    const std::lock_guard lock(node_values_mutex_);
    auto found = node_values_.find(key.index());
    return found == node_values_.end() ? nullptr : found->second;
}

void runtime_core::set_node_value(atom key, std::shared_ptr<void> value) {
    std::shared_ptr<void> old; // released after the lock
    const std::lock_guard lock(node_values_mutex_);
    std::shared_ptr<void>& slot = node_values_[key.index()];
    old = std::move(slot);
    slot = std::move(value);
}

reference runtime_core::make_reference() noexcept {
    unsigned index = worker_index();
    std::uint64_t count = 0;
    std::uint32_t origin = 0;
    if (index != internal::process_table::no_worker) {
        count = ++worker_references_[index].next;
        origin = index + 1;
    } else {
        // Relaxed: only uniqueness matters.
        count = outside_references_.fetch_add(1, std::memory_order_relaxed) + 1;
    }
    reference ref;
    ref.node = node_;
    ref.creation = creation_;
    ref.size = 3;
    ref.id = {
        static_cast<std::uint32_t>(count), static_cast<std::uint32_t>(count >> 32), origin, 0, 0};
    return ref;
}

void runtime_core::process_exited(const pid& p, const term& reason, bool root) noexcept {
    if (scheduler_->deterministic()) {
        exit_reasons.insert_or_assign(p, reason);
    }
    // Release: pairs with the acquire read of live_count().
    live_.fetch_sub(1, std::memory_order_release);
    if (!root) {
        return;
    }
    std::lock_guard lock(root_mutex_);
    if (root_pending_ && root_ == p) {
        root_pending_ = false;
        root_reason_ = reason;
        root_cv_.notify_all();
    }
}

term runtime_core::wait_for_root() {
    std::unique_lock lock(root_mutex_);
    root_cv_.wait(lock, [&] { return !root_pending_; });
    return root_reason_.value_or(term(atoms::undefined));
}

bool runtime_core::root_done() const {
    std::lock_guard lock(root_mutex_);
    return !root_pending_;
}

term runtime_core::root_reason() const {
    std::lock_guard lock(root_mutex_);
    return root_reason_.value_or(term(atoms::undefined));
}

reference runtime_core::arm_send_after(const pid& to, mailbox_node* node, std::int64_t delay_ms) {
    if (internal::process* sender = internal::process::current()) {
        sender->release_held_monitor(); // the timer's message comes after it
    }
    reference ref = make_reference();
    if (delay_ms < 0) {
        node->destroy(); // an infinite delay: it would never be delivered
        return ref;
    }
    if (to.node != node_ && node->vtable->encode == nullptr) {
        node->destroy();
        throw no_term_conversion("send_after: the message cannot go to a process on node " +
                                 std::string(to.node.name()) +
                                 ": its C++ type has no term_conversion, and only terms cross "
                                 "nodes");
    }
    if (is_local(to)) {
        internal::process* target = pin(to);
        if (target == nullptr) {
            node->destroy(); // a timer to a dead process is cancelled at once
            return ref;
        }
        target->note_send_after();
        target->unpin();
    }
    auto* timer = new internal::send_after_timer(*this, to, node, ref);
    timer->deadline = scheduler_->deadline_after(static_cast<std::uint64_t>(delay_ms));
    {
        std::lock_guard lock(timers_mutex_);
        send_after_timers_.emplace(ref, timer);
        auto [first, inserted] = send_after_by_target_.try_emplace(to, timer);
        if (!inserted) {
            timer->next_of_target = std::exchange(first->second, timer);
            timer->next_of_target->previous_of_target = timer;
        }
        // The wheel may fire it as soon as it is added; the lock is held,
        // so the firing waits for the maps above to be complete.
        scheduler_->add_timer(timer);
    }
    return ref;
}

mailbox_node* runtime_core::disarm_locked(internal::send_after_timer* timer,
                                          bool on_wheel) noexcept {
    send_after_timers_.erase(timer->ref);
    if (timer->previous_of_target != nullptr) {
        timer->previous_of_target->next_of_target = timer->next_of_target;
    } else if (timer->next_of_target != nullptr) {
        send_after_by_target_[timer->target] = timer->next_of_target;
    } else {
        send_after_by_target_.erase(timer->target);
    }
    if (timer->next_of_target != nullptr) {
        timer->next_of_target->previous_of_target = timer->previous_of_target;
    }
    timer->previous_of_target = timer->next_of_target = nullptr;
    mailbox_node* message = std::exchange(timer->message, nullptr);
    if (!on_wheel) {
        return message; // being fired: the wheel already unlinked it
    }
    // Not in the maps any more: a wheel that fires it meanwhile only frees
    // it, unless a removal is queued for its worker, which then frees it.
    timer->removal_queued = true;
    if (!scheduler_->remove_timer_anywhere(timer, [](internal::timer_entry* entry) noexcept {
            delete static_cast<internal::send_after_timer*>(entry);
        })) {
        timer->removal_queued = false;
    }
    return message;
}

std::int64_t runtime_core::cancel_send_after(const reference& ref) {
    mailbox_node* message = nullptr;
    std::uint64_t left = 0;
    {
        std::lock_guard lock(timers_mutex_);
        auto found = send_after_timers_.find(ref);
        if (found == send_after_timers_.end()) {
            return -1;
        }
        left = scheduler_->remaining_until(found->second->deadline);
        message = disarm_locked(found->second, true);
    }
    if (message != nullptr) {
        message->destroy();
    }
    return static_cast<std::int64_t>(left);
}

void runtime_core::cancel_send_after_to(const pid& p) noexcept {
    mailbox_node* messages = nullptr; // chained through `next`, destroyed unlocked
    {
        std::lock_guard lock(timers_mutex_);
        auto found = send_after_by_target_.find(p);
        while (found != send_after_by_target_.end()) {
            if (mailbox_node* message = disarm_locked(found->second, true)) {
                message->next = messages;
                messages = message;
            }
            found = send_after_by_target_.find(p);
        }
    }
    while (messages != nullptr) {
        mailbox_node* next = messages->next;
        messages->destroy();
        messages = next;
    }
}

void runtime_core::send_after_fired(internal::send_after_timer* timer) noexcept {
    mailbox_node* message = nullptr;
    {
        std::lock_guard lock(timers_mutex_);
        auto found = send_after_timers_.find(timer->ref);
        if (found == send_after_timers_.end() || found->second != timer) {
            if (timer->removal_queued) {
                return; // the queued removal frees it
            }
        } else {
            message = disarm_locked(timer, false);
        }
    }
    if (message != nullptr && !shut_down()) {
        try {
            send_out(nullptr, timer->target, message);
        } catch (...) {
            // Only a remote send can throw, and arm_send_after refused
            // payloads that cannot leave the node: nothing to do.
        }
    } else if (message != nullptr) {
        message->destroy();
    }
    delete timer;
}

void runtime_core::shutdown() noexcept {
    // Seq_cst: see spawn_prepared.
    if (shut_down_.exchange(true, std::memory_order_seq_cst)) {
        return;
    }
    scheduler_->stop();
    // A spawn from another thread that passed its check before the flag
    // was set finishes now; the loop below then ends its process too.
    while (outside_spawns_.load(std::memory_order_acquire) != 0) {
        std::this_thread::yield();
    }
    // Destructors of ending processes may spawn or send; repeat until every
    // process is gone.
    while (live_count() != 0) {
        std::size_t before = live_count();
        table_.for_each_block([](internal::process& block) {
            if (block.is_alive_hint()) {
                block.terminate_at_shutdown();
            }
        });
        if (live_count() == before) {
            break; // nothing left that we can end
        }
    }
    scheduler_->clear_timers([](internal::timer_entry* entry) { entry->fire(entry); });
    std::lock_guard lock(timers_mutex_);
    send_after_timers_.clear();
    send_after_by_target_.clear();
}

} // namespace rill::detail
