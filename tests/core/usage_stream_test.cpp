// The incremental list-users-full reader: the same body cut anywhere gives the same rows or the same
// error; truncation at any byte is an error; validity agrees with nlohmann on mutated bodies; and the
// streamed plan step equals plan.resume's, byte for byte.
#include "cometprov/invoke.hpp"
#include "cometprov/plan.hpp"
#include "cometprov/usage_stream.hpp"

#include "test_util.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

using namespace cometprov;

namespace {

const std::vector<std::string> kWanted = {"alice", "b\xC3\xB6" "b", "\xF0\x9F\x98\x80", "", "alice", "ghost"};

// Every result of a finished stream, as one comparable text.
std::string summary(UsageStream& s) {
    s.finish();
    std::string out;
    if (!s.valid_json()) {
        return "bad:" + s.syntax_error() + "@" + std::to_string(s.error_offset());
    }
    std::int64_t status = 0;
    std::string message;
    if (s.envelope(status, message)) out += "envelope:" + std::to_string(status) + ":" + message + ";";
    out += s.is_map() ? "map;" : "notmap;";
    if (const auto* p = s.problem()) out += "problem:" + p->username + "|" + p->field + "|" + p->what + ";";
    for (std::size_t i = 0; i < kWanted.size(); ++i) {
        const auto& u = s.usage(i);
        out += std::to_string(i) + "=" + (u.seen ? "seen" : "-") + "," + std::to_string(u.disk_usage_mb) + "," +
               std::to_string(u.disk_limit_mb) + "," + std::to_string(u.vaults) + "," + u.creation_guid + ";";
    }
    out += "accounts=" + std::to_string(s.accounts()) + ";unknown=" + std::to_string(s.unknown_count());
    for (const auto& n : s.unknown_first()) out += "," + n;
    return out;
}

std::string one_shot(const std::string& body) {
    UsageStream s(kWanted);
    s.write(body);
    return summary(s);
}

std::string chunked(const std::string& body, const std::vector<std::size_t>& cuts) {
    UsageStream s(kWanted);
    std::size_t from = 0;
    for (std::size_t c : cuts) {
        s.write(body.data() + from, c - from);
        from = c;
    }
    s.write(body.data() + from, body.size() - from);
    return summary(s);
}

std::string vault(const char* type, const char* size, const char* enabled, const char* limit) {
    return std::string(R"({"DestinationType":)") + type + R"(,"StorageLimitEnabled":)" + enabled +
           R"(,"StorageLimitBytes":)" + limit + R"(,"Statistics":{"ClientProvidedSize":{"Size":)" + size + "}}}";
}

// Bodies that exercise escapes and UTF-8 in names and values, numbers of every form, nesting,
// unknown users, and several kinds of failure.
std::vector<std::string> bodies() {
    return {
        // valid: wanted users with escaped names, unknown users, every number form
        std::string(R"({"al\u0069ce":{"CreationGUID":"g\"1\\","Destinations":{"v\/1":)") +
            vault("1003", "10485760", "true", "2.5e9") + R"(,"lc":)" + vault("1002", "1e12", "true", "1") +
            R"(}},"carol":{"x":[1,-0.5e-3,2E+2,true,false,null,"\ud83d\ude00\t\u00e9",{"y":[[]]}]},)" +
            R"("b\u00f6b":{"Destinations":{"a":)" + vault("1000", "3145728.9", "false", "0") + R"(}},)" +
            R"("\ud83d\ude00":{"Destinations":null}, "z\u00c3" : {} })",
        // valid: whitespace everywhere, an old server's null and empty list
        " \r\n\t{ \"alice\" : { \"Destinations\" : { } } , \"dave\":{}}\n",
        "null",
        "[]",
        "[1,{}]",
        "\"text\"",
        "-12.5e+3",
        // an envelope
        R"({"Status":403,"Message":"Bad \u0041uth"})",
        // a wanted profile with a wrong type
        std::string(R"({"alice":{"Destinations":{"a":)") + vault("1003", "\"12\"", "true", "1") + "}}}",
        R"({"alice":{"Destinations":[]}})",
        R"({"carol":5})",
        // syntax errors
        R"({"alice":{"Destinations":{}},})",
        R"({"alice" {}})",
        R"({"a\q":{}})",
        "{\"a\xC0\x80\":{}}",
        "{\"a\xED\xA0\x80\":{}}",
        "{\"a\xF4\x90\x80\x80\":{}}",
        "{\"a\x01\":{}}",
        R"({"\ud800x":{}})",
        R"({"\ud800\u0041":{}})",
        R"({"a":{"n":01}})",
        R"({"a":{"n":1.}})",
        R"({"a":{"n":-}})",
        R"({"a":{"n":nul}})",
        R"({"a":{}}{})",
    };
}

// Accepts everything, remembers whether nlohmann's error was a number overflow.
struct OverflowSpy : nlohmann::json_sax<nlohmann::json> {
    bool overflow = false;
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override { return true; }
    bool key(string_t&) override { return true; }
    bool end_object() override { return true; }
    bool start_array(std::size_t) override { return true; }
    bool end_array() override { return true; }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) override {
        overflow = std::string(ex.what()).find("number overflow") != std::string::npos;
        return false;
    }
};

// plan.resume carries the body inside a JSON request, so it can only carry valid UTF-8.
bool survives_json(const std::string& body) {
    json back;
    Error err;
    return parse(dump(json(body)), back, err) && back.get<std::string>() == body;
}

}  // namespace

