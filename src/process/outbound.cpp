// The one way out of a process: every message and signal a process sends
// (and every answer the runtime sends on its behalf) passes `send_out`, or
// for process::send's messages its trimmed twin `send_message_out`, so the
// duties of an outward action are done in one place, in this order:
//
//   1. The sender's held-back monitor goes out first (docs/design/0007), so
//      it stays in signal order with whatever the sender does next; a
//      traced sender reports what it sends (process/tracing.hpp).
//   2. A pid of another node goes to the layers above (`upper_layers::
//      send_remote`: the installed remote route, or the unreachable-node
//      answers). A pid of this node's name but another incarnation
//      (creation) is a dead local pid.
//   3. A local target is pinned (a stale pid finds no process, S68, and is
//      answered with `noproc`), marked doomed for an untrappable kill
//      (S6), and given the node; a process woken by it is scheduled.
//   4. An exit a process sends to itself is handled at once (S41): a
//      receive that finds a match in its queue would not take the inbox.

#include "process/outbound.hpp"

#include <rill/detail/process_entry.hpp>

#include "process/alias_message.hpp"
#include "process/process.hpp"
#include "process/runtime_core.hpp"
#include "process/tracing.hpp"
#include "process/upper_layers.hpp"
#include "sched/scheduler.hpp"

#include <exception>

namespace rill::detail {

// Here, next to send_out, so the compiler can inline it on the send path.
internal::process* runtime_core::pin(const pid& target) noexcept {
    if (!is_local(target)) {
        return nullptr;
    }
    internal::process* block = table_.find(target.id);
    if (block == nullptr || !block->try_pin()) {
        return nullptr;
    }
    if (block->serial() != target.serial) {
        block->unpin();
        return nullptr;
    }
    return block;
}

void runtime_core::send_out(internal::process* sender, const pid& to, mailbox_node* node) {
    if (sender != nullptr) {
        sender->release_held_monitor();
        if (sender->traced()) [[unlikely]] {
            traces_.sent(*sender, to, node);
        }
    }
    if (to.node != node_) [[unlikely]] {
        upper->send_remote(sender, to, node);
        return;
    }
    internal::process* target = pin(to);
    if (target == nullptr) {
        drop(node);
        return;
    }
    const bool is_exit = node->kind == signal_kind::exit;
    if (is_exit && (node->tag & internal::exit_tag_kill) != 0) {
        target->mark_doomed();
    }
    deliver_pinned(sender, target, node);
    target->unpin();
    if (is_exit && target == sender) {
        sender->handle_arrived_signals();
    }
}

void runtime_core::send_message_out(internal::process& sender,
                                    const pid& to,
                                    mailbox_node* message) {
    sender.release_held_monitor();
    if (sender.traced()) [[unlikely]] {
        traces_.sent(sender, to, message);
    }
    if (to.node != node_) [[unlikely]] {
        upper->send_remote(&sender, to, message);
        return;
    }
    internal::process* target = pin(to);
    if (target == nullptr) {
        message->destroy(); // a message to a dead process is dropped (S68)
        return;
    }
    deliver_pinned(&sender, target, message);
    target->unpin();
}

namespace {

// The misuse path of send_from_current, out of line so that the send path
// saves no registers for it.
[[noreturn, gnu::noinline, gnu::cold]] void refuse_send_outside_process(const char* operation,
                                                                        mailbox_node* node) {
    node->destroy();
    internal::process::current_or_throw(operation); // throws not_in_process
    std::terminate();                               // unreachable
}

} // namespace

// process::send's entry (include/rill/detail/process_entry.hpp). Here rather
// than with the other entry points so that send_message_out inlines into it:
// a call less on every send (callgrind, fanin 100 1000).
void send_from_current(const char* operation, const pid& to, mailbox_node* node) {
    internal::process* caller = internal::process::current();
    if (caller == nullptr) [[unlikely]] {
        refuse_send_outside_process(operation, node);
    }
    caller->charge();
    internal::count_message_sent();
    caller->runtime().send_message_out(*caller, to, node);
}

void send_to_alias_from_current(const char* operation, const reference& alias, mailbox_node* node) {
    internal::process* caller = internal::process::current();
    if (caller == nullptr) [[unlikely]] {
        refuse_send_outside_process(operation, node);
    }
    caller->charge();
    internal::count_message_sent();
    std::optional<pid> to = internal::alias_destination(caller->runtime(), alias);
    if (!to) {
        caller->release_held_monitor(); // whatever becomes of the message
        node->destroy();                // a reference that is no alias: dropped
        return;
    }
    caller->runtime().send_out(caller, *to, internal::make_alias_message(alias, node));
}

void runtime_core::send_out_to_name(internal::process* sender,
                                    atom name,
                                    atom node,
                                    mailbox_node* message) {
    if (sender != nullptr) {
        sender->release_held_monitor(); // whatever becomes of the message
    }
    if (node != node_) {
        upper->send_remote_to_name(sender, name, node, message);
    } else if (std::optional<pid> holder = upper->whereis(name)) {
        send_out(sender, *holder, message);
    } else {
        message->destroy(); // nobody holds the name: dropped (S16)
    }
}

// The local half of send_out without a sender. Written out rather than
// shared with send_out: a shared helper cost 8-11 instructions a send on
// the hot path (callgrind, ring 100 1000).
void runtime_core::deliver_local(const pid& to, mailbox_node* node) noexcept {
    internal::process* target = pin(to);
    if (target == nullptr) {
        drop(node);
        return;
    }
    if (node->kind == signal_kind::exit && (node->tag & internal::exit_tag_kill) != 0) {
        target->mark_doomed();
    }
    deliver_pinned(nullptr, target, node);
    target->unpin();
}

void runtime_core::deliver_pinned(internal::process* sender,
                                  internal::process* target,
                                  mailbox_node* node) noexcept {
    switch (target->box().push(node)) {
    case internal::mailbox::push_result::queued:
        break;
    case internal::mailbox::push_result::queued_and_woke:
        // A sender that has spent its budget will hold its worker until it
        // next suspends (a coroutine cannot be preempted): a process it
        // wakes goes where an idle worker can steal it, not into the next
        // slot behind the sender.
        if (sender != nullptr && sender->budget_spent()) {
            scheduler_->schedule_fair(target);
        } else {
            scheduler_->schedule(target);
        }
        break;
    case internal::mailbox::push_result::closed:
        drop(node);
        break;
    }
}

void runtime_core::drop(mailbox_node* node) noexcept {
    if (node->kind == signal_kind::message || node->kind == signal_kind::timeout ||
        upper == nullptr) {
        node->destroy();
        return;
    }
    upper->answer_undeliverable(node, atoms::noproc);
}

} // namespace rill::detail
