#pragma once

/// \file
/// A process's mailbox: an any-thread intrusive inbox plus an owner-only
/// message queue with a resumable scan position for selective receive.
///
/// Inbox (`incoming_`): a LIFO stack of nodes pushed by CAS from any
/// thread. Its head word also carries the owner's parking state:
///   - nullptr:            empty; the owner is running or queued to run
///   - `blocked_marker()`: empty; the owner is parked waiting for a signal,
///                         and the next pusher must schedule it
///   - `closed_marker()`:  the owner has terminated; pushes fail
///   - any other value:    nodes waiting, newest first
/// The pusher that replaces `blocked` learns so from its successful CAS and
/// is the one (and only one) to schedule the owner: parking and waking need
/// no other state. The owner takes the whole stack with one exchange and
/// reverses it, which restores send order (per-sender FIFO, S8/S10).
///
/// Message queue (`head_` / `tail_` / `scan_`): owner only. Its length and
/// its size are also kept in one relaxed atomic word that only the owner
/// writes, so introspection reads them from any thread. `scan_` points at
/// the link from which the current receive resumes scanning, so a receive
/// that is woken by new messages only examines the new ones.
///
/// Mark (`mark_`): the queue's end when the owner last made a reference.
/// No message queued before that point can carry the reference, so a
/// receive for a reply to it starts scanning there (Erlang's reference
/// optimisation for call/reply). Removing the node the mark points into
/// moves the mark back to that node's predecessor.

#include <rill/detail/mailbox_node.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace rill::internal {

using detail::mailbox_node;

class mailbox {
public:
    enum class push_result : std::uint8_t {
        queued,          ///< the owner is running or already scheduled
        queued_and_woke, ///< the owner was parked: the caller must schedule it
        closed,          ///< the owner is gone; the node was not taken
    };

    mailbox() = default;
    mailbox(const mailbox&) = delete;
    mailbox& operator=(const mailbox&) = delete;

    /// Any thread.
    push_result push(mailbox_node* node) noexcept {
        // Relaxed: only a first guess for the CAS loop.
        mailbox_node* head = incoming_.load(std::memory_order_relaxed);
        for (;;) {
            if (head == closed_marker()) {
                return push_result::closed;
            }
            node->next = head == blocked_marker() ? nullptr : head;
            // Release publishes the node to the owner's acquire exchange;
            // acquire (on replacing `blocked`) makes the owner's state before
            // it parked visible to the scheduling that follows.
            if (incoming_.compare_exchange_weak(
                    head, node, std::memory_order_acq_rel, std::memory_order_relaxed)) {
                return head == blocked_marker() ? push_result::queued_and_woke
                                                : push_result::queued;
            }
        }
    }

    /// Owner: everything pushed so far, oldest first (nullptr if none, and
    /// on a parked or closed mailbox, whose marker stays in place).
    mailbox_node* take_incoming() noexcept {
        // Relaxed peek first: most calls find nothing and skip the RMW. Only
        // the owner stores the markers, so a marker seen here stays put.
        mailbox_node* head = incoming_.load(std::memory_order_relaxed);
        if (head == nullptr || head == blocked_marker() || head == closed_marker()) {
            return nullptr;
        }
        // Acquire: pairs with the pushers' release CAS.
        return reverse(incoming_.exchange(nullptr, std::memory_order_acquire));
    }

    /// Owner: parks the owner if nothing arrived; false if something did
    /// (take it and look again).
    bool try_block() noexcept {
        mailbox_node* expected = nullptr;
        // Release: the owner's state (what it waits for) happens-before the
        // pusher that wakes it (the acquire half is not needed for
        // correctness; acq_rel keeps the CAS symmetric with the pushers').
        // On failure relaxed: the owner takes the nodes with an acquire
        // exchange next.
        return incoming_.compare_exchange_strong(
            expected, blocked_marker(), std::memory_order_acq_rel, std::memory_order_relaxed);
    }

    /// Owner (or the runtime at shutdown): refuses all later pushes and
    /// returns what was still in the inbox, oldest first.
    mailbox_node* close() noexcept {
        mailbox_node* head = incoming_.exchange(closed_marker(), std::memory_order_acquire);
        if (head == blocked_marker() || head == closed_marker()) {
            return nullptr;
        }
        return reverse(head);
    }

    /// Whether the owner is parked waiting for a signal (any thread; a
    /// snapshot for introspection).
    [[nodiscard]] bool is_parked() const noexcept {
        // Relaxed: a figure, ordered with nothing.
        return incoming_.load(std::memory_order_relaxed) == blocked_marker();
    }

    /// Owner (before reuse of the control block): opens a closed mailbox.
    void reopen() noexcept {
        // Relaxed: published by the release that makes the process alive.
        incoming_.store(nullptr, std::memory_order_relaxed);
    }

    // Message queue, owner only.

    /// Queues `node`, stamped with its arrival time (`tag`; see
    /// oldest_arrival).
    void append(mailbox_node* node, std::uint32_t arrival) noexcept {
        node->next = nullptr;
        node->tag = arrival;
        *tail_ = node;
        tail_ = &node->next;
        // Only the owner writes: relaxed load and store, no read-modify-write.
        counts_.store(counts_.load(std::memory_order_relaxed) + counts_of(node),
                      std::memory_order_relaxed);
    }