TEST(UsageStream, ReadsWantedUsersByTheirDecodedNames) {
    UsageStream s(kWanted);
    s.write(bodies()[0]);
    s.finish();
    ASSERT_TRUE(s.valid_json()) << s.syntax_error() << " at " << s.error_offset();
    EXPECT_TRUE(s.is_map());
    EXPECT_EQ(s.problem(), nullptr);
    // alice: one cloud vault of 10 MiB limited to 2.5e9 bytes (2384 MiB); the local copy is skipped.
    EXPECT_TRUE(s.usage(0).seen);
    EXPECT_EQ(s.usage(0).disk_usage_mb, 10);
    EXPECT_EQ(s.usage(0).disk_limit_mb, 2384);
    EXPECT_EQ(s.usage(0).vaults, 1);
    EXPECT_EQ(s.usage(0).creation_guid, "g\"1\\");
    EXPECT_TRUE(s.usage(4).seen);  // the same name twice shares the row
    // böb: 3 MiB (a fraction of a byte is dropped), one unlimited vault: limit 0.
    EXPECT_EQ(s.usage(1).disk_usage_mb, 3);
    EXPECT_EQ(s.usage(1).disk_limit_mb, 0);
    // the emoji user: no vaults.
    EXPECT_TRUE(s.usage(2).seen);
    EXPECT_EQ(s.usage(2).vaults, 0);
    EXPECT_FALSE(s.usage(3).seen);  // an empty name never matches
    EXPECT_FALSE(s.usage(5).seen);
    EXPECT_EQ(s.accounts(), 5u);
    EXPECT_EQ(s.unknown_count(), 2u);
    ASSERT_EQ(s.unknown_first().size(), 2u);
    EXPECT_EQ(s.unknown_first()[0], "carol");
    EXPECT_EQ(s.unknown_first()[1], "z\xC3\x83");
}

TEST(UsageStream, ShapesAndEnvelopes) {
    EXPECT_EQ(one_shot("null").substr(0, 4), "map;");
    EXPECT_EQ(one_shot("[]").substr(0, 4), "map;");
    EXPECT_EQ(one_shot("[1,{}]").substr(0, 7), "notmap;");
    EXPECT_EQ(one_shot("\"text\"").substr(0, 7), "notmap;");
    EXPECT_EQ(one_shot(R"({"Status":403,"Message":"Bad \u0041uth"})").substr(0, 23), "envelope:403:Bad Auth;m");
    // Status below 400 is no envelope: the member is simply not a profile.
    EXPECT_NE(one_shot(R"({"Status":200})").find("problem:Status||is not a profile"), std::string::npos);
    EXPECT_NE(one_shot(R"({"carol":5})").find("problem:carol||is not a profile"), std::string::npos);
    EXPECT_NE(one_shot(R"({"alice":{"Destinations":[]}})").find("problem:alice|/Destinations|is not an object"),
              std::string::npos);
    // An unwanted user's contents are not read.
    EXPECT_EQ(one_shot(R"({"carol":{"Destinations":[]}})").find("problem"), std::string::npos);
}

