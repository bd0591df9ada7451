#pragma once

/// \file
/// How a receive decides that a queued payload is a T, and how it takes
/// that T out: the mechanics of the matching rule that receive.hpp states.
///
/// `payload_matcher<T>` tries, in order:
///   1. the exact type: one compare of the node's vtable pointer (the fast
///      path every receive takes first);
///   2. only when T is an integer type: an integer payload of another type,
///      by value, read through the vtable's `integer_bits`;
///   3. only when T has a `from_term`: a `term` payload that converts to T.
///      The conversion is made once, by `match`, and kept for `take`.
///
/// The cache of step 3 is sound because a receive stops scanning at the
/// first node it matches and unlinks it; nothing calls `match` again before
/// `take` runs for that node (process.cpp: take_match, await_resume). Each
/// conversion attempt overwrites the cache, and `take` uses it only for the
/// node it was made for, so a node freed and another allocated at the same
/// address cannot see a stale value.

#include <rill/core/term.hpp>
#include <rill/detail/mailbox_node.hpp>

#include <cstdint>
#include <exception>
#include <limits>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

namespace rill::detail {

/// Text types a receive cannot ask for: text travels as `std::string`, and
/// a view would point into a message that is gone once the receive returns.
template <class T>
inline constexpr bool is_text_view_v =
    std::is_same_v<std::remove_cv_t<T>, std::string_view> ||
    std::is_same_v<std::remove_cv_t<T>, const char*> || std::is_same_v<std::remove_cv_t<T>, char*>;

/// Whether a receive can produce a T at all.
template <class T>
inline constexpr bool is_receivable_v =
    std::is_object_v<T> && !std::is_const_v<T> && !std::is_volatile_v<T> && !std::is_array_v<T> &&
    std::is_move_constructible_v<T> && !is_text_view_v<T>;

/// Destroys a node when a receive is done with it, however it leaves.
class node_guard {
public:
    explicit node_guard(mailbox_node* node) noexcept
        : node_(node) {}

    node_guard(const node_guard&) = delete;
    node_guard& operator=(const node_guard&) = delete;
    node_guard(node_guard&&) = delete;
    node_guard& operator=(node_guard&&) = delete;

    ~node_guard() { node_->destroy(); }

private:
    mailbox_node* node_;
};

/// The payload of a node that holds a T.
template <class T>
const T& payload_of(const mailbox_node* node) noexcept {
    return static_cast<const payload_node<T>*>(node)->value;
}

/// The integer payload of `node` as a T, when it is an integer payload
/// whose value T holds; empty otherwise.
template <class T>
std::optional<T> integer_payload_as(const mailbox_node* node) noexcept {
    static_assert(is_integer_payload_v<T>);
    const payload_vtable* vtable = node->vtable;
    if (vtable->integer_kind == integer_kind::none) {
        return std::nullopt;
    }
    const std::uint64_t bits = vtable->integer_bits(node);
    constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<T>::max());
    if (vtable->integer_kind == integer_kind::signed_integer) {
        const auto value = static_cast<std::int64_t>(bits);
        if constexpr (std::is_signed_v<T>) {
            if (value < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
                value > static_cast<std::int64_t>(std::numeric_limits<T>::max())) {
                return std::nullopt;
            }
        } else if (value < 0 || static_cast<std::uint64_t>(value) > max) {
            return std::nullopt;
        }
        return static_cast<T>(value);
    }
    if (bits > max) {
        return std::nullopt;
    }
    return static_cast<T>(bits);
}

struct no_conversion_cache {};

/// A term payload converted to T by `match`, kept for `take`.
template <class T>
struct conversion_cache {
    const mailbox_node* node = nullptr;
    std::optional<T> value;
};

/// One receive's matcher for payload type T (see the file comment). Lives in
/// the receive's awaiter; `match` runs once per scanned node, `take` once,
/// on the node the last successful `match` accepted.
template <class T>
class payload_matcher {
    static_assert(!is_text_view_v<T>,
                  "rill: text is received as std::string (a std::string_view or char pointer "
                  "would point into a message that is gone once the receive returns): "
                  "receive std::string");
    static_assert(is_receivable_v<T> || is_text_view_v<T>,
                  "rill: a receive asks for a plain, move-constructible object type (no "
                  "reference, const, array or immovable type): the payload is moved out of "
                  "the mailbox");

