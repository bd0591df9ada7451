#include "sync/small_object_cache.hpp"

#include <array>
#include <cstdint>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define RILL_SMALL_OBJECT_CACHE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RILL_SMALL_OBJECT_CACHE 0
#endif
#endif
#ifndef RILL_SMALL_OBJECT_CACHE
#define RILL_SMALL_OBJECT_CACHE 1
#endif

namespace rill::internal {

namespace {

constexpr std::size_t granularity = 16;
constexpr std::size_t largest = 512;
constexpr std::size_t class_count = largest / granularity;
// Bytes a thread may keep per class before blocks go back to the global
// allocator.
constexpr std::size_t bytes_kept_per_class = 256 * 1024;

struct free_block {
    free_block* next;
};

class cache {
public:
    cache() = default;
    cache(const cache&) = delete;
    cache& operator=(const cache&) = delete;

    ~cache() {
        for (std::size_t c = 0; c < class_count; ++c) {
            while (free_block* block = lists_[c]) {
                lists_[c] = block->next;
                ::operator delete(block, class_size(c));
            }
        }
    }

    void* allocate(std::size_t c) {
        if (free_block* block = lists_[c]) {
            lists_[c] = block->next;
            --counts_[c];
            return block;
        }
        return ::operator new(class_size(c));
    }

    void free(void* memory, std::size_t c) noexcept {
        if (counts_[c] * class_size(c) >= bytes_kept_per_class) {
            ::operator delete(memory, class_size(c));
            return;
        }
        auto* block = static_cast<free_block*>(memory);
        block->next = lists_[c];
        lists_[c] = block;
        ++counts_[c];
    }

    static constexpr std::size_t class_size(std::size_t c) noexcept {
        return (c + 1) * granularity;
    }

private:
    std::array<free_block*, class_count> lists_{};
    std::array<std::uint32_t, class_count> counts_{};
};

thread_local cache this_thread_cache;

constexpr std::size_t class_of(std::size_t size) noexcept {
    return (size - 1) / granularity;
}

} // namespace

void* allocate_small(std::size_t size) {
    if (RILL_SMALL_OBJECT_CACHE == 0 || size == 0 || size > largest) {
        return ::operator new(size);
    }
    return this_thread_cache.allocate(class_of(size));
}

void free_small(void* block, std::size_t size) noexcept {
    if (RILL_SMALL_OBJECT_CACHE == 0 || size == 0 || size > largest) {
        ::operator delete(block, size);
        return;
    }
    this_thread_cache.free(block, class_of(size));
}

} // namespace rill::internal
