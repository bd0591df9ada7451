// A process's life on its worker: slices, waits, signals, termination.
//
// One slice (run_slice -> slice):
//   1. If the process waits in a receive, take what arrived (signals are
//      handled here, in arrival order, before any message is matched), then
//      look for a match among the new messages only. A match or a timeout
//      completes the wait; otherwise park in the mailbox (try_block) or, if
//      something arrived meanwhile, look again.
//   2. Resume the coroutine. It runs until it suspends again: in a receive
//      (back to 1; a receive first looks in the queue and takes the inbox
//      only when nothing queued matches, see receive_ready), in a yield
//      (requeue behind others), or at its end (terminate with `normal` or
//      the reason its exception maps to).
// The slice ends early when the reduction budget is spent: the process is
// requeued, so a chatty process never starves the others on its worker.

#include "process/process.hpp"

#include <rill/core/errors.hpp>
#include <rill/process/exit.hpp>
#include <rill/process/message.hpp>

#include "core/demangle.hpp"
#include "process/runtime_core.hpp"
#include "process/timers.hpp"
#include "process/tracing.hpp"
#include "process/upper_layers.hpp"
#include "sched/scheduler.hpp"
#include "sched/worker.hpp"

#include <cxxabi.h>
#include <memory>
#include <string>
#include <typeinfo>

namespace rill::internal {

namespace {

term exception_reason(const std::string& type_name, const std::string& what) {
    std::string_view name = type_name;
    if (name.size() > max_atom_length) {
        // Cut to max_atom_length bytes, back to the start of a UTF-8
        // character, so the cut name is still an atom name.
        std::size_t end = max_atom_length;
        while (end > 0 && (static_cast<unsigned char>(name[end]) & 0xC0U) == 0x80U) {
            --end;
        }
        name = name.substr(0, end);
    }
    atom type = atoms::undefined;
    try {
        type = atom(name);
    } catch (...) {
        // A full atom table: the type stays `undefined`; the what() text
        // still says what happened.
    }
    return term::tuple({term(atoms::exception), term(type), term(what)});
}

/// The exit reason of a process whose body ended with `error`: verbatim for
/// `process::exit`, `badarg` for rill's badarg, `{exception, Type, What}`
/// for anything else (never `normal`).
term reason_from_exception(const std::exception_ptr& error) noexcept {
    try {
        try {
            std::rethrow_exception(error);
        } catch (const exit_exception& e) {
            return e.reason();
        } catch (const badarg&) {
            return term(atoms::badarg);
        } catch (const std::exception& e) {
            return exception_reason(demangle(typeid(e).name()), e.what());
        } catch (...) {
            const std::type_info* type = abi::__cxa_current_exception_type();
            return exception_reason(type != nullptr ? demangle(type->name()) : "unknown", "");
        }
    } catch (...) {
        // Building the reason itself failed (out of memory).
        return term(atoms::exception);
    }
}

} // namespace

process::process(detail::runtime_core& runtime, std::uint32_t id) noexcept
    : runnable(&process::run_slice)
    , runtime_(runtime)
    , id_(id) {
    mailbox_.close(); // a free block refuses signals until `start`
}

process::~process() {
    // Only blocks that hold no process are destroyed (runtime teardown).
    if (root_) {
        root_.destroy();
    }
}

process& process::current_or_throw(const char* operation) {
    if (running_ == nullptr) {
        throw not_in_process(std::string(operation) +
                             " must be called from a rill process (this thread runs none); "
                             "from other threads use the runtime's spawn and send");
    }
    return *running_;
}

pid process::to_pid() const noexcept {
    return pid{runtime_.node(), id_, serial(), runtime_.creation()};
}

std::uint32_t process::start(task<>::handle_type body, bool root) noexcept {
    is_root_ = root;
    root_ = body;
    resume_point_ = body;
    wait_ = nullptr;
    timeout_ = nullptr;
    timed_out_ = false;
    trap_exit_ = false;
    has_mark_ = false;
    exit_pending_ = false;
    has_held_monitor_ = false;
    trace_bits_ = 0;
    labelled_ = false;
    pending_exit_reason_ = term();
    reductions_done_.store(0, std::memory_order_relaxed);
    budget_ = 0;
    reductions_left_ = 0;
    oldest_arrival_.store(0, std::memory_order_relaxed);
    doomed_.store(false, std::memory_order_relaxed);
    has_send_after_.store(false, std::memory_order_relaxed);
    name_.reset();
    suspend_ = suspend_reason::none;
    mailbox_.reopen();
    std::uint32_t serial = serial_.load(std::memory_order_relaxed) + 1;
    serial_.store(serial, std::memory_order_relaxed);
    // Release: everything above is visible to a sender that pins this
    // incarnation (its acquire CAS reads this value or a later one).
    refs_.store(alive_bit, std::memory_order_release);
    return serial;
}

void process::unpin() noexcept {
    // acq_rel: the last holder must see every other holder's writes before
    // the block is reused.
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        recycle();
    }
}

