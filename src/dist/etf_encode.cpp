// The external term format encoder: `rill::term` to the bytes OTP 25's
// term_to_binary(T, [{minor_version, 2}]) writes (docs/etf.md).
//
// No recursion: `write_term` keeps a stack of the terms still to write,
// pushed in reverse so they pop in wire order. A compound writes its header
// and pushes its parts: a tuple its elements, a list its elements then its
// tail (LIST_EXT), a map each key and value in key order. The stack holds
// pointers into the term being written, which the caller keeps alive.
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

#include "dist/etf_atoms.hpp"
#include "dist/etf_bare.hpp"
#include "dist/etf_tags.hpp"
#include "dist/etf_zlib.hpp"

#include <bit>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace rill::etf {

namespace {

namespace tag = internal::etf_tag;

constexpr std::size_t max_string_ext_length = 65535;

class encoder {
public:
    explicit encoder(std::vector<std::byte>& out)
        : out_(out) {}

    void write_term(const term& root) {
        std::vector<const term*> todo{&root};
        while (!todo.empty()) {
            const term& t = *todo.back();
            todo.pop_back();
            write_one(t, todo);
        }
    }

private:
    void write_one(const term& t, std::vector<const term*>& todo) {
        switch (t.type()) {
        case term::kind::integer:
            write_integer(t);
            return;
        case term::kind::float_:
            put8(tag::new_float);
            put64(std::bit_cast<std::uint64_t>(t.as_double()));
            return;
        case term::kind::atom:
            internal::write_atom(out_, t.as_atom());
            return;
        case term::kind::reference:
            write_reference(t.as_reference());
            return;
        case term::kind::fun:
        case term::kind::port:
            put_bytes(t.opaque_bytes());
            return;
        case term::kind::pid:
            write_pid(t.as_pid());
            return;
        case term::kind::tuple:
            write_tuple(t, todo);
            return;
        case term::kind::map:
            write_map(t, todo);
            return;
        case term::kind::nil:
            put8(tag::nil);
            return;
        case term::kind::list:
            write_list(t, todo);
            return;
        case term::kind::binary:
            write_bitstring(t);
            return;
        case term::kind::local:
            throw encode_error(encode_errc::local_term,
                               "a local " + t.local_type_name() +
                                   " object cannot leave its OS process");
        }
    }

    void write_integer(const term& t) {
        if (const auto small = t.to_int64()) {
            if (*small >= 0 && *small <= 255) {
                put8(tag::small_integer);
                put8(static_cast<std::uint8_t>(*small));
                return;
            }
            if (*small >= std::numeric_limits<std::int32_t>::min() &&
                *small <= std::numeric_limits<std::int32_t>::max()) {
                put8(tag::integer);
                put32(static_cast<std::uint32_t>(static_cast<std::int32_t>(*small)));
                return;
            }
            // Two's complement negation as unsigned handles INT64_MIN.
            auto magnitude = static_cast<std::uint64_t>(*small);
            if (*small < 0) {
                magnitude = ~magnitude + 1;
            }
            std::vector<std::uint8_t> digits;
            for (; magnitude != 0; magnitude >>= 8U) {
                digits.push_back(static_cast<std::uint8_t>(magnitude & 0xFFU));
            }
            write_big(*small < 0, digits);
            return;
        }
        const term::integer_magnitude big = t.as_integer_magnitude();
        write_big(big.negative, big.little_endian);
    }

    void write_big(bool negative, const std::vector<std::uint8_t>& digits) {
        if (digits.size() <= 255) {
            put8(tag::small_big);
            put8(static_cast<std::uint8_t>(digits.size()));
        } else {
            put8(tag::large_big);
            put32(count32(digits.size(), "big integer"));
        }
        put8(negative ? 1 : 0);
        const auto bytes = std::as_bytes(std::span(digits));
        put_bytes(bytes);
    }

    void write_pid(const pid& p) {
        put8(tag::new_pid);
        internal::write_atom(out_, p.node);
        put32(p.id);
        put32(p.serial);
        put32(p.creation);
    }

