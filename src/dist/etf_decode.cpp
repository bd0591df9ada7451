// The external term format decoder: bytes to `rill::term`, safe on hostile
// input (docs/etf.md).
//
// Shape. No recursion: `read_term` keeps an explicit stack of open
// compounds (`open_compound`: a tuple, list or map whose items are being
// read). Each loop turn reads one item: a scalar is built at once and handed
// to the innermost open compound; a tuple, list or map header pushes a new
// compound (or, when empty, is built at once). When a compound has all its
// items it is built, popped and handed to the one below, and so on; the
// item handed over with no compound open is the result. The stack's height
// is the nesting depth, checked against `decode_options::max_depth` before
// each push.
//
// A list's tail is one more item of its compound. A LIST_EXT met as a
// list's tail (`[a | [b | [c]]]` written as nested LIST_EXTs) extends the
// open compound instead of nesting: such chains cost neither depth nor
// the quadratic copying that building each level would.
//
// Bounded allocation. Every count is checked before anything is reserved
// for it: an item takes at least one byte, so the items declared by open
// compounds and not yet started never outnumber the bytes left. The
// decoder keeps `declared_` (the sum of the open compounds' unread items,
// each compound's item in progress included) and refuses a header whose
// count would break `declared_ - open + count <= bytes left`. What the
// stack reserves is therefore at most the input size plus the depth, for
// any input. Lengths of binaries, atoms, strings and big integers are
// checked against the bytes left the same way.
//
// Compressed terms (tag 80, only right after the version byte): the stated
// size is checked against `max_uncompressed_size` and against what zlib
// could inflate the remaining input to (at most 1032 times its length),
// then inflated into a shared buffer of exactly that size, and the stream
// must fill it exactly. The term inside is decoded from that buffer, whose
// binaries share it.
//
// Sharing. With an owner (`shared_bytes`, or the inflated buffer), a binary
// of `shared_binary_threshold` bytes or more becomes `term::binary(owner,
// bytes)`: no copy. Everything else is copied out of the input. Equal pids
// of one term share one node (the decoder keeps the last pid it built).
//
// Speed. An atom read before on this thread comes from a per-thread cache
// keyed by its bytes (etf_atoms.cpp), skipping the UTF-8 check and the
// atom table; a big integer of up to 8 bytes that fits int64 is assembled
// in place; the reader's bounds checks inline, their failures do not.

#include <rill/dist/etf.hpp>

#include "dist/etf_atoms.hpp"
#include "dist/etf_bare.hpp"
#include "dist/etf_reader.hpp"
#include "dist/etf_tags.hpp"
#include "dist/etf_zlib.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rill::etf {

namespace {

using internal::etf_reader;
namespace tag = internal::etf_tag;

// zlib inflates at most 1032 bytes out of one byte in (its documented
// deflate limit); a stated size beyond that cannot be honest.
constexpr std::size_t zlib_max_ratio = 1032;

// Fixed part of NEW_FUN_EXT after the tag: Size, Arity, Uniq, Index, NumFree.
constexpr std::size_t new_fun_fixed_size = 4 + 1 + 16 + 4 + 4;

struct open_compound {
    enum class shape : std::uint8_t { tuple, list, map };

    shape kind;
    std::size_t offset;      // of its tag, for errors
    std::size_t unread;      // items still to come; a list's tail counts as one
    std::vector<term> items; // elements; a map's keys and values alternate
};

class decoder {
public:
    decoder(etf_reader reader, std::shared_ptr<const void> owner, const decode_options& options)
        : in_(reader)
        , owner_(std::move(owner))
        , options_(options) {}

    // The term at the reader's position: version byte first, compressed or not.
    decoded_term read_versioned() {
        const std::size_t start = in_.position();
        if (in_.remaining() == 0) {
            in_.fail(decode_errc::truncated, "no bytes where a term must start");
        }
        if (in_.u8() != tag::version) {
            etf_reader::fail_at(
                start, decode_errc::missing_version, "the term must start with 131");
        }
        if (in_.remaining() != 0 && in_.peek() == tag::compressed) {
            term value = read_compressed();
            return {std::move(value), in_.position() - start};
        }
        term value = read_term();
        return {std::move(value), in_.position() - start};
    }

    // The term at the reader's position, no version byte (under a
    // distribution header), and its size.
    decoded_term read_bare() {
        const std::size_t start = in_.position();
        term value = read_term();
        return {std::move(value), in_.position() - start};
    }

