// Tests for Comet's username rules and the derivation of usernames.
#include "cometprov/username.hpp"

#include "test_util.hpp"

#include <gtest/gtest.h>

using namespace cometprov;
using cptest::call;
using cptest::code_of;

TEST(ServerVersion, ParsesAndCompares) {
    ServerVersion v;
    Error err;
    ASSERT_TRUE(parse_server_version("21.9.10", v, err, "/v"));
    EXPECT_TRUE(version_at_least(v, 21, 9, 10));
    EXPECT_FALSE(version_at_least(v, 21, 9, 11));
    ASSERT_TRUE(parse_server_version("25.9.8 (Voyager)", v, err, "/v"));
    EXPECT_EQ(v.major, 25);
    ASSERT_TRUE(parse_server_version("v18.9", v, err, "/v"));
    EXPECT_EQ(v.patch, 0);
    ASSERT_TRUE(parse_server_version("", v, err, "/v"));
    EXPECT_FALSE(v.known);
    EXPECT_FALSE(parse_server_version("latest", v, err, "/v"));
    EXPECT_EQ(err.code, "version.bad_format");
    EXPECT_FALSE(parse_server_version("21", v, err, "/v"));
    EXPECT_FALSE(parse_server_version("21.9.x", v, err, "/v"));
}

TEST(UsernameMinimum, DependsOnServerVersion) {
    ServerVersion unknown, old_v, new_v;
    Error err;
    ASSERT_TRUE(parse_server_version("21.9.9", old_v, err, ""));
    ASSERT_TRUE(parse_server_version("21.9.10", new_v, err, ""));
    EXPECT_EQ(minimum_username_length(unknown), 6u);
    EXPECT_EQ(minimum_username_length(old_v), 6u);
    EXPECT_EQ(minimum_username_length(new_v), 1u);
}

TEST(UsernameValidate, AcceptsTheAllowedSet) {
    EXPECT_TRUE(validate_username("Alice.Smith-01_x@example.com", 6, "/u").empty());
    EXPECT_TRUE(validate_username("a", 1, "/u").empty());
    EXPECT_TRUE(validate_username(std::string(255, 'z'), 6, "/u").empty());
}

TEST(UsernameValidate, NamesEachBrokenRule) {
    auto e = validate_username("", 6, "/u");
    ASSERT_EQ(e.size(), 1u);
    EXPECT_EQ(e[0].code, "username.empty");

    e = validate_username("ab+", 6, "/u");
    ASSERT_EQ(e.size(), 2u);
    EXPECT_EQ(e[0].code, "username.too_short");
    EXPECT_EQ(e[0].detail["length"], 3);
    EXPECT_EQ(e[1].code, "username.bad_char");
    EXPECT_EQ(e[1].detail["char"], "+");
    EXPECT_EQ(e[1].detail["position"], 3);

    e = validate_username(std::string(256, 'a'), 6, "/u");
    ASSERT_EQ(e.size(), 1u);
    EXPECT_EQ(e[0].code, "username.too_long");
}

TEST(UsernameValidate, PositionsCountCodePointsNotBytes) {
    auto e = validate_username("caf\xC3\xA9_bar", 6, "/u");
    ASSERT_EQ(e.size(), 1u);
    EXPECT_EQ(e[0].detail["position"], 4);
    EXPECT_EQ(e[0].detail["char"], "\xC3\xA9");
    EXPECT_EQ(e[0].field, "/u");
}

TEST(Sanitize, MapsEmailsIntoTheAllowedSet) {
    EXPECT_EQ(sanitize_username("john+x@ex.com"), "john_x@ex.com");
    EXPECT_EQ(sanitize_username("John.Doe@Example.COM"), "john.doe@example.com");
    EXPECT_EQ(sanitize_username("J\xC3\xB6rg M\xC3\xBCller"), "jorg_muller");
    EXPECT_EQ(sanitize_username("++a++"), "a");
    EXPECT_EQ(sanitize_username("\xE5\xB1\xB1\xE7\x94\xB0"), "");  // nothing usable left
    EXPECT_EQ(sanitize_username(std::string(300, 'q')).size(), 255u);
}