void process::release_alive() noexcept {
    if (refs_.fetch_sub(alive_bit, std::memory_order_acq_rel) == alive_bit) {
        recycle();
    }
}

void process::recycle() noexcept {
    runtime_.table().release(this, runtime_.worker_index());
}

void process::run_slice(runnable* self, worker& /*on*/) noexcept {
    auto* p = static_cast<process*>(self);
    process* previous = running_;
    running_ = p;
    p->budget_ = static_cast<std::int32_t>(p->runtime_.options().reductions_per_slice);
    p->reductions_left_ = p->budget_;
    if (p->runtime_.sched().deterministic()) [[unlikely]] {
        p->record_in_trace();
    }
    p->slice();
    running_ = previous;
}

// Out of line, so that the slice path saves no registers for the vector's
// growth.
void process::record_in_trace() noexcept {
    try {
        runtime_.trace.push_back(to_pid());
    } catch (...) {
        // Out of memory: the trace misses a slice; the run goes on.
    }
}

// The process will keep its worker until it next suspends; whatever waits
// in the worker's next slot moves to the local queue, where an idle worker
// can steal it.
void process::budget_ran_out() noexcept {
    runtime_.sched().demote_next();
}

std::uint32_t process::arrival_stamp() noexcept {
    // The worker's coarse clock, truncated (ages are taken modulo 2^32 ms)
    // and made odd, so that 0 means "no stamp".
    worker* on = worker::current();
    return (on != nullptr ? static_cast<std::uint32_t>(on->clock_ms()) : 0U) | 1U;
}

process::published_figures process::read_published(std::uint64_t now_ms) const noexcept {
    published_figures figures{};
    figures.message_queue_length = mailbox_.length();
    figures.status = mailbox_.is_parked() ? process_status::waiting : process_status::runnable;
    const std::uint32_t oldest = oldest_arrival_.load(std::memory_order_relaxed);
    if (figures.message_queue_length != 0 && oldest != 0) {
        // Modulo 2^32: exact for ages under 49 days; odd like the stamps.
        figures.oldest_message_age_ms = (static_cast<std::uint32_t>(now_ms) | 1U) - oldest;
    }
    figures.queued_bytes = mailbox_.queued_bytes();
    figures.memory = sizeof(process) + figures.queued_bytes;
    figures.reductions = reductions_done_.load(std::memory_order_relaxed);
    const std::uint64_t counts = runtime_.table().relation_counts(id_);
    figures.links = process_table::relation_count(counts, 0);
    figures.monitors = process_table::relation_count(counts, 1);
    figures.monitored_by = process_table::relation_count(counts, 2);
    return figures;
}

void process::slice() noexcept {
    for (;;) {
        if (wait_ != nullptr) {
            switch (advance_wait()) { // takes what arrived, then scans
            case wait_outcome::resume:
                break;
            case wait_outcome::parked:
            case wait_outcome::requeued:
            case wait_outcome::terminated:
                return;
            }
        } else {
            drain_incoming();
            if (exit_pending_) {
                terminate(pending_exit_reason_);
                return;
            }
        }
        suspend_ = suspend_reason::none;
        resume_point_.resume();
        switch (suspend_) {
        case suspend_reason::none:
            finish();
            return;
        case suspend_reason::yield:
            release_held_monitor();
            account_reductions();
            runtime_.sched().schedule_fair(this);
            return;
        case suspend_reason::receive:
            if (try_park_after_receive()) {
                return;
            }
            continue; // something arrived, an exit is pending, or the budget is spent
        }
    }
}

