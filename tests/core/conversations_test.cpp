// Runs every plan conversation of tests/vectors/conversations/ through invoke(): plan.start with the
// context, then plan.resume with each reply in turn. The transcript (every request, then the end)
// must equal the conversation's expectation. One test per conversation.
#include "cometprov/invoke.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

namespace {

using ordered = cometprov::json;
using canonical = nlohmann::json;  // std::map objects: keys sorted, the canonical form

struct Conversation {
    std::string id;
    std::string name;
    std::string text;  // the conversation, as JSON text
};

std::vector<Conversation> load() {
    std::vector<Conversation> out;
    std::ifstream in(std::string(COMETPROV_VECTORS_DIR) + "/conversations/plan_conversations.json",
                     std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const ordered doc = ordered::parse(ss.str(), nullptr, false);
    if (doc.is_discarded() || !doc.contains("conversations") || !doc["conversations"].is_array()) {
        out.push_back(Conversation{"unreadable", "unreadable conversations file", ""});
        return out;
    }
    std::size_t i = 0;
    for (const auto& c : doc["conversations"]) {
        out.push_back(Conversation{"c" + std::to_string(i++), c.value("name", std::string("?")), c.dump()});
    }
    return out;
}

const std::vector<Conversation>& all() {
    static const std::vector<Conversation> cases = load();
    return cases;
}

void PrintTo(const Conversation& c, std::ostream* os) { *os << c.name; }

ordered call(const ordered& request) {
    return ordered::parse(cometprov::invoke(cometprov::dump(request)), nullptr, false);
}

// The transcript every host builds (tests/vectors/README.md).
ordered transcript(const ordered& c) {
    ordered requests = ordered::array();
    ordered start = ordered::object();
    start["op"] = "plan.start";
    start["args"]["action"] = c["action"];
    start["args"]["context"] = c["context"];
    ordered r = call(start);
    const ordered& replies = c["replies"];
    std::size_t used = 0;
    ordered t = ordered::object();
    for (;;) {
        if (r.is_discarded() || r["ok"] != true) {
            t["error"] = r.is_discarded() ? ordered("unparseable response") : r["error"];
            break;
        }
        if (r["value"].contains("done")) {
            t["done"] = r["value"]["done"];
            break;
        }
        requests.push_back(r["value"]["request"]);
        if (used >= replies.size()) {
            t["waiting"] = true;
            break;
        }
        ordered resume = ordered::object();
        resume["op"] = "plan.resume";
        resume["args"]["state"] = r["value"]["state"];
        resume["args"]["response"] = replies[used++];
        r = call(resume);
    }
    t["requests"] = requests;
    if (used < replies.size()) t["unusedReplies"] = replies.size() - used;
    return t;
}

class PlanConversation : public ::testing::TestWithParam<Conversation> {};

TEST_P(PlanConversation, ProducesTheExpectedTranscript) {
    const Conversation& c = GetParam();
    ASSERT_FALSE(c.text.empty()) << "tests/vectors/conversations/plan_conversations.json is unreadable";
    const ordered conv = ordered::parse(c.text, nullptr, false);
    ASSERT_TRUE(conv.contains("expect") && conv.contains("replies") && conv["replies"].is_array())
        << c.name << ": malformed conversation";
    const canonical got = canonical::parse(transcript(conv).dump());
    const canonical want = canonical::parse(conv["expect"].dump());
    EXPECT_EQ(got.dump(), want.dump()) << c.name;
}

INSTANTIATE_TEST_SUITE_P(Plan, PlanConversation, ::testing::ValuesIn(all()),
                         [](const ::testing::TestParamInfo<Conversation>& p) { return p.param.id; });

// At least as many plan cases as the sealed-state vectors they replaced (79), covering every action.
TEST(PlanConversations, CoverEveryAction) {
    EXPECT_GE(all().size(), 140u);
    std::set<std::string> seen;
    for (const auto& c : all()) {
        const ordered conv = ordered::parse(c.text, nullptr, false);
        if (!conv.is_discarded() && conv.contains("action") && conv["action"].is_string()) {
            seen.insert(conv["action"].get<std::string>());
        }
    }
    const ordered v = call(ordered::parse(R"({"op":"version"})"));
    for (const auto& action : v["value"]["actions"]) {
        EXPECT_EQ(seen.count(action.get<std::string>()), 1u) << action << " has no conversation";
    }
}

}  // namespace
