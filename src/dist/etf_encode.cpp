// The external term format encoder: `rill::term` to the bytes OTP 25's
// term_to_binary(T, [{minor_version, 2}]) writes (docs/etf.md).
//
// No recursion: `write_term` keeps a stack of the compounds being written
// (`frame`: a tuple's or list's elements, a map's keys and values in key
// order, a list's tail after its elements). A compound writes its header
// and pushes its frame; the loop takes the next item from the top frame.
// The frames point into the term being written, which the caller keeps
// alive.
//
// Speed (docs/etf.md has the figures). The bytes go through a raw cursor
// into a buffer that each thread keeps between calls (`scratch`), so a
// call costs no growth of its output and no byte-at-a-time push_back: the
// finished term is copied into the caller's vector at once. Each write
// makes room for its item first (`ensure`), then stores without checks.
// Terms are read through `internal::term_access`: the kind is known from
// the switch, so the checked accessors of `term` (each an out-of-line call)
// are skipped. Atoms are written from a per-thread cache of their encoded
// bytes, keyed by index: the atom table never changes an entry, so a cached
// form stays right for the life of the process.
//
// Choices OTP makes, kept here: integers 0..255 as SMALL_INTEGER_EXT, other
// int32 values as INTEGER_EXT, the rest as SMALL_BIG_EXT or, past 255
// magnitude bytes, LARGE_BIG_EXT; a proper list of fewer than 65536
// integers in 0..255 as STRING_EXT; tuples of up to 255 elements as
// SMALL_TUPLE_EXT; atoms in their UTF-8 forms; pids as NEW_PID_EXT,
// references as NEWER_REFERENCE_EXT; funs and ports as the bytes they came
// with. With compression, the term is written first, then deflated, and
// the compressed form kept only if it saves bytes, as OTP decides it.

#include <rill/dist/etf.hpp>

#include "core/small_stack.hpp"
#include "core/term_nodes.hpp"
#include "dist/etf_atoms.hpp"
#include "dist/etf_bare.hpp"
#include "dist/etf_tags.hpp"
#include "dist/etf_zlib.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace rill::etf {

namespace {

namespace tag = internal::etf_tag;
using internal::term_access;

constexpr std::size_t max_string_ext_length = 65535;

// Bytes an atom may take on the wire: ATOM_UTF8_EXT's tag and length, and
// 255 characters of up to four bytes each.
constexpr std::size_t max_atom_item = 3 + 4 * max_atom_length;

// Bytes of the widest fixed-size item besides an atom: NEWER_REFERENCE_EXT
// (tag, count16, creation32, 5 * id32; its atom counted apart).
constexpr std::size_t max_fixed_item = 1 + 2 + 4 + 5 * 4;

// What a thread keeps between encodes: the output buffer and the atom
// cache. An encoder takes it from `spare_scratch` and puts it back when
// done, so a nested or concurrent use (there is none today) would only
// make a second one.
struct scratch {
    // One atom's SMALL_ATOM_UTF8_EXT bytes (tag, length, name), for names
    // of up to `max_name` bytes. `index_plus_one` 0 marks an empty slot.
    struct cached_atom {
        static constexpr std::size_t max_name = 58;

        std::uint32_t index_plus_one = 0;
        std::uint8_t size = 0; // of `bytes` in use
        std::array<std::byte, 2 + max_name + 1> bytes{};
    };

    static constexpr std::size_t atom_slots = 128;
    // A buffer grown past this is dropped after the call rather than kept.
    static constexpr std::size_t kept_capacity = std::size_t{1} << 20U;

    std::unique_ptr<std::byte[]> buffer;
    std::size_t capacity = 0;
    std::array<cached_atom, atom_slots> atoms{};
};

thread_local std::unique_ptr<scratch> spare_scratch; // NOLINT: per-thread cache

// The bytes being written, in the thread's scratch buffer, through a raw
// cursor. `ensure(n)` makes room for n more bytes (growing geometrically);
// the put functions after it write without checks.
class byte_writer {
public:
    byte_writer()
        : scratch_(std::move(spare_scratch)) {
        if (!scratch_) {
            scratch_ = std::make_unique<scratch>();
        }
        cursor_ = scratch_->buffer.get();
        begin_ = cursor_;
        end_ = cursor_ + scratch_->capacity;
    }

