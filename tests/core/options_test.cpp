// Tests for option names and the quota mapping.
#include "cometprov/options.hpp"

#include "test_util.hpp"

#include <gtest/gtest.h>

using namespace cometprov;
using cptest::J;

static Quotas quotas(const char* configoptions, bool manage = true) {
    Quotas q;
    Error err;
    EXPECT_TRUE(quotas_from_configoptions(J(configoptions), manage, q, err)) << err.message;
    return q;
}

static Error quota_error(const char* configoptions) {
    Quotas q;
    Error err;
    EXPECT_FALSE(quotas_from_configoptions(J(configoptions), true, q, err));
    return err;
}

TEST(OptionName, SplitsKeyAndLabel) {
    OptionName n;
    Error err;
    ASSERT_TRUE(parse_option_name(" number_of_devices | Devices ", n, err, "/name"));
    EXPECT_EQ(n.key, "number_of_devices");
    EXPECT_EQ(n.label, "Devices");
    EXPECT_TRUE(n.known);
    ASSERT_TRUE(parse_option_name("storage_vault_quota_tb", n, err, "/name"));
    EXPECT_FALSE(n.has_label);
    ASSERT_TRUE(parse_option_name("colour|Red|Blue", n, err, "/name"));
    EXPECT_EQ(n.label, "Red|Blue");
    EXPECT_FALSE(n.known);
    ASSERT_TRUE(parse_option_name("Number_Of_Devices", n, err, "/name"));
    EXPECT_FALSE(n.known);  // keys match exactly, as in WHMCS
    EXPECT_FALSE(parse_option_name(" |Devices", n, err, "/name"));
    EXPECT_EQ(err.code, "options.empty_key");
}

TEST(Quotas, GigabytesAreGibibytes) {
    auto q = quotas(R"({"number_of_devices":"3","protected_item_quota_gb":"10","storage_vault_quota_tb":"2"})");
    EXPECT_EQ(q.maximum_devices, 3);
    EXPECT_TRUE(q.protected_items.enabled);
    EXPECT_EQ(q.protected_items.bytes, 10737418240);
    EXPECT_TRUE(q.storage_vault.enabled);
    EXPECT_EQ(q.storage_vault.bytes, 2199023255552);
}

TEST(Quotas, DecimalsRoundDownToWholeBytes) {
    auto q = quotas(R"({"protected_item_quota_gb":1.5,"storage_vault_quota_gb":"0.3"})");
    EXPECT_EQ(q.protected_items.bytes, 1610612736);
    EXPECT_EQ(q.storage_vault.bytes, 322122547);  // 322122547.2
}

TEST(Quotas, EmptyAndZeroMeanUnlimited) {
    auto q = quotas("{}");
    EXPECT_EQ(q.maximum_devices, 0);
    EXPECT_FALSE(q.protected_items.enabled);
    EXPECT_FALSE(q.storage_vault.enabled);
    q = quotas(R"({"number_of_devices":"0","storage_vault_quota_gb":"0","protected_item_quota_tb":""})");
    EXPECT_EQ(q.maximum_devices, 0);
    EXPECT_FALSE(q.vault_unchanged);
    EXPECT_FALSE(q.storage_vault.enabled);
    EXPECT_EQ(q.storage_vault.bytes, 0);
}

// The vault rule (issue 16): an option that is not on the product leaves the vaults' limits as the
// admin or the storage provider set them; 0 lifts them; N sets N; "never change" wins over all.
TEST(Quotas, VaultRuleAbsentLeavesLimits) {
    EXPECT_TRUE(quotas("{}", true).vault_unchanged);
    EXPECT_TRUE(quotas("[]", true).vault_unchanged);
    EXPECT_TRUE(quotas("null", true).vault_unchanged);
    EXPECT_TRUE(quotas(R"({"number_of_devices":"3","protected_item_quota_gb":"5"})", true).vault_unchanged);
    EXPECT_TRUE(quotas(R"({"storage_vault_quota_gb":null})", true).vault_unchanged);
    EXPECT_FALSE(quotas(R"({"storage_vault_quota_gb":null})", true).vault_present);
}

