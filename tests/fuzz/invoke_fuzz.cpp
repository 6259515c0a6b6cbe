// libFuzzer target for the core's one entry point. Three shapes of input, chosen by the first byte:
//  0: the bytes are a whole request;
//  1: the rest is the args of an op picked by the second byte (from the ops `version` lists);
//  2: the rest, split at NUL bytes, is an action name, a context, then Comet replies: the plan is
//     started and every further part is fed back as a reply body ("!kind" as a transport error), so
//     replies of any shape reach every phase of every action. The seeds (make-corpus.js) come from
//     the plan conversations, which cover every action the core publishes.
// Under ASan and UBSan the core must neither crash, abort nor leak, whatever the bytes.
#include "cometprov/invoke.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace {

// The op names, read once from the core's `version` op, as every host does.
const std::vector<std::string>& op_names() {
    static const std::vector<std::string> ops = [] {
        std::vector<std::string> out;
        const cometprov::json v =
            cometprov::json::parse(cometprov::invoke(R"({"op":"version"})"), nullptr, false);
        if (!v.is_discarded() && v.contains("value") && v["value"].contains("ops")) {
            for (const auto& n : v["value"]["ops"]) out.push_back(n.get<std::string>());
        }
        if (out.empty()) __builtin_trap();  // the core must publish its ops
        return out;
    }();
    return ops;
}

cometprov::json as_json_or_string(const std::string& text) {
    cometprov::json j;
    cometprov::Error err;
    if (cometprov::parse(text, j, err)) return j;
    return cometprov::json(std::string(text));  // invalid UTF-8 is replaced when serialised
}

std::vector<std::string> split_nul(const std::uint8_t* data, std::size_t size) {
    std::vector<std::string> parts(1);
    for (std::size_t i = 0; i < size; ++i) {
        if (data[i] == 0) {
            parts.emplace_back();
        } else {
            parts.back() += static_cast<char>(data[i]);
        }
    }
    return parts;
}

void run_plan(const std::vector<std::string>& parts) {
    if (parts.size() < 2) return;
    cometprov::json req = cometprov::json::object();
    req["op"] = "plan.start";
    req["args"]["action"] = parts[0];
    req["args"]["context"] = as_json_or_string(parts[1]);
    cometprov::json r = cometprov::json::parse(cometprov::invoke(cometprov::dump(req)), nullptr, false);
    for (std::size_t i = 2; i < parts.size() && i < 40; ++i) {
        if (r.is_discarded() || !r.contains("value") || !r["value"].contains("state")) return;
        cometprov::json resume = cometprov::json::object();
        resume["op"] = "plan.resume";
        resume["args"]["state"] = r["value"]["state"];
        if (!parts[i].empty() && parts[i][0] == '!') {
            resume["args"]["response"]["transportError"]["kind"] = parts[i].substr(1);
        } else {
            resume["args"]["response"]["httpStatus"] = parts[i].size() % 7 == 6 ? 502 : 200;
            resume["args"]["response"]["body"] = parts[i];
        }
        r = cometprov::json::parse(cometprov::invoke(cometprov::dump(resume)), nullptr, false);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::uint8_t mode = data[0] % 3;
    if (mode == 0) {
        cometprov::invoke(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
    } else if (mode == 1) {
        cometprov::json req = cometprov::json::object();
        const auto& ops = op_names();
        req["op"] = ops[data[1] % ops.size()];
        req["args"] = as_json_or_string(std::string(reinterpret_cast<const char*>(data + 2), size - 2));
        cometprov::invoke(cometprov::dump(req));
    } else {
        run_plan(split_nul(data + 1, size - 1));
    }
    return 0;
}