    byte_writer(const byte_writer&) = delete;
    byte_writer& operator=(const byte_writer&) = delete;
    byte_writer(byte_writer&&) = delete;
    byte_writer& operator=(byte_writer&&) = delete;

    ~byte_writer() {
        if (scratch_->capacity > scratch::kept_capacity) {
            scratch_->buffer.reset();
            scratch_->capacity = 0;
        }
        spare_scratch = std::move(scratch_);
    }

    [[nodiscard]] std::span<const std::byte> written() const noexcept {
        return {begin_, static_cast<std::size_t>(cursor_ - begin_)};
    }

    [[nodiscard]] scratch& cache() noexcept { return *scratch_; }

    void ensure(std::size_t count) {
        if (static_cast<std::size_t>(end_ - cursor_) < count) {
            grow(count);
        }
    }

    void put8(std::uint8_t value) noexcept { *cursor_++ = std::byte{value}; }

    void put16(std::uint16_t value) noexcept {
        cursor_[0] = static_cast<std::byte>(value >> 8U);
        cursor_[1] = static_cast<std::byte>(value);
        cursor_ += 2;
    }

    void put32(std::uint32_t value) noexcept {
        cursor_[0] = static_cast<std::byte>(value >> 24U);
        cursor_[1] = static_cast<std::byte>(value >> 16U);
        cursor_[2] = static_cast<std::byte>(value >> 8U);
        cursor_[3] = static_cast<std::byte>(value);
        cursor_ += 4;
    }

    void put64(std::uint64_t value) noexcept {
        put32(static_cast<std::uint32_t>(value >> 32U));
        put32(static_cast<std::uint32_t>(value));
    }

    // The low `count` (0..8) bytes of `value`, least significant first:
    // 8 bytes stored, `count` kept. Needs room for 8.
    void put_little_endian(std::uint64_t value, std::size_t count) noexcept {
        for (std::size_t i = 0; i < 8; ++i) {
            cursor_[i] = static_cast<std::byte>(value >> (8 * i));
        }
        cursor_ += count;
    }

    void put_bytes(const void* bytes, std::size_t count) noexcept {
        if (count != 0) {
            std::memcpy(cursor_, bytes, count);
            cursor_ += count;
        }
    }

    // `N` bytes stored from `bytes`, `count` of them kept. Needs room for N.
    template <std::size_t N>
    void put_padded(const std::array<std::byte, N>& bytes, std::size_t count) noexcept {
        std::memcpy(cursor_, bytes.data(), N);
        cursor_ += count;
    }

private:
    void grow(std::size_t count) {
        const auto used = static_cast<std::size_t>(cursor_ - begin_);
        constexpr std::size_t first_capacity = 4096;
        const std::size_t capacity =
            std::max({used + count, 2 * scratch_->capacity, first_capacity});
        auto bigger = std::make_unique_for_overwrite<std::byte[]>(capacity);
        if (used != 0) {
            std::memcpy(bigger.get(), begin_, used);
        }
        scratch_->buffer = std::move(bigger);
        scratch_->capacity = capacity;
        begin_ = scratch_->buffer.get();
        cursor_ = begin_ + used;
        end_ = begin_ + capacity;
    }

    std::unique_ptr<scratch> scratch_;
    std::byte* begin_ = nullptr;
    std::byte* cursor_ = nullptr;
    std::byte* end_ = nullptr;
};

class encoder {
public:
    explicit encoder(std::vector<std::byte>& out)
        : out_(out) {}

    // Appends `root` to `out`.
    void write_term(const term& root) { append(encode(root, false)); }

    // Appends the version byte and `root` to `out`.
    void write_versioned(const term& root) { append(encode(root, true)); }

