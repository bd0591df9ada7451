#include <rill/core/term.hpp>

#include "term_generators.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <rapidcheck/gtest.h>
#include <sstream>
#include <string>
#include <vector>

using rill::atom;
using rill::term;

namespace print_test {
struct gadget {};
} // namespace print_test

// Every expected string here is what Erlang/OTP 25 prints for the same
// value with io:format("~p", [Value]) (on one line), UTF-8 encoded.

namespace {

term bytes_term(std::initializer_list<int> values, std::uint8_t last_bits = 8) {
    std::vector<std::byte> bytes;
    for (int v : values) {
        bytes.push_back(static_cast<std::byte>(v));
    }
    return term::bitstring(bytes, last_bits);
}

term charlist(std::initializer_list<int> codes) {
    std::vector<term> elements;
    for (int c : codes) {
        elements.emplace_back(c);
    }
    return term::list(std::move(elements));
}

} // namespace

TEST(TermPrint, PrintsNestedTupleInErlangSyntax) {
    EXPECT_EQ(rill::to_string(term{std::tuple{atom("oops"), 1}}), "{oops,1}");
    EXPECT_EQ(rill::to_string(term::tuple_of(atom("a"), "b", term{"c"}, term{})),
              "{a,<<\"b\">>,<<\"c\">>,[]}");
    EXPECT_EQ(rill::to_string(term::tuple({})), "{}");
    EXPECT_EQ(rill::to_string(term::tuple_of(term::list({term{1}}, term{2}))), "{[1|2]}");
}

TEST(TermPrint, PrintsFloatsInShortestRoundTripForm) {
    const std::vector<std::pair<double, std::string>> cases{
        {1.0, "1.0"},
        {0.1, "0.1"},
        {1.0e10, "1.0e10"},
        {1.5e-5, "1.5e-5"},
        {-0.0, "-0.0"},
        {0.0, "0.0"},
        {100.0, "100.0"},
        {1000.0, "1.0e3"},
        {123456789.0, "123456789.0"},
        {0.001, "0.001"},
        {0.0001, "0.0001"},
        {1.0e-5, "1.0e-5"},
        {3.14, "3.14"},
        {2.5e-7, "2.5e-7"},
        {1.7976931348623157e308, "1.7976931348623157e308"},
        {5.0e-324, "5.0e-324"},
        {12345678901234567.0, "1.2345678901234568e16"},
        {9007199254740992.0, "9.007199254740992e15"},
        {2.0e6, "2.0e6"},
        {12.0e6, "1.2e7"},
        {123.456, "123.456"},
        {1.0e100, "1.0e100"},
        {-1.5, "-1.5"},
        {0.30000000000000004, "0.30000000000000004"},
        {2.0e-5, "2.0e-5"},
        {1.0e-300, "1.0e-300"},
    };

    for (const auto& [value, expected] : cases) {
        EXPECT_EQ(rill::to_string(term{value}), expected) << value;
    }
}

TEST(TermPrint, PrintsIntegersAndBigIntegers) {
    EXPECT_EQ(rill::to_string(term{-42}), "-42");
    const std::vector<std::uint8_t> two_to_64{0, 0, 0, 0, 0, 0, 0, 0, 1};
    EXPECT_EQ(rill::to_string(term::big_integer(false, two_to_64)), "18446744073709551616");
    EXPECT_EQ(rill::to_string(term::big_integer(true, two_to_64)), "-18446744073709551616");
}

TEST(TermPrint, PrintsPrintableListsAsStrings) {
    EXPECT_EQ(rill::to_string(charlist({'a', 'b', 'c'})), "\"abc\"");
    EXPECT_EQ(rill::to_string(charlist({'a', '\n', 'b'})), "\"a\\nb\"");
    EXPECT_EQ(rill::to_string(charlist({27})), "\"\\e\"");
    EXPECT_EQ(rill::to_string(charlist({'a', '\'', 'b', '"'})), "\"a'b\\\"\"");
    EXPECT_EQ(rill::to_string(charlist({233})), "\"\u00e9\"");
}