TEST(UsageStream, SyntaxErrorsNameTheByte) {
    EXPECT_EQ(one_shot(""), "bad:the reply is empty@0");
    EXPECT_EQ(one_shot("  "), "bad:the reply is empty@2");
    EXPECT_EQ(one_shot(R"({"a":{}},)"), "bad:more data after the end of the JSON@8");
    EXPECT_EQ(one_shot(R"({"a\q":{}})"), "bad:an invalid escape in a string@4");
    EXPECT_EQ(one_shot("{\"a\xC0\x80\":{}}"), "bad:invalid UTF-8@3");
    EXPECT_EQ(one_shot("{\"a\xED\xA0\x80\":{}}"), "bad:invalid UTF-8@4");
    EXPECT_EQ(one_shot("{\"a\x01\":{}}"), "bad:a control character inside a string@3");
    EXPECT_EQ(one_shot(R"({"a":{"n":01}})"), "bad:an unexpected character@11");
    EXPECT_EQ(one_shot(R"({"a":{"n":1.}})"), "bad:an invalid number@12");
    EXPECT_EQ(one_shot(R"({"a":)"), "bad:the reply ends in the middle of the JSON@5");
    EXPECT_EQ(one_shot("-"), "bad:an invalid number@1");
    std::string deep(512, '[');
    deep += std::string(512, ']');
    EXPECT_EQ(one_shot(deep).substr(0, 7), "notmap;");
    EXPECT_EQ(one_shot("[" + deep + "]"), "bad:the JSON nests deeper than 512 levels@512");
}

TEST(UsageStream, EveryCutPointGivesTheSameResult) {
    for (const auto& body : bodies()) {
        const std::string expected = one_shot(body);
        for (std::size_t cut = 0; cut <= body.size(); ++cut) {
            ASSERT_EQ(chunked(body, {cut}), expected) << "body " << body << " cut at " << cut;
        }
        // Every pair of cuts of the shorter bodies.
        if (body.size() <= 80) {
            for (std::size_t a = 0; a <= body.size(); ++a) {
                for (std::size_t b = a; b <= body.size(); ++b) {
                    ASSERT_EQ(chunked(body, {a, b}), expected) << "body " << body << " cut at " << a << "," << b;
                }
            }
        }
        // One byte at a time.
        std::vector<std::size_t> all;
        for (std::size_t k = 1; k < body.size(); ++k) all.push_back(k);
        ASSERT_EQ(chunked(body, all), expected) << body;
    }
}

TEST(UsageStream, RandomChunkingsGiveTheSameResult) {
    std::mt19937 rng(20240611);
    for (const auto& body : bodies()) {
        const std::string expected = one_shot(body);
        for (int round = 0; round < 300; ++round) {
            std::vector<std::size_t> cuts;
            std::size_t at = 0;
            for (;;) {
                at += 1 + rng() % 9;
                if (at >= body.size()) break;
                cuts.push_back(at);
            }
            ASSERT_EQ(chunked(body, cuts), expected) << body;
        }
    }
}

TEST(UsageStream, TruncationAtEveryByteIsAnError) {
    for (const auto& body : bodies()) {
        if (one_shot(body).rfind("bad:", 0) == 0) continue;
        std::size_t end = body.size();
        while (end > 0 && (body[end - 1] == ' ' || body[end - 1] == '\n')) --end;
        const bool scalar_number = body.find_first_of("{[\"nt") == std::string::npos;
        for (std::size_t len = 0; len < end; ++len) {
            const std::string prefix = body.substr(0, len);
            const std::string got = one_shot(prefix);
            if (scalar_number && len > 1 && got.rfind("bad:", 0) != 0) continue;  // "-12" is itself a number
            EXPECT_EQ(got.rfind("bad:", 0), 0u) << "prefix of " << len << " bytes of " << body << " gave " << got;
        }
    }
}

