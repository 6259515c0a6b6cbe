// Tests for profile edits: only owned members change; everything else survives byte for byte.
#include "cometprov/profile.hpp"

#include "cometprov/options.hpp"

#include "test_util.hpp"

#include <gtest/gtest.h>

using namespace cometprov;
using cptest::J;

static const char* kProfile = R"({"Username":"alice","Unknown":{"Nested":[1,2.5,{}]},"Emails":[],)"
                              R"("Destinations":{"v1":{"Description":"Cloud","DestinationType":1003,)"
                              R"("StorageLimitEnabled":false,"StorageLimitBytes":0,"Extra":{}},)"
                              R"("v2":{"DestinationType":1002,"StorageLimitEnabled":false}},)"
                              R"("Sources":{},"IsSuspended":false,"MaximumDevices":0,)"
                              R"("Big":18446744073709551615,"Neg":-3,"Float":0.1,"PolicyID":""})";

static Quotas sample_quotas() {
    Quotas q;
    q.maximum_devices = 2;
    q.protected_items = {true, 1024};
    q.storage_vault = {true, 2048};
    return q;
}

TEST(Profile, EmptyEditChangesNothing) {
    json p = J(kProfile);
    const std::string before = dump(p);
    bool changed = true;
    Error err;
    ASSERT_TRUE(apply_profile_edit(p, ProfileEdit{}, changed, err, "/profile"));
    EXPECT_FALSE(changed);
    EXPECT_EQ(dump(p), before);
}

TEST(Profile, KeyOrderAndNumberFormatsSurvive) {
    json p = J(kProfile);
    ProfileEdit e;
    e.suspended = true;
    bool changed = false;
    Error err;
    ASSERT_TRUE(apply_profile_edit(p, e, changed, err, "/profile"));
    EXPECT_TRUE(changed);
    std::string expected = dump(J(kProfile));
    const std::string from = "\"IsSuspended\":false";
    expected.replace(expected.find(from), from.size(), "\"IsSuspended\":true");
    EXPECT_EQ(dump(p), expected);
    EXPECT_NE(dump(p).find("\"Big\":18446744073709551615"), std::string::npos);
    EXPECT_NE(dump(p).find("\"Unknown\":{\"Nested\":[1,2.5,{}]}"), std::string::npos);
}

TEST(Profile, QuotasGoToEveryVaultButLocalCopies) {
    json p = J(kProfile);
    ProfileEdit e;
    e.quotas = sample_quotas();
    bool changed = false;
    Error err;
    ASSERT_TRUE(apply_profile_edit(p, e, changed, err, "/profile"));
    EXPECT_EQ(p["MaximumDevices"], 2);
    EXPECT_EQ(p["AllProtectedItemsQuotaEnabled"], true);
    EXPECT_EQ(p["AllProtectedItemsQuotaBytes"], 1024);
    EXPECT_EQ(p["Destinations"]["v1"]["StorageLimitEnabled"], true);
    EXPECT_EQ(p["Destinations"]["v1"]["StorageLimitBytes"], 2048);
    EXPECT_EQ(p["Destinations"]["v1"]["Extra"], json::object());
    EXPECT_EQ(p["Destinations"]["v2"]["StorageLimitEnabled"], false);
    EXPECT_FALSE(p["Destinations"]["v2"].contains("StorageLimitBytes"));
}

TEST(Profile, UnchangedVaultQuotaLeavesLimits) {
    json p = J(R"({"Destinations":{"v":{"StorageLimitEnabled":true,"StorageLimitBytes":99}}})");
    ProfileEdit e;
    Quotas q;
    q.vault_unchanged = true;
    e.quotas = q;
    bool changed = false;
    Error err;
    ASSERT_TRUE(apply_profile_edit(p, e, changed, err, "/profile"));
    EXPECT_EQ(p["Destinations"]["v"]["StorageLimitBytes"], 99);
    EXPECT_EQ(p["Destinations"]["v"]["StorageLimitEnabled"], true);
}

