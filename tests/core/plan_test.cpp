// Tests for the plan engine: request sequences and parameters for scripted Comet replies.
#include "cometprov/plan.hpp"

#include "test_util.hpp"

#include <gtest/gtest.h>

#include <cstdio>

using namespace cometprov;
using cptest::J;

namespace {

// Drives a plan with canned reply bodies (HTTP 200), one per request; returns the requests made and
// the final done step.
struct PlanRun {
    std::vector<json> requests;
    json done;
};

PlanRun drive(const std::string& action, const json& context, const std::vector<std::string>& bodies) {
    PlanRun run;
    json args = json::object();
    args["action"] = action;
    args["context"] = context;
    json r = cptest::call("plan.start", args);
    std::size_t i = 0;
    while (r["ok"] == true && r["value"].contains("request")) {
        run.requests.push_back(r["value"]["request"]);
        if (i >= bodies.size()) return run;
        json resume = json::object();
        resume["state"] = r["value"]["state"];
        resume["response"] = J(R"({"httpStatus":200})");
        resume["response"]["body"] = bodies[i++];
        r = cptest::call("plan.resume", resume);
    }
    EXPECT_EQ(r["ok"], true) << dump(r);
    run.done = r["value"]["done"];
    return run;
}

const char* kOk = R"({"Status":200,"Message":"OK"})";

json create_context() {
    return J(R"({"serviceid":5,"password":"Generated-Pw1","configoptions":{"number_of_devices":"2"},
                 "configoption1":"WHMCS_P9","configoption3":"on","productName":"Pro",
                 "clientsdetails":{"email":"Ann@Example.com"},"now":1764500000,"serverVersion":"25.9.8"})");
}

}  // namespace

TEST(Plan, CreateWithExistingPolicyOnAModernServer) {
    const std::string profile = R"({"Status":200,"ProfileHash":"h1","Profile":{"Username":"ann@example.com","CreationGUID":"G","CreateTime":1764499999,"Destinations":{}}})";
    PlanRun run = drive("CreateAccount", create_context(),
                    {R"({"Status":200,"PolicyHash":"p","Policy":{}})", kOk, profile, kOk});
    ASSERT_EQ(run.requests.size(), 4u);
    EXPECT_EQ(run.requests[0]["endpoint"], "policies/get");
    EXPECT_EQ(run.requests[1]["endpoint"], "add-user");
    EXPECT_EQ(run.requests[1]["params"]["TargetUser"], "ann@example.com");
    EXPECT_EQ(run.requests[1]["params"]["StoreRecoveryCode"], "1");
    EXPECT_EQ(run.requests[1]["params"]["RequirePasswordChange"], "1");
    EXPECT_EQ(run.requests[1]["secrets"], J(R"(["TargetPassword"])"));
    EXPECT_EQ(run.requests[2]["endpoint"], "get-user-profile-and-hash");
    EXPECT_EQ(run.requests[3]["endpoint"], "set-user-profile-hash");
    EXPECT_EQ(run.requests[3]["params"]["RequireHash"], "h1");
    EXPECT_EQ(run.requests[3]["secrets"], J(R"(["ProfileData"])"));
    json written = J(run.requests[3]["params"]["ProfileData"].get<std::string>().c_str());
    EXPECT_EQ(written["MaximumDevices"], 2);
    EXPECT_EQ(written["PolicyID"], "WHMCS_P9");
    EXPECT_EQ(written["CreationGUID"], "G");
    EXPECT_EQ(run.done["result"], "success");
    bool saw_marker = false;
    for (const auto& e : run.done["effects"]) {
        if (e["type"] == "marker") saw_marker = e["value"] == "G";
    }
    EXPECT_TRUE(saw_marker);
}

TEST(Plan, AdminCredentialsInTheContextAreRefused) {
    for (const char* key : {"serverpassword", "serverusername", "serveraccesshash"}) {
        json args = json::object();
        args["action"] = "CreateAccount";
        args["context"] = create_context();
        args["context"][key] = "topsecret";  // a careless host; the core must not carry it anywhere
        json r = cptest::call("plan.start", args);
        EXPECT_EQ(cptest::code_of(r), "plan.bad_context") << key;
        EXPECT_EQ(r["error"]["field"], std::string("/context/") + key);
        EXPECT_EQ(dump(r).find("topsecret"), std::string::npos);
    }
}

TEST(Plan, CreateWithoutNowIsRefusedBeforeAnyRequest) {
    json args = json::object();
    args["action"] = "CreateAccount";
    args["context"] = create_context();
    args["context"].erase("now");
    json r = cptest::call("plan.start", args);
    EXPECT_EQ(cptest::code_of(r), "plan.bad_context");
    EXPECT_EQ(r["error"]["field"], "/context/now");
    EXPECT_FALSE(r.contains("value"));
}