TEST(UsageStream, ValidityAgreesWithNlohmannOnMutatedBodies) {
    const char kBytes[] = {'{', '}', '[', ']', '"', '\\', ':', ',', 'u', '0', 'e', '-', '.', ' ', 'x', '\x01',
                           '\x7f', '\x80', '\xC3', '\xED', '\xF4', '\xFF'};
    std::size_t checked = 0;
    for (const auto& body : bodies()) {
        for (std::size_t at = 0; at < body.size(); ++at) {
            for (char b : kBytes) {
                std::string m = body;
                m[at] = b;
                UsageStream s(kWanted);
                s.write(m);
                s.finish();
                const bool ours = s.valid_json();
                OverflowSpy spy;
                const bool theirs = nlohmann::json::sax_parse(m, &spy);
                // RFC 8259 allows numbers beyond a double's range; nlohmann refuses them. The reader
                // accepts them (a byte count beyond int64 saturates).
                if (ours && !theirs && spy.overflow) continue;
                ASSERT_EQ(ours, theirs) << "mutated body: " << m << " (" << s.syntax_error() << ")";
                ++checked;
            }
        }
    }
    EXPECT_GT(checked, 20000u);
}

TEST(UsageStream, HugeProfilesAreReadWithoutBufferingThem) {
    // A wanted profile of 20 MiB (a long note before and after its vault) is read as it passes.
    std::string big = R"({"alice":{"Notes":")" + std::string(10u << 20, 'x') + R"(","Destinations":{"a":)" +
                      vault("1003", "5242880", "true", "1048576") + R"(},"More":")" + std::string(10u << 20, 'y') +
                      R"("}})";
    UsageStream s(kWanted);
    for (std::size_t at = 0; at < big.size(); at += 65536) s.write(big.data() + at, std::min<std::size_t>(65536, big.size() - at));
    s.finish();
    ASSERT_TRUE(s.valid_json());
    EXPECT_EQ(s.problem(), nullptr);
    EXPECT_EQ(s.usage(0).disk_usage_mb, 5);
    EXPECT_EQ(s.usage(0).disk_limit_mb, 1);
    // What the reader keeps is bounded: a number of more than 1024 characters, or a name of more than
    // 4096 bytes, is a clear problem or an unknown account, never a buffer that grows.
    const std::string long_size = std::string(R"({"alice":{"Destinations":{"a":)") +
                                  vault("1003", ("1" + std::string(2000, '0')).c_str(), "false", "0") + "}}}";
    EXPECT_NE(one_shot(long_size).find("problem:alice|/Destinations/a/Statistics/ClientProvidedSize/Size|has more than 1024 characters"),
              std::string::npos);
    const std::string long_name = "{\"" + std::string(5000, 'n') + "\":{}}";
    EXPECT_NE(one_shot(long_name).find("unknown=1,(a name longer than 4096 bytes)"), std::string::npos);
    // Numbers: fractions are dropped, exponents read, negatives count as 0, huge values saturate.
    const std::string numbers = std::string(R"({"alice":{"Destinations":{"a":)") + vault("1003", "1.5e6", "true", "-7") +
                                R"(,"b":)" + vault("1003", "1e400", "true", "99999999999999999999999") + "}}}";
    UsageStream n(kWanted);
    n.write(numbers);
    n.finish();
    ASSERT_TRUE(n.valid_json());
    EXPECT_EQ(n.usage(0).disk_usage_mb, 9223372036854775807ll / 1048576);
    EXPECT_EQ(n.usage(0).disk_limit_mb, 9223372036854775807ll / 1048576);
}

TEST(UsageStream, UnwantedUsersKeepNoBytes) {
    // 20,000 unknown users: only the first 20 names are kept, and the count.
    std::string body = "{";
    for (int i = 0; i < 20000; ++i) {
        if (i) body += ',';
        body += "\"u" + std::to_string(i) + R"(":{"Destinations":{"a":{"Statistics":{"ClientProvidedSize":{"Size":1}}}}})";
    }
    body += "}";
    UsageStream s(kWanted);
    for (std::size_t at = 0; at < body.size(); at += 4096) s.write(body.data() + at, std::min<std::size_t>(4096, body.size() - at));
    s.finish();
    ASSERT_TRUE(s.valid_json());
    EXPECT_EQ(s.accounts(), 20000u);
    EXPECT_EQ(s.unknown_count(), 20000u);
    ASSERT_EQ(s.unknown_first().size(), 20u);
    EXPECT_EQ(s.unknown_first()[19], "u19");
}

// ---- the plan step: streamed == plan.resume ------------------------------------------------------