TEST(TermPrint, PrintsOtherListsElementByElement) {
    EXPECT_EQ(rill::to_string(term::list_of(1, 2, 3)), "[1,2,3]");
    EXPECT_EQ(rill::to_string(term::list({term{1}, term{2}}, term{3})), "[1,2|3]");
    EXPECT_EQ(rill::to_string(charlist({7})), "[7]");
    EXPECT_EQ(rill::to_string(term::list({term{65}}, term{66})), "[65|66]");
    EXPECT_EQ(rill::to_string(term::list({term{'a'}}, term{atom("b")})), "[97|b]");
    EXPECT_EQ(rill::to_string(term::list_of(atom("a"), 98, 99)), "[a,98,99]");
    EXPECT_EQ(rill::to_string(charlist({-1})), "[-1]");
    EXPECT_EQ(rill::to_string(charlist({256})), "[256]");
    EXPECT_EQ(rill::to_string(term::list_of(term{})), "[[]]");
    EXPECT_EQ(rill::to_string(term::list_of(term::tuple({}))), "[{}]");
    EXPECT_EQ(rill::to_string(term{}), "[]");
}

TEST(TermPrint, PrintsBinariesAsStringsWhenPrintable) {
    EXPECT_EQ(rill::to_string(term{"abc"}), "<<\"abc\">>");
    EXPECT_EQ(rill::to_string(term{"a\nb"}), "<<\"a\\nb\">>");
    EXPECT_EQ(rill::to_string(term{"ab\"\\"}), "<<\"ab\\\"\\\\\">>");
    EXPECT_EQ(rill::to_string(term{"\t\v\b\f"}), "<<\"\\t\\v\\b\\f\">>");
    EXPECT_EQ(rill::to_string(bytes_term({195, 169})), "<<\"\u00c3\u00a9\">>");
    EXPECT_EQ(rill::to_string(bytes_term({160})), "<<\"\u00a0\">>");
}

TEST(TermPrint, PrintsOtherBinariesAndBitstringsAsBytes) {
    EXPECT_EQ(rill::to_string(bytes_term({1, 2, 3})), "<<1,2,3>>");
    EXPECT_EQ(rill::to_string(bytes_term({})), "<<>>");
    EXPECT_EQ(rill::to_string(bytes_term({0})), "<<0>>");
    EXPECT_EQ(rill::to_string(bytes_term({97, 98, 99, 0})), "<<97,98,99,0>>");
    EXPECT_EQ(rill::to_string(bytes_term({127})), "<<127>>");
    EXPECT_EQ(rill::to_string(bytes_term({1, 0x40}, 3)), "<<1,2:3>>");
    EXPECT_EQ(rill::to_string(bytes_term({97, 98, 0x20}, 3)), "<<97,98,1:3>>");
    EXPECT_EQ(rill::to_string(bytes_term({0x80}, 1)), "<<1:1>>");
}

TEST(TermPrint, PrintsMapsInKeyOrder) {
    EXPECT_EQ(rill::to_string(term::map({{term{atom("b")}, term{1}}, {term{atom("a")}, term{2}}})),
              "#{a => 2,b => 1}");
    EXPECT_EQ(rill::to_string(term::map({{term{1.0}, term{atom("a")}},
                                         {term{1}, term{atom("b")}},
                                         {term{2}, term{atom("c")}},
                                         {term{0.5}, term{atom("d")}}})),
              "#{1 => b,2 => c,0.5 => d,1.0 => a}");
    EXPECT_EQ(rill::to_string(term::map({})), "#{}");
    EXPECT_EQ(rill::to_string(term::map({{term{atom("k")}, term::map({})}})), "#{k => #{}}");
    EXPECT_EQ(rill::to_string(term::map({{term::list_of(1), term{atom("x")}},
                                         {term{atom("a")}, term{atom("y")}},
                                         {term::tuple_of(1), term{atom("z")}}})),
              "#{a => y,{1} => z,[1] => x}");
}

