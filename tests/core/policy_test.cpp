// Tests for the restricted group policy.
#include "cometprov/policy.hpp"

#include "test_util.hpp"

#include <gtest/gtest.h>

using namespace cometprov;
using cptest::J;

TEST(Policy, RestrictsWhatTheProductDocumentationPromises) {
    json g = restricted_policy(PolicyRequest{});
    const json& p = g["Policy"];
    EXPECT_EQ(p["PreventChangeAccountPassword"], true);
    EXPECT_EQ(p["ModeAdminResetPassword"], 3);
    EXPECT_EQ(p["PreventRequestStorageVault"], true);
    EXPECT_EQ(p["PreventAddCustomStorageVault"], true);
    EXPECT_EQ(p["PreventDeleteStorageVault"], true);
    EXPECT_EQ(p["StorageVaultProviders"]["ShouldRestrictProviderList"], true);
    EXPECT_EQ(p["StorageVaultProviders"]["AllowedProvidersWhenRestricted"], J("[1003]"));
    EXPECT_EQ(p["ProtectedItemEngineTypes"]["ShouldRestrictEngineTypeList"], false);
    EXPECT_TRUE(p["ProtectedItemEngineTypes"]["AllowedEngineTypeWhenRestricted"].is_array());
}

// Regression: the reference module never set PreventEditStorageVault although its README says so.
TEST(Policy, EditingVaultsIsPreventedToo) {
    EXPECT_EQ(restricted_policy(PolicyRequest{})["Policy"]["PreventEditStorageVault"], true);
}

TEST(Policy, DescriptionComesFromTheProduct) {
    PolicyRequest r;
    r.product_name = "  Backup 100 GB ";
    r.policy_id = "WHMCS_P7";
    EXPECT_EQ(restricted_policy(r)["Description"], "Backup 100 GB (WHMCS)");
    r.product_name = "";
    EXPECT_EQ(restricted_policy(r)["Description"], "WHMCS_P7");
}

TEST(Policy, ProviderListIsValidated) {
    auto r = cptest::call("policy.restricted", J(R"({"allowedProviders":[1003,1000,1003]})"));
    EXPECT_EQ(r["value"]["Policy"]["StorageVaultProviders"]["AllowedProvidersWhenRestricted"],
              J("[1003,1000]"));
    EXPECT_EQ(cptest::code_of(cptest::call("policy.restricted", J(R"({"allowedProviders":[]})"))),
              "policy.no_providers");
    r = cptest::call("policy.restricted", J(R"({"allowedProviders":[1003,42]})"));
    EXPECT_EQ(cptest::code_of(r), "policy.unknown_provider");
    EXPECT_EQ(r["error"]["field"], "/allowedProviders/1");
    EXPECT_EQ(cptest::code_of(cptest::call("policy.restricted", J(R"({"allowedProviders":["1003"]})"))),
              "request.bad_type");
}