    // The bytes of `root` without the version byte, in the encoder's
    // buffer (valid while the encoder lives); `out` is left alone.
    std::span<const std::byte> encode(const term& root, bool versioned) {
        if (versioned) {
            writer_.ensure(1);
            writer_.put8(tag::version);
        }
        internal::small_stack<frame, 16> open;
        const term* t = &root;
        while (t != nullptr) {
            write_one(*t, open);
            t = next(open);
        }
        return writer_.written();
    }

private:
    // A tuple, list or map whose items are being written. Tuple and list
    // elements are `items`; a map's are keys and values alternating, read
    // from `entries`. A list's tail follows its elements.
    struct frame {
        const term* items = nullptr;
        const std::pair<term, term>* entries = nullptr;
        std::size_t index = 0;
        std::size_t count = 0; // items; twice the entries of a map
        const term* tail = nullptr;
    };

    // The next term to write, popping the frames it finishes.
    static const term* next(internal::small_stack<frame, 16>& open) {
        while (!open.empty()) {
            frame& f = open.back();
            if (f.index < f.count) {
                const std::size_t i = f.index++;
                if (f.entries == nullptr) {
                    return &f.items[i];
                }
                const auto& entry = f.entries[i / 2];
                return (i % 2) == 0 ? &entry.first : &entry.second;
            }
            const term* tail = f.tail;
            open.pop_back();
            if (tail != nullptr) {
                return tail; // never a list: term::list splices list tails in
            }
        }
        return nullptr;
    }

    void write_one(const term& t, internal::small_stack<frame, 16>& open) {
        switch (t.type()) {
        case term::kind::integer:
            if (term_access::is_boxed(t)) {
                write_big(t);
            } else {
                write_integer(term_access::small_integer(t));
            }
            return;
        case term::kind::float_:
            writer_.ensure(9);
            writer_.put8(tag::new_float);
            writer_.put64(std::bit_cast<std::uint64_t>(term_access::float_value(t)));
            return;
        case term::kind::atom:
            writer_.ensure(max_atom_item);
            put_atom(term_access::atom_index(t));
            return;
        case term::kind::reference:
            write_reference(term_access::as<internal::reference_node>(t).value);
            return;
        case term::kind::fun:
        case term::kind::port: {
            const auto& bytes = term_access::as<internal::opaque_node>(t).bytes;
            writer_.ensure(bytes.size());
            writer_.put_bytes(bytes.data(), bytes.size());
            return;
        }
        case term::kind::pid:
            write_pid(term_access::as<internal::pid_node>(t).value);
            return;
        case term::kind::tuple:
            write_tuple(term_access::as<internal::tuple_node>(t).elements, open);
            return;
        case term::kind::map:
            write_map(term_access::as<internal::map_node>(t).entries, open);
            return;
        case term::kind::nil:
            writer_.ensure(1);
            writer_.put8(tag::nil);
            return;
        case term::kind::list:
            write_list(term_access::as<internal::list_node>(t), open);
            return;
        case term::kind::binary:
            write_bitstring(term_access::as<internal::binary_node>(t));
            return;
        case term::kind::local:
            throw encode_error(encode_errc::local_term,
                               "a local " + t.local_type_name() +
                                   " object cannot leave its OS process");
        }
    }

    void write_integer(std::int64_t value) {
        writer_.ensure(3 + 8);
        if (value >= 0 && value <= 255) {
            writer_.put8(tag::small_integer);
            writer_.put8(static_cast<std::uint8_t>(value));
            return;
        }
        if (value >= std::numeric_limits<std::int32_t>::min() &&
            value <= std::numeric_limits<std::int32_t>::max()) {
            writer_.put8(tag::integer);
            writer_.put32(static_cast<std::uint32_t>(static_cast<std::int32_t>(value)));
            return;
        }
        // Two's complement negation as unsigned handles INT64_MIN.
        auto magnitude = static_cast<std::uint64_t>(value);
        if (value < 0) {
            magnitude = ~magnitude + 1;
        }
        const auto digits = static_cast<std::size_t>((std::bit_width(magnitude) + 7) / 8);
        writer_.put8(tag::small_big);
        writer_.put8(static_cast<std::uint8_t>(digits));
        writer_.put8(value < 0 ? 1 : 0);
        writer_.put_little_endian(magnitude, digits);
    }

