// Atom table.
//
// Layout:
//   slots_   open-addressing index, a power of two >= 2 * capacity slots of
//            uint32 (0 = empty, else atom index + 1), linear probing on the
//            name's FNV-1a hash. Read with atomic_ref acquire loads.
//   chunks_  capacity / 4096 pointers to chunks of 4096 `entry`s (name
//            pointer, length, hash), allocated when their first atom arrives.
//   names    bytes in 64 KiB blocks owned by the table; entries point into them.
//
// Names are well-formed UTF-8 of at most max_atom_length code points, as in
// Erlang. A name over 4 * max_atom_length bytes is refused at once (no
// UTF-8 character takes more than four bytes); otherwise the name is only
// validated and counted once the probe has missed, so looking up an
// existing atom costs a hash and a compare, as before.
//
// Interning (writers, serialized by insert_mutex_):
//   1. probe without the lock; if found, done (the common case). Otherwise
//      check the name (UTF-8, length) and throw badarg if it fails.
//   2. lock; probe again (another thread may have interned it meanwhile).
//   3. if size_ == capacity_: throw atom_table_full, nothing changed.
//   4. copy the name into a block, fill entry[size_] (allocating and
//      storing its chunk first if needed).
//   5. release-store size_ + 1.
//   6. release-store index + 1 into the empty slot found in step 2.
// A reader that acquire-loads a slot value sees the entry of step 4, its
// name bytes and the size of step 5 (all written before the release store
// of step 6). Slots only go from empty to final, and entries never move, so
// a reader never sees a half-made atom and never needs the lock. Nothing is
// ever removed.
//
// name(index) bounds-checks the index against an acquire load of size_:
// atoms are plain indices and can be forged (atom::from_index), so the
// table, not its callers, keeps them from reading past the entries. Step 5
// before step 6 makes the check pass for every index a lookup can return.

#include "core/atom_table.hpp"

#include <rill/core/atom.hpp>
#include <rill/core/errors.hpp>

#include "core/utf8.hpp"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

