#include <rill/core/atom.hpp>
#include <rill/core/errors.hpp>

#include "core/atom_table.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

std::string printed(rill::atom a) {
    std::ostringstream out;
    out << a;
    return out.str();
}

std::string repeated(std::string_view piece, std::size_t times) {
    std::string text;
    for (std::size_t i = 0; i < times; ++i) {
        text += piece;
    }
    return text;
}

} // namespace

TEST(Atom, InterningTheSameNameGivesTheSameAtom) {
    const rill::atom a("hello_atom_test");
    const rill::atom b(std::string("hello_atom_") + "test");

    EXPECT_EQ(a, b);
    EXPECT_EQ(a.index(), b.index());
    EXPECT_EQ(a.name(), "hello_atom_test");
}

TEST(Atom, DifferentNamesGiveDifferentAtoms) {
    EXPECT_NE(rill::atom("left"), rill::atom("right"));
}

TEST(Atom, DefaultAtomIsUndefined) {
    EXPECT_EQ(rill::atom{}, rill::atoms::undefined);
    EXPECT_EQ(rill::atom{}.name(), "undefined");
}

TEST(Atom, WellKnownAtomsHaveTheirCompileTimeIndices) {
    EXPECT_EQ(rill::atom("normal"), rill::atoms::normal);
    EXPECT_EQ(rill::atom("kill"), rill::atoms::kill);
    EXPECT_EQ(rill::atom("killed"), rill::atoms::killed);
    EXPECT_EQ(rill::atom("noproc"), rill::atoms::noproc);
    EXPECT_EQ(rill::atom("noconnection"), rill::atoms::noconnection);
    EXPECT_EQ(rill::atom("shutdown"), rill::atoms::shutdown);
    EXPECT_EQ(rill::atom("badarg"), rill::atoms::badarg);
    EXPECT_EQ(rill::atom("true"), rill::atoms::true_);
    EXPECT_EQ(rill::atom("false"), rill::atoms::false_);
    EXPECT_EQ(rill::atom("ok"), rill::atoms::ok);
    EXPECT_EQ(rill::atom("error"), rill::atoms::error);
    EXPECT_EQ(rill::atom("exception"), rill::atoms::exception);
    EXPECT_EQ(rill::atom("nonode@nohost"), rill::atoms::nonode_at_nohost);
    EXPECT_EQ(rill::atom("timeout"), rill::atoms::timeout);
    EXPECT_EQ(rill::atom("EXIT"), rill::atoms::EXIT);
    EXPECT_EQ(rill::atom("DOWN"), rill::atoms::DOWN);
    EXPECT_EQ(rill::atom("process"), rill::atoms::process);
}

TEST(Atom, EmptyNameIsAnAtom) {
    EXPECT_EQ(rill::atom("").name(), "");
    EXPECT_EQ(rill::atom(""), rill::atom(""));
}

TEST(Atom, NameOfMaximalLengthIsAccepted) {
    const std::string name(rill::max_atom_length, 'x');

    EXPECT_EQ(rill::atom(name).name(), name);
}

TEST(Atom, NameLongerThanMaximumThrowsBadarg) {
    const std::string name(rill::max_atom_length + 1, 'x');

    EXPECT_THROW(rill::atom{name}, rill::badarg);
}

TEST(Atom, MaximumLengthCountsCharactersNotBytes) {
    const std::string e_acute = "\u00e9";   // 2 bytes
    const std::string emoji = "\U0001F600"; // 4 bytes
    const std::string mixed = repeated("a" + e_acute + "\u20ac" + emoji, 63) + "xyz";

    EXPECT_EQ(rill::atom(repeated(e_acute, 128)).name(), repeated(e_acute, 128));
    EXPECT_EQ(rill::atom(repeated(emoji, 64)).name(), repeated(emoji, 64));
    EXPECT_EQ(rill::atom(repeated(e_acute, 255)).name(), repeated(e_acute, 255));
    EXPECT_EQ(rill::atom(repeated(emoji, 255)).name(), repeated(emoji, 255));
    EXPECT_EQ(rill::atom(mixed).name(), mixed); // 4 * 63 + 3 = 255 characters
}