    // One term, no version byte.
    term read_term() {
        std::vector<open_compound> open;
        for (;;) {
            std::optional<term> item = read_item(open);
            if (!item) {
                continue; // it opened a compound, or extended a list
            }
            term done = std::move(*item);
            for (;;) {
                if (open.empty()) {
                    return done;
                }
                open_compound& top = open.back();
                top.items.push_back(std::move(done));
                --top.unread;
                --declared_;
                if (top.unread != 0) {
                    break;
                }
                done = build(top);
                open.pop_back();
            }
        }
    }

    [[nodiscard]] std::size_t position() const noexcept { return in_.position(); }

private:
    // Reads one item. Returns it, or nothing when it opened a compound (or
    // extended the list whose tail it was).
    std::optional<term> read_item(std::vector<open_compound>& open) {
        const std::size_t offset = in_.position();
        const std::uint8_t t = in_.u8();
        switch (t) {
        case tag::small_tuple:
        case tag::large_tuple:
            return open_tuple(open, offset, t == tag::small_tuple ? in_.u8() : in_.u32());
        case tag::map:
            return open_map(open, offset, in_.u32());
        case tag::list:
            return open_list(open, offset, in_.u32());
        default:
            return read_scalar(t, offset);
        }
    }

    term read_scalar(std::uint8_t t, std::size_t offset) {
        switch (t) {
        case tag::small_integer:
            return term::from_int64(in_.u8());
        case tag::integer:
            return term::from_int64(static_cast<std::int32_t>(in_.u32()));
        case tag::small_big:
        case tag::large_big:
            return read_big(t == tag::small_big ? in_.u8() : in_.u32());
        case tag::new_float:
            return read_float(std::bit_cast<double>(in_.u64()), offset);
        case tag::float_text:
            return read_float_text(offset);
        case tag::nil:
            return term{};
        case tag::string:
            return read_string();
        case tag::binary:
            return read_binary(in_.u32());
        case tag::bit_binary:
            return read_bit_binary(offset);
        case tag::new_pid:
        case tag::pid:
            return read_pid(t);
        case tag::newer_reference:
        case tag::new_reference:
        case tag::reference:
            return read_reference(t, offset);
        case tag::small_atom_utf8:
        case tag::atom_utf8:
        case tag::small_atom_latin1:
        case tag::atom_latin1:
            return term::from_atom(internal::read_atom_body(in_, t, offset));
        default:
            return read_rare(t, offset);
        }
    }

    // What is kept opaque or refused.
    term read_rare(std::uint8_t t, std::size_t offset) {
        switch (t) {
        case tag::new_port:
        case tag::v4_port:
        case tag::port:
            return read_port(t, offset);
        case tag::export_fun:
            return read_export(offset);
        case tag::new_fun:
            return read_new_fun(offset);
        case tag::atom_cache_ref:
            etf_reader::fail_at(
                offset, decode_errc::atom_cache_ref, "ATOM_CACHE_REF, and no atom cache is in use");
        case tag::local:
            etf_reader::fail_at(offset,
                                decode_errc::local_ext,
                                "LOCAL_EXT can only be read by the node that wrote it");
        case tag::compressed:
            etf_reader::fail_at(offset,
                                decode_errc::unknown_tag,
                                "a compressed term (80) only follows the version byte");
        default:
            etf_reader::fail_at(offset, decode_errc::unknown_tag, "tag " + std::to_string(t));
        }
    }

    // ---- compounds ----------------------------------------------------------------------

    // Checks that `count` more declared items fit the input (see the file
    // comment) and the depth limit, then counts them as declared.
    void declare(const std::vector<open_compound>& open,
                 std::size_t offset,
                 std::size_t count,
                 bool pushes) {
        if (pushes && open.size() >= options_.max_depth) {
            etf_reader::fail_at(offset,
                                decode_errc::depth_limit,
                                "nesting deeper than " + std::to_string(options_.max_depth));
        }
        if (declared_ - open.size() + count > in_.remaining()) {
            etf_reader::fail_at(offset,
                                decode_errc::length_exceeds_input,
                                "a count of " + std::to_string(count) + " items with " +
                                    std::to_string(in_.remaining()) + " bytes left");
        }
        declared_ += count;
    }

    std::optional<term>
    open_tuple(std::vector<open_compound>& open, std::size_t offset, std::size_t arity) {
        if (arity == 0) {
            return term::tuple({});
        }
        push(open, open_compound::shape::tuple, offset, arity);
        return std::nullopt;
    }

