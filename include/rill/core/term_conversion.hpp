#pragma once

/// \file
/// The built-in `term_conversion` specializations: how standard C++ types
/// become terms and back.
///
/// - integral types (not `bool`): integers; reading back checks the range;
/// - `float`, `double`, `long double`: floats; reading back also accepts an
///   integer (big or not) the type holds exactly;
/// - `bool`: the atoms `true` and `false`;
/// - `std::string`: a binary; reading back also accepts a proper list of
///   integers 0..255 (an Erlang latin-1 string);
/// - `std::string_view`, `const char*`: a binary (to a term only; a null
///   `const char*` throws `badarg`);
/// - `atom`, `pid`, `reference`, `term`: themselves;
/// - `std::vector<T>`: a proper list;
/// - `std::tuple<Ts...>`, `std::pair<A, B>`: a tuple of the same size;
/// - `std::map<K, V>`, `std::unordered_map<K, V>`: a map;
/// - `std::optional<T>`: the atom `undefined` when empty, else the value.
///
/// A user type opts in by specializing `term_conversion<T>` (see term.hpp).

#include <rill/core/errors.hpp>
#include <rill/core/term.hpp>

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace rill {

namespace detail {
term string_to_term(std::string_view text);
std::optional<std::string> string_from_term(const term& t);

template <class T>
inline constexpr bool is_integer_type_v =
    std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char8_t>;

/// The big integer `t` as the floating-point type T when T holds it exactly
/// (its significant bits fit T's mantissa and it is below 2^max_exponent);
/// empty otherwise.
template <class T>
std::optional<T> exact_float_from_big_integer(const term& t) {
    const term::integer_magnitude magnitude = t.as_integer_magnitude();
    const std::vector<std::uint8_t>& bytes = magnitude.little_endian;
    constexpr auto max_exponent = static_cast<std::size_t>(std::numeric_limits<T>::max_exponent);
    if (bytes.empty()) {
        return T{0};
    }
    if (bytes.size() > max_exponent / 8 + 1) {
        return std::nullopt; // far past the range; also keeps the bit positions below small
    }
    std::size_t lowest_byte = 0;
    while (bytes[lowest_byte] == 0) {
        ++lowest_byte;
    }
    const std::size_t top_bit =
        8 * (bytes.size() - 1) + static_cast<std::size_t>(std::bit_width(bytes.back())) - 1;
    const std::size_t low_bit =
        8 * lowest_byte + static_cast<std::size_t>(std::countr_zero(bytes[lowest_byte]));
    if (top_bit >= max_exponent ||
        top_bit - low_bit + 1 > static_cast<std::size_t>(std::numeric_limits<T>::digits)) {
        return std::nullopt;
    }
    // Every partial sum has its bits within [low_bit, top_bit], which fits
    // the mantissa: each addition is exact.
    T value = 0;
    for (std::size_t i = lowest_byte; i < bytes.size(); ++i) {
        value += std::ldexp(static_cast<T>(bytes[i]), static_cast<int>(8 * i));
    }
    return magnitude.negative ? -value : value;
}
} // namespace detail

/// Integral types: integers; `from_term` fails when the value is out of range.
template <class T>
struct term_conversion<T, std::enable_if_t<detail::is_integer_type_v<T>>> {
    static term to_term(T value) {
        if constexpr (std::is_signed_v<T>) {
            return term::from_int64(static_cast<std::int64_t>(value));
        } else {
            return term::from_uint64(static_cast<std::uint64_t>(value));
        }
    }

    static std::optional<T> from_term(const term& t) {
        if constexpr (std::is_signed_v<T>) {
            const auto value = t.to_int64();
            if (!value || *value < std::numeric_limits<T>::min() ||
                *value > std::numeric_limits<T>::max()) {
                return std::nullopt;
            }
            return static_cast<T>(*value);
        } else {
            const auto value = t.to_uint64();
            if (!value || *value > std::numeric_limits<T>::max()) {
                return std::nullopt;
            }
            return static_cast<T>(*value);
        }
    }
};

/// Floating-point types: floats. `from_term` also accepts an integer, big
/// or not, whose value the type holds exactly (`term{2}.as<double>() == 2.0`,
/// `term{1ULL << 63}.as<double>() == 0x1p63`; not 2^53 + 1), and narrows a
/// float to `float` when it is within `float`'s range.
template <class T>
struct term_conversion<T, std::enable_if_t<std::is_floating_point_v<T>>> {
    static term to_term(T value) { return term::from_double(static_cast<double>(value)); }

    static std::optional<T> from_term(const term& t) {
        if (t.is_float()) {
            const double value = t.as_double();
            if (std::abs(value) > static_cast<double>(std::numeric_limits<T>::max())) {
                return std::nullopt;
            }
            return static_cast<T>(value);
        }
        if (const auto value = t.to_int64()) {
            const auto converted = static_cast<T>(*value);
            // 2^63 converts but is out of int64's range: check before converting back.
            if (converted >= static_cast<T>(9223372036854775808.0) ||
                static_cast<std::int64_t>(converted) != *value) {
                return std::nullopt;
            }
            return converted;
        }
        if (t.is_big_integer()) {
            return detail::exact_float_from_big_integer<T>(t);
        }
        return std::nullopt;
    }
};

/// `bool`: the atoms `true` and `false`.
template <>
struct term_conversion<bool> {
    static term to_term(bool value) noexcept {
        return term::from_atom(value ? atoms::true_ : atoms::false_);
    }

    static std::optional<bool> from_term(const term& t) noexcept {
        if (t.is_atom(atoms::true_)) {
            return true;
        }
        if (t.is_atom(atoms::false_)) {
            return false;
        }
        return std::nullopt;
    }
};

/// `std::string`: a binary. `from_term` also accepts a proper list of
/// integers 0..255 (an Erlang latin-1 string, `"abc"` written in Erlang).
template <>
struct term_conversion<std::string> {
    static term to_term(const std::string& value) { return detail::string_to_term(value); }

    static std::optional<std::string> from_term(const term& t) {
        return detail::string_from_term(t);
    }
};

/// `std::string_view`: a binary (to a term only: a view cannot own the bytes).
template <>
struct term_conversion<std::string_view> {
    static term to_term(std::string_view value) { return detail::string_to_term(value); }
};

/// `const char*`: a binary (to a term only). A null pointer throws `badarg`.
template <>
struct term_conversion<const char*> {
    static term to_term(const char* value) {
        if (value == nullptr) {
            throw badarg("badarg: cannot make a term from a null const char*");
        }
        return detail::string_to_term(value);
    }
};

template <>
struct term_conversion<atom> {
    static term to_term(atom value) noexcept { return term::from_atom(value); }

    static std::optional<atom> from_term(const term& t) noexcept {
        if (!t.is_atom()) {
            return std::nullopt;
        }
        return t.as_atom();
    }
};

template <>
struct term_conversion<pid> {
    static term to_term(const pid& value) { return term::from_pid(value); }

    static std::optional<pid> from_term(const term& t) {
        if (!t.is_pid()) {
            return std::nullopt;
        }
        return t.as_pid();
    }
};

template <>
struct term_conversion<reference> {
    static term to_term(const reference& value) { return term::from_reference(value); }

    static std::optional<reference> from_term(const term& t) {
        if (!t.is_reference()) {
            return std::nullopt;
        }
        return t.as_reference();
    }
};

/// `term` itself (so generic code can treat a term like any convertible value).
template <>
struct term_conversion<term> {
    static term to_term(const term& value) noexcept { return value; }

    static std::optional<term> from_term(const term& t) noexcept { return t; }
};

/// `std::vector<T>`: a proper list.
template <class T, class Allocator>
struct term_conversion<std::vector<T, Allocator>> {
    static term to_term(const std::vector<T, Allocator>& value) requires term_convertible<T> {
        std::vector<term> elements;
        elements.reserve(value.size());
        for (const auto& element : value) {
            elements.emplace_back(term_conversion<T>::to_term(element));
        }
        return term::list(std::move(elements));
    }

    static std::optional<std::vector<T, Allocator>>
    from_term(const term& t) requires term_extractable<T> {
        if (!t.is_proper_list()) {
            return std::nullopt;
        }
        std::vector<T, Allocator> result;
        result.reserve(t.list_elements().size());
        for (const term& element : t.list_elements()) {
            auto value = term_conversion<T>::from_term(element);
            if (!value) {
                return std::nullopt;
            }
            result.push_back(std::move(*value));
        }
        return result;
    }
};

namespace detail {
template <class Tuple, std::size_t... I>
term tuple_to_term(const Tuple& value, std::index_sequence<I...> /*indices*/) {
    return term::tuple(std::vector<term>{
        term_conversion<std::tuple_element_t<I, Tuple>>::to_term(std::get<I>(value))...});
}

template <class Tuple, std::size_t... I>
std::optional<Tuple> tuple_from_term(const term& t, std::index_sequence<I...> /*indices*/) {
    if (!t.is_tuple() || t.elements().size() != sizeof...(I)) {
        return std::nullopt;
    }
    const auto elements = t.elements();
    std::tuple<std::optional<std::tuple_element_t<I, Tuple>>...> parts{
        term_conversion<std::tuple_element_t<I, Tuple>>::from_term(elements[I])...};
    if (!(std::get<I>(parts).has_value() && ...)) {
        return std::nullopt;
    }
    return Tuple{std::move(*std::get<I>(parts))...};
}
} // namespace detail

/// `std::tuple<Ts...>`: a tuple of the same size.
template <class... Ts>
struct term_conversion<std::tuple<Ts...>> {
    static term to_term(const std::tuple<Ts...>& value) requires(term_convertible<Ts>&&...) {
        return detail::tuple_to_term(value, std::index_sequence_for<Ts...>{});
    }

    static std::optional<std::tuple<Ts...>>
    from_term(const term& t) requires(term_extractable<Ts>&&...) {
        return detail::tuple_from_term<std::tuple<Ts...>>(t, std::index_sequence_for<Ts...>{});
    }
};

/// `std::pair<A, B>`: a 2-tuple.
template <class A, class B>
struct term_conversion<std::pair<A, B>> {
    static term
    to_term(const std::pair<A, B>& value) requires term_convertible<A> && term_convertible<B> {
        return detail::tuple_to_term(value, std::index_sequence_for<A, B>{});
    }

    static std::optional<std::pair<A, B>>
    from_term(const term& t) requires term_extractable<A> && term_extractable<B> {
        return detail::tuple_from_term<std::pair<A, B>>(t, std::index_sequence_for<A, B>{});
    }
};

namespace detail {
template <class Map>
term map_to_term(const Map& value) {
    std::vector<std::pair<term, term>> entries;
    entries.reserve(value.size());
    for (const auto& [key, mapped] : value) {
        entries.emplace_back(term_conversion<typename Map::key_type>::to_term(key),
                             term_conversion<typename Map::mapped_type>::to_term(mapped));
    }
    return term::map(std::move(entries));
}

template <class Map>
std::optional<Map> map_from_term(const term& t) {
    if (!t.is_map()) {
        return std::nullopt;
    }
    Map result;
    for (const auto& [key_term, value_term] : t.map_entries()) {
        auto key = term_conversion<typename Map::key_type>::from_term(key_term);
        auto value = term_conversion<typename Map::mapped_type>::from_term(value_term);
        if (!key || !value) {
            return std::nullopt;
        }
        result.insert_or_assign(std::move(*key), std::move(*value));
    }
    return result;
}
} // namespace detail

/// `std::map<K, V>`: a map. Keys that become `exactly_equal` terms collapse (last wins).
template <class K, class V, class Compare, class Allocator>
struct term_conversion<std::map<K, V, Compare, Allocator>> {
    using type = std::map<K, V, Compare, Allocator>;

    static term to_term(const type& value) requires term_convertible<K> && term_convertible<V> {
        return detail::map_to_term(value);
    }

    static std::optional<type>
    from_term(const term& t) requires term_extractable<K> && term_extractable<V> {
        return detail::map_from_term<type>(t);
    }
};

/// `std::unordered_map<K, V>`: a map.
template <class K, class V, class Hash, class KeyEqual, class Allocator>
struct term_conversion<std::unordered_map<K, V, Hash, KeyEqual, Allocator>> {
    using type = std::unordered_map<K, V, Hash, KeyEqual, Allocator>;

    static term to_term(const type& value) requires term_convertible<K> && term_convertible<V> {
        return detail::map_to_term(value);
    }

    static std::optional<type>
    from_term(const term& t) requires term_extractable<K> && term_extractable<V> {
        return detail::map_from_term<type>(t);
    }
};

/// `std::optional<T>`: the atom `undefined` when empty, else the value's term.
/// Reading back, `undefined` is always an empty optional (so an
/// `std::optional<atom>` holding `undefined` does not round-trip).
template <class T>
struct term_conversion<std::optional<T>> {
    static term to_term(const std::optional<T>& value) requires term_convertible<T> {
        if (!value) {
            return term::from_atom(atoms::undefined);
        }
        return term_conversion<T>::to_term(*value);
    }

    static std::optional<std::optional<T>> from_term(const term& t) requires term_extractable<T> {
        if (t.is_atom(atoms::undefined)) {
            return std::optional<T>{};
        }
        auto value = term_conversion<T>::from_term(t);
        if (!value) {
            return std::nullopt;
        }
        return std::optional<T>{std::move(*value)};
    }
};

} // namespace rill