TEST(Atom, NameOfMoreThanMaximumCharactersThrowsBadarg) {
    EXPECT_THROW(rill::atom{repeated("\u00e9", 256)}, rill::badarg);
    EXPECT_THROW(rill::atom{repeated("\U0001F600", 256)}, rill::badarg);
    EXPECT_THROW(rill::atom{repeated("\U0001F600", 255) + "x"}, rill::badarg);
    try {
        (void)rill::atom{repeated("\u00e9", 256)};
        FAIL() << "a 256-character name was interned";
    } catch (const rill::badarg& e) {
        EXPECT_NE(std::string(e.what()).find("255 characters"), std::string::npos) << e.what();
    }
}

TEST(Atom, NameThatIsNotUtf8ThrowsBadarg) {
    const std::vector<std::string> ill_formed{
        "\xff\xfe",         // latin-1 bytes, not UTF-8
        "\x80",             // continuation byte without a lead
        "\xc0\xaf",         // overlong '/'
        "\xe0\x80\xaf",     // overlong '/'
        "\xf0\x80\x80\xaf", // overlong '/'
        "\xed\xa0\x80",     // surrogate U+D800
        "\xed\xbf\xbf",     // surrogate U+DFFF
        "\xf4\x90\x80\x80", // U+110000
        "\xf5\x80\x80\x80", // lead byte past U+10FFFF
        "\xc3",             // truncated
        "ok\xe2\x82",       // truncated at the end
        "\xc3\x28",         // lead followed by a non-continuation byte
    };

    for (const std::string& name : ill_formed) {
        EXPECT_THROW(rill::atom{name}, rill::badarg) << testing::PrintToString(name);
    }
    try {
        (void)rill::atom{std::string("ab\xff")};
        FAIL() << "an ill-formed name was interned";
    } catch (const rill::badarg& e) {
        EXPECT_NE(std::string(e.what()).find("UTF-8"), std::string::npos) << e.what();
    }
}

TEST(Atom, Latin1CharactersAreInternedAsTheirUtf8Encoding) {
    const rill::atom y_umlaut_thorn("\u00ff\u00fe"); // what Erlang's '\377\376' is

    EXPECT_EQ(y_umlaut_thorn.name(), "\xc3\xbf\xc3\xbe");
    EXPECT_EQ(printed(y_umlaut_thorn), "\u00ff\u00fe");
    EXPECT_THROW(rill::atom{std::string("\xff\xfe")}, rill::badarg);
}

TEST(Atom, OrdersByNameBytesNotByInterningOrder) {
    const rill::atom zebra("zz_zebra_order");
    const rill::atom apple("aa_apple_order");

    EXPECT_LT(apple, zebra);
    EXPECT_GT(zebra, apple);
    EXPECT_LT(rill::atom("EXIT"), rill::atom("ok")); // 'E' < 'o'
    EXPECT_EQ(apple <=> rill::atom("aa_apple_order"), std::strong_ordering::equal);
}

TEST(Atom, OrdersNonAsciiNamesByCodePoint) {
    EXPECT_LT(rill::atom("z"), rill::atom("\u00e9"));          // U+7A < U+E9
    EXPECT_LT(rill::atom("\u00ff"), rill::atom("\u0100"));     // U+FF < U+100
    EXPECT_LT(rill::atom("\u03b1"), rill::atom("\U0001F600")); // U+3B1 < U+1F600
    EXPECT_LT(rill::atom("\uFFFD"), rill::atom("\U00010000")); // U+FFFD < U+10000
}

TEST(Atom, HashIsTheIndex) {
    const rill::atom a("hashed_atom");

    EXPECT_EQ(std::hash<rill::atom>{}(a), a.index());
}

TEST(Atom, PrintsPlainAtomsUnquoted) {
    EXPECT_EQ(printed(rill::atom("ok")), "ok");
    EXPECT_EQ(printed(rill::atom("a@b")), "a@b");
    EXPECT_EQ(printed(rill::atom("nonode@nohost")), "nonode@nohost");
    EXPECT_EQ(printed(rill::atom("aB_9@")), "aB_9@");
    EXPECT_EQ(printed(rill::atom("maybe")), "maybe"); // not reserved in OTP 25
}