    void write_reference(const reference& r) {
        if (r.size > r.id.size()) {
            throw encode_error(encode_errc::invalid_term,
                               "a reference of " + std::to_string(r.size) + " words");
        }
        put8(tag::newer_reference);
        put16(static_cast<std::uint16_t>(r.size));
        internal::write_atom(out_, r.node);
        put32(r.creation);
        for (std::uint32_t i = 0; i < r.size; ++i) {
            put32(r.id[i]);
        }
    }

    void write_tuple(const term& t, std::vector<const term*>& todo) {
        const auto elements = t.elements();
        if (elements.size() <= 255) {
            put8(tag::small_tuple);
            put8(static_cast<std::uint8_t>(elements.size()));
        } else {
            put8(tag::large_tuple);
            put32(count32(elements.size(), "tuple"));
        }
        for (std::size_t i = elements.size(); i-- > 0;) {
            todo.push_back(&elements[i]);
        }
    }

    void write_map(const term& t, std::vector<const term*>& todo) {
        const auto entries = t.map_entries();
        put8(tag::map);
        put32(count32(entries.size(), "map"));
        for (std::size_t i = entries.size(); i-- > 0;) {
            todo.push_back(&entries[i].second);
            todo.push_back(&entries[i].first);
        }
    }

    static bool is_byte_string(const term& list) {
        const auto elements = list.list_elements();
        if (!list.list_tail().is_nil() || elements.size() > max_string_ext_length) {
            return false;
        }
        for (const term& e : elements) {
            const auto value = e.to_int64();
            if (!value || *value < 0 || *value > 255) {
                return false;
            }
        }
        return true;
    }

    void write_list(const term& t, std::vector<const term*>& todo) {
        const auto elements = t.list_elements();
        if (is_byte_string(t)) {
            put8(tag::string);
            put16(static_cast<std::uint16_t>(elements.size()));
            for (const term& e : elements) {
                put8(static_cast<std::uint8_t>(*e.to_int64()));
            }
            return;
        }
        put8(tag::list);
        put32(count32(elements.size(), "list"));
        todo.push_back(&t.list_tail());
        for (std::size_t i = elements.size(); i-- > 0;) {
            todo.push_back(&elements[i]);
        }
    }

    void write_bitstring(const term& t) {
        const auto bytes = t.bytes();
        const std::size_t bits = t.bit_size() % 8;
        if (bits == 0) {
            put8(tag::binary);
            put32(count32(bytes.size(), "binary"));
        } else {
            put8(tag::bit_binary);
            put32(count32(bytes.size(), "bitstring"));
            put8(static_cast<std::uint8_t>(bits));
        }
        put_bytes(bytes);
    }

    static std::uint32_t count32(std::size_t count, const char* what) {
        if (count > std::numeric_limits<std::uint32_t>::max()) {
            throw encode_error(encode_errc::too_large,
                               std::string("a ") + what + " of " + std::to_string(count) +
                                   " (the format counts to 2^32 - 1)");
        }
        return static_cast<std::uint32_t>(count);
    }

    void put8(std::uint8_t value) { out_.push_back(std::byte{value}); }

    void put16(std::uint16_t value) {
        put8(static_cast<std::uint8_t>(value >> 8U));
        put8(static_cast<std::uint8_t>(value & 0xFFU));
    }

    void put32(std::uint32_t value) {
        put16(static_cast<std::uint16_t>(value >> 16U));
        put16(static_cast<std::uint16_t>(value & 0xFFFFU));
    }

    void put64(std::uint64_t value) {
        put32(static_cast<std::uint32_t>(value >> 32U));
        put32(static_cast<std::uint32_t>(value & 0xFFFF'FFFFU));
    }

    void put_bytes(std::span<const std::byte> bytes) {
        out_.insert(out_.end(), bytes.begin(), bytes.end());
    }

    std::vector<std::byte>& out_;
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
        out.push_back(version_byte);
        if (!options.compressed) {
            encoder(out).write_term(t);
            return;
        }
        std::vector<std::byte> plain;
        encoder(plain).write_term(t);
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