TEST(Profile, SameValuesReportNoChange) {
    json p = J(R"({"MaximumDevices":2,"AllProtectedItemsQuotaEnabled":true,"AllProtectedItemsQuotaBytes":1024,)"
               R"("Destinations":{"v":{"StorageLimitEnabled":true,"StorageLimitBytes":2048}},"PolicyID":"X"})");
    ProfileEdit e;
    e.quotas = sample_quotas();
    e.policy_id = "X";
    bool changed = true;
    Error err;
    ASSERT_TRUE(apply_profile_edit(p, e, changed, err, "/profile"));
    EXPECT_FALSE(changed);
}

TEST(Profile, EmptyContainersStayDistinct) {
    auto r = cptest::call("profile.apply", J(R"({"profile":{"A":{},"B":[],"Destinations":null},"policyId":"P"})"));
    ASSERT_EQ(r["ok"], true);
    EXPECT_EQ(dump(r["value"]["profile"]), R"({"A":{},"B":[],"Destinations":null,"PolicyID":"P"})");
}

TEST(Profile, BadShapesAreErrors) {
    auto r = cptest::call("profile.apply", J(R"({"profile":{"Destinations":[]},"quotas":{"maximumDevices":1,"protectedItems":{"enabled":false,"bytes":0},"storageVault":{"enabled":true,"bytes":5}}})"));
    EXPECT_EQ(cptest::code_of(r), "profile.bad_shape");
    EXPECT_EQ(r["error"]["field"], "/profile/Destinations");
    r = cptest::call("profile.apply", J(R"({"profile":{"Destinations":{"x":7}},"quotas":{"storageVault":{"enabled":true,"bytes":5}}})"));
    EXPECT_EQ(r["error"]["field"], "/profile/Destinations/x");
    EXPECT_EQ(cptest::code_of(cptest::call("profile.apply", J(R"({"profile":[]})"))), "request.bad_type");
    EXPECT_EQ(cptest::code_of(cptest::call("profile.apply", J(R"({})"))), "request.missing_field");
    EXPECT_EQ(cptest::code_of(cptest::call("profile.apply", J(R"({"profile":{},"suspended":"yes"})"))),
              "request.bad_type");
}

// The vault rule end to end: quotas from a product without a vault option leave every limit; a 0
// option lifts them; "never change" leaves them even with a positive option.
TEST(Profile, VaultRuleFromConfigOptions) {
    const char* profile = R"({"Destinations":{"v":{"DestinationType":1003,"StorageLimitEnabled":true,"StorageLimitBytes":99},
        "l":{"DestinationType":1002,"StorageLimitEnabled":true,"StorageLimitBytes":7}}})";
    struct Case { const char* options; bool manage; bool enabled; std::int64_t bytes; };
    for (const Case& c : {Case{"{}", true, true, 99}, Case{R"({"storage_vault_quota_gb":"0"})", true, false, 0},
                          Case{R"({"storage_vault_quota_gb":"2"})", true, true, 2147483648},
                          Case{R"({"storage_vault_quota_gb":"2"})", false, true, 99}}) {
        Quotas q;
        Error err;
        ASSERT_TRUE(quotas_from_configoptions(J(c.options), c.manage, q, err)) << err.message;
        json p = J(profile);
        ProfileEdit e;
        e.quotas = q;
        bool changed = false;
        ASSERT_TRUE(apply_profile_edit(p, e, changed, err, "/profile"));
        EXPECT_EQ(p["Destinations"]["v"]["StorageLimitEnabled"], c.enabled) << c.options << " " << c.manage;
        EXPECT_EQ(p["Destinations"]["v"]["StorageLimitBytes"], c.bytes) << c.options << " " << c.manage;
        EXPECT_EQ(p["Destinations"]["l"]["StorageLimitBytes"], 7) << "a local copy is never touched";
    }
}
