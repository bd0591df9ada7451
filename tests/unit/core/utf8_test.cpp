#include "core/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

using rill::internal::utf8_length;

TEST(Utf8, CountsCodePointsOfWellFormedText) {
    EXPECT_EQ(utf8_length("").code_points, 0U);
    EXPECT_EQ(utf8_length("hello").code_points, 5U);
    EXPECT_EQ(utf8_length("\u00e9t\u00e9").code_points, 3U);
    EXPECT_EQ(utf8_length("\u20ac\U0001F600\U0010FFFF").code_points, 3U);
    EXPECT_TRUE(utf8_length("\u00e9t\u00e9").valid);
}

TEST(Utf8, CountsAsciiRunsAroundMultiByteCharactersExactly) {
    const std::string text = "abcdefghijk\u00e9lmnopqrstuvwxyz0123456789\U0001F600!";

    const auto result = utf8_length(text);

    EXPECT_TRUE(result.valid);
    EXPECT_EQ(result.code_points, 11U + 1U + 25U + 1U + 1U);
}

TEST(Utf8, AcceptsTheBoundariesOfEachSequenceLength) {
    for (const std::string text : {"\x7f",
                                   "\xc2\x80",
                                   "\xdf\xbf",
                                   "\xe0\xa0\x80",
                                   "\xed\x9f\xbf",
                                   "\xee\x80\x80",
                                   "\xef\xbf\xbf",
                                   "\xf0\x90\x80\x80",
                                   "\xf4\x8f\xbf\xbf"}) {
        const auto result = utf8_length(text);
        EXPECT_TRUE(result.valid) << testing::PrintToString(text);
        EXPECT_EQ(result.code_points, 1U) << testing::PrintToString(text);
    }
}

TEST(Utf8, RejectsOverlongFormsSurrogatesAndCodePointsPastTheLast) {
    for (const std::string text : {"\xc0\x80",
                                   "\xc1\xbf",
                                   "\xe0\x9f\xbf",
                                   "\xf0\x8f\xbf\xbf",
                                   "\xed\xa0\x80",
                                   "\xed\xbf\xbf",
                                   "\xf4\x90\x80\x80",
                                   "\xf5\x80\x80\x80",
                                   "\xff"}) {
        EXPECT_FALSE(utf8_length(text).valid) << testing::PrintToString(text);
    }
}

TEST(Utf8, RejectsTruncatedAndBrokenSequences) {
    for (const std::string text : {"\x80",
                                   "\xc3",
                                   "\xe2\x82",
                                   "\xf0\x9f\x98",
                                   "\xc3\x28",
                                   "\xe2\x28\xa1",
                                   "\xf0\x9f\x28\x80"}) {
        EXPECT_FALSE(utf8_length(text).valid) << testing::PrintToString(text);
    }
}

TEST(Utf8, ReportsTheOffsetOfTheFirstIllFormedSequence) {
    EXPECT_EQ(utf8_length("abcdefghij\xff").invalid_offset, 10U);
    EXPECT_EQ(utf8_length("\u00e9\xe2\x82").invalid_offset, 2U);
    EXPECT_EQ(utf8_length("\xc3").invalid_offset, 0U);
}