TEST(Quotas, VaultRuleZeroLifts) {
    for (const char* opts : {R"({"storage_vault_quota_gb":"0"})", R"({"storage_vault_quota_tb":0})",
                             R"({"storage_vault_quota_gb|Storage":""})"}) {
        auto q = quotas(opts, true);
        EXPECT_FALSE(q.vault_unchanged) << opts;
        EXPECT_TRUE(q.vault_present) << opts;
        EXPECT_FALSE(q.storage_vault.enabled) << opts;
        EXPECT_EQ(q.storage_vault.bytes, 0) << opts;
    }
}

TEST(Quotas, VaultRulePositiveSets) {
    auto q = quotas(R"({"storage_vault_quota_gb":"5"})", true);
    EXPECT_FALSE(q.vault_unchanged);
    EXPECT_TRUE(q.storage_vault.enabled);
    EXPECT_EQ(q.storage_vault.bytes, 5LL * 1024 * 1024 * 1024);
    q = quotas(R"({"storage_vault_quota_tb":"2"})", true);
    EXPECT_EQ(q.storage_vault.bytes, 2LL * 1024 * 1024 * 1024 * 1024);
}

// "Never change storage vault limits": untouched even when the product sets a positive quota.
TEST(Quotas, VaultRuleNeverChangeWins) {
    for (const char* opts : {"{}", R"({"storage_vault_quota_gb":"0"})", R"({"storage_vault_quota_gb":"5"})"}) {
        auto q = quotas(opts, false);
        EXPECT_TRUE(q.vault_unchanged) << opts;
        EXPECT_FALSE(q.storage_vault.enabled) << opts;
    }
    // The other quotas still apply.
    auto q = quotas(R"({"number_of_devices":"2","storage_vault_quota_gb":"5"})", false);
    EXPECT_EQ(q.maximum_devices, 2);
}

TEST(Quotas, PresenceOfEachOption) {
    auto q = quotas(R"({"number_of_devices":"0","protected_item_quota_tb":"1"})");
    EXPECT_TRUE(q.devices_present);
    EXPECT_TRUE(q.items_present);
    EXPECT_FALSE(q.vault_present);
    q = quotas("{}");
    EXPECT_FALSE(q.devices_present);
    EXPECT_FALSE(q.items_present);
}

TEST(Quotas, OptionNamesWithLabelsAreUnderstood) {
    auto q = quotas(R"({"number_of_devices|Devices":"4","other|Thing":"x"})");
    EXPECT_EQ(q.maximum_devices, 4);
    EXPECT_EQ(quota_error(R"({"number_of_devices|Devices":"4","number_of_devices":"2"})").code,
              "options.duplicate");
}

TEST(Quotas, BadValuesNameTheOption) {
    auto e = quota_error(R"({"number_of_devices":"-1"})");
    EXPECT_EQ(e.code, "options.negative");
    EXPECT_EQ(e.field, "/configoptions/number_of_devices");
    EXPECT_EQ(quota_error(R"({"protected_item_quota_gb":"ten"})").code, "options.not_a_number");
    EXPECT_EQ(quota_error(R"({"protected_item_quota_gb":true})").code, "options.bad_type");
    EXPECT_EQ(quota_error(R"({"protected_item_quota_gb":[1]})").code, "options.bad_type");
    EXPECT_EQ(quota_error(R"({"number_of_devices":"2.5"})").code, "options.not_integer");
    EXPECT_EQ(quota_error(R"({"storage_vault_quota_tb":"8388608"})").code, "options.overflow");
    EXPECT_EQ(quota_error(R"({"storage_vault_quota_gb":"1","storage_vault_quota_tb":"1"})").code,
              "options.conflict");
}

TEST(Quotas, PointerEscapesOddKeys) {
    Quotas q;
    Error err;
    ASSERT_FALSE(quotas_from_configoptions(J(R"({"number_of_devices|a/b~c":"x"})"), true, q, err));
    EXPECT_EQ(err.field, "/configoptions/number_of_devices|a~1b~0c");
}

TEST(Quotas, JsonRoundTrip) {
    auto q = quotas(R"({"protected_item_quota_gb":"1"})", false);
    Quotas back;
    Error err;
    ASSERT_TRUE(Quotas::from_json(q.to_json(), back, err, "/quotas"));
    EXPECT_EQ(back.protected_items.bytes, q.protected_items.bytes);
    EXPECT_TRUE(back.vault_unchanged);
    EXPECT_FALSE(Quotas::from_json(J(R"({"protectedItems":{"enabled":1,"bytes":0}})"), back, err, "/q"));
    EXPECT_EQ(err.field, "/q/protectedItems/enabled");
}
