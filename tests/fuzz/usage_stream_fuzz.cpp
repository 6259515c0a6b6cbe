// libFuzzer target for the streamed list-users-full reader. Input: the first 8 bytes seed the chunk
// boundaries (a fuzzer-chosen cut pattern), the rest is the body. The body fed in those pieces must
// give exactly the result of feeding it in one piece: the same rows, or the same error at the same
// byte; the plan step of a streamed close must equal plan.resume's, byte for byte; a body that reads
// as valid JSON must stop reading as valid when cut short. Under ASan and UBSan nothing may crash.
// Seeds: make-corpus.js writes usage-* (the UsageUpdate conversation bodies) with a zero seed.
#include "cometprov/invoke.hpp"
#include "cometprov/plan.hpp"
#include "cometprov/usage_stream.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

const std::vector<std::string> kWanted = {"alice", "bob", "user000001", "\xC3\xA9", "", "Status"};

std::string summary(cometprov::UsageStream& s) {
    s.finish();
    if (!s.valid_json()) return "bad:" + s.syntax_error() + "@" + std::to_string(s.error_offset());
    std::string out;
    std::int64_t status = 0;
    std::string message;
    if (s.envelope(status, message)) out += "env" + std::to_string(status) + message;
    out += s.is_map() ? "|map" : "|list";
    if (const auto* p = s.problem()) out += "|p:" + p->username + p->field + p->what;
    for (std::size_t i = 0; i < kWanted.size(); ++i) {
        const auto& u = s.usage(i);
        out += "|" + std::to_string(u.seen) + "," + std::to_string(u.disk_usage_mb) + "," +
               std::to_string(u.disk_limit_mb) + "," + std::to_string(u.vaults) + "," + u.creation_guid;
    }
    out += "|" + std::to_string(s.accounts()) + "," + std::to_string(s.unknown_count());
    for (const auto& n : s.unknown_first()) out += "," + n;
    return out;
}

// The cut points: a small PRNG seeded by the input's first bytes.
std::vector<std::size_t> cuts_for(std::uint64_t seed, std::size_t size) {
    std::vector<std::size_t> cuts;
    std::uint64_t x = seed | 1;
    std::size_t at = 0;
    for (;;) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        const std::size_t span = (seed & 0x8000000000000000ull) ? 1 + x % 4 : 1 + x % 97;
        at += span;
        if (at >= size) break;
        cuts.push_back(at);
    }
    return cuts;
}

const std::string& usage_state() {
    static const std::string state = [] {
        const cometprov::json r = cometprov::json::parse(
            cometprov::invoke(R"({"op":"plan.start","args":{"action":"UsageUpdate","context":{"services":[)"
                              R"({"serviceid":1,"username":"alice"},{"serviceid":2,"username":"bob","marker":"g"},)"
                              R"({"serviceid":3,"username":"\u00e9"}]}}})"),
            nullptr, false);
        if (r.is_discarded() || !r["value"].contains("state")) __builtin_trap();
        return r["value"]["state"].get<std::string>();
    }();
    return state;
}

std::string outcome_text(const cometprov::Outcome& o) {
    cometprov::json r = cometprov::json::object();
    r["ok"] = o.ok;
    if (o.ok) {
        r["value"] = o.value;
    } else {
        r["error"] = o.error.to_json();
    }
    return cometprov::dump(r);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 8) return 0;
    std::uint64_t seed = 0;
    std::memcpy(&seed, data, 8);
    const std::string body(reinterpret_cast<const char*>(data + 8), size - 8);

    cometprov::UsageStream whole(kWanted);
    whole.write(body);
    const std::string expected = summary(whole);

    cometprov::UsageStream pieces(kWanted);
    std::size_t from = 0;
    for (std::size_t c : cuts_for(seed, body.size())) {
        pieces.write(body.data() + from, c - from);
        from = c;
    }
    pieces.write(body.data() + from, body.size() - from);
    if (summary(pieces) != expected) __builtin_trap();

    // Cut short (no trailing blanks): never valid JSON any more, unless a bare number is still one.
    if (expected.rfind("bad:", 0) != 0 && !body.empty()) {
        std::size_t end = body.size();
        while (end > 0 && (body[end - 1] == ' ' || body[end - 1] == '\t' || body[end - 1] == '\n' || body[end - 1] == '\r')) --end;
        const std::size_t cut = end == 0 ? 0 : static_cast<std::size_t>(seed % end);
        cometprov::UsageStream prefix(kWanted);
        prefix.write(body.data(), cut);
        const std::string got = summary(prefix);
        const char first = body[body.find_first_not_of(" \t\r\n")];
        const bool number = first == '-' || (first >= '0' && first <= '9');
        if (!number && got.rfind("bad:", 0) != 0) __builtin_trap();
    }

    // The plan step: streamed close == plan.resume (the body must travel inside JSON for the latter).
    cometprov::json as_json(body);
    cometprov::json back;
    cometprov::Error err;
    if (cometprov::parse(cometprov::dump(as_json), back, err) && back.get<std::string>() == body) {
        cometprov::json req = cometprov::json::object();
        req["op"] = "plan.resume";
        req["args"]["state"] = usage_state();
        req["args"]["response"]["httpStatus"] = 200;
        req["args"]["response"]["body"] = body;
        const std::string resumed = cometprov::invoke(cometprov::dump(req));
        cometprov::PlanStream ps;
        if (!ps.open(usage_state()).ok) __builtin_trap();
        from = 0;
        for (std::size_t c : cuts_for(seed, body.size())) {
            ps.write(body.data() + from, c - from);
            from = c;
        }
        ps.write(body.data() + from, body.size() - from);
        cometprov::json close = cometprov::json::object();
        close["httpStatus"] = 200;
        if (outcome_text(ps.close(close)) != resumed) __builtin_trap();
    }
    return 0;
}