// The receive's await_ready has just taken the inbox and scanned without a
// match: park right away unless something needs the full path.
bool process::try_park_after_receive() noexcept {
    if (exit_pending_ || reductions_left_ <= 0 || wait_->timeout_ms == 0) {
        return false;
    }
    if (wait_->timeout_ms > 0 && timeout_ == nullptr) {
        arm_timeout();
    }
    account_reductions(); // before try_block publishes the process
    return mailbox_.try_block();
}

process::wait_outcome process::advance_wait() noexcept {
    for (;;) {
        drain_incoming();
        if (exit_pending_) {
            terminate(pending_exit_reason_);
            return wait_outcome::terminated;
        }
        if (reductions_left_ <= 0) {
            account_reductions();
            runtime_.sched().schedule_fair(this);
            return wait_outcome::requeued;
        }
        detail::receive_wait& wait = *wait_;
        if (take_match(wait)) {
            complete_wait();
            if (reductions_left_ <= 0) {
                account_reductions();
                runtime_.sched().schedule_fair(this);
                return wait_outcome::requeued;
            }
            return wait_outcome::resume;
        }
        if (timed_out_ || wait.timeout_ms == 0) {
            wait.timed_out = true; // a zero timeout polls: it never parks
            complete_wait();
            return wait_outcome::resume;
        }
        if (wait.timeout_ms > 0 && timeout_ == nullptr) {
            arm_timeout();
        }
        account_reductions(); // before try_block publishes the process
        if (mailbox_.try_block()) {
            return wait_outcome::parked;
        }
    }
}

void process::drain_incoming() noexcept {
    mailbox_node* node = mailbox_.take_incoming();
    if (node == nullptr) {
        return;
    }
    const std::uint32_t arrival = arrival_stamp();
    while (node != nullptr) {
        mailbox_node* next = node->next;
        if (exit_pending_) {
            // The process is ending: messages are dropped, and signals are
            // answered as by a dead process (a link gets noproc, S68).
            runtime_.drop(node);
        } else if (node->kind == detail::signal_kind::message) {
            mailbox_.append(node, arrival);
        } else {
            handle_signal(node);
        }
        node = next;
    }
}

void process::handle_signal(mailbox_node* node) noexcept {
    switch (node->kind) {
    case detail::signal_kind::timeout:
        if (wait_ != nullptr && node->tag == wait_sequence_) {
            timed_out_ = true;
        }
        break;
    case detail::signal_kind::message:
        break;
    case detail::signal_kind::trace:
        runtime_.traces().apply(*this, static_cast<trace_signal_node&>(*node));
        break;
    default:
        if (trace_bits_ != 0 && node->kind != detail::signal_kind::query) [[unlikely]] {
            runtime_.traces().signal_handled(*this, node);
        }
        runtime_.upper->handle_signal(*this, node); // links, monitors, exits: the signal layer
        return;
    }
    node->destroy();
}

void process::trace_taken(mailbox_node* node) noexcept {
    runtime_.traces().taken(*this, node);
}

void process::send_held_monitor() noexcept {
    has_held_monitor_ = false; // first: sending must not recurse
    runtime_.upper->send_held_monitor(*this);
}

void process::request_exit(term reason) noexcept {
    exit_pending_ = true;
    pending_exit_reason_ = std::move(reason);
}

bool process::is_mark_of(const reference* ref) const noexcept {
    return ref != nullptr && has_mark_ && ref->node == runtime_.node() &&
           ref->creation == runtime_.creation() && ref->id[2] == mark_origin_ &&
           ((std::uint64_t{ref->id[1]} << 32) | ref->id[0]) == mark_low_;
}

bool process::receive_ready(detail::receive_wait& wait) {
    release_held_monitor(); // a DOWN for it may be what this receive wants
    ++wait_sequence_;
    if (is_mark_of(wait.reply_to)) {
        mailbox_.start_scan_at_mark();
    } else {
        mailbox_.reset_scan();
    }
    if (wait.timeout_ms > 0) {
        wait.deadline_ms =
            runtime_.sched().deadline_after(static_cast<std::uint64_t>(wait.timeout_ms));
    }
    if (reductions_left_ <= 0) {
        return false; // spent: suspend; the worker requeues us
    }
    // The queue first, the inbox only when the queue holds no match (as the
    // BEAM fetches its signal queue at the end of the message queue). A
    // receiver working through a backlog then leaves the inbox head alone,
    // which senders on other workers keep writing. Signals still wait at
    // most until this slice ends: every slice starts with a drain.
    if (exit_pending_) {
        return false; // suspend: the worker ends the process
    }
    if (take_match(wait)) {
        return true;
    }
    drain_incoming();
    if (exit_pending_) {
        return false; // suspend: the worker ends the process
    }
    if (take_match(wait)) {
        return true;
    }
    if (wait.timeout_ms == 0) {
        wait.timed_out = true;
        mailbox_.reset_scan();
        return true;
    }
    return false;
}

