#include "process/timers.hpp"

#include "process/runtime_core.hpp"

namespace rill::internal {

namespace {

struct timeout_signal final : detail::mailbox_node {};

void destroy_timeout_signal(detail::mailbox_node* node) noexcept {
    delete static_cast<timeout_signal*>(node);
}

term no_term(detail::mailbox_node* /*node*/) {
    return term(atoms::timeout);
}

const term* no_peek(const detail::mailbox_node* /*node*/) noexcept {
    return nullptr;
}

// A timeout never leaves its process (no `encode`).
constexpr detail::payload_vtable timeout_signal_vtable{
    .destroy = &destroy_timeout_signal,
    .encode = nullptr,
    .take_term = &no_term,
    .peek_term = &no_peek,
    .node_size = sizeof(timeout_signal),
};

} // namespace

detail::mailbox_node* make_timeout_signal(std::uint32_t sequence) {
    auto* node = new timeout_signal();
    node->vtable = &timeout_signal_vtable;
    node->kind = detail::signal_kind::timeout;
    node->tag = sequence;
    return node;
}

timeout_timer::timeout_timer(detail::runtime_core& owner,
                             const pid& waiter,
                             std::uint32_t wait_sequence)
    : timer_entry(&timeout_timer::fire)
    , runtime(owner)
    , target(waiter)
    , sequence(wait_sequence) {}

void timeout_timer::fire(timer_entry* fired) noexcept {
    auto* timer = static_cast<timeout_timer*>(fired);
    if (!timer->cancelled.load(std::memory_order_relaxed) && !timer->runtime.shut_down()) {
        timer->runtime.deliver_local(timer->target, make_timeout_signal(timer->sequence));
    }
    timer->release();
}

void timeout_timer::release() noexcept {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        delete this;
    }
}

send_after_timer::send_after_timer(detail::runtime_core& owner,
                                   const pid& to,
                                   detail::mailbox_node* payload,
                                   const reference& timer_ref)
    : timer_entry(&send_after_timer::fire)
    , runtime(owner)
    , target(to)
    , message(payload)
    , ref(timer_ref) {}

send_after_timer::~send_after_timer() {
    if (message != nullptr) {
        message->destroy();
    }
}

void send_after_timer::fire(timer_entry* fired) noexcept {
    static_cast<send_after_timer*>(fired)->runtime.send_after_fired(
        static_cast<send_after_timer*>(fired));
}

} // namespace rill::internal
