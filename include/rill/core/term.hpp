#pragma once

/// \file
/// `rill::term`: an immutable, cheaply copyable value in the Erlang data model.
///
/// A term is an integer (64-bit or big), float, atom, reference, fun, port,
/// pid, tuple, map, `[]`, list (proper or improper), binary or bitstring, or
/// an opaque local C++ object. Funs and ports can only come from another node
/// and are kept as their external-term-format bytes so they round-trip
/// untouched. Terms compare in Erlang term order (`==` is Erlang's `==`, so
/// `term{1} == term{1.0}`; `exactly_equal` is `=:=`) and print in Erlang
/// syntax. Copies share their heap node; a term and its copies may be read
/// from any number of threads at once.
///
/// C++ values become terms through `term_conversion<T>` (see
/// term_conversion.hpp): `term{42}`, `term{std::tuple{atom("oops"), 1}}`,
/// and back with `t.as<T>()`.

#include <rill/core/atom.hpp>
#include <rill/core/errors.hpp>
#include <rill/core/pid.hpp>
#include <rill/core/reference.hpp>
#include <rill/detail/term_node.hpp>

#include <compare>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

namespace rill {

class term;

/// The customization point turning a C++ type into a term and back.
/// Specialize it for `T` with
///   `static term to_term(const T& value);` (an overload taking `T&&` may be added) and
///   `static std::optional<T> from_term(const term& t);` (empty when `t` does not fit).
/// Either member may be left out: a type with only `to_term` can be sent but
/// not extracted. `Enable` is for partial specializations (`std::enable_if_t`).
template <class T, class Enable = void>
struct term_conversion {};

/// A type whose values can become terms: `term{value}` compiles.
template <class T>
concept term_convertible = requires(const std::remove_cvref_t<T>& value) {
    { term_conversion<std::remove_cvref_t<T>>::to_term(value) } -> std::same_as<term>;
};

/// A type that terms can convert back to: `t.as<T>()` compiles.
template <class T>
concept term_extractable = requires(const term& t) {
    {
        term_conversion<std::remove_cvref_t<T>>::from_term(t)
        } -> std::same_as<std::optional<std::remove_cvref_t<T>>>;
};

namespace internal {
struct term_access; // src/core: builds and reads term nodes
} // namespace internal

namespace detail {
/// What `term`'s converting constructor takes: a convertible value that is
/// not a term itself (copies and moves of terms use the copy/move constructors).
template <class T>
concept term_source = !std::same_as<std::remove_cvref_t<T>, term> && term_convertible<T>;

[[noreturn]] void throw_term_badarg(const term& t, const char* wanted);
[[noreturn]] void throw_term_conversion_failed(const term& t, const std::type_info& wanted);
} // namespace detail

class term {
public:
    /// What a term is. The enumerators are in Erlang term order of their
    /// classes: number < atom < reference < fun < port < pid < tuple < map <
    /// nil < list < bitstring; `local` (C++ objects) sorts after everything.
    /// Big integers are `integer`; bitstrings are `binary` with a bit length
    /// that is not a multiple of 8.
    enum class kind : std::uint8_t {
        integer,
        float_, // NOLINT(readability-identifier-naming): `float` is a keyword
        atom,
        reference,
        fun,
        port,
        pid,
        tuple,
        map,
        nil,
        list,
        binary,
        local,
    };

    /// Sign and magnitude of an integer term, as the external term format
    /// writes big integers.
    struct integer_magnitude {
        bool negative = false;
        std::vector<std::uint8_t> little_endian; ///< no trailing zero bytes; empty for 0
    };

    /// The empty list `[]`.
    // Not `= default`: GCC 12 then needs the member initializers while
    // parsing the `term tail = term{}` default argument below.
    term() noexcept {} // NOLINT(modernize-use-equals-default)

    /// The term of `value` through `term_conversion`. Implicit on purpose:
    /// `process::exit(p, atom("shutdown"))`, `send(p, term{42})`.
    template <detail::term_source T>
    // NOLINTNEXTLINE(google-explicit-constructor, bugprone-forwarding-reference-overload)
    term(T&& value)
        : term(term_conversion<std::remove_cvref_t<T>>::to_term(std::forward<T>(value))) {}

    /// A binary holding the bytes of `text` (so `term{"ping"} == term{std::string("ping")}`).
    /// Throws `badarg` when `text` is null.
    term(const char* text); // NOLINT(google-explicit-constructor)