    std::optional<term>
    open_map(std::vector<open_compound>& open, std::size_t offset, std::size_t pairs) {
        if (pairs == 0) {
            return term::map({});
        }
        push(open, open_compound::shape::map, offset, pairs * 2);
        return std::nullopt;
    }

    std::optional<term>
    open_list(std::vector<open_compound>& open, std::size_t offset, std::size_t length) {
        if (!open.empty() && open.back().kind == open_compound::shape::list &&
            open.back().unread == 1) {
            // This list is the tail of the open one: its elements join it,
            // and a new tail follows.
            declare(open, offset, length, false);
            open.back().unread += length;
            return std::nullopt;
        }
        push(open, open_compound::shape::list, offset, length + 1);
        return std::nullopt;
    }

    void push(std::vector<open_compound>& open,
              open_compound::shape kind,
              std::size_t offset,
              std::size_t count) {
        declare(open, offset, count, true);
        open.push_back({kind, offset, count, {}});
        open.back().items.reserve(count);
    }

    term build(open_compound& done) {
        switch (done.kind) {
        case open_compound::shape::tuple:
            return term::tuple(std::move(done.items));
        case open_compound::shape::list: {
            term tail = std::move(done.items.back());
            done.items.pop_back();
            return term::list(std::move(done.items), std::move(tail));
        }
        case open_compound::shape::map:
            return build_map(done);
        }
        return term{};
    }

    static term build_map(open_compound& done) {
        const std::size_t pairs = done.items.size() / 2;
        std::vector<std::pair<term, term>> entries;
        entries.reserve(pairs);
        for (std::size_t i = 0; i < pairs; ++i) {
            entries.emplace_back(std::move(done.items[2 * i]), std::move(done.items[2 * i + 1]));
        }
        term map = term::map(std::move(entries));
        if (map.map_entries().size() != pairs) {
            etf_reader::fail_at(
                done.offset, decode_errc::duplicate_map_key, "a map with two =:= keys");
        }
        return map;
    }

    // ---- numbers ------------------------------------------------------------------------

    term read_big(std::size_t digits) {
        in_.check_length(digits + 1, "big integer");
        const bool negative = in_.u8() != 0; // OTP reads any non-zero sign byte as negative
        const auto magnitude = in_.take(digits);
        if (digits <= 8) {
            // Most bigs on the wire fit int64 (BEAM's small integers are 60 bits).
            std::uint64_t value = 0;
            for (std::size_t i = digits; i-- > 0;) {
                value = (value << 8U) | std::to_integer<std::uint64_t>(magnitude[i]);
            }
            constexpr auto int64_max =
                static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
            if (value <= int64_max) {
                const auto small = static_cast<std::int64_t>(value);
                return term::from_int64(negative ? -small : small);
            }
            if (negative && value == int64_max + 1) {
                return term::from_int64(std::numeric_limits<std::int64_t>::min());
            }
        }
        return term::big_integer(
            negative,
            {reinterpret_cast<const std::uint8_t*>(magnitude.data()), magnitude.size()}); // NOLINT
    }

    [[nodiscard]] term read_float(double value, std::size_t offset) const {
        if (!std::isfinite(value)) {
            etf_reader::fail_at(offset, decode_errc::invalid_float, "NaN or an infinity");
        }
        return term::from_double(value);
    }

    // FLOAT_EXT: 31 bytes of "%.20e" text, NUL-padded.
    term read_float_text(std::size_t offset) {
        const auto bytes = in_.take(31);
        const char* text = reinterpret_cast<const char*>(bytes.data()); // NOLINT
        const auto length = static_cast<std::size_t>(
            std::find(bytes.begin(), bytes.end(), std::byte{0}) - bytes.begin());
        double value = 0.0;
        const auto [end, error] = std::from_chars(text, text + length, value);
        if (error != std::errc{} || end != text + length || length == 0) {
            etf_reader::fail_at(offset, decode_errc::invalid_float, "unreadable FLOAT_EXT text");
        }
        return read_float(value, offset);
    }

    // ---- byte sequences -----------------------------------------------------------------

    // STRING_EXT: a list of small integers.
    term read_string() {
        const std::size_t length = in_.u16();
        in_.check_length(length, "string length");
        const auto bytes = in_.take(length);
        std::vector<term> elements;
        elements.reserve(length);
        for (const std::byte b : bytes) {
            elements.push_back(term::from_int64(std::to_integer<std::int64_t>(b)));
        }
        return term::list(std::move(elements));
    }

