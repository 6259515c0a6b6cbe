// The core's JSON object type: insertion order kept (as ordered_json), lookups indexed.
#include "cometprov/json.hpp"

#include <gtest/gtest.h>

#include <string>

using cometprov::json;

namespace {

std::string key(int i) { return "k" + std::to_string(i); }

// A document with n members, built by parsing (the path Comet replies take).
json parsed_object(int n) {
    std::string text = "{";
    for (int i = n - 1; i >= 0; --i) {  // reverse order, so sorted output would differ
        if (i != n - 1) text += ",";
        text += "\"" + key(i) + "\":" + std::to_string(i);
    }
    text += "}";
    return json::parse(text);
}

}  // namespace

TEST(IndexedMap, KeepsInsertionOrderInOutput) {
    json small = json::parse(R"({"b":1,"a":2,"c":3})");
    EXPECT_EQ(small.dump(), R"({"b":1,"a":2,"c":3})");
    json big = parsed_object(100);
    const std::string out = big.dump();
    EXPECT_EQ(out.substr(0, 16), R"({"k99":99,"k98":)");
    EXPECT_EQ(out.substr(out.size() - 7), R"("k0":0})");
}

TEST(IndexedMap, FindsEveryKeyOfALargeObject) {
    json big = parsed_object(5000);
    ASSERT_EQ(big.size(), 5000u);
    for (int i = 0; i < 5000; i += 7) {
        auto it = big.find(key(i));
        ASSERT_NE(it, big.end()) << key(i);
        EXPECT_EQ(it->get<int>(), i);
        EXPECT_TRUE(big.contains(key(i)));
        EXPECT_EQ(big.count(key(i)), 1u);
    }
    EXPECT_EQ(big.find("k5000"), big.end());
    EXPECT_FALSE(big.contains("missing"));
}

TEST(IndexedMap, DuplicateKeysKeepTheFirstPositionAndTheLastValue) {
    // The same rule as nlohmann's ordered_json, for small and indexed objects alike.
    EXPECT_EQ(json::parse(R"({"a":1,"b":2,"a":3})").dump(), R"({"a":3,"b":2})");
    std::string text = "{";
    for (int i = 0; i < 40; ++i) text += "\"" + key(i) + "\":" + std::to_string(i) + ",";
    text += "\"k3\":\"again\"}";
    json j = json::parse(text);
    EXPECT_EQ(j.size(), 40u);
    EXPECT_EQ(j["k3"], "again");
    EXPECT_EQ(j.begin().key(), "k0");
    EXPECT_EQ(std::next(j.begin(), 3).key(), "k3");
}

TEST(IndexedMap, EraseAndInsertKeepTheIndexRight) {
    json j = parsed_object(50);
    EXPECT_EQ(j.erase("k10"), 1u);
    EXPECT_EQ(j.erase("k10"), 0u);
    EXPECT_FALSE(j.contains("k10"));
    EXPECT_EQ(j["k11"], 11);  // positions after the erased one moved down
    EXPECT_EQ(j["k0"], 0);
    j.erase(j.find("k49"));
    EXPECT_FALSE(j.contains("k49"));
    EXPECT_EQ(j["k48"], 48);
    j["k10"] = "back";  // appended at the end
    EXPECT_EQ(std::prev(j.end()).key(), "k10");
    EXPECT_EQ(j.size(), 49u);
    j["new"] = 1;
    EXPECT_EQ(j.at("new"), 1);
    j.clear();
    EXPECT_TRUE(j.empty());
    EXPECT_FALSE(j.contains("k1"));
    j["k1"] = 1;
    EXPECT_EQ(j.size(), 1u);
    EXPECT_EQ(j["k1"], 1);
}

TEST(IndexedMap, CopiesMovesAndSwapsStayConsistent) {
    json a = parsed_object(30);
    ASSERT_TRUE(a.contains("k29"));  // builds a's index
    json b = a;
    b.erase("k5");
    EXPECT_TRUE(a.contains("k5"));
    EXPECT_FALSE(b.contains("k5"));
    json c = std::move(b);
    EXPECT_FALSE(c.contains("k5"));
    EXPECT_EQ(c["k6"], 6);
    json d = parsed_object(20);
    std::swap(a, d);
    EXPECT_EQ(a.size(), 20u);
    EXPECT_FALSE(a.contains("k25"));
    EXPECT_TRUE(d.contains("k25"));
    EXPECT_NE(a, d);
    EXPECT_EQ(d, parsed_object(30));
    a.update(d);  // adds the keys a lacks, at the end, in d's order
    EXPECT_EQ(a.size(), 30u);
    EXPECT_EQ(a["k25"], 25);
}

TEST(IndexedMap, InitializerListsAndNestedObjects) {
    json j = {{"z", 1}, {"y", {{"inner", true}}}, {"z", 2}};
    EXPECT_EQ(j.dump(), R"({"z":1,"y":{"inner":true}})");
    json profile = json::object();
    for (int i = 0; i < 20; ++i) profile["Destinations"][key(i)]["StorageLimitBytes"] = i;
    EXPECT_EQ(profile["Destinations"]["k19"]["StorageLimitBytes"], 19);
    EXPECT_EQ(profile["Destinations"].begin().key(), "k0");
}
