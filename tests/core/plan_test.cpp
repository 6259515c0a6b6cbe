// Tests for the plan engine: request sequences and parameters for scripted Comet replies.
#include "cometprov/plan.hpp"

#include "test_util.hpp"

#include <gtest/gtest.h>

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
                 "clientsdetails":{"email":"Ann@Example.com"},"now":1764500000})");
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
    PlanRun run = drive("TerminateAccount", J(R"({"username":"bob","configoption4":"on"})"), {kOk});
    ASSERT_EQ(run.requests.size(), 1u);
    EXPECT_EQ(run.requests[0]["params"]["UninstallConfig"], R"({"UninstallFlag":true,"RemoveConfigFile":false})");
    run = drive("TerminateAccount", J(R"({"username":"bob"})"), {kOk});
    EXPECT_FALSE(run.requests[0]["params"].contains("UninstallConfig"));
}

TEST(Plan, SetRefusedWithoutConcurrentWriteFailsAfterOneReread) {
    const std::string profile = R"({"Status":200,"ProfileHash":"h1","Profile":{"IsSuspended":false}})";
    PlanRun run = drive("SuspendAccount", J(R"({"username":"bob"})"),
                    {profile, R"({"Status":400,"Message":"Invalid profile"})", profile});
    ASSERT_EQ(run.requests.size(), 3u);
    EXPECT_EQ(run.done["code"], "comet.api_error");
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