    [[nodiscard]] term binary_of(std::span<const std::byte> bytes) const {
        if (owner_ && bytes.size() >= shared_binary_threshold) {
            return term::binary(owner_, bytes);
        }
        return term::binary(bytes);
    }

    term read_binary(std::size_t length) {
        in_.check_length(length, "binary length");
        return binary_of(in_.take(length));
    }

    // BIT_BINARY_EXT: OTP takes 1..8 used bits in a last byte, or 0 bits of 0 bytes.
    term read_bit_binary(std::size_t offset) {
        const std::size_t length = in_.u32();
        const std::uint8_t bits = in_.u8();
        if (bits > 8 || (bits == 0) != (length == 0)) {
            etf_reader::fail_at(offset,
                                decode_errc::invalid_bitstring,
                                std::to_string(bits) + " bits used in the last of " +
                                    std::to_string(length) + " bytes");
        }
        in_.check_length(length, "bitstring length");
        const auto bytes = in_.take(length);
        if (bits == 8 || length == 0) {
            return binary_of(bytes);
        }
        return term::bitstring(bytes, bits);
    }

    // ---- identifiers --------------------------------------------------------------------

    term read_pid(std::uint8_t t) {
        pid p;
        p.node = internal::read_atom(in_);
        p.id = in_.u32();
        p.serial = in_.u32();
        p.creation = t == tag::new_pid ? in_.u32() : in_.u8();
        // A term often holds one pid many times (a sender, a reply-to):
        // equal pids share the node of the last one read.
        if (!last_pid_.is_pid() || last_pid_.as_pid() != p) {
            last_pid_ = term::from_pid(p);
        }
        return last_pid_;
    }

    term read_reference(std::uint8_t t, std::size_t offset) {
        reference r;
        r.size = t == tag::reference ? 1 : in_.u16();
        if (r.size > r.id.size()) {
            etf_reader::fail_at(offset,
                                decode_errc::invalid_reference,
                                "a reference of " + std::to_string(r.size) + " words (at most 5)");
        }
        r.node = internal::read_atom(in_);
        if (t == tag::reference) {
            r.id[0] = in_.u32();
            r.creation = in_.u8();
            return term::from_reference(r);
        }
        r.creation = t == tag::newer_reference ? in_.u32() : in_.u8();
        for (std::uint32_t i = 0; i < r.size; ++i) {
            r.id[i] = in_.u32();
        }
        return term::from_reference(r);
    }

    // ---- opaque: ports and funs, kept as their bytes --------------------------------------

    [[nodiscard]] term opaque_since(term::kind k, std::size_t offset) const {
        return term::opaque(k, in_.input().subspan(offset, in_.position() - offset));
    }

    term read_port(std::uint8_t t, std::size_t offset) {
        internal::read_atom(in_);
        in_.take(t == tag::v4_port ? 12 : t == tag::new_port ? 8 : 5);
        return opaque_since(term::kind::port, offset);
    }

    // EXPORT_EXT: module atom, function atom, arity as a small integer.
    term read_export(std::size_t offset) {
        internal::read_atom(in_);
        internal::read_atom(in_);
        const std::size_t arity_offset = in_.position();
        const std::uint8_t arity_tag = in_.u8();
        std::int64_t arity = -1;
        if (arity_tag == tag::small_integer) {
            arity = in_.u8();
        } else if (arity_tag == tag::integer) {
            arity = static_cast<std::int32_t>(in_.u32());
        }
        if (arity < 0 || arity > 255) {
            etf_reader::fail_at(arity_offset, decode_errc::invalid_fun, "an arity not in 0..255");
        }
        return opaque_since(term::kind::fun, offset);
    }

    // NEW_FUN_EXT: Size counts itself and everything after it. Only the size
    // is checked; BEAM checks the rest when it decodes the fun.
    term read_new_fun(std::size_t offset) {
        const std::size_t size = in_.u32();
        if (size < new_fun_fixed_size) {
            etf_reader::fail_at(offset, decode_errc::invalid_fun, "a NEW_FUN_EXT size too small");
        }
        in_.check_length(size - 4, "fun size");
        in_.take(size - 4);
        return opaque_since(term::kind::fun, offset);
    }

