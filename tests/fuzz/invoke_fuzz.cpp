// libFuzzer target for the core's one entry point. Three shapes of input, chosen by the first byte:
//  0: the bytes are a whole request;
//  1: the rest is the args of an op picked by the second byte;
//  2: a plan is started (action picked by the second byte, context = the first NUL-separated part)
//     and every further NUL-separated part is fed back as a Comet reply body, so replies of any
//     shape reach every phase of every action.
// Under ASan and UBSan the core must neither crash, abort nor leak, whatever the bytes.
#include "cometprov/invoke.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace {

const char* const kOps[] = {"version", "username.validate", "username.derive", "password.validate",
                            "options.parseName", "options.quotas", "policy.restricted",
                            "policy.idForProduct", "profile.apply", "usage.fromProfiles",
                            "plan.start", "plan.resume"};
const char* const kActions[] = {"CreateAccount", "SuspendAccount", "UnsuspendAccount", "ChangePackage",
                                "TerminateAccount", "ChangePassword", "TestConnection", "UsageUpdate",
                                "ListAccounts", "ServiceSingleSignOn", "AdminSingleSignOn",
                                "LoadPolicies", "LoadStorageProviders"};

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

void run_plan(std::size_t action, const std::vector<std::string>& parts) {
    cometprov::json req = cometprov::json::object();
    req["op"] = "plan.start";
    req["args"]["action"] = kActions[action % (sizeof kActions / sizeof kActions[0])];
    req["args"]["context"] = as_json_or_string(parts[0]);
    cometprov::json r = cometprov::json::parse(cometprov::invoke(cometprov::dump(req)), nullptr, false);
    for (std::size_t i = 1; i < parts.size() && i < 32; ++i) {
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
        req["op"] = kOps[data[1] % (sizeof kOps / sizeof kOps[0])];
        req["args"] = as_json_or_string(std::string(reinterpret_cast<const char*>(data + 2), size - 2));
        cometprov::invoke(cometprov::dump(req));
    } else {
        run_plan(data[1], split_nul(data + 2, size - 2));
    }
    return 0;
}
