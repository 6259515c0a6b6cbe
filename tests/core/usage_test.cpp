// Tests for usage rows.
#include "cometprov/usage.hpp"

#include "test_util.hpp"

#include <gtest/gtest.h>

using namespace cometprov;
using cptest::J;

static std::vector<UsageRow> rows_of(const char* profiles) {
    std::vector<UsageRow> rows;
    Error err;
    EXPECT_TRUE(usage_from_profiles(J(profiles), rows, err, "/profiles")) << err.message;
    return rows;
}

TEST(Usage, SumsVaultSizesAndLimitsInMiB) {
    auto rows = rows_of(R"({"bob":{"Destinations":{
        "a":{"DestinationType":1003,"StorageLimitEnabled":true,"StorageLimitBytes":10737418240,
             "Statistics":{"ClientProvidedSize":{"Size":1048576}}},
        "b":{"DestinationType":1000,"StorageLimitEnabled":true,"StorageLimitBytes":1073741824,
             "Statistics":{"ClientProvidedSize":{"Size":3145728}}}}}})");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].username, "bob");
    EXPECT_EQ(rows[0].disk_usage_mb, 4);
    EXPECT_EQ(rows[0].disk_limit_mb, 11264);
    EXPECT_EQ(rows[0].vaults, 2);
}

TEST(Usage, LocalCopiesAreSkipped) {
    auto rows = rows_of(R"({"c":{"Destinations":{
        "l":{"DestinationType":1002,"StorageLimitEnabled":true,"StorageLimitBytes":5,
             "Statistics":{"ClientProvidedSize":{"Size":999999999}}}}}})");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].disk_usage_mb, 0);
    EXPECT_EQ(rows[0].disk_limit_mb, 0);
    EXPECT_EQ(rows[0].vaults, 0);
}

TEST(Usage, OneUnlimitedVaultMakesTheAccountUnlimited) {
    auto rows = rows_of(R"({"d":{"Destinations":{
        "a":{"StorageLimitEnabled":true,"StorageLimitBytes":1073741824},
        "b":{"StorageLimitEnabled":false,"StorageLimitBytes":1073741824}}}})");
    EXPECT_EQ(rows[0].disk_limit_mb, 0);
}

TEST(Usage, OddDataCountsAsZeroAndRowsAreSorted) {
    auto rows = rows_of(R"({"z":{"Destinations":{"a":{"Statistics":{"ClientProvidedSize":{"Size":"12"}}},"b":5}},
                          "a":{"Destinations":null},"m":7})");
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].username, "a");
    EXPECT_EQ(rows[1].username, "m");
    EXPECT_EQ(rows[2].username, "z");
    EXPECT_EQ(rows[2].disk_usage_mb, 0);
    EXPECT_EQ(rows[2].vaults, 1);
}

TEST(Usage, HugeSizesSaturateInsteadOfWrapping) {
    auto rows = rows_of(R"({"h":{"Destinations":{
        "a":{"Statistics":{"ClientProvidedSize":{"Size":9223372036854775807}}},
        "b":{"Statistics":{"ClientProvidedSize":{"Size":9223372036854775807}}}}}})");
    EXPECT_EQ(rows[0].disk_usage_mb, 9223372036854775807LL / 1048576);
}

TEST(Usage, EmptyShapesAndWrongTypes) {
    EXPECT_TRUE(rows_of("null").empty());
    EXPECT_TRUE(rows_of("{}").empty());
    EXPECT_TRUE(rows_of("[]").empty());
    EXPECT_EQ(cptest::code_of(cptest::call("usage.fromProfiles", J(R"({"profiles":"x"})"))),
              "request.bad_type");
    EXPECT_EQ(cptest::code_of(cptest::call("usage.fromProfiles", J(R"({})"))),
              "request.missing_field");
}

// The one vault rule UsageUpdate (streamed or not) and ServiceOverview share.
TEST(VaultFigures, LocalCopiesAreNeverCountedOrLimited) {
    const VaultFigures local = vault_figures(J(R"({"DestinationType":1002,"StorageLimitEnabled":true,
        "StorageLimitBytes":5,"Statistics":{"ClientProvidedSize":{"Size":2048}}})"));
    EXPECT_TRUE(local.local);
    EXPECT_FALSE(local.limited);
    EXPECT_EQ(local.limit, 0u);
    EXPECT_EQ(local.used, 0u);
    UsageTotals t;
    t.add(local);
    EXPECT_EQ(t.vaults, 0);
    EXPECT_EQ(t.limit_mb(), 0);  // no remote vault: unlimited
}

TEST(VaultFigures, LimitOnlyWhenEnabled) {
    VaultFigures v = vault_figures(J(R"({"DestinationType":1003,"StorageLimitEnabled":false,"StorageLimitBytes":99})"));
    EXPECT_FALSE(v.limited);
    EXPECT_EQ(v.limit, 0u);
    v = vault_figures(J(R"({"DestinationType":1003,"StorageLimitEnabled":"true","StorageLimitBytes":99})"));
    EXPECT_FALSE(v.limited) << "only a JSON true enables the limit";
    v = vault_figures(1003, 7, true, 2097152);
    EXPECT_TRUE(v.limited);
    EXPECT_EQ(v.limit, 2097152u);
    EXPECT_EQ(v.used, 7u);
}

TEST(UsageTotals, OneUnlimitedVaultMakesTheAccountUnlimited) {
    UsageTotals t;
    t.add(vault_figures(1003, 3 * 1048576, true, 10 * 1048576));
    EXPECT_EQ(t.used_mb(), 3);
    EXPECT_EQ(t.limit_mb(), 10);
    t.add(vault_figures(1000, 1048576, false, 0));
    EXPECT_EQ(t.used_mb(), 4);
    EXPECT_EQ(t.limit_mb(), 0);
    EXPECT_EQ(t.vaults, 2);
}
