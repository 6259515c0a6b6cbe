// Runs every golden vector in tests/vectors through invoke(); one test per case.
#include "cometprov/invoke.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

using ordered = cometprov::json;
using canonical = nlohmann::json;  // std::map objects: keys sorted, the canonical form

struct Case {
    std::string id;       // "<file>_<index>", a valid gtest name
    std::string label;    // the case's own name
    std::string request;  // exact request text
    std::string expect;   // expected response, as written
    bool exact_order = false;
};

std::string request_of(const ordered& c) {
    if (c.contains("raw")) return c["raw"].get<std::string>();
    ordered r = ordered::object();
    r["op"] = c["op"];
    if (c.contains("args")) r["args"] = c["args"];
    return cometprov::dump(r);
}

std::vector<Case> load_cases() {
    std::vector<Case> cases;
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(COMETPROV_VECTORS_DIR)) {
        if (e.path().extension() == ".json") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& path : files) {
        std::ifstream in(path, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        ordered doc = ordered::parse(ss.str(), nullptr, false);
        std::string stem = path.stem().string();
        std::replace_if(stem.begin(), stem.end(), [](char ch) { return !std::isalnum(static_cast<unsigned char>(ch)); }, '_');
        if (doc.is_discarded() || !doc.contains("cases") || !doc["cases"].is_array()) {
            cases.push_back(Case{stem + "_unreadable", path.string(), "", "", false});
            continue;
        }
        std::size_t index = 0;
        for (const auto& c : doc["cases"]) {
            Case k;
            k.id = stem + "_" + std::to_string(index++);
            k.label = c.value("name", std::string("(unnamed)"));
            if (!c.is_object() || !c.contains("expect") || (!c.contains("op") && !c.contains("raw"))) {
                k.request = "";
                k.expect = "";
            } else {
                k.request = request_of(c);
                k.expect = cometprov::dump(c["expect"]);
                k.exact_order = c.value("exactOrder", false);
            }
            cases.push_back(k);
        }
    }
    return cases;
}

const std::vector<Case>& all_cases() {
    static const std::vector<Case> cases = load_cases();
    return cases;
}

// Print the case's name, not its bytes, in test listings.
void PrintTo(const Case& c, std::ostream* os) { *os << c.label; }

class Vector : public ::testing::TestWithParam<Case> {};

TEST_P(Vector, MatchesExpectation) {
    const Case& c = GetParam();
    ASSERT_FALSE(c.expect.empty()) << c.label << ": malformed vector (needs op or raw, and expect)";
    const std::string actual = cometprov::invoke(c.request);
    const canonical got = canonical::parse(actual, nullptr, false);
    const canonical want = canonical::parse(c.expect, nullptr, false);
    ASSERT_FALSE(got.is_discarded()) << actual;
    EXPECT_EQ(got.dump(), want.dump()) << c.label << "\nrequest: " << c.request;
    if (c.exact_order) {
        EXPECT_EQ(actual, c.expect) << c.label << " (key order)";
    }
}

INSTANTIATE_TEST_SUITE_P(Golden, Vector, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<Case>& p) { return p.param.id; });

TEST(VectorSuite, HasAtLeast150Cases) { EXPECT_GE(all_cases().size(), 150u); }

}  // namespace