TEST(TermPrint, PrintsPidsReferencesAndAtoms) {
    EXPECT_EQ(rill::to_string(term{rill::pid{rill::atoms::nonode_at_nohost, 42, 0, 0}}),
              "<0.42.0>");
    EXPECT_EQ(rill::to_string(term{rill::reference{
                  rill::atoms::nonode_at_nohost, 0, 3, {27857, 2672558081, 1818337575, 0, 0}}}),
              "#Ref<0.1818337575.2672558081.27857>");
    EXPECT_EQ(rill::to_string(term{atom("EXIT")}), "'EXIT'");
    EXPECT_EQ(rill::to_string(term{true}), "true");
}

TEST(TermPrint, PrintsForgedAtomsAndPidsOnForgedNodesWithThePlaceholder) {
    const atom forged = atom::from_index(900'000);

    EXPECT_EQ(rill::to_string(term{forged}), "'$invalid_atom'");
    EXPECT_EQ(rill::to_string(term{rill::pid{forged, 1, 2, 0}}), "<$invalid_atom.1.2>");
    EXPECT_EQ(rill::to_string(term{rill::reference{forged, 0, 1, {7, 0, 0, 0, 0}}}),
              "#Ref<$invalid_atom.7>");
}

TEST(TermPrint, PrintsFunsAndPortsFromTheirExternalFormat) {
    const std::vector<int> export_fun{
        113, 119, 5, 108, 105, 115, 116, 115, 119, 3, 109, 97, 112, 97, 2};
    const std::vector<int> local_fun{
        112, 0,   0,   0,   68, 0,  133, 92, 231, 47,  131, 11,  41,  218, 52,  212, 195, 240,
        104, 248, 181, 208, 0,  0,  0,   0,  0,   0,   0,   0,   119, 2,   111, 50,  97,  0,
        98,  4,   42,  231, 57, 88, 119, 13, 110, 111, 110, 111, 100, 101, 64,  110, 111, 104,
        111, 115, 116, 0,   0,  0,  9,   0,  0,   0,   0,   0,   0,   0,   0};
    const std::vector<int> port{89,  119, 13,  110, 111, 110, 111, 100, 101, 64, 110, 111,
                                104, 111, 115, 116, 0,   0,   0,   0,   0,   0,  0,   0};
    const auto to_bytes = [](const std::vector<int>& values) {
        std::vector<std::byte> bytes;
        bytes.reserve(values.size());
        for (int v : values) {
            bytes.push_back(static_cast<std::byte>(v));
        }
        return bytes;
    };

    EXPECT_EQ(rill::to_string(term::opaque(term::kind::fun, to_bytes(export_fun))),
              "fun lists:map/2");
    EXPECT_EQ(rill::to_string(term::opaque(term::kind::fun, to_bytes(local_fun))),
              "#Fun<o2.0.69920569>");
    EXPECT_EQ(rill::to_string(term::opaque(term::kind::port, to_bytes(port))), "#Port<0.0>");
    EXPECT_EQ(rill::to_string(term::opaque(term::kind::fun, to_bytes({112, 0}))), "#Fun<>");
}

TEST(TermPrint, PrintsLocalsWithTheirTypeName) {
    EXPECT_EQ(rill::to_string(term::local(print_test::gadget{})), "#Local<print_test::gadget>");
    EXPECT_EQ(rill::to_string(term::local(3)), "#Local<int>");
}

TEST(TermPrint, StreamOperatorPrintsLikeToString) {
    const term t = term::tuple_of(atom("ok"), term::list_of(1, 2));
    std::ostringstream out;

    out << t;

    EXPECT_EQ(out.str(), rill::to_string(t));
}

RC_GTEST_PROP(TermPrint, PrintingIsDeterministic, ()) {
    const term t = *rill::test::gen_term(3);

    RC_ASSERT(rill::to_string(t) == rill::to_string(t));
    RC_ASSERT(rill::to_string(t) == rill::to_string(rill::test::rebuild(t)));
}

RC_GTEST_PROP(TermPrint, PrintedFloatsReadBackToTheSameValue, (double value)) {
    RC_PRE(std::isfinite(value));

    const std::string text = rill::to_string(term{value});

    RC_ASSERT(std::strtod(text.c_str(), nullptr) == value);
    RC_ASSERT(text.find('.') != std::string::npos); // Erlang floats always have a dot
}
