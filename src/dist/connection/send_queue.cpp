#include "dist/connection/send_queue.hpp"

#include <utility>

namespace rill::dist::internal {

void send_queue::push(outbound_frame frame) {
    if (bulk_per_sender_.contains(frame.sender)) {
        push_bulk(std::move(frame));
        return;
    }
    bytes_ += frame.size();
    quick_.push_back(std::move(frame));
}

void send_queue::push_urgent(outbound_frame frame) {
    bytes_ += frame.size();
    quick_.push_back(std::move(frame));
}

void send_queue::push_fragments(std::span<outbound_frame> fragments) {
    for (outbound_frame& fragment : fragments) {
        push_bulk(std::move(fragment));
    }
}

void send_queue::push_bulk(outbound_frame frame) {
    bytes_ += frame.size();
    ++bulk_per_sender_[frame.sender];
    bulk_.push_back(std::move(frame));
}

std::vector<outbound_frame> send_queue::take_batch(std::size_t bulk_budget) {
    std::vector<outbound_frame> batch;
    batch.swap(quick_);
    std::size_t taken = 0;
    while (!bulk_.empty() && (taken == 0 || taken + bulk_.front().size() <= bulk_budget)) {
        outbound_frame frame = std::move(bulk_.front());
        bulk_.pop_front();
        const auto sender = bulk_per_sender_.find(frame.sender);
        if (--sender->second == 0) {
            bulk_per_sender_.erase(sender);
        }
        taken += frame.size();
        batch.push_back(std::move(frame));
    }
    for (const outbound_frame& frame : batch) {
        bytes_ -= frame.size();
    }
    return batch;
}

std::vector<outbound_frame> send_queue::take_all() {
    std::vector<outbound_frame> all;
    all.swap(quick_);
    for (outbound_frame& frame : bulk_) {
        all.push_back(std::move(frame));
    }
    bulk_.clear();
    bulk_per_sender_.clear();
    bytes_ = 0;
    return all;
}

} // namespace rill::dist::internal
