// Tests for the JSON entry point: every bad request is a clean rejection.
#include "cometprov/invoke.hpp"

#include "test_util.hpp"

#include <gtest/gtest.h>

using namespace cometprov;

static std::string code_for(std::string_view request) {
    bool ok = true;
    json r = json::parse(invoke(request, ok), nullptr, false);
    EXPECT_FALSE(r.is_discarded());
    EXPECT_FALSE(ok);
    return cptest::code_of(r);
}

TEST(Invoke, MalformedRequests) {
    EXPECT_EQ(code_for(""), "request.bad_json");
    EXPECT_EQ(code_for("{"), "request.bad_json");
    EXPECT_EQ(code_for("\xFF"), "request.bad_json");
    EXPECT_EQ(code_for("[1]"), "request.bad_shape");
    EXPECT_EQ(code_for("{}"), "request.missing_op");
    EXPECT_EQ(code_for(R"({"op":5})"), "request.bad_type");
    EXPECT_EQ(code_for(R"({"op":"nope"})"), "request.unknown_op");
    EXPECT_EQ(code_for(R"({"op":"version","args":"x"})"), "request.bad_type");
    EXPECT_EQ(code_for(R"({"op":"version","args":[1]})"), "request.bad_type");
}

TEST(Invoke, DeepNestingIsRefusedBeforeParsing) {
    std::string deep(100000, '[');
    EXPECT_EQ(code_for(deep), "request.too_deep");
    // Brackets inside strings do not count.
    std::string s = R"({"op":"password.validate","args":{"password":")" + std::string(1000, '[') + "\"}}";
    bool ok = false;
    invoke(s, ok);
    EXPECT_TRUE(ok);
}

TEST(Invoke, EmbeddedNulBytesAreData) {
    std::string req = R"({"op":"username.validate","args":{"username":"ab\u0000cdef"}})";
    json r = json::parse(invoke(req), nullptr, false);
    EXPECT_EQ(r["value"]["errors"][0]["code"], "username.bad_char");
    EXPECT_EQ(r["value"]["errors"][0]["position"], 3);
}

TEST(Invoke, EmptyArrayArgsMeanNoArgs) {
    bool ok = false;
    json r = json::parse(invoke(R"({"op":"version","args":[]})", ok), nullptr, false);
    EXPECT_TRUE(ok);
    EXPECT_EQ(r["value"]["abiVersion"], 1);
}

TEST(Invoke, ResponseIsCompactAndStartsWithOk) {
    const std::string out = invoke(R"({"op":"version"})");
    EXPECT_EQ(out.rfind("{\"ok\":true,\"value\":{", 0), 0u) << out;
    EXPECT_EQ(out.find('\n'), std::string::npos);
}