    // An integer past int64 (a big_integer_node).
    void write_big(const term& t) {
        const term::integer_magnitude big = t.as_integer_magnitude();
        const std::size_t digits = big.little_endian.size();
        writer_.ensure(6 + digits);
        if (digits <= 255) {
            writer_.put8(tag::small_big);
            writer_.put8(static_cast<std::uint8_t>(digits));
        } else {
            writer_.put8(tag::large_big);
            writer_.put32(count32(digits, "big integer"));
        }
        writer_.put8(big.negative ? 1 : 0);
        writer_.put_bytes(big.little_endian.data(), digits);
    }

    // SMALL_ATOM_UTF8_EXT or ATOM_UTF8_EXT. Needs room for `max_atom_item`.
    void put_atom(std::uint32_t index) {
        auto& slot = writer_.cache().atoms[index % scratch::atom_slots];
        if (slot.index_plus_one == index + 1) {
            writer_.put_padded(slot.bytes, slot.size);
            return;
        }
        // Throws for a forged atom, before anything is cached.
        const std::string_view name = internal::wire_name(atom::from_index(index));
        if (name.size() <= scratch::cached_atom::max_name) {
            slot.index_plus_one = index + 1;
            slot.size = static_cast<std::uint8_t>(2 + name.size());
            slot.bytes[0] = std::byte{tag::small_atom_utf8};
            slot.bytes[1] = static_cast<std::byte>(name.size());
            std::memcpy(&slot.bytes[2], name.data(), name.size());
        }
        if (name.size() <= 255) {
            writer_.put8(tag::small_atom_utf8);
            writer_.put8(static_cast<std::uint8_t>(name.size()));
        } else {
            writer_.put8(tag::atom_utf8);
            writer_.put16(static_cast<std::uint16_t>(name.size()));
        }
        writer_.put_bytes(name.data(), name.size());
    }

    void write_pid(const pid& p) {
        writer_.ensure(1 + max_atom_item + 12);
        writer_.put8(tag::new_pid);
        put_atom(p.node.index());
        writer_.put32(p.id);
        writer_.put32(p.serial);
        writer_.put32(p.creation);
    }

    void write_reference(const reference& r) {
        if (r.size > r.id.size()) {
            throw encode_error(encode_errc::invalid_term,
                               "a reference of " + std::to_string(r.size) + " words");
        }
        writer_.ensure(max_fixed_item + max_atom_item);
        writer_.put8(tag::newer_reference);
        writer_.put16(static_cast<std::uint16_t>(r.size));
        put_atom(r.node.index());
        writer_.put32(r.creation);
        for (std::uint32_t i = 0; i < r.size; ++i) {
            writer_.put32(r.id[i]);
        }
    }

    void write_tuple(const std::vector<term>& elements, internal::small_stack<frame, 16>& open) {
        writer_.ensure(5);
        if (elements.size() <= 255) {
            writer_.put8(tag::small_tuple);
            writer_.put8(static_cast<std::uint8_t>(elements.size()));
        } else {
            writer_.put8(tag::large_tuple);
            writer_.put32(count32(elements.size(), "tuple"));
        }
        if (!elements.empty()) {
            open.push_back({.items = elements.data(), .count = elements.size()});
        }
    }

    void write_map(const std::vector<std::pair<term, term>>& entries,
                   internal::small_stack<frame, 16>& open) {
        writer_.ensure(5);
        writer_.put8(tag::map);
        writer_.put32(count32(entries.size(), "map"));
        if (!entries.empty()) {
            open.push_back({.entries = entries.data(), .count = 2 * entries.size()});
        }
    }

    // Whether the proper list of `elements` goes as STRING_EXT.
    static bool is_byte_string(const std::vector<term>& elements) {
        if (elements.size() > max_string_ext_length) {
            return false;
        }
        return std::all_of(elements.begin(), elements.end(), [](const term& e) {
            const auto value = e.to_int64();
            return value && *value >= 0 && *value <= 255;
        });
    }

