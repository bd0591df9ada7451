#pragma once

// An explicit stack for the term traversals (order, hash, print, teardown):
// they walk nested terms with this instead of recursing, so a term nested
// ten million levels deep costs heap, not the C++ stack. The first `Inline`
// entries live in the object itself, so a shallow term costs no allocation.

#include <array>
#include <cstddef>
#include <vector>

namespace rill::internal {

template <class T, std::size_t Inline>
class small_stack {
public:
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }

    [[nodiscard]] T& back() noexcept {
        return size_ <= Inline ? inline_[size_ - 1] : spill_.back();
    }

    void push_back(const T& value) {
        if (size_ < Inline) {
            inline_[size_] = value;
        } else {
            spill_.push_back(value);
        }
        ++size_;
    }

    void pop_back() noexcept {
        if (size_ > Inline) {
            spill_.pop_back();
        }
        --size_;
    }

private:
    std::array<T, Inline> inline_{};
    std::vector<T> spill_; // entries Inline.. in order
    std::size_t size_ = 0;
};

} // namespace rill::internal