TEST(Atom, QuotesAtomsErlangQuotes) {
    EXPECT_EQ(printed(rill::atom("EXIT")), "'EXIT'");
    EXPECT_EQ(printed(rill::atom("hello world")), "'hello world'");
    EXPECT_EQ(printed(rill::atom("[]")), "'[]'");
    EXPECT_EQ(printed(rill::atom("")), "''");
    EXPECT_EQ(printed(rill::atom("_x")), "'_x'");
    EXPECT_EQ(printed(rill::atom("a.b")), "'a.b'");
    EXPECT_EQ(printed(rill::atom("after")), "'after'");
    EXPECT_EQ(printed(rill::atom("receive")), "'receive'");
}

TEST(Atom, EscapesQuotesBackslashesAndControlCharacters) {
    EXPECT_EQ(printed(rill::atom("a'b")), R"('a\'b')");
    EXPECT_EQ(printed(rill::atom("a\\b")), R"('a\\b')");
    EXPECT_EQ(printed(rill::atom("a\nb")), R"('a\nb')");
    EXPECT_EQ(printed(rill::atom("a\001b")), R"('a\001b')");
    EXPECT_EQ(printed(rill::atom("\x7f")), R"('\d')");
}

TEST(Atom, PrintsLatin1LettersUnquotedAndOtherCodePointsEscaped) {
    EXPECT_EQ(printed(rill::atom("\u00e9")), "\u00e9");     // é, a latin-1 lowercase letter
    EXPECT_EQ(printed(rill::atom("\u03b1")), "'\\x{3B1}'"); // α, beyond latin-1
}