    term(const term& other) noexcept
        : kind_(other.kind_)
        , boxed_(other.boxed_)
        , payload_(other.payload_) {
        if (boxed_) {
            payload_.node->retain();
        }
    }

    term(term&& other) noexcept
        : kind_(other.kind_)
        , boxed_(other.boxed_)
        , payload_(other.payload_) {
        other.kind_ = kind::nil;
        other.boxed_ = false;
    }

    term& operator=(const term& other) noexcept {
        term copy(other);
        swap(copy);
        return *this;
    }

    term& operator=(term&& other) noexcept {
        term moved(std::move(other));
        swap(moved);
        return *this;
    }

    ~term() {
        if (boxed_) {
            // The analyzer cannot follow the reference count and reports a
            // use after free of a node that another copy still holds.
            payload_.node->release(); // NOLINT(clang-analyzer-cplusplus.NewDelete)
        }
    }

    void swap(term& other) noexcept {
        std::swap(kind_, other.kind_);
        std::swap(boxed_, other.boxed_);
        std::swap(payload_, other.payload_);
    }

    // ---- construction -------------------------------------------------------------------

    /// An integer term.
    static term from_int64(std::int64_t value) noexcept {
        term t;
        t.kind_ = kind::integer;
        t.payload_.integer = value;
        return t;
    }

    /// An integer term; values above `INT64_MAX` become big integers.
    static term from_uint64(std::uint64_t value);

    /// A float term. Throws `badarg` for NaN and infinities, which Erlang has not.
    static term from_double(double value);

    /// An atom term.
    static term from_atom(atom value) noexcept {
        term t;
        t.kind_ = kind::atom;
        t.payload_.atom = value.index();
        return t;
    }

    static term from_pid(const pid& value);
    static term from_reference(const reference& value);

    /// An opaque local C++ object, moved into a shared immutable box. It never
    /// leaves the OS process; it compares equal only to copies of itself.
    template <class T>
    static term local(T value) {
        term t;
        t.kind_ = kind::local;
        t.boxed_ = true;
        t.payload_.node = new detail::local_node<std::decay_t<T>>(std::move(value));
        return t;
    }

    /// The tuple `{e1, e2, ...}`.
    static term tuple(std::vector<term> elements);

    /// The tuple of `elements`, each converted: `term::tuple_of(atom("ok"), 1)`.
    template <class... Ts>
    static term tuple_of(Ts&&... elements) {
        return tuple(std::vector<term>{term(std::forward<Ts>(elements))...});
    }

    /// The list `[e1, e2, ... | tail]`; proper when `tail` is `[]`. A `tail`
    /// that is itself a list is spliced in (copied), so equal lists have one
    /// form. Consing one element at a time onto a growing list this way is
    /// quadratic: build long lists with `list_builder` (list_builder.hpp).
    static term list(std::vector<term> elements, term tail = term{});

    /// The proper list of `elements`, each converted: `term::list_of(1, 2, 3)`.
    template <class... Ts>
    static term list_of(Ts&&... elements) {
        return list(std::vector<term>{term(std::forward<Ts>(elements))...});
    }

    /// The map of `entries`; of keys that are `exactly_equal`, the last wins.
    static term map(std::vector<std::pair<term, term>> entries);

    /// A binary holding a copy of `bytes`.
    static term binary(std::span<const std::byte> bytes);

    /// A binary of `bytes` without copying them: the term refers to memory
    /// that `owner` keeps alive (a received frame shared by the binaries
    /// decoded from it), and holds `owner` for as long as the term or a copy
    /// of it lives. The bytes must not change while `owner` lives. Equality,
    /// order, hashing and printing are those of `binary(bytes)`; only
    /// `bytes().data()` tells them apart. Throws `badarg` when `owner` is
    /// null and `bytes` is not empty.
    static term binary(std::shared_ptr<const void> owner, std::span<const std::byte> bytes);

    /// A bitstring: `bytes` with only the high `bits_in_last_byte` bits (1..8)
    /// of the last byte in use. Unused low bits are cleared. Throws `badarg`
    /// when `bits_in_last_byte` is not in 1..8.
    static term bitstring(std::span<const std::byte> bytes, std::uint8_t bits_in_last_byte);

    /// The integer `-magnitude` or `magnitude` (little-endian bytes);
    /// normalized: a value that fits `int64` is a plain integer.
    static term big_integer(bool negative, std::span<const std::uint8_t> magnitude_little_endian);

    /// A fun or port from another node, kept as its external-term-format bytes
    /// (tag byte included) so it round-trips untouched. Throws `badarg` for
    /// any other kind.
    static term opaque(kind k, std::span<const std::byte> external_format);

