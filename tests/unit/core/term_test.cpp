#include <rill/core/term.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

using rill::atom;
using rill::term;

static_assert(sizeof(term) == 16);
static_assert(std::is_nothrow_copy_constructible_v<term>);
static_assert(std::is_nothrow_move_constructible_v<term>);
static_assert(std::is_nothrow_move_assignable_v<term>);
static_assert(rill::term_convertible<int>);
static_assert(!rill::term_convertible<std::thread>, "a type without conversion is not convertible");
static_assert(!std::is_constructible_v<term, std::thread>, "term{v} needs a conversion");
static_assert(!std::is_constructible_v<term, std::vector<std::thread>>);

namespace {

struct widget {
    int size;
    std::string label;
};

std::vector<std::byte> bytes_of(std::initializer_list<int> values) {
    std::vector<std::byte> bytes;
    for (int v : values) {
        bytes.push_back(static_cast<std::byte>(v));
    }
    return bytes;
}

} // namespace

TEST(Term, DefaultTermIsTheEmptyList) {
    const term t;

    EXPECT_TRUE(t.is_nil());
    EXPECT_TRUE(t.is_list());
    EXPECT_TRUE(t.is_proper_list());
    EXPECT_EQ(t.type(), term::kind::nil);
    EXPECT_TRUE(t.list_elements().empty());
}

TEST(Term, ReportsTheKindOfEachValue) {
    EXPECT_EQ(term{42}.type(), term::kind::integer);
    EXPECT_EQ(term{4.2}.type(), term::kind::float_);
    EXPECT_EQ(term{atom("ok")}.type(), term::kind::atom);
    EXPECT_EQ(term{rill::reference{}}.type(), term::kind::reference);
    EXPECT_EQ(term{rill::pid{}}.type(), term::kind::pid);
    EXPECT_EQ(term::tuple({}).type(), term::kind::tuple);
    EXPECT_EQ(term::map({}).type(), term::kind::map);
    EXPECT_EQ(term::list_of(1).type(), term::kind::list);
    EXPECT_EQ(term{"bin"}.type(), term::kind::binary);
    EXPECT_EQ(term::local(widget{1, "w"}).type(), term::kind::local);
}

TEST(Term, StringLiteralAndStdStringMakeEqualBinaries) {
    const term literal{"ping"};
    const term string{std::string("ping")};

    EXPECT_TRUE(literal.is_binary());
    EXPECT_EQ(literal, string);
    EXPECT_TRUE(exactly_equal(literal, string));
    EXPECT_EQ(literal.bytes().size(), 4U);
}

TEST(Term, NullCStringThrowsBadargNamingTheNullPointer) {
    const char* missing = nullptr;

    EXPECT_THROW(term{missing}, rill::badarg);
    EXPECT_THROW((void)rill::term_conversion<const char*>::to_term(missing), rill::badarg);
    try {
        const term t{missing};
        FAIL() << "a null C string made a term";
    } catch (const rill::badarg& e) {
        EXPECT_NE(std::string(e.what()).find("null"), std::string::npos) << e.what();
    }
}

TEST(Term, CopiesShareAndOutliveTheOriginal) {
    auto original = std::make_unique<term>(term::tuple_of(atom("oops"), 1));
    const term copy = *original;

    original.reset();

    EXPECT_EQ(rill::to_string(copy), "{oops,1}");
}

TEST(Term, MovedFromTermIsTheEmptyList) {
    term source = term::tuple_of(1, 2);

    const term target = std::move(source);

    EXPECT_TRUE(source.is_nil()); // NOLINT(bugprone-use-after-move): specified state
    EXPECT_EQ(target.elements().size(), 2U);
}

TEST(Term, AssignmentReplacesTheValue) {
    term t{1};
    const term other = term::list_of(1, 2);

    t = other;
    EXPECT_EQ(t, other);
    t = term{"x"};
    EXPECT_EQ(t, term{"x"});
    t = t; // self-assignment keeps the value
    EXPECT_EQ(t, term{"x"});
}

TEST(Term, TupleExposesItsElements) {
    const term t = term::tuple_of(atom("ok"), 7, "seven");

    ASSERT_TRUE(t.is_tuple());
    ASSERT_EQ(t.elements().size(), 3U);
    EXPECT_EQ(t.elements()[0].as_atom(), rill::atoms::ok);
    EXPECT_EQ(t.elements()[1].to_int64(), 7);
    EXPECT_EQ(t.elements()[2], term{"seven"});
}

TEST(Term, ImproperListKeepsItsTail) {
    const term t = term::list({term{1}, term{2}}, term{3});

    EXPECT_TRUE(t.is_list());
    EXPECT_FALSE(t.is_proper_list());
    EXPECT_EQ(t.list_elements().size(), 2U);
    EXPECT_EQ(t.list_tail(), term{3});
}

TEST(Term, ListTailThatIsAListIsSplicedIn) {
    const term spliced = term::list({term{1}}, term::list_of(2, 3));

    EXPECT_TRUE(spliced.is_proper_list());
    EXPECT_TRUE(exactly_equal(spliced, term::list_of(1, 2, 3)));
    EXPECT_EQ(spliced.list_elements().size(), 3U);
}

