// Malformed and hostile input: each class is refused with its own reason,
// at the right offset, without reading outside the input, without
// allocating more than the input describes, and without deep recursion.

#include <rill/dist/etf.hpp>

#include "unit/etf/etf_test_support.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace rill {
namespace {

using etf::decode_errc;
using test::bytes_of;
using test::decode_failure;
using test::from_hex;

// ---- truncation -----------------------------------------------------------------------------

bool is_truncation(decode_errc reason) {
    return reason == decode_errc::truncated || reason == decode_errc::length_exceeds_input ||
           reason == decode_errc::invalid_compressed_data;
}

TEST(EtfDecodeErrors, RefusesEveryProperPrefixOfATerm) {
    const std::vector<std::string> vectors = {
        // composite_reply, gen_call_like (reference included), a map, a
        // float, a bitstring, a compressed list, a NEW_FUN_EXT, and below a
        // large big.
        "83680577026f6b6c0000000261016802770374776f6d00000001336a740000000177016b77017662fffffff9"
        "464004000000000000",
        "83680377092467656e5f63616c6c680258770d6e6f6e6f6465406e6f686f7374000000500000000000000000"
        "6c000000017705616c6961735a0003770d6e6f6e6f6465406e6f686f73740000000000000003000000020000"
        "00016802770769735f61757468770d6e6f6e6f6465406e6f686f7374",
        "837400000003610177036f6e65680177017474000000006d000000016b6c000000017701786a",
        "8363312e3530303030303030303030303030303030303030652b30300000000000",
        "834d000000020401f0",
        "835000000067789ccb664861a003000052e800d0",
        "8370000000ba01065361aa461590d1bdf1eb62d1a6eb080000002a00000001770865726c5f6576616c61"
        "2a6200329b0d58770d6e6f6e6f6465406e6f686f7374000000090000000000000000680661016c000000"
        "01680277015961056a77046e6f6e6577046e6f6e6574000000006c0000000168057706636c617573656101"
        "6c000000016803770376617261017701586a6a6c00000001680577026f70610177012b680377037661726101"
        "7701586803770376617261017701596a6a",
    };
    std::vector<std::uint8_t> magnitude(257, 0);
    magnitude.back() = 1;
    std::vector<std::string> all = vectors;
    all.push_back(test::to_hex(etf::encode(term::big_integer(true, magnitude))));
    for (const std::string& hex : all) {
        const auto whole = from_hex(hex);
        ASSERT_FALSE(decode_failure(whole).has_value()) << hex;
        for (std::size_t size = 0; size < whole.size(); ++size) {
            const std::span<const std::byte> prefix(whole.data(), size);

            const auto reason = decode_failure(prefix);

            ASSERT_TRUE(reason.has_value()) << hex << " cut to " << size;
            EXPECT_TRUE(size == 0 ? *reason == decode_errc::truncated : is_truncation(*reason))
                << hex << " cut to " << size << ": " << etf::to_string(*reason);
        }
    }
}

TEST(EtfDecodeErrors, ReportsWhereTheInputEnded) {
    try {
        (void)etf::decode(from_hex("8368026101"));
        FAIL() << "decoded";
    } catch (const etf::decode_error& e) {
        EXPECT_EQ(e.reason(), decode_errc::truncated);
        EXPECT_EQ(e.offset(), 5U);
    }
}

TEST(EtfDecodeErrors, RefusesBytesAfterTheTerm) {
    EXPECT_EQ(decode_failure(from_hex("836a6a")), decode_errc::trailing_bytes);
}

TEST(EtfDecodeErrors, RefusesATermWithoutTheVersionByte) {
    EXPECT_EQ(decode_failure(from_hex("6100")), decode_errc::missing_version);
    EXPECT_EQ(decode_failure({}), decode_errc::truncated);
}

TEST(EtfDecodeErrors, RefusesAnOffsetPastTheEnd) {
    const auto input = from_hex("836a");

    EXPECT_THROW((void)etf::decode_at(input, 3), etf::decode_error);
}

// ---- lengths --------------------------------------------------------------------------------

TEST(EtfDecodeErrors, RefusesEveryCountLargerThanTheInputCouldHold) {
    for (const char* hex : {
             "8369ffffffff6a",   // LARGE_TUPLE
             "836cffffffff6a6a", // LIST
             "8374ffffffff6a6a", // MAP
             "836dffffffff00",   // BINARY
             "834dffffffff0300", // BIT_BINARY
             "836bffff00",       // STRING
             "836fffffffff0001", // LARGE_BIG
             "836eff0001",       // SMALL_BIG
             "8376ffff61",       // ATOM_UTF8
             "8364ffff61",       // ATOM (Latin-1)
             "8370ffffffff00",   // NEW_FUN
             "8368ff6a",         // SMALL_TUPLE
         }) {
        EXPECT_EQ(decode_failure(from_hex(hex)), decode_errc::length_exceeds_input) << hex;
    }
}

TEST(EtfDecodeErrors, RefusesNestedHugeCountsBeforeReservingForThem) {
    // Each level claims about as many elements as there are bytes left; a
    // decoder reserving for each would ask for the square of the input size.
    std::vector<std::byte> input = bytes_of({131});
    constexpr std::size_t levels = 100'000;
    for (std::size_t i = 0; i < levels; ++i) {
        const auto left = static_cast<std::uint32_t>((levels - i) * 5);
        const auto header =
            bytes_of({105, left >> 24U, (left >> 16U) & 0xFFU, (left >> 8U) & 0xFFU, left & 0xFFU});
        input.insert(input.end(), header.begin(), header.end());
    }

    EXPECT_EQ(decode_failure(input), decode_errc::length_exceeds_input);
}

// ---- tags -----------------------------------------------------------------------------------

TEST(EtfDecodeErrors, RefusesTagsTheFormatDoesNotDefine) {
    for (const char* hex : {"8300", "83ff", "8345", "836801ff"}) {
        EXPECT_EQ(decode_failure(from_hex(hex)), decode_errc::unknown_tag) << hex;
    }
}

TEST(EtfDecodeErrors, RefusesACompressedTermAnywhereButTheTop) {
    EXPECT_EQ(decode_failure(from_hex("836801500000000178"
                                      "9c4b0400006200"
                                      "62")),
              decode_errc::unknown_tag);
}

TEST(EtfDecodeErrors, RefusesAtomCacheRefsAndLocalExt) {
    EXPECT_EQ(decode_failure(from_hex("835200")), decode_errc::atom_cache_ref);
    EXPECT_EQ(decode_failure(from_hex("8358520000000100000000000000"
                                      "00")),
              decode_errc::atom_cache_ref);
    EXPECT_EQ(decode_failure(from_hex("837900000000")), decode_errc::local_ext);
}

TEST(EtfDecodeErrors, ReportsTheOffsetOfABadTag) {
    try {
        (void)etf::decode(from_hex("836802610100"));
        FAIL() << "decoded";
    } catch (const etf::decode_error& e) {
        EXPECT_EQ(e.reason(), decode_errc::unknown_tag);
        EXPECT_EQ(e.offset(), 5U);
    }
}

// ---- depth ----------------------------------------------------------------------------------

std::vector<std::byte> nested_tuples(std::size_t depth) {
    std::vector<std::byte> input = bytes_of({131});
    for (std::size_t i = 0; i < depth; ++i) {
        input.push_back(std::byte{104});
        input.push_back(std::byte{1});
    }
    input.push_back(std::byte{106});
    return input;
}

TEST(EtfDecodeErrors, RefusesNestingDeeperThanTheLimit) {
    const auto input = nested_tuples(etf::default_max_depth + 1);

    EXPECT_EQ(decode_failure(input), decode_errc::depth_limit);
}

TEST(EtfDecode, DecodesNestingUpToTheLimitWithoutRecursing) {
    const auto input = nested_tuples(etf::default_max_depth);

    const term t = etf::decode(input);

    EXPECT_EQ(etf::encode(t), input);
}

TEST(EtfDecode, TakesAHigherDepthLimitPerCall) {
    const auto input = nested_tuples(300'000);

    EXPECT_EQ(decode_failure(input, {.max_depth = 300'000}), std::nullopt);
    EXPECT_EQ(decode_failure(input, {.max_depth = 10}), decode_errc::depth_limit);
}

TEST(EtfDecodeErrors, CountsListsAndMapsTowardTheDepth) {
    term t{atom("bottom")};
    for (int i = 0; i < 20; ++i) {
        t = i % 2 == 0 ? term::list_of(t) : term::map({{term{}, t}});
    }
    const auto input = etf::encode(t);

    EXPECT_EQ(decode_failure(input, {.max_depth = 19}), decode_errc::depth_limit);
    EXPECT_EQ(decode_failure(input, {.max_depth = 20}), std::nullopt);
}

// ---- compression ----------------------------------------------------------------------------

TEST(EtfDecodeErrors, RefusesACompressedSizeOverTheLimit) {
    const auto ten_mib_of_zeros = etf::encode(
        term::binary(std::vector<std::byte>(std::size_t{10} << 20U)), {.compressed = true});
    ASSERT_LT(ten_mib_of_zeros.size(), std::size_t{20} << 10U); // a zlib bomb

    EXPECT_EQ(decode_failure(ten_mib_of_zeros, {.max_uncompressed_size = 1 << 20}),
              decode_errc::compressed_too_large);
    EXPECT_EQ(decode_failure(ten_mib_of_zeros), std::nullopt);
}

TEST(EtfDecodeErrors, RefusesACompressedSizeNoZlibDataCouldInflateTo) {
    // 4 GiB stated, 9 bytes of zlib data: refused before allocating.
    EXPECT_EQ(decode_failure(from_hex("8350ffffffff789c4b0400006200"
                                      "62"),
                             {.max_uncompressed_size = std::size_t{8} << 30U}),
              decode_errc::compressed_too_large);
}

TEST(EtfDecodeErrors, RefusesCompressedDataThatInflatesToAnotherSize) {
    // compressed_list of the OTP vectors: 103 bytes.
    EXPECT_EQ(decode_failure(from_hex("835000000066789ccb664861a003000052e800d0")),
              decode_errc::invalid_compressed_data); // stated 102
    EXPECT_EQ(decode_failure(from_hex("835000000068789ccb664861a003000052e800d0")),
              decode_errc::invalid_compressed_data); // stated 104
    EXPECT_EQ(decode_failure(from_hex("835000000067789ccb664861a003000052e800d0")), std::nullopt);
}

TEST(EtfDecodeErrors, RefusesCorruptZlibData) {
    EXPECT_EQ(decode_failure(from_hex("835000000067789ccb664861a003000052e800d1")),
              decode_errc::invalid_compressed_data); // bad checksum
    EXPECT_EQ(decode_failure(from_hex("835000000067"
                                      "0000"
                                      "cb664861a003000052e800d0")),
              decode_errc::invalid_compressed_data); // bad header
}

TEST(EtfDecodeErrors, ReportsAnErrorInsideACompressedTermAtItsTag) {
    // The inflated bytes 68 01 00: a tuple whose element has tag 0.
    const auto input = from_hex("835000000003"
                                "789ccb60640000013d006a");

    try {
        (void)etf::decode(input);
        FAIL() << "decoded";
    } catch (const etf::decode_error& e) {
        EXPECT_EQ(e.reason(), decode_errc::unknown_tag);
        EXPECT_EQ(e.offset(), 1U);
        EXPECT_NE(std::string(e.what()).find("inflated byte 2"), std::string::npos) << e.what();
    }
}

// ---- atoms ----------------------------------------------------------------------------------

TEST(EtfDecodeErrors, RefusesAtomsThatAreNotWellFormedUtf8) {
    for (const char* hex : {
             "837701ff",         // a byte UTF-8 never uses
             "837702c0af",       // an overlong '/'
             "837703eda080",     // a surrogate
             "837702c3",         // cut in the middle (length says 2, one byte of it)
             "837701c3",         // a lone lead byte
             "83760004f4908080", // past U+10FFFF
         }) {
        const auto reason = decode_failure(from_hex(hex));

        EXPECT_TRUE(reason == decode_errc::invalid_atom_utf8 ||
                    reason == decode_errc::length_exceeds_input)
            << hex;
    }
    EXPECT_EQ(decode_failure(from_hex("837701ff")), decode_errc::invalid_atom_utf8);
}

std::vector<std::byte> atom_of(unsigned tag, std::size_t characters, const std::string& unit) {
    std::string name;
    for (std::size_t i = 0; i < characters; ++i) {
        name += unit;
    }
    std::vector<std::byte> input = bytes_of({131, tag});
    if (tag == 118 || tag == 100) {
        input.push_back(static_cast<std::byte>(name.size() >> 8U));
    }
    input.push_back(static_cast<std::byte>(name.size() & 0xFFU));
    for (const char c : name) {
        input.push_back(static_cast<std::byte>(c));
    }
    return input;
}

TEST(EtfDecodeErrors, RefusesAtomsOfMoreThan255Characters) {
    EXPECT_EQ(decode_failure(atom_of(118, 256, "a")), decode_errc::atom_too_long);
    EXPECT_EQ(decode_failure(atom_of(100, 256, "a")), decode_errc::atom_too_long);
    EXPECT_EQ(decode_failure(atom_of(118, 256, "\xc3\xa9")), decode_errc::atom_too_long);
}

TEST(EtfDecode, TakesAtomsOf255CharactersOfAnyWidth) {
    EXPECT_EQ(decode_failure(atom_of(118, 255, "\xf0\x9f\x98\x80")), std::nullopt);
    EXPECT_EQ(decode_failure(atom_of(100, 255, "\xe9")), std::nullopt);
}

TEST(EtfDecodeErrors, RefusesANonAtomWhereAnAtomMustBe) {
    EXPECT_EQ(decode_failure(from_hex("8358610100000000000000000000000000")),
              decode_errc::not_an_atom);
}

TEST(EtfDecodeErrors, TurnsAFullAtomTableIntoADecodeError) {
    // Filling the process-wide table would spoil every later test, so a child
    // process fills it.
    EXPECT_EXIT(
        {
            try {
                for (std::size_t i = 0;; ++i) {
                    (void)atom("etf_fill_" + std::to_string(i));
                }
            } catch (const atom_table_full&) {
            }
            const auto reason = decode_failure(from_hex("8377076e6f745f796574"));
            std::exit(reason == decode_errc::atom_table_full ? 0 : 1);
        },
        testing::ExitedWithCode(0),
        "");
}

// ---- values ---------------------------------------------------------------------------------

TEST(EtfDecodeErrors, RefusesFloatsErlangCannotHold) {
    EXPECT_EQ(decode_failure(from_hex("83467ff8000000000000")), decode_errc::invalid_float);
    EXPECT_EQ(decode_failure(from_hex("83467ff0000000000000")), decode_errc::invalid_float);
    EXPECT_EQ(decode_failure(from_hex("8363"
                                      "312e3578797a"
                                      "0000000000000000000000000000000000000000"
                                      "0000000000")),
              decode_errc::invalid_float);
}

TEST(EtfDecodeErrors, RefusesBitCountsThatDoNotFitTheLength) {
    EXPECT_EQ(decode_failure(from_hex("834d0000000100ff")), decode_errc::invalid_bitstring);
    EXPECT_EQ(decode_failure(from_hex("834d0000000109ff")), decode_errc::invalid_bitstring);
    EXPECT_EQ(decode_failure(from_hex("834d0000000008")), decode_errc::invalid_bitstring);
    EXPECT_EQ(decode_failure(from_hex("834d0000000000")), std::nullopt);
}

TEST(EtfDecodeErrors, RefusesReferencesOfMoreThanFiveWords) {
    EXPECT_EQ(decode_failure(from_hex("835a0006770161000000000000000000000000000000000000000000000"
                                      "000000000")),
              decode_errc::invalid_reference);
}

TEST(EtfDecodeErrors, RefusesFunsWithImpossibleShapes) {
    EXPECT_EQ(decode_failure(from_hex("8371770161770162770163")), decode_errc::invalid_fun);
    EXPECT_EQ(decode_failure(from_hex("8371770161770162620000ffff")), decode_errc::invalid_fun);
    EXPECT_EQ(decode_failure(from_hex("837000000004")), decode_errc::invalid_fun);
}

TEST(EtfDecodeErrors, RefusesAMapWithTwoExactlyEqualKeys) {
    EXPECT_EQ(decode_failure(from_hex("8374000000026101610261016103")),
              decode_errc::duplicate_map_key);
    EXPECT_EQ(decode_failure(from_hex("837400000002610161024"
                                      "63ff0000000000000"
                                      "6103")),
              std::nullopt); // 1 and 1.0 are different keys
}

} // namespace
} // namespace rill