    // ---- compression --------------------------------------------------------------------

    term read_compressed() {
        const std::size_t offset = in_.position();
        in_.u8();
        const std::size_t size = in_.u32();
        if (size > options_.max_uncompressed_size) {
            etf_reader::fail_at(offset,
                                decode_errc::compressed_too_large,
                                "stated size " + std::to_string(size) + " over the limit of " +
                                    std::to_string(options_.max_uncompressed_size));
        }
        if (size / zlib_max_ratio > in_.remaining()) {
            etf_reader::fail_at(offset,
                                decode_errc::compressed_too_large,
                                "stated size " + std::to_string(size) + " from " +
                                    std::to_string(in_.remaining()) + " bytes of zlib data");
        }
        std::shared_ptr<std::byte[]> buffer = std::make_shared_for_overwrite<std::byte[]>(size);
        const std::span<std::byte> inflated(buffer.get(), size);
        const internal::inflate_result result =
            internal::zlib_inflate(in_.input().subspan(in_.position()), inflated);
        if (result.status != internal::inflate_status::ok) {
            etf_reader::fail_at(offset,
                                decode_errc::invalid_compressed_data,
                                "zlib data that does not inflate to exactly " +
                                    std::to_string(size) + " bytes");
        }
        in_.take(result.consumed);
        return read_inflated(std::move(buffer), inflated, offset);
    }

    [[nodiscard]] term read_inflated(std::shared_ptr<const std::byte[]> buffer,
                                     std::span<const std::byte> inflated,
                                     std::size_t offset) const {
        decoder inner(etf_reader(inflated, 0), std::move(buffer), options_);
        try {
            term value = inner.read_term();
            if (inner.position() != inflated.size()) {
                etf_reader::fail_at(inner.position(),
                                    decode_errc::trailing_bytes,
                                    "bytes after the term in the inflated data");
            }
            return value;
        } catch (const decode_error& e) {
            throw decode_error(e.reason(),
                               offset,
                               "in the compressed term, at inflated byte " +
                                   std::to_string(e.offset()) + ": " + e.what());
        }
    }

    etf_reader in_;
    std::shared_ptr<const void> owner_;
    decode_options options_;
    std::size_t declared_ = 0; // see the file comment
    term last_pid_;            // the pid read last, or []
};

decoded_term decode_versioned(std::span<const std::byte> input,
                              std::size_t offset,
                              std::shared_ptr<const void> owner,
                              const decode_options& options) {
    if (offset > input.size()) {
        etf_reader::fail_at(offset, decode_errc::truncated, "offset past the end of the input");
    }
    decoder d(etf_reader(input, offset), std::move(owner), options);
    return d.read_versioned();
}

term decode_whole(std::span<const std::byte> input,
                  std::shared_ptr<const void> owner,
                  const decode_options& options) {
    decoded_term result = decode_versioned(input, 0, std::move(owner), options);
    if (result.size != input.size()) {
        etf_reader::fail_at(result.size,
                            decode_errc::trailing_bytes,
                            std::to_string(input.size() - result.size) + " bytes after the term");
    }
    return std::move(result.value);
}

} // namespace

shared_bytes shared_bytes::adopt(std::vector<std::byte> buffer) {
    auto owner = std::make_shared<const std::vector<std::byte>>(std::move(buffer));
    const std::span<const std::byte> bytes(*owner);
    return {std::move(owner), bytes};
}

term decode(std::span<const std::byte> input, const decode_options& options) {
    return decode_whole(input, nullptr, options);
}

term decode(const shared_bytes& input, const decode_options& options) {
    return decode_whole(input.bytes, input.owner, options);
}

decoded_term
decode_at(std::span<const std::byte> input, std::size_t offset, const decode_options& options) {
    return decode_versioned(input, offset, nullptr, options);
}

decoded_term
decode_at(const shared_bytes& input, std::size_t offset, const decode_options& options) {
    return decode_versioned(input.bytes, offset, input.owner, options);
}

} // namespace rill::etf

namespace rill::internal {

etf::decoded_term etf_decode_bare_at(const etf::shared_bytes& input, std::size_t offset) {
    if (offset > input.bytes.size()) {
        etf_reader::fail_at(
            offset, etf::decode_errc::truncated, "offset past the end of the input");
    }
    etf::decoder d(etf_reader(input.bytes, offset), input.owner, etf::decode_options{});
    return d.read_bare();
}

} // namespace rill::internal
