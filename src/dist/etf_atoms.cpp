// Atoms on the wire (see etf_atoms.hpp). Interning a new atom takes the atom
// table's insert lock; a full table is reported as a decode error, leaving
// the table as it was.
//
// Reading an atom the thread read before costs no check and no table
// lookup: each thread keeps the atoms it decoded last in a small
// direct-mapped cache, keyed by the name's bytes as they stood on the wire
// (and whether they were Latin-1 or UTF-8). Atoms are never removed, so an
// entry stays right for the life of the process; only names that passed
// every check and were interned are cached. The checks of a name read for
// the first time (or pushed out of the cache) are the ones below.

#include "dist/etf_atoms.hpp"

#include <rill/core/errors.hpp>
#include <rill/dist/etf_error.hpp>

#include "core/atom_table.hpp"
#include "core/utf8.hpp"
#include "dist/etf_tags.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace rill::internal {

namespace {

using etf::decode_errc;

std::string_view as_text(std::span<const std::byte> bytes) noexcept {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()}; // NOLINT
}

// Latin-1 bytes as UTF-8: 0x80..0xFF become two bytes.
std::string latin1_to_utf8(std::span<const std::byte> bytes) {
    std::string text;
    text.reserve(bytes.size() * 2);
    for (const std::byte b : bytes) {
        const auto code = std::to_integer<unsigned>(b);
        if (code < 0x80) {
            text.push_back(static_cast<char>(code));
        } else {
            text.push_back(static_cast<char>(0xC0U | (code >> 6U)));
            text.push_back(static_cast<char>(0x80U | (code & 0x3FU)));
        }
    }
    return text;
}

// Atoms this thread decoded lately, by their bytes on the wire. A name's
// first and last (up to) eight bytes, with its length, are its key: they
// pick the slot and, for names of up to 16 bytes, are the whole name, so
// the common short atom is found with two word compares. Longer names
// compare their bytes too.
class decoded_atom_cache {
public:
    static constexpr std::size_t max_name = 48; // longest name cached, in bytes

    struct key {
        std::uint64_t head = 0;
        std::uint64_t tail = 0;
        std::uint32_t size = 0; // of the name; bit 31 set for Latin-1
    };

