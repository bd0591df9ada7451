// Each tag both ways, beyond what the OTP vectors pin: the forms OTP only
// reads (Latin-1 atoms, PID_EXT, REFERENCE_EXT, PORT_EXT, nested list
// tails), the encoder's boundaries, opaque funs and ports, the low-level
// calls the distribution layer uses, and terms that cannot be encoded.

#include <rill/dist/etf.hpp>

#include "unit/etf/etf_test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace rill {
namespace {

using test::bytes_of;
using test::from_hex;
using test::to_hex;

std::string encoded_hex(const term& t) {
    return to_hex(etf::encode(t));
}

// ---- integers and floats ---------------------------------------------------------------------

TEST(EtfEncode, WritesIntegersInTheSmallestFormOtpUses) {
    EXPECT_EQ(encoded_hex(term{0}), "836100");
    EXPECT_EQ(encoded_hex(term{255}), "8361ff");
    EXPECT_EQ(encoded_hex(term{256}), "836200000100");
    EXPECT_EQ(encoded_hex(term{-1}), "8362ffffffff");
    EXPECT_EQ(encoded_hex(term{std::int64_t{2147483647}}), "83627fffffff");
    EXPECT_EQ(encoded_hex(term{std::int64_t{2147483648}}), "836e040000000080");
    EXPECT_EQ(encoded_hex(term{std::numeric_limits<std::int64_t>::min()}),
              "836e08010000000000000080");
}

TEST(EtfDecode, ReadsLargeBigOfSmallValueAsAPlainInteger) {
    const term t = etf::decode(from_hex("836f00000001000a"));

    EXPECT_EQ(t.to_int64(), 10);
    EXPECT_FALSE(t.is_big_integer());
}

TEST(EtfDecode, ReadsAnyNonZeroBigSignByteAsNegativeAsOtpDoes) {
    EXPECT_TRUE(exactly_equal(etf::decode(from_hex("836e010205")), term{-5}));
}

TEST(EtfDecode, ReadsBigsOfUpToEightBytesThatFitInt64AsPlainIntegers) {
    const term min = etf::decode(from_hex("836e08010000000000000080"));
    const term max = etf::decode(from_hex("836e0800ffffffffffffff7f"));
    const term past_max = etf::decode(from_hex("836e08000000000000000080"));
    const term below_min = etf::decode(from_hex("836e08010100000000000080"));

    EXPECT_EQ(min.to_int64(), std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(max.to_int64(), std::numeric_limits<std::int64_t>::max());
    EXPECT_TRUE(past_max.is_big_integer());
    EXPECT_EQ(past_max.to_uint64(), std::uint64_t{1} << 63U);
    EXPECT_TRUE(below_min.is_big_integer());
    EXPECT_EQ(encoded_hex(below_min), "836e08010100000000000080");
    EXPECT_EQ(etf::decode(from_hex("836e0000")).to_int64(), 0);
    EXPECT_EQ(etf::decode(from_hex("836e0001")).to_int64(), 0);
}

TEST(EtfCodec, KeepsTheSignOfNegativeZero) {
    const term t = etf::decode(etf::encode(term{-0.0}));

    EXPECT_TRUE(std::signbit(t.as_double()));
    EXPECT_EQ(encoded_hex(term{-0.0}), "83468000000000000000");
}

// ---- atoms --------------------------------------------------------------------------------

TEST(EtfDecode, ConvertsLatin1AtomsToUtf8) {
    const term from_atom_ext = etf::decode(from_hex("8364000568e96c6c6f"));
    const term from_small_atom_ext = etf::decode(from_hex("837305ff61626364"));

    EXPECT_EQ(from_atom_ext.as_atom().name(), "h\xc3\xa9llo");
    EXPECT_EQ(from_small_atom_ext.as_atom().name(),
              "\xc3\xbf"
              "abcd");
}

// Both directions keep a per-thread cache of atoms; these read and write
// many atoms, and names that share their first and last eight bytes.
TEST(EtfCodec, KeepsAtomsApartThatShareTheirFirstAndLastBytes) {
    std::vector<term> atoms;
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < 600; ++i) {
            atoms.emplace_back(atom("etf_cache_" + std::to_string(i)));
            atoms.emplace_back(atom("head_of_" + std::to_string(i) + "_name_tail"));
            atoms.emplace_back(
                atom("a_long_name_" + std::string(static_cast<std::size_t>(i % 60), 'x') + "_end"));
        }
    }
    atoms.emplace_back(atom("12345678_middle_one_87654321"));
    atoms.emplace_back(atom("12345678_middle_two_87654321"));
    const term t = term::list(atoms);

