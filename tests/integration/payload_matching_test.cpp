// The matching rule of receive.hpp: integers are integers (matched by
// value across integral types), text is text (views travel as
// std::string), and a term payload is converted once per matched receive.

#include "support/deterministic.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace rill {

namespace {

/// A user type with a term conversion that counts its `from_term` calls.
struct point {
    int x = 0;
    int y = 0;

    friend bool operator==(const point&, const point&) = default;
};

int point_conversions = 0; // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)

} // namespace

template <>
struct term_conversion<point> {
    static term to_term(const point& p) { return term::tuple_of(atom("point"), p.x, p.y); }

    static std::optional<point> from_term(const term& t) {
        ++point_conversions;
        if (!t.is_tuple() || t.elements().size() != 3 || !t.elements()[0].is_atom(atom("point"))) {
            return std::nullopt;
        }
        return point{t.elements()[1].as<int>(), t.elements()[2].as<int>()};
    }
};

namespace {

using namespace std::chrono_literals;
using testing::deterministic_options;

// Integers.

task<> receive_as_three_widths(std::vector<term>* out) {
    out->push_back(term(co_await process::receive_exact<std::int64_t>()));
    out->push_back(term(co_await process::receive_exact<unsigned>()));
    out->push_back(term(co_await process::receive_exact<std::uint8_t>()));
}

TEST(PayloadMatching, AnIntIsReceivedAsAnyIntegralTypeThatHoldsIt) {
    runtime rt(deterministic_options());
    std::vector<term> got;
    pid p = rt.spawn(receive_as_three_widths, &got);

    rt.send(p, 42);
    rt.send(p, 42);
    rt.send(p, 42);
    rt.run_until_idle();

    EXPECT_EQ(got, (std::vector<term>{term(42), term(42), term(42)}));
}

task<> receive_typed_int64_then_if_then_reply(std::vector<term>* out) {
    message<std::int64_t> typed = co_await process::receive<std::int64_t>();
    out->push_back(term(std::get<std::int64_t>(typed)));
    out->push_back(
        term(co_await process::receive_if<long long>([](long long n) { return n > 5; })));
    reference ref = process::make_ref();
    process::send(process::self(), short{7});
    out->push_back(term(co_await process::receive_reply<std::uint16_t>(
        ref, [](std::uint16_t n) { return n == 7; })));
}

TEST(PayloadMatching, EveryReceiveFormMatchesIntegersByValue) {
    runtime rt(deterministic_options());
    std::vector<term> got;
    pid p = rt.spawn(receive_typed_int64_then_if_then_reply, &got);

    rt.send(p, 1);
    rt.send(p, std::uint8_t{3});
    rt.send(p, 9U);
    rt.run_until_idle();

    EXPECT_EQ(got, (std::vector<term>{term(1), term(9), term(7)}));
}

/// Takes an `unsigned`, then everything left, in order.
task<> receive_unsigned_then_rest(std::vector<term>* out) {
    out->push_back(term(co_await process::receive_exact<unsigned>()));
    while (std::optional<dyn_message> m = co_await process::receive_any(0ms)) {
        out->push_back(std::get<term>(*m));
    }
}

TEST(PayloadMatching, ANegativeIntIsNotAnUnsignedAndStaysQueuedInOrder) {
    runtime rt(deterministic_options());
    std::vector<term> got;
    pid p = rt.spawn(receive_unsigned_then_rest, &got);

    rt.send(p, -1);
    rt.send(p, -2);
    rt.send(p, 7);
    rt.run_until_idle();

    EXPECT_EQ(got, (std::vector<term>{term(7), term(-1), term(-2)}));
}

task<> receive_int64_then_rest(std::vector<term>* out) {
    out->push_back(term(co_await process::receive_exact<std::int64_t>()));
    while (std::optional<dyn_message> m = co_await process::receive_any(0ms)) {
        out->push_back(std::get<term>(*m));
    }
}

TEST(PayloadMatching, AnUnsignedValueAboveInt64MaxIsNotAnInt64) {
    constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    runtime rt(deterministic_options());
    std::vector<term> got;
    pid p = rt.spawn(receive_int64_then_rest, &got);

    rt.send(p, max);
    rt.send(p, std::uint64_t{5});
    rt.run_until_idle();

    EXPECT_EQ(got, (std::vector<term>{term(5), term(max)}));
}

task<> receive_int_then_bool_then_rest(std::vector<term>* out) {
    out->push_back(term(co_await process::receive_exact<int>()));
    out->push_back(term(co_await process::receive_exact<bool>()));
    while (std::optional<dyn_message> m = co_await process::receive_any(0ms)) {
        out->push_back(std::get<term>(*m));
    }
}

TEST(PayloadMatching, BoolIsNotAnInteger) {
    runtime rt(deterministic_options());
    std::vector<term> got;
    pid p = rt.spawn(receive_int_then_bool_then_rest, &got);

    rt.send(p, true);
    rt.send(p, 0);
    rt.send(p, 1);
    rt.send(p, false);
    rt.run_until_idle();

    // receive_exact<int> skips `true` and takes 0; receive_exact<bool>
    // skips 1 and takes `true`; 1 and `false` remain, in order.
    EXPECT_EQ(got, (std::vector<term>{term(0), term(true), term(1), term(false)}));
}

task<> receive_one_int(std::vector<term>* out) {
    out->push_back(term(co_await process::receive_exact<int>()));
}

TEST(PayloadMatching, ACharIsAnInteger) {
    runtime rt(deterministic_options());
    std::vector<term> got;
    pid p = rt.spawn(receive_one_int, &got);

    rt.send(p, 'a');
    rt.run_until_idle();

    EXPECT_EQ(got, std::vector<term>{term(97)});
}

// Text.

task<> receive_one_string(std::vector<std::string>* out) {
    out->push_back(co_await process::receive_exact<std::string>());
}

TEST(PayloadMatching, AStringViewTravelsAsAStringCopiedAtTheSend) {
    runtime rt(deterministic_options());
    std::vector<std::string> got;
    pid p = rt.spawn(receive_one_string, &got);
    std::string text = "hello";

    rt.send(p, std::string_view(text));
    text = "HELLO"; // the message does not point into the sender's text
    rt.run_until_idle();

    EXPECT_EQ(got, std::vector<std::string>{"hello"});
}

TEST(PayloadMatching, AStringViewPayloadIsAStdString) {
    static_assert(std::is_same_v<detail::payload_type_t<std::string_view>, std::string>);
    static_assert(std::is_same_v<detail::payload_type_t<const std::string_view&>, std::string>);
    static_assert(std::is_same_v<detail::payload_type_t<const char(&)[4]>, std::string>);
    static_assert(std::is_same_v<detail::payload_type_t<char*>, std::string>);
}

// One conversion per matched receive.

task<> receive_point_every_way(std::vector<point>* out) {
    out->push_back(std::get<point>(co_await process::receive<point>()));
    out->push_back(co_await process::receive_exact<point>());
    out->push_back(co_await process::receive_if<point>([](const point& p) { return p.x == 3; }));
    reference ref = process::make_ref();
    process::send(process::self(), term(point{4, 4}));
    out->push_back(
        co_await process::receive_reply<point>(ref, [](const point& p) { return p.x == 4; }));
    reference tagged = process::make_ref();
    process::send(process::self(), term::tuple({term(tagged), term(point{5, 5})}));
    out->push_back(co_await process::receive_reply<point>(tagged));
    out->push_back(co_await process::receive_first([](point p) { return p; }));
}

TEST(PayloadMatching, ATermPayloadIsConvertedOncePerMatchedReceive) {
    runtime rt(deterministic_options());
    std::vector<point> got;
    pid p = rt.spawn(receive_point_every_way, &got);
    rt.run_until_idle();
    point_conversions = 0;

    rt.send(p, term(point{1, 1}));
    rt.send(p, term(point{2, 2}));
    rt.send(p, term(point{3, 3}));
    rt.send(p, term(point{6, 6}));
    rt.run_until_idle();

    EXPECT_EQ(got, (std::vector<point>{{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5}, {6, 6}}));
    EXPECT_EQ(point_conversions, 6);
}

} // namespace
} // namespace rill