    static key key_of(std::span<const std::byte> bytes, bool latin1) noexcept {
        key k;
        const std::size_t size = bytes.size();
        if (size >= 8) {
            std::memcpy(&k.head, bytes.data(), 8);
            std::memcpy(&k.tail, bytes.data() + size - 8, 8);
        } else {
            for (std::size_t i = 0; i < size; ++i) {
                k.head = (k.head << 8U) | std::to_integer<std::uint64_t>(bytes[i]);
            }
        }
        k.size = static_cast<std::uint32_t>(size) | (latin1 ? 0x8000'0000U : 0U);
        return k;
    }

    // The atom that `bytes` (with key `k`) named when cached, or nothing.
    [[nodiscard]] std::optional<atom> find(const key& k, std::span<const std::byte> bytes) const {
        const entry& e = slots_[slot_of(k)];
        if (e.index_plus_one == 0 || e.k.size != k.size || e.k.head != k.head ||
            e.k.tail != k.tail) {
            return std::nullopt;
        }
        if (bytes.size() > 16 &&
            std::memcmp(e.middle.data(), bytes.data() + 8, bytes.size() - 16) != 0) {
            return std::nullopt;
        }
        return atom::from_index(e.index_plus_one - 1);
    }

    void store(const key& k, std::span<const std::byte> bytes, atom a) {
        if (bytes.size() > max_name) {
            return;
        }
        entry& e = slots_[slot_of(k)];
        e.index_plus_one = a.index() + 1;
        e.k = k;
        if (bytes.size() > 16) {
            std::memcpy(e.middle.data(), bytes.data() + 8, bytes.size() - 16);
        }
    }

private:
    struct entry {
        key k;
        std::uint32_t index_plus_one = 0;              // 0: empty
        std::array<std::byte, max_name - 16> middle{}; // bytes 8 .. size - 8 of a longer name
    };

    static constexpr std::size_t slot_count = 256;

    static std::size_t slot_of(const key& k) noexcept {
        std::uint64_t h =
            (k.head ^ (k.tail * 0x9E37'79B9'7F4A'7C15U) ^ k.size) * 0xC2B2'AE3D'27D4'EB4FU;
        h ^= h >> 29U;
        return static_cast<std::size_t>(h % slot_count);
    }

    std::array<entry, slot_count> slots_{};
};

// This thread's cache, made on first use. The pointer is plain (constinit,
// trivially destructible) so that reading it is one load; the owner beside
// it frees the cache when the thread ends.
constinit thread_local decoded_atom_cache* this_thread_cache = nullptr;

decoded_atom_cache& this_thread_atoms() {
    if (this_thread_cache == nullptr) [[unlikely]] {
        thread_local const std::unique_ptr<decoded_atom_cache> owner =
            std::make_unique<decoded_atom_cache>();
        this_thread_cache = owner.get();
    }
    return *this_thread_cache;
}

atom intern(std::string_view name, std::size_t tag_offset) {
    try {
        return atom(name);
    } catch (const atom_table_full& e) {
        etf_reader::fail_at(tag_offset, decode_errc::atom_table_full, e.what());
    } catch (const badarg& e) {
        // Checked before: only a name the atom table rejects for a reason
        // of its own lands here.
        etf_reader::fail_at(tag_offset, decode_errc::invalid_atom_utf8, e.what());
    }
}

// The atom a name read for the first time stands for: checked (length,
// UTF-8) and interned. `small` for the 1-byte length forms (error offsets).
atom check_and_intern(std::span<const std::byte> bytes,
                      bool latin1,
                      bool small,
                      std::size_t tag_offset) {
    const std::size_t length = bytes.size();
    if (latin1) {
        if (length > max_atom_length) {
            etf_reader::fail_at(tag_offset,
                                decode_errc::atom_too_long,
                                "a Latin-1 atom of " + std::to_string(length) + " characters");
        }
        const bool ascii = std::all_of(bytes.begin(), bytes.end(), [](std::byte b) {
            return std::to_integer<unsigned>(b) < 0x80;
        });
        return ascii ? intern(as_text(bytes), tag_offset)
                     : intern(latin1_to_utf8(bytes), tag_offset);
    }
    const auto text = as_text(bytes);
    const utf8_length_result checked = utf8_length(text);
    if (!checked.valid) {
        etf_reader::fail_at(tag_offset + (small ? 2 : 3) + checked.invalid_offset,
                            decode_errc::invalid_atom_utf8,
                            "an atom that is not well-formed UTF-8");
    }
    if (checked.code_points > max_atom_length) {
        etf_reader::fail_at(tag_offset,
                            decode_errc::atom_too_long,
                            "a UTF-8 atom of " + std::to_string(checked.code_points) +
                                " characters");
    }
    return intern(text, tag_offset);
}

} // namespace

bool is_atom_tag(std::uint8_t tag) noexcept {
    return tag == etf_tag::atom_latin1 || tag == etf_tag::small_atom_latin1 ||
           tag == etf_tag::atom_utf8 || tag == etf_tag::small_atom_utf8;
}

atom read_atom_body(etf_reader& in, std::uint8_t tag, std::size_t tag_offset) {
    const bool small = tag == etf_tag::small_atom_latin1 || tag == etf_tag::small_atom_utf8;
    const std::size_t length = small ? in.u8() : in.u16();
    in.check_length(length, "atom length");
    const auto bytes = in.take(length);
    const bool latin1 = tag == etf_tag::atom_latin1 || tag == etf_tag::small_atom_latin1;
    decoded_atom_cache& cache = this_thread_atoms();
    const decoded_atom_cache::key key = decoded_atom_cache::key_of(bytes, latin1);
    if (const std::optional<atom> known = cache.find(key, bytes)) {
        return *known;
    }
    const atom a = check_and_intern(bytes, latin1, small, tag_offset);
    cache.store(key, bytes, a);
    return a;
}

atom read_atom(etf_reader& in) {
    const std::size_t tag_offset = in.position();
    const std::uint8_t tag = in.u8();
    if (is_atom_tag(tag)) {
        return read_atom_body(in, tag, tag_offset);
    }
    if (tag == etf_tag::atom_cache_ref) {
        etf_reader::fail_at(
            tag_offset, decode_errc::atom_cache_ref, "ATOM_CACHE_REF, and no atom cache is in use");
    }
    etf_reader::fail_at(tag_offset,
                        decode_errc::not_an_atom,
                        "tag " + std::to_string(tag) + " where an atom must be");
}

std::string_view wire_name(atom a) {
    const atom_table& table = atom_table::global();
    if (a.index() >= table.size()) {
        throw etf::encode_error(etf::encode_errc::forged_atom,
                                "atom index " + std::to_string(a.index()) +
                                    " names no interned atom");
    }
    return table.name(a.index());
}

void write_atom(std::vector<std::byte>& out, atom a) {
    const std::string_view name = wire_name(a);
    if (name.size() <= 255) {
        out.push_back(std::byte{etf_tag::small_atom_utf8});
        out.push_back(static_cast<std::byte>(name.size()));
    } else {
        out.push_back(std::byte{etf_tag::atom_utf8});
        out.push_back(static_cast<std::byte>(name.size() >> 8U));
        out.push_back(static_cast<std::byte>(name.size() & 0xFFU));
    }
    const auto bytes = std::as_bytes(std::span(name.data(), name.size()));
    out.insert(out.end(), bytes.begin(), bytes.end());
}

} // namespace rill::internal