TEST(Atom, ForgedIndexNamesThePlaceholder) {
    const rill::atom forged = rill::atom::from_index(900'000);

    EXPECT_EQ(forged.name(), rill::invalid_atom_name);
    EXPECT_EQ(printed(forged), "'$invalid_atom'");
    EXPECT_EQ(rill::atom::from_index(std::numeric_limits<std::uint32_t>::max()).name(),
              rill::invalid_atom_name);
}

TEST(Atom, ForgedAtomsOrderAfterEveryInternedAtomAndByIndexAmongThemselves) {
    const rill::atom forged = rill::atom::from_index(900'000);
    const rill::atom later_forged = rill::atom::from_index(900'001);
    const rill::atom highest_name("\U0010FFFF");
    const rill::atom same_name_as_placeholder(rill::invalid_atom_name);

    EXPECT_LT(highest_name, forged);
    EXPECT_GT(forged, highest_name);
    EXPECT_LT(same_name_as_placeholder, forged);
    EXPECT_NE(same_name_as_placeholder, forged);
    EXPECT_LT(forged, later_forged);
    EXPECT_EQ(forged <=> rill::atom::from_index(900'000), std::strong_ordering::equal);
}

TEST(AtomTable, WellKnownAtomsComeFirstInOrder) {
    rill::internal::atom_table table(64);

    ASSERT_EQ(table.size(), std::size(rill::detail::well_known_atom_names));
    for (std::uint32_t i = 0; i < table.size(); ++i) {
        EXPECT_EQ(table.name(i), rill::detail::well_known_atom_names[i]);
    }
}

TEST(AtomTable, IndexNotInternedNamesThePlaceholder) {
    rill::internal::atom_table table(64); // one chunk, allocated, mostly unfilled
    const auto first_free = static_cast<std::uint32_t>(table.size());

    EXPECT_EQ(table.name(first_free), rill::invalid_atom_name);
    EXPECT_EQ(table.name(63), rill::invalid_atom_name);
    EXPECT_EQ(table.name(64), rill::invalid_atom_name);    // past the capacity
    EXPECT_EQ(table.name(5'000), rill::invalid_atom_name); // past the chunk array
    EXPECT_EQ(table.name(std::numeric_limits<std::uint32_t>::max()), rill::invalid_atom_name);
    EXPECT_EQ(table.name(table.intern("now_interned")), "now_interned");
}

TEST(AtomTable, FindDoesNotIntern) {
    rill::internal::atom_table table(64);
    const std::size_t before = table.size();

    EXPECT_FALSE(table.find("absent").has_value());
    EXPECT_EQ(table.size(), before);
    const std::uint32_t index = table.intern("present");
    EXPECT_EQ(table.find("present"), index);
}

TEST(AtomTable, FullTableThrowsAndStaysIntact) {
    constexpr std::size_t capacity = 40;
    rill::internal::atom_table table(capacity);
    std::vector<std::uint32_t> indices;
    for (std::size_t i = table.size(); i < capacity; ++i) {
        indices.push_back(table.intern("atom_" + std::to_string(i)));
    }
    ASSERT_EQ(table.size(), capacity);

    try {
        table.intern("one_too_many");
        FAIL() << "interning past the capacity did not throw";
    } catch (const rill::atom_table_full& e) {
        EXPECT_NE(std::string(e.what()).find("atom table full"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("one_too_many"), std::string::npos);
    }

    EXPECT_EQ(table.size(), capacity);
    EXPECT_FALSE(table.find("one_too_many").has_value());
    for (std::size_t k = 0; k < indices.size(); ++k) {
        const std::string name = "atom_" + std::to_string(k + capacity - indices.size());
        EXPECT_EQ(table.intern(name), indices[k]); // existing atoms still resolve
        EXPECT_EQ(table.name(indices[k]), name);
    }
    EXPECT_EQ(table.intern("normal"), rill::atoms::normal.index());
}

TEST(AtomTable, ManyAtomsSpanSeveralChunks) {
    rill::internal::atom_table table(10'000);
    std::vector<std::uint32_t> indices;
    indices.reserve(9'000);
    for (int i = 0; i < 9'000; ++i) {
        indices.push_back(table.intern("chunked_" + std::to_string(i)));
    }

    for (int i = 0; i < 9'000; ++i) {
        EXPECT_EQ(table.name(indices[static_cast<std::size_t>(i)]), "chunked_" + std::to_string(i));
    }
}

TEST(AtomTable, ConcurrentInterningAgreesOnEveryIndex) {
    constexpr int threads = 4;
    constexpr int names = 2'048; // a power of two: every odd stride visits all names
    rill::internal::atom_table table(names + 100);
    std::vector<std::vector<std::uint32_t>> seen(threads);

    std::vector<std::thread> workers;
    workers.reserve(threads);
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&table, &seen, t] {
            auto& mine = seen[static_cast<std::size_t>(t)];
            mine.reserve(names);
            for (int i = 0; i < names; ++i) {
                // Each thread walks the names in a different order.
                const int n = (i * (2 * t + 1) + t * 7) % names;
                mine.push_back(table.intern("concurrent_" + std::to_string(n)));
                EXPECT_EQ(table.name(mine.back()), "concurrent_" + std::to_string(n));
            }
        });
    }
    for (auto& worker : workers) {
        worker.join();
    }

    EXPECT_EQ(table.size(), std::size(rill::detail::well_known_atom_names) + names);
    std::set<std::uint32_t> distinct;
    for (int i = 0; i < names; ++i) {
        const auto index = table.find("concurrent_" + std::to_string(i));
        ASSERT_TRUE(index.has_value());
        distinct.insert(*index);
    }
    EXPECT_EQ(distinct.size(), static_cast<std::size_t>(names));
    for (int t = 0; t < threads; ++t) {
        for (int i = 0; i < names; ++i) {
            const int n = (i * (2 * t + 1) + t * 7) % names;
            EXPECT_EQ(seen[static_cast<std::size_t>(t)][static_cast<std::size_t>(i)],
                      table.find("concurrent_" + std::to_string(n)));
        }
    }
}

TEST(Atom, ConcurrentInterningThroughTheGlobalTableGivesOneAtomPerName) {
    constexpr int threads = 4;
    std::vector<std::vector<rill::atom>> seen(threads);

    std::vector<std::thread> workers;
    workers.reserve(threads);
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&seen, t] {
            seen[static_cast<std::size_t>(t)].reserve(500);
            for (int i = 0; i < 500; ++i) {
                seen[static_cast<std::size_t>(t)].emplace_back("global_concurrent_" +
                                                               std::to_string(i));
            }
        });
    }
    for (auto& worker : workers) {
        worker.join();
    }

    for (int t = 1; t < threads; ++t) {
        EXPECT_EQ(seen[static_cast<std::size_t>(t)], seen[0]);
    }
}