    void write_list(const internal::list_node& list, internal::small_stack<frame, 16>& open) {
        const std::vector<term>& elements = list.elements;
        if (list.tail.is_nil() && is_byte_string(elements)) {
            writer_.ensure(3 + elements.size());
            writer_.put8(tag::string);
            writer_.put16(static_cast<std::uint16_t>(elements.size()));
            for (const term& e : elements) {
                writer_.put8(static_cast<std::uint8_t>(term_access::small_integer(e)));
            }
            return;
        }
        writer_.ensure(5);
        writer_.put8(tag::list);
        writer_.put32(count32(elements.size(), "list"));
        open.push_back({.items = elements.data(), .count = elements.size(), .tail = &list.tail});
    }

    void write_bitstring(const internal::binary_node& binary) {
        const std::span<const std::byte> bytes = binary.bytes;
        writer_.ensure(6 + bytes.size());
        if (binary.bits_in_last_byte == 8 || bytes.empty()) {
            writer_.put8(tag::binary);
            writer_.put32(count32(bytes.size(), "binary"));
        } else {
            writer_.put8(tag::bit_binary);
            writer_.put32(count32(bytes.size(), "bitstring"));
            writer_.put8(binary.bits_in_last_byte);
        }
        writer_.put_bytes(bytes.data(), bytes.size());
    }

    static std::uint32_t count32(std::size_t count, const char* what) {
        if (count > std::numeric_limits<std::uint32_t>::max()) {
            throw encode_error(encode_errc::too_large,
                               std::string("a ") + what + " of " + std::to_string(count) +
                                   " (the format counts to 2^32 - 1)");
        }
        return static_cast<std::uint32_t>(count);
    }

    void append(std::span<const std::byte> bytes) {
        out_.insert(out_.end(), bytes.begin(), bytes.end());
    }

    std::vector<std::byte>& out_;
    byte_writer writer_;
};

// OTP gives zlib room for `size - 5` bytes (so the compressed form, with its
// 5-byte header, is never longer than the plain one) and writes the plain
// form when the stream does not fit (or the size does not fit 32 bits).
void append_compressed_or_plain(std::vector<std::byte>& out,
                                std::span<const std::byte> plain,
                                int level) {
    if (level != 0 && plain.size() > 5 &&
        plain.size() <= std::numeric_limits<std::uint32_t>::max()) {
        const std::vector<std::byte> packed = internal::zlib_deflate(plain, level);
        if (packed.size() <= plain.size() - 5) {
            out.push_back(std::byte{tag::compressed});
            const auto size = static_cast<std::uint32_t>(plain.size());
            for (const unsigned shift : {24U, 16U, 8U, 0U}) {
                out.push_back(static_cast<std::byte>((size >> shift) & 0xFFU));
            }
            out.insert(out.end(), packed.begin(), packed.end());
            return;
        }
    }
    out.insert(out.end(), plain.begin(), plain.end());
}

} // namespace

void append_encoded(std::vector<std::byte>& out, const term& t, const encode_options& options) {
    if (options.compressed && (options.compression_level < 0 || options.compression_level > 9)) {
        throw badarg("badarg: compression level must be 0..9, got " +
                     std::to_string(options.compression_level));
    }
    const std::size_t start = out.size();
    try {
        encoder e(out);
        if (!options.compressed) {
            e.write_versioned(t);
            return;
        }
        const std::span<const std::byte> plain = e.encode(t, false);
        out.push_back(version_byte);
        append_compressed_or_plain(out, plain, options.compression_level);
    } catch (...) {
        out.resize(start);
        throw;
    }
}

std::vector<std::byte> encode(const term& t, const encode_options& options) {
    std::vector<std::byte> out;
    append_encoded(out, t, options);
    return out;
}

} // namespace rill::etf

namespace rill::internal {

void etf_append_bare(std::vector<std::byte>& out, const term& t) {
    const std::size_t start = out.size();
    try {
        etf::encoder(out).write_term(t);
    } catch (...) {
        out.resize(start);
        throw;
    }
}

} // namespace rill::internal