    for (int pass = 0; pass < 2; ++pass) {
        const term back = etf::decode(etf::encode(t));

        ASSERT_TRUE(exactly_equal(back, t));
    }
}

TEST(EtfDecode, TellsLatin1AndUtf8AtomsOfTheSameBytesApart) {
    const term latin1 = etf::decode(from_hex("83730be96c6c6f5f636163686564"));
    const auto utf8 = test::decode_failure(from_hex("83770be96c6c6f5f636163686564"));
    const term latin1_again = etf::decode(from_hex("83730be96c6c6f5f636163686564"));

    EXPECT_EQ(latin1.as_atom().name(), "\xc3\xa9llo_cached");
    EXPECT_EQ(utf8, etf::decode_errc::invalid_atom_utf8);
    EXPECT_TRUE(exactly_equal(latin1_again, latin1));
}

TEST(EtfEncode, WritesAtomsOfMoreThan255BytesAsAtomUtf8Ext) {
    std::string name;
    for (int i = 0; i < 100; ++i) {
        name += "\xc3\xa9"; // 100 characters, 200 bytes
    }
    std::string long_name;
    for (int i = 0; i < 86; ++i) {
        long_name += "\xe6\x97\xa5"; // 86 characters, 258 bytes
    }

    EXPECT_EQ(encoded_hex(term{atom(name)}).substr(0, 6), "8377c8");
    EXPECT_EQ(encoded_hex(term{atom(long_name)}).substr(0, 8), "83760102");
    EXPECT_EQ(etf::decode(etf::encode(term{atom(long_name)})).as_atom(), atom(long_name));
}

// ---- lists and strings --------------------------------------------------------------------

TEST(EtfEncode, WritesByteListsUpTo65535ElementsAsStringExt) {
    const term longest_string = term::list(std::vector<term>(65535, term{7}));
    const term too_long = term::list(std::vector<term>(65536, term{7}));

    const auto string_bytes = etf::encode(longest_string);
    const auto list_bytes = etf::encode(too_long);

    EXPECT_EQ(to_hex(std::span(string_bytes).first(4)), "836bffff");
    EXPECT_EQ(string_bytes.size(), 65539U); // as OTP 25 writes it
    EXPECT_EQ(to_hex(std::span(list_bytes).first(6)), "836c00010000");
    EXPECT_EQ(list_bytes.size(), 131079U);
}

TEST(EtfDecode, ReadsStringExtAsAListOfSmallIntegers) {
    const term t = etf::decode(from_hex("836b0003616263"));

    EXPECT_TRUE(exactly_equal(t, term::list_of(97, 98, 99)));
}

TEST(EtfDecode, ReadsAnEmptyListExtAsItsTail) {
    EXPECT_TRUE(exactly_equal(etf::decode(from_hex("836c000000006105")), term{5}));
}

TEST(EtfDecode, JoinsListsWrittenAsNestedTailsIntoOneList) {
    // [1 | [2 | [3 | 4]]], each tail its own LIST_EXT.
    const term t = etf::decode(from_hex("836c000000016101"
                                        "6c000000016102"
                                        "6c0000000161036104"));

    EXPECT_TRUE(exactly_equal(t, term::list({term{1}, term{2}, term{3}}, term{4})));
}