TEST(Plan, UninstallOnTerminateWhenTheProductAsks) {
    // The account is read first (and adopted: no marker is stored), then deleted.
    const char* bob = R"({"Username":"bob","CreationGUID":"gB"})";
    PlanRun run = drive("TerminateAccount", J(R"({"username":"bob","configoption4":"on"})"), {bob, kOk});
    ASSERT_EQ(run.requests.size(), 2u);
    EXPECT_EQ(run.requests[0]["endpoint"], "get-user-profile");
    EXPECT_EQ(run.requests[1]["params"]["UninstallConfig"], R"({"UninstallFlag":true,"RemoveConfigFile":false})");
    run = drive("TerminateAccount", J(R"({"username":"bob"})"), {bob, kOk});
    ASSERT_EQ(run.requests.size(), 2u);
    EXPECT_FALSE(run.requests[1]["params"].contains("UninstallConfig"));
    // The official module's configoption4 is a Note: its text is no flag.
    run = drive("TerminateAccount", J(R"({"username":"bob","configoption4":"Policy groups are created\non demand"})"),
                {bob, kOk});
    ASSERT_EQ(run.requests.size(), 2u);
    EXPECT_FALSE(run.requests[1]["params"].contains("UninstallConfig"));
}

TEST(Plan, SetRefusedWithoutConcurrentWriteFailsAfterOneReread) {
    const std::string profile = R"({"Status":200,"ProfileHash":"h1","Profile":{"IsSuspended":false}})";
    PlanRun run = drive("SuspendAccount", J(R"({"username":"bob"})"),
                    {profile, R"({"Status":400,"Message":"Invalid profile"})", profile});
    ASSERT_EQ(run.requests.size(), 3u);
    EXPECT_EQ(run.done["code"], "comet.profile_write_refused");
    EXPECT_EQ(run.done["detail"]["endpoint"], "set-user-profile-hash");
    EXPECT_EQ(run.done["detail"]["username"], "bob");
    EXPECT_NE(run.done["result"].get<std::string>().find("Invalid profile"), std::string::npos);
}

TEST(Plan, PolicyIdsAreStableAndProductDerived) {
    EXPECT_EQ(managed_policy_id(12, "abc"), "WHMCS_abc_P12");
}

TEST(Plan, StatesAreSealed) {
    json r = cptest::call("plan.start", J(R"({"action":"TestConnection"})"));
    std::string state = r["value"]["state"].get<std::string>();
    state[state.size() - 2] = state[state.size() - 2] == '}' ? ']' : '}';
    json resume = json::object();
    resume["state"] = state;
    resume["response"] = J(R"({"httpStatus":200,"body":"{}"})");
    EXPECT_EQ(cptest::code_of(cptest::call("plan.resume", resume)), "plan.bad_state");
}

namespace {

std::string fnv(const std::string& text) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

// A state the core produced for `action`, with `edit` applied to its JSON and the checksum redone:
// the checksum only detects corruption, so the core must re-check what it reads back.
std::string edited_state(const char* action, const json& context, void (*edit)(json&)) {
    json args = json::object();
    args["action"] = action;
    args["context"] = context;
    json r = cptest::call("plan.start", args);
    const std::string state = r["value"]["state"].get<std::string>();
    json body = json::parse(state.substr(17));
    edit(body);
    const std::string text = dump(body);
    return fnv(text) + "." + text;
}

std::string resume_code(const std::string& state) {
    json resume = json::object();
    resume["state"] = state;
    resume["response"] = J(R"({"httpStatus":200,"body":"{}"})");
    return cptest::code_of(cptest::call("plan.resume", resume));
}

}  // namespace

TEST(Plan, ResealedStatesAreStillCheckedFieldByField) {
    const json ctx = J(R"({"username":"bob"})");
    // Untouched, the state resumes.
    EXPECT_EQ(resume_code(edited_state("SuspendAccount", ctx, [](json&) {})), "");
    EXPECT_EQ(resume_code(edited_state("SuspendAccount", ctx, [](json& s) { s["phase"] = 99; })),
              "plan.bad_state");
    EXPECT_EQ(resume_code(edited_state("SuspendAccount", ctx, [](json& s) { s["phase"] = "read"; })),
              "plan.bad_state");
    EXPECT_EQ(resume_code(edited_state("SuspendAccount", ctx, [](json& s) { s["scratch"] = json::object(); })),
              "plan.bad_state");
    EXPECT_EQ(resume_code(edited_state("SuspendAccount", ctx, [](json& s) { s["ctx"]["username"] = 5; })),
              "plan.bad_state");
    EXPECT_EQ(resume_code(edited_state("SuspendAccount", ctx, [](json& s) { s["action"] = "Renew"; })),
              "plan.bad_state");
    EXPECT_EQ(resume_code(edited_state("SuspendAccount", ctx, [](json& s) { s["v"] = 1; })),
              "plan.bad_state");
    EXPECT_EQ(resume_code(edited_state("SuspendAccount", ctx,
                                       [](json& s) { s["scratch"]["write"]["attempts"] = "x"; })),
              "plan.bad_state");
}

