// rill::term: construction and read access. Ordering lives in
// term_order.cpp, printing in term_print.cpp, hashing in term_hash.cpp.
//
// Representation (docs/design/0001-term-representation.md): 16 bytes, a
// kind tag, a `boxed_` flag and an 8-byte payload. Small integers, floats,
// atoms and [] live in the payload; everything else (and big integers)
// points to an immutable, reference-counted node (core/term_nodes.hpp).
// Builders here bring each node to its canonical form.

#include <rill/core/term.hpp>

#include "core/demangle.hpp"
#include "core/term_nodes.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

namespace rill {

using internal::term_access;

namespace {

const term& nil_term() noexcept {
    static const term nil;
    return nil;
}

// The term as error messages show it: its first 200 characters.
std::string shortened(const term& t) {
    constexpr std::size_t limit = 200;
    return to_string(t, limit);
}

} // namespace

namespace detail {

void throw_term_badarg(const term& t, const char* wanted) {
    throw badarg(std::string("badarg: expected ") + wanted + ", got " + shortened(t));
}

void throw_term_conversion_failed(const term& t, const std::type_info& wanted) {
    throw badarg("badarg: cannot convert " + shortened(t) + " to " +
                 internal::demangle(wanted.name()));
}

term string_to_term(std::string_view text) {
    return term::binary(std::as_bytes(std::span(text.data(), text.size())));
}

std::optional<std::string> string_from_term(const term& t) {
    if (t.is_binary()) {
        const auto bytes = t.bytes();
        return std::string(reinterpret_cast<const char*>(bytes.data()), // NOLINT
                           bytes.size());
    }
    if (!t.is_proper_list()) {
        return std::nullopt;
    }
    std::string text;
    text.reserve(t.list_elements().size());
    for (const term& element : t.list_elements()) {
        const auto code = element.to_int64();
        if (!code || *code < 0 || *code > 255) {
            return std::nullopt;
        }
        text.push_back(static_cast<char>(static_cast<unsigned char>(*code)));
    }
    return text;
}

} // namespace detail

namespace internal {

term make_integer(big_integer value) {
    if (const auto small = value.to_int64()) {
        return term::from_int64(*small);
    }
    return term_access::adopt(term::kind::integer, new big_integer_node(std::move(value)));
}

big_integer to_big_integer(const term& t) {
    if (term_access::is_boxed(t)) {
        return term_access::as<big_integer_node>(t).value;
    }
    return big_integer::from_int64(term_access::small_integer(t));
}

} // namespace internal

term::term(const char* text)
    : term(term_conversion<const char*>::to_term(text)) {}

term term::from_uint64(std::uint64_t value) {
    if (value <= static_cast<std::uint64_t>(INT64_MAX)) {
        return from_int64(static_cast<std::int64_t>(value));
    }
    return internal::make_integer(internal::big_integer::from_uint64(value));
}

term term::from_double(double value) {
    if (!std::isfinite(value)) {
        throw badarg("badarg: Erlang floats are finite; got " + std::to_string(value));
    }
    term t;
    t.kind_ = kind::float_;
    t.payload_.float_ = value;
    return t;
}

term term::from_pid(const pid& value) {
    return boxed(kind::pid, new internal::pid_node(value));
}

term term::from_reference(const reference& value) {
    return boxed(kind::reference, new internal::reference_node(value));
}

term term::tuple(std::vector<term> elements) {
    return boxed(kind::tuple, new internal::tuple_node(std::move(elements)));
}

term term::list(std::vector<term> elements, term tail) {
    if (tail.kind_ == kind::list) {
        const auto& rest = term_access::as<internal::list_node>(tail);
        elements.insert(elements.end(), rest.elements.begin(), rest.elements.end());
        tail = rest.tail;
    }
    if (elements.empty()) {
        return tail;
    }
    return boxed(kind::list, new internal::list_node(std::move(elements), std::move(tail)));
}

term term::map(std::vector<std::pair<term, term>> entries) {
    std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        return internal::compare_terms(a.first, b.first, true) < 0;
    });
    // Of a run of equal keys keep the last one given (stable sort kept their order).
    std::vector<std::pair<term, term>> unique;
    unique.reserve(entries.size());
    for (auto& entry : entries) {
        if (!unique.empty() &&
            internal::compare_terms(unique.back().first, entry.first, true) == 0) {
            unique.back() = std::move(entry);
        } else {
            unique.push_back(std::move(entry));
        }
    }
    return boxed(kind::map, new internal::map_node(std::move(unique)));
}

term term::binary(std::span<const std::byte> bytes) {
    return boxed(kind::binary,
                 new internal::binary_node(std::vector<std::byte>(bytes.begin(), bytes.end()), 8));
}

term term::binary(std::shared_ptr<const void> owner, std::span<const std::byte> bytes) {
    if (!owner && !bytes.empty()) {
        throw badarg("badarg: term::binary needs an owner for shared bytes");
    }
    return boxed(kind::binary, new internal::binary_node(std::move(owner), bytes));
}