TEST(Term, EmptyElementsWithTailIsTheTailItself) {
    EXPECT_TRUE(exactly_equal(term::list({}, term{5}), term{5}));
    EXPECT_TRUE(term::list({}).is_nil());
}

TEST(Term, MapKeepsTheLastOfDuplicateKeys) {
    const term m = term::map({{term{"a"}, term{1}}, {term{"b"}, term{2}}, {term{"a"}, term{3}}});

    ASSERT_EQ(m.map_entries().size(), 2U);
    ASSERT_NE(m.map_find(term{"a"}), nullptr);
    EXPECT_EQ(*m.map_find(term{"a"}), term{3});
    EXPECT_EQ(m.map_find(term{"zzz"}), nullptr);
}

TEST(Term, MapKeysOneAndOnePointZeroAreDistinct) {
    const term m = term::map({{term{1}, term{"int"}}, {term{1.0}, term{"float"}}});

    EXPECT_EQ(m.map_entries().size(), 2U);
    EXPECT_EQ(*m.map_find(term{1}), term{"int"});
    EXPECT_EQ(*m.map_find(term{1.0}), term{"float"});
}

TEST(Term, MapEntriesAreSortedWithIntegersBeforeFloats) {
    const term m = term::map({{term{1.0}, term{"a"}},
                              {term{1}, term{"b"}},
                              {term{2}, term{"c"}},
                              {term{0.5}, term{"d"}}});

    const auto entries = m.map_entries();

    ASSERT_EQ(entries.size(), 4U);
    EXPECT_TRUE(exactly_equal(entries[0].first, term{1}));
    EXPECT_TRUE(exactly_equal(entries[1].first, term{2}));
    EXPECT_TRUE(exactly_equal(entries[2].first, term{0.5}));
    EXPECT_TRUE(exactly_equal(entries[3].first, term{1.0}));
}

TEST(Term, BitstringReportsBitSizeAndClearsUnusedBits) {
    const auto bytes = bytes_of({1, 0xFF});

    const term t = term::bitstring(bytes, 3);

    EXPECT_TRUE(t.is_bitstring());
    EXPECT_FALSE(t.is_binary());
    EXPECT_EQ(t.bit_size(), 11U);
    EXPECT_EQ(t.bytes()[1], std::byte{0xE0});
    EXPECT_TRUE(exactly_equal(term::bitstring(bytes, 8), term::binary(bytes)));
    EXPECT_THROW((void)term::bitstring(bytes, 0), rill::badarg);
    EXPECT_THROW((void)term::bitstring(bytes, 9), rill::badarg);
}

TEST(Term, SharedBinaryRefersToItsOwnersBytesWithoutCopying) {
    auto buffer = std::make_shared<const std::vector<std::byte>>(bytes_of({'a', 'b', 'c', 'd'}));
    const std::span<const std::byte> middle = std::span(*buffer).subspan(1, 2);

    const term shared = term::binary(buffer, middle);

    EXPECT_EQ(shared.bytes().data(), middle.data());
    EXPECT_EQ(buffer.use_count(), 2);
    EXPECT_TRUE(shared.is_binary());
}

TEST(Term, SharedBinaryComparesHashesAndPrintsAsACopiedOne) {
    auto buffer = std::make_shared<const std::vector<std::byte>>(bytes_of({'x', 'y', 'z'}));
    const term shared = term::binary(buffer, *buffer);
    const term copied = term::binary(bytes_of({'x', 'y', 'z'}));

    EXPECT_TRUE(exactly_equal(shared, copied));
    EXPECT_EQ(shared <=> copied, std::weak_ordering::equivalent);
    EXPECT_EQ(shared.hash(), copied.hash());
    EXPECT_EQ(to_string(shared), "<<\"xyz\">>");
    EXPECT_LT(shared, term::binary(bytes_of({'x', 'z'})));
}

TEST(Term, SharedBinaryKeepsItsOwnerAliveAcrossCopies) {
    std::weak_ptr<const std::vector<std::byte>> watch;
    term copy;
    {
        auto buffer = std::make_shared<const std::vector<std::byte>>(bytes_of({1, 2, 3}));
        watch = buffer;
        const term shared = term::binary(buffer, *buffer);
        copy = shared;
    }

    EXPECT_FALSE(watch.expired());
    EXPECT_EQ(copy.bytes()[2], std::byte{3});
    copy = term{};
    EXPECT_TRUE(watch.expired());
}

TEST(Term, SharedBinaryNeedsAnOwnerUnlessEmpty) {
    const auto bytes = bytes_of({1});

    EXPECT_THROW((void)term::binary(nullptr, bytes), rill::badarg);
    EXPECT_TRUE(
        exactly_equal(term::binary(nullptr, {}), term::binary(std::span<const std::byte>{})));
}

