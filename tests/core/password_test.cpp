// Tests for the password rules.
#include "cometprov/password.hpp"

#include "test_util.hpp"

#include <gtest/gtest.h>

using namespace cometprov;

TEST(Password, EightCodePointsOnOneLine) {
    EXPECT_TRUE(validate_password("12345678", "/p").empty());
    EXPECT_TRUE(validate_password("p\xC3\xA4ssw\xC3\xB6rd", "/p").empty());  // 8 code points, 10 bytes
    auto e = validate_password("\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4", "/p");  // 8 bytes, 4 code points
    ASSERT_EQ(e.size(), 1u);
    EXPECT_EQ(e[0].code, "password.too_short");
    EXPECT_EQ(e[0].detail["length"], 4);
}

TEST(Password, OneErrorPerBrokenRule) {
    auto e = validate_password("a\nb", "/p");
    ASSERT_EQ(e.size(), 2u);
    EXPECT_EQ(e[0].code, "password.too_short");
    EXPECT_EQ(e[1].code, "password.multiline");
    EXPECT_EQ(validate_password("long enough\r", "/p").size(), 1u);
    EXPECT_EQ(validate_password("", "/p").size(), 1u);
}

TEST(Password, AnyOtherCharacterIsAllowed) {
    EXPECT_TRUE(validate_password("  tab\there &<>\"' \\ %", "/p").empty());
}

TEST(Password, OpRejectsMissingOrWrongType) {
    EXPECT_EQ(cptest::code_of(cptest::call("password.validate", json::object())),
              "request.missing_field");
    EXPECT_EQ(cptest::code_of(cptest::call("password.validate", cptest::J(R"({"password":12345678})"))),
              "request.bad_type");
}