namespace {

std::string start_state(const json& services) {
    json args = json::object();
    args["action"] = "UsageUpdate";
    args["context"]["services"] = services;
    const json r = cptest::call("plan.start", args);
    EXPECT_TRUE(r["ok"].get<bool>());
    EXPECT_EQ(r["value"]["request"]["stream"], true);
    return r["value"]["state"].get<std::string>();
}

std::string resume_text(const std::string& state, const json& response) {
    json req = json::object();
    req["op"] = "plan.resume";
    req["args"]["state"] = state;
    req["args"]["response"] = response;
    return invoke(dump(req));
}

std::string stream_text(PlanStream& ps, const std::string& state, const std::string& body,
                        const std::vector<std::size_t>& cuts, const json& close) {
    Outcome o = ps.open(state);
    EXPECT_TRUE(o.ok);
    std::size_t from = 0;
    for (std::size_t c : cuts) {
        ps.write(body.data() + from, c - from);
        from = c;
    }
    ps.write(body.data() + from, body.size() - from);
    Outcome done = ps.close(close);
    json r = json::object();
    r["ok"] = done.ok;
    if (done.ok) {
        r["value"] = done.value;
    } else {
        r["error"] = done.error.to_json();
    }
    return dump(r);
}

}  // namespace

TEST(UsageStreamPlan, StreamedStepEqualsPlanResumeAtEveryCut) {
    const json services = cptest::J(
        R"([{"serviceid":1,"username":"alice"},{"serviceid":2,"username":"böb","marker":"g"},{"serviceid":3,"username":"x"}])");
    const std::string state = start_state(services);
    PlanStream ps;
    for (const auto& body : bodies()) {
        if (!survives_json(body)) continue;
        json response = json::object();
        response["httpStatus"] = 200;
        response["body"] = body;
        const std::string expected = resume_text(state, response);
        json close = json::object();
        close["httpStatus"] = 200;
        for (std::size_t cut = 0; cut <= body.size(); ++cut) {
            ASSERT_EQ(stream_text(ps, state, body, {cut}, close), expected) << body << " cut at " << cut;
        }
    }
    // Non-200 and transport errors: the body does not matter.
    json http = cptest::J(R"({"httpStatus":503,"body":"<html>"})");
    EXPECT_EQ(stream_text(ps, state, "<html>", {2}, cptest::J(R"({"httpStatus":503})")), resume_text(state, http));
    json te = cptest::J(R"({"transportError":{"kind":"reset","message":"connection reset"}})");
    EXPECT_EQ(stream_text(ps, state, "{\"al", {}, te), resume_text(state, te));
}

TEST(UsageStreamPlan, OpenAndCloseRefuseMisuse) {
    PlanStream ps;
    EXPECT_EQ(ps.close(cptest::J(R"({"httpStatus":200})")).error.code, "plan.no_stream");
    EXPECT_EQ(ps.open("0000000000000000.{}").error.code, "plan.bad_state");
    EXPECT_FALSE(ps.is_open());
    // A step whose reply cannot be streamed (TestConnection's meta/version).
    json args = cptest::J(R"({"action":"TestConnection","context":{}})");
    const json r = cptest::call("plan.start", args);
    EXPECT_FALSE(r["value"]["request"].contains("stream"));
    EXPECT_EQ(ps.open(r["value"]["state"].get<std::string>()).error.code, "plan.not_streamed");
    const std::string state = start_state(cptest::J(R"([{"serviceid":1,"username":"alice"}])"));
    ASSERT_TRUE(ps.open(state).ok);
    EXPECT_EQ(ps.close(cptest::J(R"({"httpStatus":200,"body":"{}"})")).error.code, "request.bad_value");
    EXPECT_FALSE(ps.is_open());  // a close always ends the stream
    // A failed body tells the host it may stop early; the close still gives the failed step.
    ASSERT_TRUE(ps.open(state).ok);
    EXPECT_TRUE(ps.write("{\"a\"", 4));
    EXPECT_FALSE(ps.write("}", 1));
    Outcome done = ps.close(cptest::J(R"({"httpStatus":200})"));
    ASSERT_TRUE(done.ok);
    EXPECT_EQ(done.value["done"]["code"], "comet.bad_reply");
    // The next run starts clean.
    ASSERT_TRUE(ps.open(state).ok);
    ps.write(R"({"alice":{}})", 12);
    done = ps.close(cptest::J(R"({"httpStatus":200})"));
    ASSERT_TRUE(done.ok);
    EXPECT_EQ(done.value["done"]["result"], "success");
    EXPECT_EQ(done.value["done"]["output"]["updated"], 1);
}