    // ---- inspection ---------------------------------------------------------------------

    [[nodiscard]] kind type() const noexcept { return kind_; }

    [[nodiscard]] bool is_integer() const noexcept { return kind_ == kind::integer; }

    [[nodiscard]] bool is_big_integer() const noexcept { return is_integer() && boxed_; }

    [[nodiscard]] bool is_float() const noexcept { return kind_ == kind::float_; }

    [[nodiscard]] bool is_number() const noexcept { return is_integer() || is_float(); }

    [[nodiscard]] bool is_atom() const noexcept { return kind_ == kind::atom; }

    [[nodiscard]] bool is_reference() const noexcept { return kind_ == kind::reference; }

    [[nodiscard]] bool is_fun() const noexcept { return kind_ == kind::fun; }

    [[nodiscard]] bool is_port() const noexcept { return kind_ == kind::port; }

    [[nodiscard]] bool is_pid() const noexcept { return kind_ == kind::pid; }

    [[nodiscard]] bool is_tuple() const noexcept { return kind_ == kind::tuple; }

    [[nodiscard]] bool is_map() const noexcept { return kind_ == kind::map; }

    [[nodiscard]] bool is_nil() const noexcept { return kind_ == kind::nil; }

    /// `[]` or a non-empty list, proper or not (Erlang's `is_list`).
    [[nodiscard]] bool is_list() const noexcept { return is_nil() || kind_ == kind::list; }

    /// `[]` or a list whose tail is `[]`.
    [[nodiscard]] bool is_proper_list() const noexcept;
    /// A bitstring whose bit length is a multiple of 8 (Erlang's `is_binary`).
    [[nodiscard]] bool is_binary() const noexcept;

    [[nodiscard]] bool is_bitstring() const noexcept { return kind_ == kind::binary; }

    [[nodiscard]] bool is_local() const noexcept { return kind_ == kind::local; }

    /// True for the atom `a`.
    [[nodiscard]] bool is_atom(atom a) const noexcept {
        return is_atom() && payload_.atom == a.index();
    }

    /// Whether the term is a `T`: for a local term, whether it holds exactly a
    /// `T`; otherwise whether `term_conversion<T>::from_term` accepts it.
    template <class T>
    [[nodiscard]] bool is() const {
        if (holds_local<T>()) {
            return true;
        }
        if constexpr (term_extractable<T>) {
            return term_conversion<std::remove_cvref_t<T>>::from_term(*this).has_value();
        } else {
            return false;
        }
    }

    /// The term as a `T`: a copy of the local `T` it holds, or the result of
    /// `term_conversion<T>::from_term`. Throws `badarg` naming `T` and
    /// printing the term when it does not fit.
    template <class T>
    [[nodiscard]] T as() const {
        if constexpr (std::is_copy_constructible_v<T>) {
            if (holds_local<T>()) {
                return static_cast<const detail::local_node<T>*>(payload_.node)->value();
            }
        }
        if constexpr (term_extractable<T>) {
            if (auto value = term_conversion<std::remove_cvref_t<T>>::from_term(*this)) {
                return std::move(*value);
            }
        }
        detail::throw_term_conversion_failed(*this, typeid(T));
    }

    /// The local object this term holds. Throws `badarg` unless it is a local `T`.
    template <class T>
    [[nodiscard]] const T& get() const {
        if (!holds_local<T>()) {
            detail::throw_term_conversion_failed(*this, typeid(T));
        }
        return static_cast<const detail::local_node<T>*>(payload_.node)->value();
    }

    /// The atom. Throws `badarg` unless an atom.
    [[nodiscard]] atom as_atom() const {
        if (!is_atom()) {
            detail::throw_term_badarg(*this, "an atom");
        }
        return atom::from_index(payload_.atom);
    }

    /// The integer if it is one that fits `int64`; empty otherwise (also for non-integers).
    [[nodiscard]] std::optional<std::int64_t> to_int64() const noexcept {
        if (kind_ == kind::integer && !boxed_) {
            return payload_.integer;
        }
        return std::nullopt;
    }

    /// The integer if it is one in `0..UINT64_MAX`; empty otherwise.
    [[nodiscard]] std::optional<std::uint64_t> to_uint64() const noexcept;

    /// Sign and magnitude of an integer, small or big. Throws `badarg` unless an integer.
    [[nodiscard]] integer_magnitude as_integer_magnitude() const;

