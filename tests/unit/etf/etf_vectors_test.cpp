// Every ETF vector of tests/data/etf-vectors.txt (a copy of the one made
// with a real OTP 25, header kept): each is decoded and checked against the
// term its Erlang text denotes, and re-encoded and compared byte for byte
// with what OTP writes with [{minor_version, 2}] (maps of more than 32 keys
// excepted: OTP writes those in hash order, see the file's header). Then
// the same for tests/data/etf-extra-vectors.txt, made with OTP 25 by
// tests/data/etf_extra_vectors_gen.erl: more encodings, and compression.

#include <rill/dist/etf.hpp>

#include "unit/etf/erlang_literal.hpp"
#include "unit/etf/etf_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace rill {
namespace {

using test::from_hex;
using test::to_hex;

struct etf_vector {
    int section = 0;
    std::string name;
    std::vector<std::string> fields; // the tab-separated fields after the name
};

// For GoogleTest's parameter printing.
void PrintTo(const etf_vector& v, std::ostream* out) {
    *out << v.name;
}

std::vector<std::string> split(const std::string& line, char separator) {
    std::vector<std::string> parts;
    std::stringstream stream(line);
    for (std::string part; std::getline(stream, part, separator);) {
        parts.push_back(part);
    }
    return parts;
}

const std::vector<etf_vector>& all_vectors() {
    static const std::vector<etf_vector> vectors = [] {
        std::vector<etf_vector> out;
        std::ifstream file(RILL_ETF_VECTORS_FILE);
        int section = 0;
        for (std::string line; std::getline(file, line);) {
            if (line.rfind("## section ", 0) == 0) {
                section = std::stoi(line.substr(11));
                continue;
            }
            if (line.empty() || line[0] == '#') {
                continue;
            }
            auto fields = split(line, '\t');
            etf_vector v{section, fields.front(), {fields.begin() + 1, fields.end()}};
            out.push_back(std::move(v));
        }
        return out;
    }();
    return vectors;
}

std::vector<etf_vector> section(int number) {
    std::vector<etf_vector> out;
    for (const auto& v : all_vectors()) {
        if (v.section == number) {
            out.push_back(v);
        }
    }
    return out;
}

std::string test_name(const testing::TestParamInfo<etf_vector>& info) {
    std::string name = info.param.name;
    std::replace_if(
        name.begin(), name.end(), [](char c) { return std::isalnum(c) == 0 && c != '_'; }, '_');
    return name;
}

term port_of(const std::string& hex_with_version) {
    const auto bytes = from_hex(hex_with_version);
    return term::opaque(term::kind::port, std::span(bytes).subspan(1));
}

// Terms whose text in the file is not Erlang the literal reader takes.
std::optional<term> explicit_expectation(const etf_vector& v) {
    const atom x_node("x@localhost");
    const atom vec_node("vec@localhost");
    constexpr std::uint32_t vec_creation = 0x6b04ef20;
    if (v.name == "map_33_keys") {
        std::vector<std::pair<term, term>> entries;
        for (std::int64_t k = 1; k <= 33; ++k) {
            entries.emplace_back(k, k);
        }
        return term::map(std::move(entries));
    }
    if (v.name == "pid_dist_self") {
        return term{pid{vec_node, 9, 0, vec_creation}};
    }
    if (v.name == "pid_dist_80") {
        return term{pid{vec_node, 80, 0, vec_creation}};
    }
    if (v.name == "ref_dist") {
        return term{reference{vec_node, vec_creation, 3, {36218, 3471048706, 758042217}}};
    }
    if (v.name == "pid_ext_old_8bit_creation") {
        return term{pid{x_node, 42, 0, 1}};
    }
    if (v.name == "new_pid_ext_v4_32bit_fields") {
        return term{pid{x_node, 0x12345678, 0xbeef, 42}};
    }
    if (v.name == "new_reference_ext_old") {
        return term{reference{x_node, 1, 3, {1, 2, 3}}};
    }
    if (v.name == "newer_reference_ext_5_words") {
        return term{reference{x_node, 42, 5, {1, 2, 3, 4, 5}}};
    }
    if (v.name == "newer_reference_ext_1_word") {
        return term{reference{x_node, 42, 1, {7}}};
    }
    if (v.name == "new_port_ext" || v.name == "v4_port_ext") {
        return port_of(v.fields.at(0));
    }
    return std::nullopt;
}

std::optional<term> expected_term(const etf_vector& v, const std::string& text) {
    if (auto t = explicit_expectation(v)) {
        return t;
    }
    return test::parse_erlang(text);
}

TEST(EtfVectors, FileHoldsEverySectionOfTheOtpVectors) {
    EXPECT_EQ(section(1).size(), 65U);
    EXPECT_EQ(section(2).size(), 3U);
    EXPECT_EQ(section(3).size(), 20U);
    EXPECT_EQ(section(5).size(), 24U);
}

// ---- section 1: terms OTP encoded ----------------------------------------------------------

class EtfEncodeVector : public testing::TestWithParam<etf_vector> {};

TEST_P(EtfEncodeVector, DecodesToItsErlangTermAndEncodesAsOtpDoes) {
    const etf_vector& v = GetParam();
    const std::string& source = v.fields.at(0);
    const auto default_bytes = from_hex(v.fields.at(1));
    const auto v2_bytes = from_hex(v.fields.at(2));

    const term from_v2 = etf::decode(v2_bytes);
    const term from_default = etf::decode(default_bytes);

    if (v.name != "map_33_keys") {
        EXPECT_EQ(to_hex(etf::encode(from_v2)), v.fields.at(2)) << source;
    }
    if (v.name == "export_fun") {
        // Kept opaque: the bytes it came with, whichever atom forms they use.
        ASSERT_TRUE(from_v2.is_fun());
        EXPECT_EQ(to_hex(from_v2.opaque_bytes()), v.fields.at(2).substr(2));
        EXPECT_EQ(to_hex(from_default.opaque_bytes()), v.fields.at(1).substr(2));
        return;
    }
    const std::optional<term> expected = expected_term(v, source);
    ASSERT_TRUE(expected.has_value()) << "the test cannot read " << source;
    EXPECT_TRUE(exactly_equal(from_v2, *expected)) << to_string(from_v2, 300);
    EXPECT_TRUE(exactly_equal(from_default, *expected)) << to_string(from_default, 300);
    if (v.name == "map_33_keys") {
        EXPECT_TRUE(exactly_equal(etf::decode(etf::encode(*expected)), *expected));
    } else {
        EXPECT_EQ(to_hex(etf::encode(*expected)), v.fields.at(2));
    }
}

INSTANTIATE_TEST_SUITE_P(Section1, EtfEncodeVector, testing::ValuesIn(section(1)), test_name);

// ---- section 2: pids and references of a distributed node ----------------------------------

class EtfDistributedVector : public testing::TestWithParam<etf_vector> {};

TEST_P(EtfDistributedVector, DecodesToItsPidOrReferenceAndEncodesAsOtpDoes) {
    const etf_vector& v = GetParam();
    const std::optional<term> expected = explicit_expectation(v);
    ASSERT_TRUE(expected.has_value());

    const term from_v2 = etf::decode(from_hex(v.fields.at(2)));
    const term from_default = etf::decode(from_hex(v.fields.at(1)));

    EXPECT_TRUE(exactly_equal(from_v2, *expected)) << to_string(from_v2);
    EXPECT_TRUE(exactly_equal(from_default, *expected)) << to_string(from_default);
    EXPECT_EQ(to_hex(etf::encode(*expected)), v.fields.at(2));
}

INSTANTIATE_TEST_SUITE_P(Section2, EtfDistributedVector, testing::ValuesIn(section(2)), test_name);

// ---- section 3: what OTP decodes, and what it rejects --------------------------------------

const std::map<std::string, etf::decode_errc>& rejections() {
    static const std::map<std::string, etf::decode_errc> reasons{
        {"atom_cache_ref_outside_dist_header", etf::decode_errc::atom_cache_ref},
        {"truncated_binary", etf::decode_errc::length_exceeds_input},
        {"missing_version_byte", etf::decode_errc::missing_version},
    };
    return reasons;
}

class EtfDecodeVector : public testing::TestWithParam<etf_vector> {};

TEST_P(EtfDecodeVector, DecodesAsOtpDoesAndReencodesAsOtpWould) {
    const etf_vector& v = GetParam();
    const auto input = from_hex(v.fields.at(0));
    const std::string& result = v.fields.at(1);

    if (result.rfind("REJECTED", 0) == 0) {
        ASSERT_TRUE(rejections().count(v.name) == 1) << "no expected reason for " << v.name;
        EXPECT_EQ(test::decode_failure(input), rejections().at(v.name));
        return;
    }
    if (v.name == "trailing_garbage_after_term") {
        // OTP ignores the extra byte; `decode` reports it, `decode_at` allows it.
        EXPECT_EQ(test::decode_failure(input), etf::decode_errc::trailing_bytes);
        const etf::decoded_term prefix = etf::decode_at(input, 0);
        EXPECT_TRUE(exactly_equal(prefix.value, term{0}));
        EXPECT_EQ(prefix.size, input.size() - 1);
        EXPECT_EQ(to_hex(etf::encode(prefix.value)), v.fields.at(2));
        return;
    }
    const term decoded = etf::decode(input);
    const std::optional<term> expected = expected_term(v, result);
    ASSERT_TRUE(expected.has_value()) << "the test cannot read " << result;
    EXPECT_TRUE(exactly_equal(decoded, *expected)) << to_string(decoded, 300);
    EXPECT_EQ(to_hex(etf::encode(decoded)), v.fields.at(2));
}

INSTANTIATE_TEST_SUITE_P(Section3, EtfDecodeVector, testing::ValuesIn(section(3)), test_name);

// ---- section 5: distribution frames captured on the wire -----------------------------------

class EtfFrameVector : public testing::TestWithParam<etf_vector> {};

TEST_P(EtfFrameVector, HoldsAControlTermAndPayloadThatDecodeAndReencodeExactly) {
    const etf_vector& v = GetParam();
    const auto frame = from_hex(v.fields.at(2));
    const std::string& text = v.fields.at(1);
    ASSERT_EQ(std::to_integer<unsigned>(frame.at(0)), 112U); // pass-through frame
    const auto plus = text.find(" + ");
    const std::optional<term> expected_control = test::parse_erlang(text.substr(0, plus));
    ASSERT_TRUE(expected_control.has_value()) << text;

    const etf::decoded_term control = etf::decode_at(frame, 1);
    std::size_t end = 1 + control.size;
    std::vector<std::byte> reencoded{frame.at(0)};
    etf::append_encoded(reencoded, control.value);
    if (plus != std::string::npos) {
        const etf::decoded_term payload = etf::decode_at(frame, end);
        end += payload.size;
        etf::append_encoded(reencoded, payload.value);
        const std::optional<term> expected_payload = test::parse_erlang(text.substr(plus + 3));
        ASSERT_TRUE(expected_payload.has_value()) << text;
        EXPECT_TRUE(exactly_equal(payload.value, *expected_payload)) << to_string(payload.value);
    }

    EXPECT_EQ(end, frame.size());
    EXPECT_TRUE(exactly_equal(control.value, *expected_control)) << to_string(control.value);
    EXPECT_EQ(to_hex(reencoded), v.fields.at(2));
}

INSTANTIATE_TEST_SUITE_P(Section5, EtfFrameVector, testing::ValuesIn(section(5)), test_name);

// ---- extra vectors: tests/data/etf-extra-vectors.txt, made the same way --------------------

std::vector<etf_vector> extra_vectors() {
    std::vector<etf_vector> out;
    std::ifstream file(RILL_ETF_EXTRA_VECTORS_FILE);
    for (std::string line; std::getline(file, line);) {
        if (line.empty() || line[0] == '#') {
            continue;
        }
        auto fields = split(line, '\t');
        out.push_back({0, fields.front(), {fields.begin() + 1, fields.end()}});
    }
    return out;
}

TEST(EtfVectors, ExtraFileHoldsItsVectors) {
    EXPECT_EQ(extra_vectors().size(), 16U);
}

class EtfExtraVector : public testing::TestWithParam<etf_vector> {};

TEST_P(EtfExtraVector, EncodesAsOtpDoesWithTheSameOptionsAndDecodesBack) {
    const etf_vector& v = GetParam();
    const std::optional<term> expected = test::parse_erlang(v.fields.at(0));
    ASSERT_TRUE(expected.has_value()) << "the test cannot read " << v.fields.at(0);
    etf::encode_options options;
    if (v.fields.at(1) != "none") {
        options.compressed = true;
        options.compression_level = std::stoi(v.fields.at(1));
    }

    const auto encoded = etf::encode(*expected, options);
    const term decoded = etf::decode(from_hex(v.fields.at(2)));

    EXPECT_EQ(to_hex(encoded), v.fields.at(2));
    EXPECT_TRUE(exactly_equal(decoded, *expected)) << to_string(decoded, 300);
}

INSTANTIATE_TEST_SUITE_P(Extra, EtfExtraVector, testing::ValuesIn(extra_vectors()), test_name);

} // namespace
} // namespace rill
