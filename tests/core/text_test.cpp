// Tests for UTF-8 decoding and the exact decimal arithmetic behind quotas.
#include "cometprov/text.hpp"

#include <gtest/gtest.h>

using namespace cometprov;

TEST(Utf8, DecodesMultibyteAndCountsCodePoints) {
    EXPECT_EQ(utf8_decode("h\xC3\xA9llo").size(), 5u);         // é is one code point
    EXPECT_EQ(utf8_decode("\xF0\x9F\x98\x80").size(), 1u);       // an emoji
    EXPECT_EQ(utf8_decode("\xF0\x9F\x98\x80")[0], U'\U0001F600');
}

TEST(Utf8, InvalidBytesBecomeReplacementCharacters) {
    auto cps = utf8_decode("a\xFF" "b");
    ASSERT_EQ(cps.size(), 3u);
    EXPECT_EQ(cps[1], 0xFFFDu);
    EXPECT_EQ(utf8_decode("\xC0\x80").size(), 2u);  // overlong NUL is two bad bytes
    EXPECT_EQ(utf8_decode("\xED\xA0\x80").size(), 3u);  // a UTF-16 surrogate is not a character
}

TEST(Utf8, EncodeRoundTrips) {
    for (char32_t cp : {U'a', U'\u00e9', U'\u20ac', U'\U0001F600'}) {
        auto back = utf8_decode(utf8_encode(cp));
        ASSERT_EQ(back.size(), 1u);
        EXPECT_EQ(back[0], cp);
    }
}

TEST(DescribeChar, ShowsInvisibleCharactersByCodePoint) {
    EXPECT_EQ(describe_char(U'+'), "'+'");
    EXPECT_EQ(describe_char(U'\n'), "U+000A");
    EXPECT_EQ(describe_char(U' '), "space (U+0020)");
    EXPECT_EQ(describe_char(0x200B), "U+200B");
}

static std::int64_t bytes(const char* text, std::uint64_t unit) {
    Decimal d;
    EXPECT_TRUE(parse_decimal(text, d)) << text;
    std::int64_t out = -1;
    EXPECT_TRUE(decimal_times_floor(d, unit, out)) << text;
    return out;
}

TEST(Decimal, ParsesTheFormsWhmcsSends) {
    EXPECT_EQ(bytes("10", 1), 10);
    EXPECT_EQ(bytes(" 7 ", 1), 7);
    EXPECT_EQ(bytes("+3", 1), 3);
    EXPECT_EQ(bytes("1.5", 1024), 1536);
    EXPECT_EQ(bytes(".5", 1024), 512);
    EXPECT_EQ(bytes("5.", 2), 10);
    EXPECT_EQ(bytes("1e3", 1), 1000);
    EXPECT_EQ(bytes("2.5E-1", 1000), 250);
    EXPECT_EQ(bytes("000012", 1), 12);
}

TEST(Decimal, RoundsDownToWholeUnits) {
    EXPECT_EQ(bytes("0.1", 1073741824ull), 107374182);  // 107374182.4
    EXPECT_EQ(bytes("0.999999999999", 1), 0);
    EXPECT_EQ(bytes("1e-99999", 1099511627776ull), 0);
}

TEST(Decimal, RejectsWhatIsNotANumber) {
    Decimal d;
    for (const char* bad : {"", " ", "abc", "1GB", "0x10", "1.2.3", "e5", "1e", "--1", "1 2", "."}) {
        EXPECT_FALSE(parse_decimal(bad, d)) << bad;
    }
}

TEST(Decimal, DetectsOverflowOfInt64) {
    Decimal d;
    ASSERT_TRUE(parse_decimal("9223372036854775807", d));
    std::int64_t out = 0;
    EXPECT_TRUE(decimal_times_floor(d, 1, out));
    EXPECT_EQ(out, INT64_MAX);
    ASSERT_TRUE(parse_decimal("9223372036854775808", d));
    EXPECT_FALSE(decimal_times_floor(d, 1, out));
    ASSERT_TRUE(parse_decimal("8388608", d));  // 2^23 TiB = 2^63 bytes: one past the maximum
    EXPECT_FALSE(decimal_times_floor(d, 1099511627776ull, out));
    ASSERT_TRUE(parse_decimal("1e400", d));
    EXPECT_FALSE(decimal_times_floor(d, 1, out));
}

TEST(Decimal, NegativeZeroIsZeroButNegativesFail) {
    Decimal d;
    ASSERT_TRUE(parse_decimal("-0", d));
    EXPECT_TRUE(decimal_is_zero(d));
    std::int64_t out = 5;
    EXPECT_TRUE(decimal_times_floor(d, 10, out));
    EXPECT_EQ(out, 0);
    ASSERT_TRUE(parse_decimal("-1", d));
    EXPECT_FALSE(decimal_times_floor(d, 10, out));
}

TEST(Decimal, IntegerCheck) {
    Decimal d;
    ASSERT_TRUE(parse_decimal("5.000", d));
    EXPECT_TRUE(decimal_is_integer(d));
    ASSERT_TRUE(parse_decimal("5.01", d));
    EXPECT_FALSE(decimal_is_integer(d));
    ASSERT_TRUE(parse_decimal("1.5e1", d));
    EXPECT_TRUE(decimal_is_integer(d));
}