TEST(EtfDecode, ReadsAStringExtTailAsMoreElements) {
    const term t = etf::decode(from_hex("836c000000016101" // [1 | "\x01\x02"]
                                        "6b00020102"));

    EXPECT_TRUE(exactly_equal(t, term::list_of(1, 1, 2)));
}

TEST(EtfDecode, FollowsAMillionNestedListTailsWithoutNesting) {
    constexpr std::size_t length = 1'000'000;
    std::vector<std::byte> input = bytes_of({131});
    for (std::size_t i = 0; i < length; ++i) {
        const auto more = bytes_of({108, 0, 0, 0, 1, 97, 1});
        input.insert(input.end(), more.begin(), more.end());
    }
    input.push_back(std::byte{106});

    const term t = etf::decode(input);

    EXPECT_EQ(t.list_elements().size(), length);
    EXPECT_TRUE(t.is_proper_list());
}

// ---- bitstrings -----------------------------------------------------------------------------

TEST(EtfDecode, ReadsABitBinaryWithEightBitsUsedAsABinary) {
    const term t = etf::decode(from_hex("834d0000000108ff"));

    EXPECT_TRUE(t.is_binary());
    EXPECT_EQ(encoded_hex(t), "836d00000001ff");
}

TEST(EtfDecode, ClearsTheUnusedBitsOfABitstring) {
    const term t = etf::decode(from_hex("834d0000000103ff"));

    EXPECT_EQ(t.bit_size(), 3U);
    EXPECT_EQ(encoded_hex(t), "834d0000000103e0");
}

// ---- pids, references, ports, funs ----------------------------------------------------------

TEST(EtfDecode, ReadsOldReferenceExtAsAOneWordReference) {
    const term t = etf::decode(from_hex("8365770b78406c6f63616c686f73740000002a02"));

    const reference r = t.as_reference();
    EXPECT_EQ(r.node, atom("x@localhost"));
    EXPECT_EQ(r.size, 1U);
    EXPECT_EQ(r.id[0], 42U);
    EXPECT_EQ(r.creation, 2U);
    EXPECT_EQ(encoded_hex(t), "835a0001770b78406c6f63616c686f7374000000020000002a");
}

TEST(EtfCodec, WritesReferencesOfNoneToFiveWords) {
    for (std::uint32_t words = 0; words <= 5; ++words) {
        reference r{atom("x@localhost"), 7, words, {}};
        for (std::uint32_t i = 0; i < words; ++i) {
            r.id.at(i) = i + 1;
        }
        const term t{r};

        const term back = etf::decode(etf::encode(t));

        EXPECT_TRUE(exactly_equal(back, t)) << words;
    }
}

TEST(EtfCodec, KeepsPortsOfEveryFormAsTheirBytes) {
    for (const char* hex : {"8366770b78406c6f63616c686f73740000000502",           // PORT_EXT
                            "8359770d6e6f6e6f6465406e6f686f73740000000000000000", // NEW_PORT_EXT
                            "8378640001780000000100000005000000"                  // V4_PORT_EXT
                            "2a"}) {
        const term t = etf::decode(from_hex(hex));

        EXPECT_TRUE(t.is_port()) << hex;
        EXPECT_EQ(encoded_hex(t), hex);
    }
}

TEST(EtfCodec, KeepsANewFunExtAsItsBytes) {
    // fun(X) -> X + Y end with Y = 5, made in an OTP 25 shell.
    const std::string hex =
        "8370000000ba01065361aa461590d1bdf1eb62d1a6eb080000002a00000001770865726c5f6576616c61"
        "2a6200329b0d58770d6e6f6e6f6465406e6f686f7374000000090000000000000000680661016c000000"
        "01680277015961056a77046e6f6e6577046e6f6e6574000000006c0000000168057706636c617573656101"
        "6c000000016803770376617261017701586a6a6c00000001680577026f70610177012b680377037661726101"
        "7701586803770376617261017701596a6a";

    const term t = etf::decode(from_hex(hex));

    EXPECT_TRUE(t.is_fun());
    EXPECT_EQ(encoded_hex(t), hex);
}