TEST(Term, OpaqueFunKeepsItsExternalBytes) {
    const auto bytes =
        bytes_of({113, 119, 5, 'l', 'i', 's', 't', 's', 119, 3, 'm', 'a', 'p', 97, 2});

    const term fun = term::opaque(term::kind::fun, bytes);

    EXPECT_TRUE(fun.is_fun());
    EXPECT_TRUE(std::equal(
        fun.opaque_bytes().begin(), fun.opaque_bytes().end(), bytes.begin(), bytes.end()));
    EXPECT_THROW((void)term::opaque(term::kind::tuple, bytes), rill::badarg);
}

TEST(Term, PidAndReferenceRoundTrip) {
    const rill::pid p{rill::atoms::nonode_at_nohost, 42, 1, 0};
    const rill::reference r{rill::atoms::nonode_at_nohost, 0, 3, {1, 2, 3, 0, 0}};

    EXPECT_EQ(term{p}.as_pid(), p);
    EXPECT_EQ(term{r}.as_reference(), r);
}

TEST(Term, FloatsMustBeFinite) {
    EXPECT_THROW((void)term{std::numeric_limits<double>::infinity()}, rill::badarg);
    EXPECT_THROW((void)term{std::numeric_limits<double>::quiet_NaN()}, rill::badarg);
}

TEST(Term, AccessorsOnTheWrongKindThrowBadarg) {
    const term number{1};

    EXPECT_THROW((void)number.as_atom(), rill::badarg);
    EXPECT_THROW((void)number.as_double(), rill::badarg);
    EXPECT_THROW((void)number.elements(), rill::badarg);
    EXPECT_THROW((void)number.list_elements(), rill::badarg);
    EXPECT_THROW((void)number.list_tail(), rill::badarg);
    EXPECT_THROW((void)number.map_entries(), rill::badarg);
    EXPECT_THROW((void)number.bytes(), rill::badarg);
    EXPECT_THROW((void)number.bit_size(), rill::badarg);
    EXPECT_THROW((void)number.as_pid(), rill::badarg);
    EXPECT_THROW((void)number.as_reference(), rill::badarg);
    EXPECT_THROW((void)number.opaque_bytes(), rill::badarg);
    EXPECT_THROW((void)number.local_type_name(), rill::badarg);
    EXPECT_FALSE(term{"x"}.to_int64().has_value());
}

TEST(Term, BadargMessageNamesWhatWasWantedAndPrintsTheTerm) {
    try {
        (void)term::tuple_of(atom("oops"), 1).as_atom();
        FAIL() << "as_atom on a tuple did not throw";
    } catch (const rill::badarg& e) {
        EXPECT_EQ(std::string(e.what()), "badarg: expected an atom, got {oops,1}");
    }
}

TEST(Term, LocalHoldsACppObjectByExactType) {
    const term t = term::local(widget{3, "three"});

    EXPECT_TRUE(t.is_local());
    EXPECT_TRUE(t.is<widget>());
    EXPECT_FALSE(t.is<int>());
    EXPECT_EQ(t.get<widget>().label, "three");
    EXPECT_EQ(t.as<widget>().size, 3);
    EXPECT_THROW((void)t.get<int>(), rill::badarg);
    EXPECT_THROW((void)term{1}.get<widget>(), rill::badarg);
}

TEST(Term, LocalMayHoldMoveOnlyObjects) {
    const term t = term::local(std::make_unique<int>(5));

    EXPECT_EQ(*t.get<std::unique_ptr<int>>(), 5);
}

TEST(Term, LocalEqualsOnlyCopiesOfItself) {
    const term a = term::local(widget{1, "a"});
    const term copy = a;
    const term b = term::local(widget{1, "a"});

    EXPECT_EQ(a, copy);
    EXPECT_TRUE(exactly_equal(a, copy));
    EXPECT_NE(a, b);
    EXPECT_EQ(a.hash(), copy.hash());
}

TEST(Term, LocalSortsAfterEveryOtherKind) {
    const term local = term::local(1.5f);

    EXPECT_LT(term{"binary"}, local);
    EXPECT_LT(term::list_of(1), local);
    EXPECT_LT(term::tuple({}), local);
}

TEST(Term, IsAtomWithAnAtomChecksWhichAtom) {
    EXPECT_TRUE(term{atom("ok")}.is_atom(rill::atoms::ok));
    EXPECT_FALSE(term{atom("ok")}.is_atom(rill::atoms::error));
    EXPECT_FALSE(term{1}.is_atom(rill::atoms::ok));
}

TEST(Term, StdHashAgreesWithMemberHash) {
    const term t = term::tuple_of(1, "two", 3.0);

    EXPECT_EQ(std::hash<term>{}(t), t.hash());
}

TEST(Term, CopiesOnManyThreadsShareOneNodeSafely) {
    const term shared = term::tuple_of(atom("payload"), term::list_of(1, 2, 3), "bytes");
    const std::string expected = rill::to_string(shared);
    std::array<std::string, 4> printed;

    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < printed.size(); ++i) {
        threads.emplace_back([shared, &printed, i] {
            for (int k = 0; k < 1000; ++k) {
                const term copy = shared;
                const term inner = copy.elements()[1];
                (void)inner.hash();
            }
            printed[i] = rill::to_string(shared);
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }

    for (const std::string& text : printed) {
        EXPECT_EQ(text, expected);
    }
}