void process::receive_suspend(detail::receive_wait& wait,
                              std::coroutine_handle<> resume_point) noexcept {
    wait_ = &wait;
    resume_point_ = resume_point;
    suspend_ = suspend_reason::receive;
}

void process::yield_suspend(std::coroutine_handle<> resume_point) noexcept {
    resume_point_ = resume_point;
    suspend_ = suspend_reason::yield;
}

void process::complete_wait() noexcept {
    wait_ = nullptr;
    timed_out_ = false;
    mailbox_.reset_scan();
    disarm_timeout();
}

void process::arm_timeout() noexcept {
    timeout_ = new timeout_timer(runtime_, to_pid(), wait_sequence_);
    timeout_->deadline = wait_->deadline_ms;
    runtime_.sched().add_timer(timeout_);
}

void process::disarm_timeout() noexcept {
    if (timeout_ == nullptr) {
        return;
    }
    if (runtime_.sched().try_remove_timer(timeout_)) {
        delete timeout_; // still linked, unlinked by us: the wheel never fired it
    } else {
        // Relaxed: see timeout_timer::cancelled.
        timeout_->cancelled.store(true, std::memory_order_relaxed);
        timeout_->release();
    }
    timeout_ = nullptr;
}

void process::finish() noexcept {
    if (!root_.done()) {
        // Control came back from the body although no rill awaitable
        // suspended it and it did not finish. Only rill's awaitables compile
        // in a task (task.hpp), so this is GCC 12's miscompilation of
        // `co_await` in an `if` condition (docs/guides/compilers.md): the
        // coroutine is abandoned and no awaitable holds its handle, so
        // freeing the frame below leaves nothing that could resume it.
        terminate(exception_reason(
            "rill::foreign_await",
            "the process stopped without finishing or waiting in rill: with GCC 12 this is "
            "co_await used inside an if/while condition; store the awaited result in a "
            "variable first"));
        return;
    }
    term reason(atoms::normal);
    if (const std::exception_ptr& error = root_.promise().exception()) {
        reason = reason_from_exception(error);
    }
    terminate(reason);
}

void process::terminate(const term& reason) noexcept {
    // 1. The process runs no more code: destroy its frames (innermost
    //    first, through the owning tasks), running its destructors.
    if (root_) {
        task<>::handle_type root = std::exchange(root_, {});
        root.destroy();
    }
    wait_ = nullptr;
    disarm_timeout();
    // 2. Refuse further signals. Signals still unhandled are answered as
    //    by a dead process (noproc), as BEAM answers pending ones.
    for (mailbox_node* node = mailbox_.close(); node != nullptr;) {
        mailbox_node* next = node->next;
        runtime_.drop(node);
        node = next;
    }
    for (mailbox_node* node = mailbox_.take_all_messages(); node != nullptr;) {
        mailbox_node* next = node->next;
        node->destroy();
        node = next;
    }
    // 3. A monitor never sent is simply forgotten. Release the name, then
    //    send exit signals to links and DOWNs to monitors (S67), then tell
    //    the node.
    has_held_monitor_ = false;
    if (has_send_after_.load(std::memory_order_relaxed)) {
        runtime_.cancel_send_after_to(to_pid()); // as Erlang cancels a dead pid's timers
    }
    if (trace_bits_ != 0) [[unlikely]] {
        runtime_.traces().exited(*this, reason);
    }
    if (labelled_) [[unlikely]] {
        runtime_.forget_label(*this);
    }
    runtime_.upper->process_ending(*this, reason); // frees the tables
    runtime_.process_exited(to_pid(), reason, is_root_);
    // 4. Give up the block (the last pin recycles it).
    release_alive();
}

void process::terminate_at_shutdown() noexcept {
    process* previous = running_;
    running_ = this;
    terminate(term(atoms::shutdown));
    running_ = previous;
}

} // namespace rill::internal

namespace rill::process {

term exit_reason(const std::exception_ptr& error) noexcept {
    return internal::reason_from_exception(error);
}

} // namespace rill::process