TEST(Plan, StatesCarryOnlyTheKeysTheActionReads) {
    json args = json::object();
    args["action"] = "SuspendAccount";
    args["context"] = J(R"({"username":"bob","password":"service-secret","clientsdetails":{"email":"a@b.c"}})");
    const std::string state = cptest::call("plan.start", args)["value"]["state"].get<std::string>();
    EXPECT_EQ(state.find("service-secret"), std::string::npos);
    EXPECT_EQ(state.find("a@b.c"), std::string::npos);
    EXPECT_NE(state.find("bob"), std::string::npos);
}

TEST(Plan, AClaimNeverAdoptsAnAccountCreatedBeforeTheAttempt) {
    // The claim says: add-user for ann1234 was attempted at 1764500000 and its reply was lost.
    json ctx = J(R"({"serviceid":5,"password":"Generated-Pw1","customfields":{"Username":"ann1234"},
                     "claim":{"username":"ann1234","at":1764500000},"now":1764500100,"serverVersion":"18.9.2"})");
    for (std::int64_t age : {601, 3600, 86400 * 365}) {
        json profile = J(R"({"Status":200,"ProfileHash":"h","Profile":{"CreationGUID":"X"}})");
        profile["Profile"]["CreateTime"] = 1764500000 - age;
        PlanRun run = drive("CreateAccount", ctx, {dump(profile)});
        ASSERT_EQ(run.requests.size(), 1u) << age;
        EXPECT_EQ(run.requests[0]["endpoint"], "get-user-profile-and-hash");
        EXPECT_EQ(run.done["code"], "account.username_taken") << age;
        for (const auto& e : run.done["effects"]) EXPECT_NE(e["type"], "username") << age;
    }
    // Created after the attempt (or within the skew): ours, adopted without a new add-user.
    for (std::int64_t age : {600, 0, -30}) {
        json profile = J(R"({"Status":200,"ProfileHash":"h","Profile":{"CreationGUID":"X"}})");
        profile["Profile"]["CreateTime"] = 1764500000 - age;
        PlanRun run = drive("CreateAccount", ctx, {dump(profile), kOk});
        ASSERT_FALSE(run.requests.empty());
        for (const auto& req : run.requests) EXPECT_NE(req["endpoint"], "add-user") << age;
        EXPECT_EQ(run.done["result"], "success") << age;
    }
}

TEST(Plan, ErrorsOfFailedStepsCarryTheirDetail) {
    PlanRun run = drive("TerminateAccount", J(R"({"username":"dan"})"),
                        {R"({"Username":"dan","CreationGUID":"gD"})", R"({"Status":500,"Message":"device online"})",
                         R"({"Status":200})"});
    EXPECT_EQ(run.done["code"], "comet.delete_refused");
    EXPECT_EQ(run.done["detail"], J(R"({"endpoint":"delete-user","status":500,"message":"device online","username":"dan"})"));
}

namespace {

// plan.start's answer for CreateAccount with `value` written at `pointer` inside the context.
json start_with(const std::string& action, json context, const std::string& pointer, const json& value) {
    context[json::json_pointer(pointer)] = value;
    json args = json::object();
    args["action"] = action;
    args["context"] = context;
    return cptest::call("plan.start", args);
}

json create_context_all_keys() {
    json c = create_context();
    c["username"] = "ann@example.com";
    c["marker"] = "G1";
    c["claim"] = J(R"({"username":"ann@example.com","at":1764499000})");
    c["customfields"] = J(R"({"Username":"ann.lee","Password":"Custom-Pass-1"})");
    c["clientsdetails"] = J(R"({"email":"ann@example.com","firstname":"Ann","lastname":"Lee"})");
    c["configoption2"] = "prov1";
    c["serverUrl"] = "https://comet.example.com";
    c["serverVersion"] = "25.9.8";
    return c;
}

// Every one-line text key CreateAccount reads, as a JSON pointer into the context.
const char* const kOneLineKeys[] = {
    "/username",       "/customfields/Username", "/clientsdetails/email", "/clientsdetails/firstname",
    "/clientsdetails/lastname", "/configoption1", "/configoption2", "/productName",
    "/serverUrl",      "/serverVersion",         "/marker",               "/claim/username",
    "/configoptions/number_of_devices",
};

}  // namespace

