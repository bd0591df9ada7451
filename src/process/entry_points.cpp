// The definitions behind include/rill/detail/process_entry.hpp: what the
// public templates (spawn, send, receive, timers, info) call into.

#include <rill/core/errors.hpp>
#include <rill/detail/process_entry.hpp>

#include "process/outbound.hpp"
#include "process/process.hpp"
#include "process/query_signal.hpp"
#include "process/runtime_core.hpp"
#include "sched/scheduler.hpp"
#include "sync/small_object_cache.hpp"

#include <exception>
#include <string>

namespace rill::detail {

namespace {

internal::process& running_process(const char* operation) {
    return internal::process::current_or_throw(operation);
}

// The calling process when it belongs to `runtime` (a send from another
// runtime's process, or from a plain thread, has no sender here).
internal::process* sender_in(runtime_core& runtime) noexcept {
    internal::process* caller = internal::process::current();
    return caller != nullptr && &caller->runtime() == &runtime ? caller : nullptr;
}

} // namespace

runtime_core& current_runtime(const char* operation) {
    return running_process(operation).runtime();
}

pid current_pid(const char* operation) {
    return running_process(operation).to_pid();
}

pid spawn_body(runtime_core& runtime, task<> body) {
    if (internal::process* caller = internal::process::current()) {
        caller->charge();
    }
    return runtime.spawn(std::move(body));
}

void send_node(runtime_core& runtime, const pid& to, mailbox_node* node) {
    internal::process* sender = sender_in(runtime);
    if (sender != nullptr) {
        sender->charge();
        if (node->kind == detail::signal_kind::message) {
            internal::count_message_sent();
        }
    }
    runtime.send_out(sender, to, node);
}

void send_to_name(runtime_core& runtime, atom name, atom node, mailbox_node* message) {
    internal::process* sender = sender_in(runtime);
    if (sender != nullptr) {
        sender->charge();
        internal::count_message_sent();
    }
    runtime.send_out_to_name(sender, name, node, message);
}

void throw_nan_timeout(const char* operation) {
    throw badarg(std::string(operation) + ": the timeout is NaN, which is no duration");
}

bool receive_ready(receive_wait& wait) {
    return running_process("process::receive").receive_ready(wait);
}

void receive_suspend(receive_wait& wait, std::coroutine_handle<> resume_point) noexcept {
    internal::process::current()->receive_suspend(wait, resume_point);
}

void yield_suspend(std::coroutine_handle<> resume_point) noexcept {
    internal::process* p = internal::process::current();
    if (p == nullptr) {
        std::terminate(); // unreachable: yield's await_ready is false only in a process
    }
    p->yield_suspend(resume_point);
}

reference make_reference(runtime_core& runtime) {
    reference ref = runtime.make_reference();
    if (internal::process* self = internal::process::current()) {
        self->note_reference_made(ref);
    }
    return ref;
}

reference send_info_query(runtime_core& runtime, const pid& target) {
    internal::process& self = running_process("process::info");
    self.charge();
    reference ref = runtime.make_reference();
    runtime.send_out(&self, target, internal::make_query_signal(self.to_pid(), ref));
    return ref;
}

bool is_alive(runtime_core& runtime, const pid& p) {
    internal::process* target = runtime.pin(p);
    if (target == nullptr) {
        return false;
    }
    bool alive = target->is_alive_and_not_doomed();
    target->unpin();
    return alive;
}

reference
send_after_node(runtime_core& runtime, const pid& to, mailbox_node* node, std::int64_t delay_ms) {
    return runtime.arm_send_after(to, node, delay_ms);
}

std::int64_t cancel_timer(runtime_core& runtime, const reference& timer) {
    return runtime.cancel_send_after(timer);
}

std::shared_ptr<void> node_value(runtime_core& runtime, atom key) {
    return runtime.node_value(key);
}

void set_node_value(runtime_core& runtime, atom key, std::shared_ptr<void> value) {
    runtime.set_node_value(key, std::move(value));
}

void set_label(const char* operation, std::string label) {
    internal::process& self = running_process(operation);
    self.runtime().set_label(self, std::move(label));
}

void set_trace_label(const char* operation, term label) {
    internal::process& self = running_process(operation);
    self.runtime().traces().set_label(self, std::move(label));
}

term trace_label(const char* operation) {
    const internal::process& self = running_process(operation);
    return self.runtime().traces().label(self);
}

std::int64_t runtime_now_ms(runtime_core& runtime) noexcept {
    return runtime.sched().now_ms();
}

void* allocate_frame(std::size_t size) {
    return internal::allocate_small(size);
}

void free_frame(void* frame, std::size_t size) noexcept {
    internal::free_small(frame, size);
}

void* allocate_node(std::size_t size) {
    return internal::allocate_small(size);
}

void free_node(void* node, std::size_t size) noexcept {
    internal::free_small(node, size);
}

} // namespace rill::detail