    /// Starts a new receive: the next scan begins at the oldest message.
    void reset_scan() noexcept { scan_ = &head_; }

    /// Starts a new receive that can only match messages queued after the
    /// mark was set.
    void start_scan_at_mark() noexcept { scan_ = mark_; }

    /// Remembers the queue's current end (see the file comment).
    void set_mark() noexcept { mark_ = tail_; }

    /// Removes and returns the first message from the scan position on that
    /// `match` accepts; remembers where it stopped when none does.
    template <class Match>
    mailbox_node* scan(Match&& match) noexcept {
        mailbox_node** link = scan_;
        for (; *link != nullptr; link = &(*link)->next) {
            mailbox_node* node = *link;
            if (match(node)) {
                unlink(link, node);
                scan_ = &head_;
                return node;
            }
        }
        scan_ = link;
        return nullptr;
    }

    /// Removes every queued message that `match` accepts; returns how many.
    template <class Match>
    std::uint32_t remove_if(Match&& match) noexcept {
        std::uint32_t removed = 0;
        mailbox_node** link = &head_;
        while (*link != nullptr) {
            mailbox_node* node = *link;
            if (match(node)) {
                unlink(link, node);
                node->destroy();
                ++removed;
            } else {
                link = &node->next;
            }
        }
        scan_ = &head_;
        return removed;
    }

    /// Removes every queued message, oldest first, into a list.
    mailbox_node* take_all_messages() noexcept {
        mailbox_node* all = head_;
        head_ = nullptr;
        tail_ = &head_;
        scan_ = &head_;
        mark_ = &head_;
        counts_.store(0, std::memory_order_relaxed);
        return all;
    }

    /// Messages queued. Any thread (exact on the owner's).
    [[nodiscard]] std::uint32_t length() const noexcept {
        return static_cast<std::uint32_t>(counts_.load(std::memory_order_relaxed));
    }

    /// Bytes of the queued messages' nodes, each at the size its vtable
    /// gives. Any thread (exact on the owner's).
    [[nodiscard]] std::size_t queued_bytes() const noexcept {
        return static_cast<std::size_t>(counts_.load(std::memory_order_relaxed) >> 32) * word;
    }

    /// Owner: the arrival stamp of the oldest queued message (see
    /// `stamp_arrival`), or nullopt when the queue is empty.
    [[nodiscard]] std::optional<std::uint32_t> oldest_arrival() const noexcept {
        if (head_ == nullptr) {
            return std::nullopt;
        }
        return head_->tag;
    }

    // Two addresses that are never real nodes; only compared, never written.
    static mailbox_node* blocked_marker() noexcept {
        return const_cast<mailbox_node*>(
            &blocked_sentinel_); // NOLINT(cppcoreguidelines-pro-type-const-cast)
    }

    static mailbox_node* closed_marker() noexcept {
        return const_cast<mailbox_node*>(
            &closed_sentinel_); // NOLINT(cppcoreguidelines-pro-type-const-cast)
    }

private:
    /// Removes `node`, which `*link` points to, keeping tail and mark valid.
    void unlink(mailbox_node** link, mailbox_node* node) noexcept {
        *link = node->next;
        if (tail_ == &node->next) {
            tail_ = link;
        }
        if (mark_ == &node->next) {
            mark_ = link;
        }
        // As in append.
        counts_.store(counts_.load(std::memory_order_relaxed) - counts_of(node),
                      std::memory_order_relaxed);
    }

    // Node sizes are multiples of 8: the queue's size is kept in words, so
    // 32 bits hold 32 GiB.
    static constexpr std::size_t word = 8;

    // What one queued node adds to `counts_`: its words high, 1 low.
    static std::uint64_t counts_of(const mailbox_node* node) noexcept {
        return (std::uint64_t{node->size_words} << 32) | 1;
    }

    static mailbox_node* reverse(mailbox_node* stack) noexcept {
        mailbox_node* ordered = nullptr;
        while (stack != nullptr) {
            mailbox_node* next = stack->next;
            stack->next = ordered;
            ordered = stack;
            stack = next;
        }
        return ordered;
    }

    static inline const mailbox_node blocked_sentinel_{};
    static inline const mailbox_node closed_sentinel_{};

    // The inbox head word; see the file comment for its four states.
    std::atomic<mailbox_node*> incoming_{nullptr};
    mailbox_node* head_ = nullptr;
    mailbox_node** tail_ = &head_;
    mailbox_node** scan_ = &head_;
    mailbox_node** mark_ = &head_;
    // Queued messages (low 32 bits) and their size in words (high 32
    // bits), in one word so that append and unlink update both with one
    // load and one store: written by the owner only, read relaxed by
    // introspection on any thread (a torn pair is impossible, and a stale
    // one is a figure of a moment ago).
    std::atomic<std::uint64_t> counts_{0};
};

} // namespace rill::internal
