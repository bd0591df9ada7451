#pragma once

// The atom table: an append-only, bounded intern table whose lookups of
// existing atoms take no lock. One instance serves the whole OS process
// (`atom_table::global()`); tests build small ones to reach the bound.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

namespace rill::internal {

class atom_table {
public:
    /// A table holding at most `capacity` atoms, the well-known atoms
    /// (`detail::well_known_atom_names`) already interned at indices 0.. in
    /// order. `capacity` must be at least their number.
    explicit atom_table(std::size_t capacity);
    atom_table(const atom_table&) = delete;
    atom_table& operator=(const atom_table&) = delete;
    atom_table(atom_table&&) = delete;
    atom_table& operator=(atom_table&&) = delete;
    ~atom_table();

    /// The table behind `rill::atom`, made on first use.
    static atom_table& global();

    /// The index of `name`, interning it if new. Any thread. Throws `badarg`
    /// for a new name that is not well-formed UTF-8 or has more than
    /// `max_atom_length` characters (only a new name is checked: every
    /// interned name passed), `atom_table_full` when the name is new and the
    /// table holds `capacity()` atoms already.
    std::uint32_t intern(std::string_view name);

    /// The index of `name` if interned; never interns. Any thread, no lock.
    [[nodiscard]] std::optional<std::uint32_t> find(std::string_view name) const noexcept;

    /// The name of the atom at `index`, or `invalid_atom_name` when the
    /// table holds no atom there (yet): any index is safe. An index from
    /// `intern` or `find` on this table, on this thread or handed over with
    /// synchronization (as every message send is), always has its name.
    [[nodiscard]] std::string_view name(std::uint32_t index) const noexcept;

    /// Number of atoms interned so far.
    [[nodiscard]] std::size_t size() const noexcept;

    [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

    /// Bytes of its entries and names (the hash index is reserved, not
    /// counted: its pages are touched as atoms arrive). Takes the lock.
    [[nodiscard]] std::size_t memory_bytes();

private:
    struct entry {
        const char* data;
        std::uint32_t length;
        std::uint32_t hash;
    };

    static constexpr std::size_t entries_per_chunk = 4096;
    static constexpr std::size_t name_block_size = std::size_t{64} * 1024;

    static std::uint32_t hash_name(std::string_view name) noexcept;

    // Probes for `name`: its index, or empty and the first empty slot in `*empty_slot`.
    std::optional<std::uint32_t>
    probe(std::string_view name, std::uint32_t hash, std::size_t* empty_slot) const noexcept;

    const char* store_name(std::string_view name);

    std::size_t capacity_;
    std::size_t slot_mask_; // slot count - 1; slot count is a power of two >= 2 * capacity_

    // Open-addressing hash index. Each slot is read through std::atomic_ref
    // (the array comes from calloc so untouched pages cost no memory): 0 =
    // empty, otherwise atom index + 1. A slot goes from 0 to its final value
    // once, under `insert_mutex_`, with a release store after the entry it
    // names is complete; lookups read slots with acquire loads.
    std::unique_ptr<std::uint32_t[], void (*)(void*)> slots_;

    // Chunk c holds the entries of atoms c*entries_per_chunk .. +4095.
    // Null until the first atom of the chunk is interned; set once, under
    // `insert_mutex_`, never changed afterwards. Lock-free readers load it
    // relaxed: they reach it only through an acquire load of a slot or of
    // `size_`, both release-stored after it.
    std::unique_ptr<std::atomic<entry*>[]> chunks_;

    // Atoms interned so far. Written under `insert_mutex_` (release, after
    // the new atom's entry is complete and before its slot is published);
    // read lock-free by `size()` and by `name()` to bounds-check an index.
    std::atomic<std::uint32_t> size_{0};

    std::mutex insert_mutex_;                          // serializes interning
    std::vector<std::unique_ptr<char[]>> name_blocks_; // under insert_mutex_
    std::size_t name_block_used_ = name_block_size;    // under insert_mutex_
};

} // namespace rill::internal
