#pragma once

/// \file
/// The heap node behind boxed terms, needed by `term`'s inline copy/move and
/// by the `term::local<T>` / `term::get<T>` templates. Not part of the API.

#include <atomic>
#include <cstdint>
#include <typeinfo>
#include <utility>

namespace rill::detail {

/// Base of every immutable heap node a `term` may point to. A node is made
/// by one thread, published (by the message send or the handover that gives
/// the term to another thread) and then only read until its last holder
/// drops it; nothing in a node changes after construction except `refs_`.
class term_node {
public:
    term_node() noexcept = default;
    term_node(const term_node&) = delete;
    term_node& operator=(const term_node&) = delete;
    term_node(term_node&&) = delete;
    term_node& operator=(term_node&&) = delete;
    virtual ~term_node() = default;

    /// Adds a holder. Any thread that already holds one.
    void retain() const noexcept {
        // Relaxed: the caller already holds a reference, so the node cannot
        // die concurrently, and taking a reference publishes nothing.
        refs_.fetch_add(1, std::memory_order_relaxed);
    }

    /// Whether the caller's reference is the only one. A node with one
    /// holder cannot gain another except through that holder, so the answer
    /// stays true for as long as the caller keeps it.
    [[nodiscard]] bool is_unique() const noexcept {
        // Acquire, like the last release's: the other holders' reads of the
        // node happen before whatever the caller does with it next.
        return refs_.load(std::memory_order_acquire) == 1;
    }

    /// Drops a holder; the last one deletes the node.
    void release() const noexcept {
        // acq_rel: the release half orders this holder's reads of the node
        // before the decrement; the acquire half, taken by the thread that
        // sees 1, makes every other holder's reads happen before the delete.
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            delete this; // the last holder: no other thread can reach the node now
        }
    }

private:
    // Number of terms pointing at this node; starts at 1 for the term that
    // made it. Changed from any thread holding a term copy.
    mutable std::atomic<std::uint32_t> refs_{1};
};

// Serial number of the next local node made in this OS process. Relaxed:
// only the order in which one thread makes its local terms matters (it
// orders them, so a deterministic run replays the same order), and that is
// program order.
inline std::atomic<std::uint64_t> next_local_serial{0};

/// Base of nodes holding a local C++ object; knows the object's type and
/// when it was made (local terms of one type are ordered by that).
class local_node_base : public term_node {
public:
    local_node_base() noexcept
        : serial_(next_local_serial.fetch_add(1, std::memory_order_relaxed)) {}

    [[nodiscard]] virtual const std::type_info& type() const noexcept = 0;

    /// Made before every local node of a higher serial in this OS process.
    [[nodiscard]] std::uint64_t serial() const noexcept { return serial_; }

private:
    std::uint64_t serial_;
};

/// The node of `term::local<T>`: one immutable `T`.
template <class T>
class local_node final : public local_node_base {
public:
    explicit local_node(T value)
        : value_(std::move(value)) {}

    [[nodiscard]] const std::type_info& type() const noexcept override { return typeid(T); }

    [[nodiscard]] const T& value() const noexcept { return value_; }

private:
    T value_;
};

} // namespace rill::detail