    /// The float. Throws `badarg` unless a float.
    [[nodiscard]] double as_double() const {
        if (!is_float()) {
            detail::throw_term_badarg(*this, "a float");
        }
        return payload_.float_;
    }

    /// A tuple's elements. Throws `badarg` unless a tuple.
    [[nodiscard]] std::span<const term> elements() const;

    /// A list's elements before its tail; empty for `[]`. Throws `badarg` unless a list.
    [[nodiscard]] std::span<const term> list_elements() const;

    /// A list's tail: `[]` for a proper list, anything but a list otherwise.
    /// Throws `badarg` unless a list.
    [[nodiscard]] const term& list_tail() const;

    /// A map's entries, sorted by key in map-key order (Erlang term order
    /// with integers before equal floats). Throws `badarg` unless a map.
    [[nodiscard]] std::span<const std::pair<term, term>> map_entries() const;

    /// The value under `key` (an `exactly_equal` key), or null. Throws `badarg` unless a map.
    [[nodiscard]] const term* map_find(const term& key) const;

    /// A binary's or bitstring's bytes (the last one partly used for a
    /// bitstring). Throws `badarg` unless a bitstring.
    [[nodiscard]] std::span<const std::byte> bytes() const;

    /// A bitstring's length in bits. Throws `badarg` unless a bitstring.
    [[nodiscard]] std::size_t bit_size() const;

    /// The pid. Throws `badarg` unless a pid.
    [[nodiscard]] pid as_pid() const;

    /// The reference. Throws `badarg` unless a reference.
    [[nodiscard]] reference as_reference() const;

    /// A fun's or port's external-term-format bytes. Throws `badarg` unless a fun or port.
    [[nodiscard]] std::span<const std::byte> opaque_bytes() const;

    /// Demangled type name of a local term's object. Throws `badarg` unless a local.
    [[nodiscard]] std::string local_type_name() const;

    /// A hash consistent with both `==` and `exactly_equal`: terms equal in
    /// either sense hash alike (`term{1}` and `term{1.0}` too), so
    /// `std::unordered_map<term, V>` works with its default `==`, under
    /// which 1 and 1.0 are one key (unlike in an Erlang map).
    [[nodiscard]] std::size_t hash() const noexcept;

    // ---- comparison ---------------------------------------------------------------------

    /// Erlang `==`: numbers compare by value (`1 == 1.0`).
    friend bool operator==(const term& a, const term& b) noexcept {
        return compare(a, b) == std::weak_ordering::equivalent;
    }

    /// Erlang term order.
    friend std::weak_ordering operator<=>(const term& a, const term& b) noexcept {
        return compare(a, b);
    }

    /// Erlang `=:=`: like `==` but an integer never equals a float.
    friend bool exactly_equal(const term& a, const term& b) noexcept;

private:
    union payload {
        std::int64_t integer;          // kind integer, not boxed
        double float_;                 // kind float_
        std::uint32_t atom;            // kind atom: the atom's index
        const detail::term_node* node; // boxed_: every other kind, and big integers
    };

    static std::weak_ordering compare(const term& a, const term& b) noexcept;

    template <class T>
    [[nodiscard]] bool holds_local() const noexcept {
        return kind_ == kind::local &&
               static_cast<const detail::local_node_base*>(payload_.node)->type() == typeid(T);
    }

    [[nodiscard]] const detail::term_node* node() const noexcept { return payload_.node; }

    static term boxed(kind k, const detail::term_node* node) noexcept {
        term t;
        t.kind_ = k;
        t.boxed_ = true;
        t.payload_.node = node;
        return t;
    }

    friend struct internal::term_access;

    kind kind_ = kind::nil;
    bool boxed_ = false; // payload_.node is set and holds one reference
    payload payload_{.integer = 0};
};

inline void swap(term& a, term& b) noexcept {
    a.swap(b);
}

/// The term in Erlang syntax on one line, as `io:format("~p", [T])` prints it.
/// Any nesting depth; the time and memory are linear in the output, except
/// for big integers, whose decimal conversion is quadratic in their length.
std::string to_string(const term& t);

/// The start of `to_string(t)`: at most `max_chars` characters, then "..."
/// when cut. Stops as soon as the limit is reached, whatever the size of
/// `t`; an integer above 4096 bits prints as `<integer of N bits>`.
std::string to_string(const term& t, std::size_t max_chars);

std::ostream& operator<<(std::ostream& out, const term& t);

} // namespace rill

template <>
struct std::hash<rill::term> {
    std::size_t operator()(const rill::term& t) const noexcept { return t.hash(); }
};

#include <rill/core/term_conversion.hpp>