TEST(PlanContext, EveryTextIsAtMost4096Bytes) {
    const json ctx = create_context_all_keys();
    ASSERT_EQ(start_with("CreateAccount", ctx, "/productName", "Pro")["ok"], true);
    std::vector<std::string> keys(std::begin(kOneLineKeys), std::end(kOneLineKeys));
    keys.push_back("/password");
    keys.push_back("/customfields/Password");
    for (const auto& key : keys) {
        // 4,096 bytes pass the context check (the plan may still fail the value later, as done).
        json r = start_with("CreateAccount", ctx, key, std::string(4096, '7'));
        EXPECT_EQ(r["ok"], true) << key << " " << dump(r).substr(0, 300);
        r = start_with("CreateAccount", ctx, key, std::string(4097, '7'));
        EXPECT_EQ(cptest::code_of(r), "plan.bad_context") << key;
        EXPECT_EQ(r["error"]["field"], "/context" + key);
        EXPECT_EQ(dump(r).find(std::string(100, '7')), std::string::npos) << "the value is not echoed";
    }
    // Bytes, not characters: 1,365 euro signs are 4,095 bytes, 1,366 are 4,098.
    std::string euros;
    for (int i = 0; i < 1365; ++i) euros += "\xE2\x82\xAC";
    EXPECT_EQ(start_with("CreateAccount", ctx, "/clientsdetails/lastname", euros)["ok"], true);
    EXPECT_EQ(cptest::code_of(start_with("CreateAccount", ctx, "/clientsdetails/lastname", euros + "\xE2\x82\xAC")),
              "plan.bad_context");
}

TEST(PlanContext, NoTextHoldsANul) {
    const json ctx = create_context_all_keys();
    std::vector<std::string> keys(std::begin(kOneLineKeys), std::end(kOneLineKeys));
    keys.push_back("/password");
    keys.push_back("/customfields/Password");
    keys.push_back("/configoption3");
    for (const auto& key : keys) {
        for (const std::string& v : {std::string("\0ab", 3), std::string("ab\0", 3), std::string(1, '\0')}) {
            json r = start_with("CreateAccount", ctx, key, v);
            EXPECT_EQ(cptest::code_of(r), "plan.bad_context") << key;
            EXPECT_EQ(r["error"]["field"], "/context" + key);
        }
    }
}

TEST(PlanContext, OneLineKeysRefuseCrAndLf) {
    const json ctx = create_context_all_keys();
    for (const char* key : kOneLineKeys) {
        for (const char* v : {"a\nb", "a\rb", "ab\r\n", "\n"}) {
            json r = start_with("CreateAccount", ctx, key, v);
            EXPECT_EQ(cptest::code_of(r), "plan.bad_context") << key << " " << dump(json(v));
            EXPECT_EQ(r["error"]["field"], std::string("/context") + key);
        }
        // Other control characters and tabs are the validators' business, not the context's.
        EXPECT_EQ(start_with("CreateAccount", ctx, key, "a\tb")["ok"], true) << key;
    }
    // Option names too; the field is the map (a name holding a line break is no path member).
    json r = start_with("ChangePackage", J(R"({"username":"bob"})"), "/configoptions/storage_vault_quota_gb\r", "5");
    EXPECT_EQ(cptest::code_of(r), "plan.bad_context");
    EXPECT_EQ(r["error"]["field"], "/context/configoptions");
}

TEST(PlanContext, PasswordLineBreaksStayAPasswordRule) {
    for (const char* key : {"/password", "/customfields/Password"}) {
        json ctx = create_context_all_keys();
        if (std::string(key) == "/password") ctx["customfields"].erase("Password");  // else it wins
        json r = start_with("CreateAccount", ctx, key, "Two-lines-pw\nx");
        ASSERT_EQ(r["ok"], true) << key;
        EXPECT_EQ(r["value"]["done"]["code"], "password.multiline") << key;
    }
    json r = start_with("ChangePassword", J(R"({"username":"bob"})"), "/password", "Two-lines-pw\r\nx");
    ASSERT_EQ(r["ok"], true);
    EXPECT_EQ(r["value"]["done"]["code"], "password.multiline");
}

TEST(PlanContext, AtMost200ConfigurableOptions) {
    json options = json::object();
    for (int i = 0; i < 200; ++i) options["unknown_option_" + std::to_string(i)] = "1";
    json r = start_with("ChangePackage", J(R"({"username":"bob"})"), "/configoptions", options);
    ASSERT_EQ(r["ok"], true) << dump(r).substr(0, 300);
    EXPECT_TRUE(r["value"].contains("request"));
    options["unknown_option_200"] = "1";
    r = start_with("ChangePackage", J(R"({"username":"bob"})"), "/configoptions", options);
    EXPECT_EQ(cptest::code_of(r), "plan.bad_context");
    EXPECT_EQ(r["error"]["field"], "/context/configoptions");
    // The limit is on what the action reads: Suspend ignores configoptions.
    EXPECT_EQ(start_with("SuspendAccount", J(R"({"username":"bob"})"), "/configoptions", options)["ok"], true);
}
