#pragma once

/// \file
/// The unit a mailbox carries: one signal from one sender.
///
/// A message node holds its payload inline (`payload_node<T>`), moved in once
/// by the sender and moved out once by the receiver: local messages are
/// never serialized or copied. `vtable` identifies the payload type (one
/// static table per type, compared by address) and knows how to destroy it,
/// how to present it as a term, whether it can leave the node (`encode`)
/// and whether it is an integer (`integer_kind`). Other signal kinds (exit,
/// link, monitor, down, timeout) are nodes built by the runtime itself.

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
    query,     ///< a synchronous query answered by the owner (runtime-built)
    node_down, ///< the connection to a node is lost (injected by the distribution)
    /// a message sent to a process alias, delivered only while the alias
    /// is active (runtime-built)
    alias_message,
    /// starts or ends a trace of the owner (runtime-built, process/trace.hpp)
    trace,
};

struct mailbox_node;

/// Drops the trace token kept for a stamped node (process/tracing.cpp).
void forget_stamp(const mailbox_node* node) noexcept;

/// Mailbox nodes come from the runtime's per-thread small-block cache.
void* allocate_node(std::size_t size);
void free_node(void* node, std::size_t size) noexcept;

/// Whether a payload's type is an integer type, and of which signedness.
/// Erlang has one integer type: a receive for an integral type uses this to
/// match payloads of other integral types by value (`bool` and `char8_t`
/// are no integers).
enum class integer_kind : std::uint8_t {
    none,             ///< not an integer
    signed_integer,   ///< `integer_bits` is the value sign-extended to 64 bits
    unsigned_integer, ///< `integer_bits` is the value zero-extended to 64 bits
};

/// Per-payload-type operations; one constant instance per type, in
/// read-only data. Runtime-built nodes (signals, timeouts) have their own
/// instances; build them with designated initializers so a field added
/// here gets its default there.
struct payload_vtable {
    void (*destroy)(mailbox_node* node) noexcept = nullptr;
    /// The payload moved out as a term, through its term conversion; null
    /// when the type has none, which means the payload cannot leave this
    /// node (only types with a conversion can be sent to another node).
    term (*encode)(mailbox_node* node) = nullptr;
    /// The payload as a term, moved out: converted when the type has a term
    /// conversion, wrapped as an opaque local term otherwise.
    term (*take_term)(mailbox_node* node) = nullptr;
    /// The payload itself when it is a `term`, else nullptr.
    const term* (*peek_term)(const mailbox_node* node) noexcept = nullptr;
    /// Whether the payload is an integer, and of which signedness.
    detail::integer_kind integer_kind = detail::integer_kind::none;
    /// The integer payload's value as 64 bits (see `integer_kind`); null
    /// when the payload is not an integer.
    std::uint64_t (*integer_bits)(const mailbox_node* node) noexcept = nullptr;
    /// `sizeof` the node type (payload inline), for process_info's memory figure.
    std::size_t node_size = 0;
};

struct mailbox_node {
    mailbox_node* next = nullptr;
    const payload_vtable* vtable = nullptr;
    signal_kind kind = signal_kind::message;
    /// `stamped`: a sequential trace token goes with this message, kept
    /// aside (process/trace.hpp, `process::set_trace_label`); the byte
    /// sits in padding, so it costs no room.
    std::uint8_t flags = 0;
    /// A message node's size in 8-byte words, for the queue's memory figure
    /// (set by `payload_node`; read on every append and removal, where a
    /// vtable load would cost more). Capped at 65,535 words (512 KiB), past
    /// which an inline payload is counted at the cap.
    std::uint16_t size_words = 0;
    std::uint32_t tag = 0;

    /// Flag of `flags`: a trace token is kept aside for this node.
    static constexpr std::uint8_t stamped = 1;

    void destroy() noexcept {
        if (flags != 0) [[unlikely]] {
            forget_stamp(this); // a stamped message dropped before it was taken
        }
        vtable->destroy(this);
    }

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
        : value(std::forward<Args>(args)...) {
        size_words = size_in_words;
    }

    T value;

private:
    static constexpr std::size_t words = sizeof(payload_node) / 8;
    static constexpr std::uint16_t size_in_words =
        static_cast<std::uint16_t>(words < 0xFFFF ? words : 0xFFFF);
};

/// Whether payloads of type T take part in integer matching: the integral
/// types Erlang would see as integers (`bool` and `char8_t` are not; wider
/// than 64 bits is out of reach).
template <class T>
inline constexpr bool is_integer_payload_v = is_integer_type_v<T> && sizeof(T) <= 8;

template <class T>
struct payload_traits {
    static void destroy(mailbox_node* node) noexcept { delete static_cast<payload_node<T>*>(node); }

    static term encode(mailbox_node* node) {
        return term(std::move(static_cast<payload_node<T>*>(node)->value));
    }

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

    static std::uint64_t integer_bits(const mailbox_node* node) noexcept {
        const T value = static_cast<const payload_node<T>*>(node)->value;
        if constexpr (std::is_signed_v<T>) {
            return static_cast<std::uint64_t>(static_cast<std::int64_t>(value));
        } else {
            return static_cast<std::uint64_t>(value);
        }
    }

    /// `encode`, or null when T has no term conversion.
    static constexpr auto encoder() noexcept {
        term (*function)(mailbox_node*) = nullptr;
        if constexpr (term_convertible<T>) {
            function = &encode;
        }
        return function;
    }

    static constexpr detail::integer_kind kind_of_integer() noexcept {
        if constexpr (!is_integer_payload_v<T>) {
            return integer_kind::none;
        } else if constexpr (std::is_signed_v<T>) {
            return integer_kind::signed_integer;
        } else {
            return integer_kind::unsigned_integer;
        }
    }

    /// `integer_bits`, or null when T is not an integer payload.
    static constexpr auto integer_reader() noexcept {
        std::uint64_t (*function)(const mailbox_node*) noexcept = nullptr;
        if constexpr (is_integer_payload_v<T>) {
            function = &integer_bits;
        }
        return function;
    }
};

/// The vtable of payload type T; its address identifies T.
template <class T>
inline constexpr payload_vtable payload_vtable_for{
    .destroy = &payload_traits<T>::destroy,
    .encode = payload_traits<T>::encoder(),
    .take_term = &payload_traits<T>::take_term,
    .peek_term = &payload_traits<T>::peek_term,
    .integer_kind = payload_traits<T>::kind_of_integer(),
    .integer_bits = payload_traits<T>::integer_reader(),
    .node_size = sizeof(payload_node<T>),
};

/// The type a value of type V travels as: text (string literals, char
/// arrays, `const char*`, `char*`, `std::string_view`) becomes
/// `std::string`, copied at the send, so no message points into its
/// sender; everything else travels as its decayed type.
template <class V>
using payload_type_t = std::conditional_t<std::is_same_v<std::decay_t<V>, const char*> ||
                                              std::is_same_v<std::decay_t<V>, char*> ||
                                              std::is_same_v<std::decay_t<V>, std::string_view>,
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