namespace rill::internal {

namespace {
void* zeroed_array(std::size_t count, std::size_t size) {
    void* memory = std::calloc(count, size); // NOLINT(cppcoreguidelines-no-malloc)
    if (memory == nullptr) {
        throw std::bad_alloc();
    }
    return memory;
}

// Longest name in bytes that can hold max_atom_length characters.
constexpr std::size_t max_name_bytes = 4 * max_atom_length;

// The first characters of `name` (whole UTF-8 sequences) for an error message.
std::string excerpt(std::string_view name) {
    std::size_t end = std::min<std::size_t>(name.size(), 32);
    while (end > 0 && end < name.size() &&
           (static_cast<unsigned char>(name[end]) & 0xC0U) == 0x80U) {
        --end;
    }
    return std::string(name.substr(0, end)) + (end < name.size() ? "..." : "");
}

[[noreturn]] void throw_too_long(std::string_view name) {
    throw badarg("atom name longer than " + std::to_string(max_atom_length) +
                 " characters: " + excerpt(name));
}

// Throws badarg unless `name` is well-formed UTF-8 of at most
// max_atom_length code points.
void check_new_name(std::string_view name) {
    const utf8_length_result length = utf8_length(name);
    if (!length.valid) {
        constexpr std::string_view hex_digits = "0123456789ABCDEF";
        const auto byte = static_cast<unsigned char>(name[length.invalid_offset]);
        const std::string hex{'0', 'x', hex_digits[byte >> 4U], hex_digits[byte & 0xFU]};
        throw badarg("atom name is not valid UTF-8: ill-formed sequence at byte " +
                     std::to_string(length.invalid_offset) + " (" + hex + ")");
    }
    if (length.code_points > max_atom_length) {
        throw_too_long(name);
    }
}
} // namespace

atom_table::atom_table(std::size_t capacity)
    : capacity_(capacity)
    , slot_mask_(std::bit_ceil(2 * capacity) - 1)
    , slots_(static_cast<std::uint32_t*>(zeroed_array(slot_mask_ + 1, sizeof(std::uint32_t))),
             std::free)
    , chunks_(std::make_unique<std::atomic<entry*>[]>((capacity + entries_per_chunk - 1) /
                                                      entries_per_chunk)) {
    for (std::string_view name : detail::well_known_atom_names) {
        intern(name);
    }
}

atom_table::~atom_table() {
    const std::size_t chunk_count = (capacity_ + entries_per_chunk - 1) / entries_per_chunk;
    for (std::size_t c = 0; c < chunk_count; ++c) {
        // Relaxed: the destructor runs when no other thread uses the table.
        delete[] chunks_[c].load(std::memory_order_relaxed);
    }
}

atom_table& atom_table::global() {
    // Never destroyed: atoms stay valid during static destruction of other objects.
    // NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables): the one global table
    static auto* const table = new atom_table(atom_table_capacity);
    return *table;
}

std::uint32_t atom_table::hash_name(std::string_view name) noexcept {
    std::uint32_t hash = 2166136261U;
    for (char c : name) {
        hash = (hash ^ static_cast<std::uint8_t>(c)) * 16777619U;
    }
    return hash;
}

std::optional<std::uint32_t> atom_table::probe(std::string_view name,
                                               std::uint32_t hash,
                                               std::size_t* empty_slot) const noexcept {
    for (std::size_t slot = hash & slot_mask_;; slot = (slot + 1) & slot_mask_) {
        // Acquire: pairs with the release store that filled the slot, so the
        // entry and name bytes of that atom are visible below.
        const std::uint32_t value =
            std::atomic_ref<std::uint32_t>(slots_[slot]).load(std::memory_order_acquire);
        if (value == 0) {
            if (empty_slot != nullptr) {
                *empty_slot = slot;
            }
            return std::nullopt;
        }
        const std::uint32_t index = value - 1;
        // Relaxed: the chunk pointer was stored before the slot's release
        // store, which the acquire load above synchronized with.
        const entry& e = chunks_[index / entries_per_chunk].load(
            std::memory_order_relaxed)[index % entries_per_chunk];
        if (e.hash == hash && e.length == name.size() &&
            std::memcmp(e.data, name.data(), name.size()) == 0) {
            return index;
        }
    }
}

std::optional<std::uint32_t> atom_table::find(std::string_view name) const noexcept {
    if (name.size() > max_name_bytes) {
        return std::nullopt;
    }
    return probe(name, hash_name(name), nullptr);
}

const char* atom_table::store_name(std::string_view name) {
    if (name.empty()) {
        return "";
    }
    if (name_block_size - name_block_used_ < name.size()) {
        name_blocks_.push_back(std::make_unique<char[]>(name_block_size));
        name_block_used_ = 0;
    }
    char* destination = name_blocks_.back().get() + name_block_used_;
    std::memcpy(destination, name.data(), name.size());
    name_block_used_ += name.size();
    return destination;
}

std::uint32_t atom_table::intern(std::string_view name) {
    if (name.size() > max_name_bytes) {
        throw_too_long(name);
    }
    const std::uint32_t hash = hash_name(name);
    if (const auto found = probe(name, hash, nullptr)) {
        return *found;
    }
    check_new_name(name);

    const std::lock_guard lock(insert_mutex_);
    std::size_t empty_slot = 0;
    if (const auto found = probe(name, hash, &empty_slot)) {
        return *found;
    }
    // Relaxed: size_ is only written under insert_mutex_, which we hold.
    const std::uint32_t index = size_.load(std::memory_order_relaxed);
    if (index >= capacity_) {
        throw atom_table_full("atom table full: " + std::to_string(capacity_) +
                              " atoms interned, cannot add '" + std::string(name) + "'");
    }
    std::atomic<entry*>& chunk_pointer = chunks_[index / entries_per_chunk];
    // Relaxed: only writers (holding the mutex) store chunk pointers.
    entry* chunk = chunk_pointer.load(std::memory_order_relaxed);
    if (chunk == nullptr) {
        chunk = new entry[entries_per_chunk];
        // Relaxed: lock-free readers reach the chunk only after an acquire
        // load of a slot (probe) or of size_ (name), and both are
        // release-stored after this; writers hold the mutex.
        chunk_pointer.store(chunk, std::memory_order_relaxed);
    }
    chunk[index % entries_per_chunk] =
        entry{store_name(name), static_cast<std::uint32_t>(name.size()), hash};
    // Release: a reader of size() or name() that sees the new count also
    // sees the entry and name bytes written above.
    size_.store(index + 1, std::memory_order_release);
    // Release: publishes the entry, name bytes and new size to every reader
    // that acquire-loads this slot (so name() accepts the index it found).
    std::atomic_ref<std::uint32_t>(slots_[empty_slot]).store(index + 1, std::memory_order_release);
    return index;
}

std::string_view atom_table::name(std::uint32_t index) const noexcept {
    // Acquire: pairs with the release store of size_ in intern(), after
    // which the entry, its chunk pointer and its name bytes are complete.
    if (index >= size_.load(std::memory_order_acquire)) {
        return invalid_atom_name;
    }
    // Relaxed: the chunk pointer was stored before size_, ordered by the
    // acquire load above.
    const entry* chunk = chunks_[index / entries_per_chunk].load(std::memory_order_relaxed);
    const entry& e = chunk[index % entries_per_chunk];
    return {e.data, e.length};
}

std::size_t atom_table::memory_bytes() {
    const std::size_t atoms = size();
    const std::size_t chunks = (atoms + entries_per_chunk - 1) / entries_per_chunk;
    const std::lock_guard lock(insert_mutex_);
    return chunks * entries_per_chunk * sizeof(entry) + name_blocks_.size() * name_block_size;
}

std::size_t atom_table::size() const noexcept {
    // Acquire: pairs with the release store in intern().
    return size_.load(std::memory_order_acquire);
}

} // namespace rill::internal