TEST(Sanitize, OutputAlwaysValidatesWhenLongEnough) {
    for (const char* raw : {"a b\tc\n@d", "x\xF0\x9F\x98\x80y@z.io", "stra\xC3\x9F" "e@x.de"}) {
        const std::string s = sanitize_username(raw);
        EXPECT_TRUE(validate_username(s, 1, "/u").empty()) << s;
    }
}

TEST(Derive, CustomUsernameIsUsedVerbatimOrRefused) {
    auto r = call("username.derive", cptest::J(R"({"customUsername":"Alice_01","email":"a@b.c"})"));
    EXPECT_EQ(r["value"]["username"], "Alice_01");
    EXPECT_EQ(r["value"]["source"], "custom");
    EXPECT_EQ(r["value"]["candidates"].size(), 1u);
    r = call("username.derive", cptest::J(R"({"customUsername":"alice ","email":"a@b.c"})"));
    EXPECT_EQ(code_of(r), "username.bad_char");
    EXPECT_EQ(r["error"]["field"], "/customUsername");
    r = call("username.derive", cptest::J(R"({"customUsername":"bob"})"));
    EXPECT_EQ(code_of(r), "username.too_short");
    r = call("username.derive", cptest::J(R"({"customUsername":"bob","serverVersion":"22.3.0"})"));
    EXPECT_EQ(r["value"]["username"], "bob");
}

TEST(Derive, EmailIsSanitisedAndPadded) {
    auto r = call("username.derive", cptest::J(R"({"email":"john+x@ex.com","serviceId":7})"));
    EXPECT_EQ(r["value"]["username"], "john_x@ex.com");
    EXPECT_EQ(r["value"]["source"], "email");
    r = call("username.derive", cptest::J(R"({"email":"a@b","serviceId":42})"));
    EXPECT_EQ(r["value"]["username"], "a@b420");  // padded with the service id, then zeros
    r = call("username.derive", cptest::J(R"({"email":"a@b","serviceId":42,"padding":"9876"})"));
    EXPECT_EQ(r["value"]["username"], "a@b987");
}

TEST(Derive, FallsBackToFirstNameAndServiceId) {
    auto r = call("username.derive", cptest::J(R"({"email":"","firstname":"Zoë","serviceId":"15"})"));
    EXPECT_EQ(r["value"]["username"], "zoe151");  // "zoe15" padded with the id
    EXPECT_EQ(r["value"]["source"], "name");
    r = call("username.derive", cptest::J(R"({"serviceId":1234567})"));
    EXPECT_EQ(r["value"]["username"], "user1234567");
    r = call("username.derive", cptest::J(R"({})"));
    EXPECT_EQ(code_of(r), "username.no_source");
}

TEST(Derive, CandidatesAreBoundedDistinctAndValid) {
    auto r = call("username.derive",
                  cptest::J(R"({"email":"sam@x.io","serviceId":9,"maxCandidates":4})"));
    const auto& c = r["value"]["candidates"];
    ASSERT_EQ(c.size(), 4u);
    EXPECT_EQ(c[0], "sam@x.io");
    EXPECT_EQ(c[1], "sam@x.io_9");
    EXPECT_EQ(c[2], "sam@x.io_9_2");
    EXPECT_EQ(c[3], "sam@x.io_9_3");
    std::string longest(255, 'k');
    json args = json::object();
    args["email"] = longest;
    args["serviceId"] = 12;
    r = call("username.derive", args);
    for (const auto& cand : r["value"]["candidates"]) {
        EXPECT_LE(cand.get<std::string>().size(), 255u);
        EXPECT_TRUE(validate_username(cand.get<std::string>(), 6, "").empty());
    }
    EXPECT_EQ(code_of(call("username.derive", cptest::J(R"({"email":"a@b.c","maxCandidates":0})"))),
              "request.bad_value");
}

TEST(Derive, RejectsWrongTypes) {
    EXPECT_EQ(code_of(call("username.derive", cptest::J(R"({"email":5})"))), "request.bad_type");
    EXPECT_EQ(code_of(call("username.derive", cptest::J(R"({"serviceId":-1})"))), "request.bad_value");
    EXPECT_EQ(code_of(call("username.derive", cptest::J(R"({"serviceId":"12a"})"))), "request.bad_value");
    EXPECT_EQ(code_of(call("username.derive", cptest::J(R"({"email":"x@y.z","padding":"a-b"})"))),
              "request.bad_value");
}
