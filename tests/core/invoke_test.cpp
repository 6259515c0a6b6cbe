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

// What hosts read instead of copying: every published op and action is one the core knows.
TEST(Invoke, VersionPublishesOpsActionsEffectsAndSecrets) {
    json v = json::parse(invoke(R"({"op":"version"})"), nullptr, false)["value"];
    ASSERT_TRUE(v["ops"].is_array());
    ASSERT_TRUE(v["actions"].is_array());
    EXPECT_EQ(v["actions"].size(), 15u);
    for (const auto& op : v["ops"]) {
        json req = json::object();
        req["op"] = op;
        json r = json::parse(invoke(dump(req)), nullptr, false);
        EXPECT_FALSE(r["ok"] == false && r["error"]["code"] == "request.unknown_op") << op;
    }
    for (const auto& action : v["actions"]) {
        json req = json::object();
        req["op"] = "plan.start";
        req["args"]["action"] = action;
        json r = json::parse(invoke(dump(req)), nullptr, false);
        EXPECT_FALSE(r["ok"] == false && r["error"]["code"] == "plan.unknown_action") << action;
        EXPECT_TRUE(v["contextKeys"].contains(action.get<std::string>())) << action;
    }
    EXPECT_EQ(v["effects"], json::parse(
        R"(["username","marker","claim","customPassword","usage","serverVersion","adopted","createAttempted"])"));
    for (const char* s : {"Password", "TargetPassword", "NewPassword", "OldPassword", "SessionKey", "TOTP", "ProfileData"}) {
        bool found = false;
        for (const auto& p : v["secretParams"]) found = found || p == s;
        EXPECT_TRUE(found) << s;
    }
    EXPECT_EQ(v["contextKeys"]["CreateAccount"]["requires"], json::parse(R"(["now"])"));
    EXPECT_EQ(v["contextKeys"]["LoadPolicies"]["requires"], json::parse(R"(["installId"])"));
    EXPECT_EQ(v["contextKeys"]["UsageUpdate"]["requires"], json::parse(R"(["services"])"));
}