    static constexpr bool is_term = std::is_same_v<T, term>;
    static constexpr bool is_integer = is_integer_payload_v<T>;
    static constexpr bool converts = !is_term && term_extractable<T>;

public:
    /// Is the payload exactly a T? The fast path, tried first everywhere.
    [[nodiscard]] static bool is_exact(const mailbox_node* node) noexcept {
        return holds_payload<T>(node);
    }

    /// The whole rule: exact type, integer by value, term converting to T;
    /// `term` accepts every payload.
    [[nodiscard]] bool match(const mailbox_node* node) const noexcept {
        return is_exact(node) || match_converted(node);
    }

    /// The rule without its fast path, for a node that is not exactly a T.
    [[nodiscard]] bool match_converted(const mailbox_node* node) const noexcept {
        if constexpr (is_term) {
            return true;
        } else if constexpr (is_integer || converts) {
            return match_by_value(node);
        } else {
            return false;
        }
    }

    /// `match`, and `guard(const T&)` true for the payload. A `term` guard
    /// sees only payloads that are terms (others would have to be consumed
    /// to be shown). Throws what `guard` throws.
    template <class Guard>
    [[nodiscard]] bool match_if(const mailbox_node* node, const Guard& guard) const {
        if (is_exact(node)) {
            return static_cast<bool>(guard(payload_of<T>(node)));
        }
        if constexpr (is_integer) {
            if (node->vtable->integer_kind != integer_kind::none) {
                std::optional<T> value = integer_payload_as<T>(node);
                return value.has_value() && static_cast<bool>(guard(*value));
            }
        }
        if constexpr (converts) {
            if (convert(node)) {
                if (static_cast<bool>(guard(*cache_.value))) {
                    return true;
                }
                clear();
            }
        }
        return false;
    }

    /// Moves the T out of `node`, which the last successful `match` (or
    /// `match_if`) accepted, and destroys the node.
    T take(mailbox_node* node) const {
        node_guard guard(node);
        if (is_exact(node)) {
            return std::move(static_cast<payload_node<T>*>(node)->value);
        }
        if constexpr (is_term) {
            return node->vtable->take_term(node);
        } else {
            if constexpr (is_integer) {
                if (node->vtable->integer_kind != integer_kind::none) {
                    return *integer_payload_as<T>(node);
                }
            }
            if constexpr (converts) {
                if (cache_.node != node) {
                    // Not reached through match: convert now.
                    convert(node);
                }
                T value = std::move(*cache_.value);
                clear();
                return value;
            } else {
                std::terminate(); // unreachable: match accepts nothing else
            }
        }
    }

private:
    // Out of line: inlined, its register saves and stack frame landed on the
    // exact-type fast path of every match (4 instructions a message,
    // callgrind fanin 100 1000).
    [[gnu::noinline]] bool match_by_value(const mailbox_node* node) const noexcept {
        if constexpr (is_integer) {
            if (node->vtable->integer_kind != integer_kind::none) {
                return integer_payload_as<T>(node).has_value();
            }
        }
        if constexpr (converts) {
            return convert(node);
        } else {
            return false;
        }
    }

    // Converts a term payload into the cache; false (cache empty) when the
    // node holds no term or the term does not convert.
    bool convert(const mailbox_node* node) const noexcept {
        if (!holds_payload<term>(node)) {
            // The common case, first: no term, nothing to convert. A value
            // still cached belongs to the node its `node` field names.
            return false;
        }
        clear();
        try {
            std::optional<T> value = term_conversion<T>::from_term(payload_of<term>(node));
            if (!value) {
                return false;
            }
            cache_.value.emplace(std::move(*value));
        } catch (...) {
            clear(); // a conversion that cannot allocate: no match
            return false;
        }
        cache_.node = node;
        return true;
    }

    void clear() const noexcept {
        cache_.node = nullptr;
        cache_.value.reset();
    }

    [[no_unique_address]] mutable std::
        conditional_t<converts, conversion_cache<T>, no_conversion_cache>
            cache_;
};

} // namespace rill::detail