TEST(EtfCodec, WritesPidsAsNewPidExt) {
    const term t{pid{atom("a@b"), 1, 2, 3}};

    EXPECT_EQ(encoded_hex(t),
              "835877036140620000000100000002"
              "00000003");
    EXPECT_TRUE(exactly_equal(etf::decode(etf::encode(t)), t));
}

TEST(EtfDecode, ReadsEqualAndDifferentPidsOfOneTerm) {
    const pid a{atom("a@b"), 1, 2, 3};
    const pid b{atom("a@b"), 1, 2, 4};
    const term t = term::list_of(a, a, b, a, term::tuple_of(b, b));

    const term back = etf::decode(etf::encode(t));

    EXPECT_TRUE(exactly_equal(back, t));
    EXPECT_EQ(back.list_elements()[2].as_pid(), b);
    EXPECT_EQ(back.list_elements()[3].as_pid(), a);
}

// ---- maps -----------------------------------------------------------------------------------

TEST(EtfEncode, WritesMapKeysInTermOrderWithIntegersBeforeEqualFloats) {
    const term t = term::map({{term{1.0}, term{atom("b")}}, {term{1}, term{atom("a")}}});

    EXPECT_EQ(encoded_hex(t),
              "8374000000026101770161"
              "463ff0000000000000"
              "770162");
}

// ---- the low-level calls --------------------------------------------------------------------

TEST(EtfDecodeAt, DecodesTermsOneAfterAnotherAndSaysHowManyBytesEachTook) {
    std::vector<std::byte> frame = bytes_of({112});
    etf::append_encoded(frame, term::tuple_of(2, atom("")));
    etf::append_encoded(frame, term{atom("hi")});

    const etf::decoded_term control = etf::decode_at(frame, 1);
    const etf::decoded_term payload = etf::decode_at(frame, 1 + control.size);

    EXPECT_TRUE(exactly_equal(control.value, term::tuple_of(2, atom(""))));
    EXPECT_EQ(control.size, 7U);
    EXPECT_TRUE(exactly_equal(payload.value, term{atom("hi")}));
    EXPECT_EQ(1 + control.size + payload.size, frame.size());
}

TEST(EtfAppendEncoded, AppendsAfterWhatTheBufferHolds) {
    std::vector<std::byte> out = bytes_of({1, 2});

    etf::append_encoded(out, term{atom("ok")});

    EXPECT_EQ(to_hex(out), "01028377026f6b");
}

// ---- terms that cannot be encoded -----------------------------------------------------------

struct gadget {
    int value = 0;
};

etf::encode_errc encode_failure(const term& t) {
    try {
        (void)etf::encode(t);
    } catch (const etf::encode_error& e) {
        return e.reason();
    }
    ADD_FAILURE() << "encoded " << to_string(t);
    return etf::encode_errc::invalid_term;
}

TEST(EtfEncode, RefusesALocalCppObjectWithAnEncodeError) {
    const term t = term::tuple_of(atom("ok"), term::local(gadget{1}));

    EXPECT_EQ(encode_failure(t), etf::encode_errc::local_term);
    EXPECT_THROW((void)etf::encode(t), badarg); // what a process ends with, uncaught
}

TEST(EtfEncode, RefusesAForgedAtom) {
    EXPECT_EQ(encode_failure(term{atom::from_index(0xFFFF'FFF0)}), etf::encode_errc::forged_atom);
}

TEST(EtfEncode, RefusesAReferenceOfMoreThanFiveWords) {
    EXPECT_EQ(encode_failure(term{reference{atoms::nonode_at_nohost, 0, 6, {}}}),
              etf::encode_errc::invalid_term);
}

TEST(EtfAppendEncoded, LeavesTheBufferAsItWasWhenEncodingFails) {
    std::vector<std::byte> out = bytes_of({1, 2});

    EXPECT_THROW(etf::append_encoded(out, term::list_of(1, 2, term::local(gadget{}))),
                 etf::encode_error);

    EXPECT_EQ(to_hex(out), "0102");
}

} // namespace
} // namespace rill
