// Tests for the account-name rule and the email check.
#include "cometprov/account.hpp"

#include <gtest/gtest.h>

using namespace cometprov;

TEST(AccountName, StoredUsernameWins) {
    EXPECT_EQ(account_name("alice", "bob"), "alice");
    EXPECT_EQ(account_name("alice", ""), "alice");
}

// The official module stores this literal in tblhosting.username and the name in the custom field.
TEST(AccountName, PlaceholderOrEmptyReadsTheCustomField) {
    EXPECT_EQ(account_name("[Using custom field]", "bob"), "bob");
    EXPECT_EQ(account_name("", "bob"), "bob");
    EXPECT_EQ(account_name("[Using custom field]", ""), "");
    EXPECT_EQ(account_name("", ""), "");
}

TEST(AccountName, PlaceholderIsExact) {
    EXPECT_EQ(account_name("[using custom field]", "bob"), "[using custom field]");
    EXPECT_EQ(account_name(" [Using custom field]", "bob"), " [Using custom field]");
    EXPECT_FALSE(is_hand_set("[Using custom field]"));
    EXPECT_FALSE(is_hand_set(""));
    EXPECT_TRUE(is_hand_set("carol"));
}

TEST(Email, PlainAddressesAreValid) {
    for (const char* ok : {"a@example.com", "first.last+tag@sub.example.co.uk", "o'neil@x-y.io",
                           "user_1@xn--bcher-kva.ch", "a@b.cd"}) {
        EXPECT_TRUE(is_valid_email(ok)) << ok;
    }
}

TEST(Email, AnythingElseIsNot) {
    for (const char* bad :
         {"", "plain", "@example.com", "a@", "a@b", "a@@b.com", "a b@example.com", "a@exa mple.com",
          ".a@example.com", "a.@example.com", "a..b@example.com", "a@-example.com", "a@example-.com",
          "a@example..com", "a@1.2.3.4", "a@example.com\n", "<a@example.com>", "a@b.com, c@d.com",
          "jos\xc3\xa9@example.com", "a\"b@example.com", "a@exa_mple.com"}) {
        EXPECT_FALSE(is_valid_email(bad)) << bad;
    }
}

TEST(Email, Lengths) {
    const std::string local64(64, 'a');
    EXPECT_TRUE(is_valid_email(local64 + "@example.com"));
    EXPECT_FALSE(is_valid_email(local64 + "a@example.com"));
    const std::string label63(63, 'b');
    EXPECT_TRUE(is_valid_email("a@" + label63 + ".com"));
    EXPECT_FALSE(is_valid_email("a@" + label63 + "b.com"));
    // 254 bytes at most in all.
    std::string domain;
    while (domain.size() < 250) domain += label63.substr(0, 40) + ".";
    domain += "com";
    EXPECT_FALSE(is_valid_email("a@" + domain));
}
