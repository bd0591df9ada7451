#pragma once

/// \file
/// The unit a mailbox carries: one signal from one sender.
///
/// A message node holds its payload inline (`payload_node<T>`), moved in once
/// by the sender and moved out once by the receiver: local messages are
/// never serialized or copied. `vtable` identifies the payload type (one
/// static table per type, compared by address) and knows how to destroy it
/// and how to present it as a term. Other signal kinds (exit, link, monitor,
/// down, timeout) are nodes built by the runtime itself.

#include <rill/core/term.hpp>

#include <cstddef>
#include <cstdint>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace rill::detail {

enum class signal_kind : std::uint8_t {
    message, ///< a payload for the message queue
    timeout, ///< a receive or sleep timer fired (`tag` = wait sequence)
    exit,    ///< an exit signal (runtime-built)
    link,    ///< a link request (runtime-built)
    unlink,  ///< an unlink request (runtime-built)
    unlink_ack,
    monitor,
    demonitor,
    down,
    query, ///< a synchronous query answered by the owner (runtime-built)
};

struct mailbox_node;

/// Mailbox nodes come from the runtime's per-thread small-block cache.
void* allocate_node(std::size_t size);
void free_node(void* node, std::size_t size) noexcept;

/// Per-payload-type operations; one constant instance per type.
struct payload_vtable {
    void (*destroy)(mailbox_node* node) noexcept;
    /// The payload as a term, moved out: converted when the type has a term
    /// conversion, wrapped as an opaque local term otherwise.
    term (*take_term)(mailbox_node* node);
    /// The payload itself when it is a `term`, else nullptr.
    const term* (*peek_term)(const mailbox_node* node) noexcept;
};

struct mailbox_node {
    mailbox_node* next = nullptr;
    const payload_vtable* vtable = nullptr;
    signal_kind kind = signal_kind::message;
    std::uint32_t tag = 0;

    void destroy() noexcept { vtable->destroy(this); }

    // Every node type is deleted through its exact type (see the vtables),
    // so the sized delete receives the size it was allocated with. Nodes of
    // over-aligned payloads (`alignas(64)`, SIMD vectors) are over-aligned
    // themselves and take the aligned forms, from the global allocator: the
    // small-block cache aligns to 16 bytes only.
    static void* operator new(std::size_t size) { return allocate_node(size); }

    static void operator delete(void* node, std::size_t size) noexcept { free_node(node, size); }

    static void* operator new(std::size_t size, std::align_val_t alignment) {
        return ::operator new(size, alignment);
    }

    static void operator delete(void* node, std::size_t size, std::align_val_t alignment) noexcept {
        ::operator delete(node, size, alignment);
    }
};

template <class T>
struct payload_node final : mailbox_node {
    template <class... Args>
    explicit payload_node(Args&&... args)
        : value(std::forward<Args>(args)...) {}

    T value;
};

template <class T>
struct payload_traits {
    static void destroy(mailbox_node* node) noexcept { delete static_cast<payload_node<T>*>(node); }

    static term take_term(mailbox_node* node) {
        T& value = static_cast<payload_node<T>*>(node)->value;
        if constexpr (std::is_same_v<T, term>) {
            return std::move(value);
        } else if constexpr (term_convertible<T>) {
            return term(std::move(value));
        } else {
            return term::local<T>(std::move(value));
        }
    }

    static const term* peek_term(const mailbox_node* node) noexcept {
        if constexpr (std::is_same_v<T, term>) {
            return &static_cast<const payload_node<T>*>(node)->value;
        } else {
            return nullptr;
        }
    }
};

/// The vtable of payload type T; its address identifies T.
template <class T>
inline constexpr payload_vtable payload_vtable_for{
    &payload_traits<T>::destroy,
    &payload_traits<T>::take_term,
    &payload_traits<T>::peek_term,
};

/// The type a value of type V travels as: string literals and C strings
/// become std::string; everything else its decayed type.
template <class V>
using payload_type_t = std::conditional_t<std::is_same_v<std::decay_t<V>, const char*> ||
                                              std::is_same_v<std::decay_t<V>, char*>,
                                          std::string,
                                          std::decay_t<V>>;

template <class V>
mailbox_node* make_message_node(V&& value) {
    using T = payload_type_t<V>;
    static_assert(std::is_move_constructible_v<T>, "a message payload must be move-constructible");
    auto* node = new payload_node<T>(std::forward<V>(value));
    node->vtable = &payload_vtable_for<T>;
    return node;
}

template <class T>
[[nodiscard]] bool holds_payload(const mailbox_node* node) noexcept {
    return node->vtable == &payload_vtable_for<T>;
}

} // namespace rill::detail