term term::bitstring(std::span<const std::byte> bytes, std::uint8_t bits_in_last_byte) {
    if (bits_in_last_byte < 1 || bits_in_last_byte > 8) {
        throw badarg("badarg: bits_in_last_byte must be 1..8, got " +
                     std::to_string(bits_in_last_byte));
    }
    std::vector<std::byte> copy(bytes.begin(), bytes.end());
    if (copy.empty()) {
        bits_in_last_byte = 8;
    } else {
        const auto mask = static_cast<std::byte>(0xFFU << (8U - bits_in_last_byte));
        copy.back() &= mask;
    }
    return boxed(kind::binary, new internal::binary_node(std::move(copy), bits_in_last_byte));
}

term term::big_integer(bool negative, std::span<const std::uint8_t> magnitude_little_endian) {
    return internal::make_integer(
        internal::big_integer::from_bytes(negative, magnitude_little_endian));
}

term term::opaque(kind k, std::span<const std::byte> external_format) {
    if (k != kind::fun && k != kind::port) {
        throw badarg("badarg: term::opaque takes only funs and ports");
    }
    return boxed(k,
                 new internal::opaque_node(
                     std::vector<std::byte>(external_format.begin(), external_format.end())));
}

bool term::is_proper_list() const noexcept {
    return kind_ == kind::nil ||
           (kind_ == kind::list && term_access::as<internal::list_node>(*this).tail.is_nil());
}

bool term::is_binary() const noexcept {
    return kind_ == kind::binary &&
           term_access::as<internal::binary_node>(*this).bits_in_last_byte == 8;
}

std::optional<std::uint64_t> term::to_uint64() const noexcept {
    if (kind_ != kind::integer) {
        return std::nullopt;
    }
    if (boxed_) {
        return term_access::as<internal::big_integer_node>(*this).value.to_uint64();
    }
    if (payload_.integer < 0) {
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(payload_.integer);
}

term::integer_magnitude term::as_integer_magnitude() const {
    if (!is_integer()) {
        detail::throw_term_badarg(*this, "an integer");
    }
    const internal::big_integer value = internal::to_big_integer(*this);
    return {value.is_negative(), value.magnitude_bytes()};
}

std::span<const term> term::elements() const {
    if (!is_tuple()) {
        detail::throw_term_badarg(*this, "a tuple");
    }
    return term_access::as<internal::tuple_node>(*this).elements;
}

std::span<const term> term::list_elements() const {
    if (is_nil()) {
        return {};
    }
    if (kind_ != kind::list) {
        detail::throw_term_badarg(*this, "a list");
    }
    return term_access::as<internal::list_node>(*this).elements;
}

const term& term::list_tail() const {
    if (is_nil()) {
        return nil_term();
    }
    if (kind_ != kind::list) {
        detail::throw_term_badarg(*this, "a list");
    }
    return term_access::as<internal::list_node>(*this).tail;
}

std::span<const std::pair<term, term>> term::map_entries() const {
    if (!is_map()) {
        detail::throw_term_badarg(*this, "a map");
    }
    return term_access::as<internal::map_node>(*this).entries;
}

const term* term::map_find(const term& key) const {
    const auto entries = map_entries();
    const auto it =
        std::lower_bound(entries.begin(), entries.end(), key, [](const auto& entry, const term& k) {
            return internal::compare_terms(entry.first, k, true) < 0;
        });
    if (it == entries.end() || internal::compare_terms(it->first, key, true) != 0) {
        return nullptr;
    }
    return &it->second;
}

std::span<const std::byte> term::bytes() const {
    if (!is_bitstring()) {
        detail::throw_term_badarg(*this, "a binary");
    }
    return term_access::as<internal::binary_node>(*this).bytes;
}

std::size_t term::bit_size() const {
    if (!is_bitstring()) {
        detail::throw_term_badarg(*this, "a binary");
    }
    const auto& node = term_access::as<internal::binary_node>(*this);
    if (node.bytes.empty()) {
        return 0;
    }
    return node.bytes.size() * 8 - (8U - node.bits_in_last_byte);
}

pid term::as_pid() const {
    if (!is_pid()) {
        detail::throw_term_badarg(*this, "a pid");
    }
    return term_access::as<internal::pid_node>(*this).value;
}

reference term::as_reference() const {
    if (!is_reference()) {
        detail::throw_term_badarg(*this, "a reference");
    }
    return term_access::as<internal::reference_node>(*this).value;
}

std::span<const std::byte> term::opaque_bytes() const {
    if (!is_fun() && !is_port()) {
        detail::throw_term_badarg(*this, "a fun or port");
    }
    return term_access::as<internal::opaque_node>(*this).bytes;
}

std::string term::local_type_name() const {
    if (!is_local()) {
        detail::throw_term_badarg(*this, "a local C++ object");
    }
    return internal::demangle(
        static_cast<const detail::local_node_base*>(payload_.node)->type().name());
}

bool exactly_equal(const term& a, const term& b) noexcept {
    return internal::compare_terms(a, b, true) == 0;
}

std::weak_ordering term::compare(const term& a, const term& b) noexcept {
    const int result = internal::compare_terms(a, b, false);
    if (result < 0) {
        return std::weak_ordering::less;
    }
    return result > 0 ? std::weak_ordering::greater : std::weak_ordering::equivalent;
}

} // namespace rill
