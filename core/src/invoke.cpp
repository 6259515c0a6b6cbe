// The one entry point: parse the request, dispatch by op name, serialise the outcome.
#include "cometprov/invoke.hpp"

#include "cometprov/options.hpp"
#include "cometprov/password.hpp"
#include "cometprov/plan.hpp"
#include "cometprov/policy.hpp"
#include "cometprov/profile.hpp"
#include "cometprov/usage.hpp"
#include "cometprov/username.hpp"
#include "cometprov/version.hpp"

#include <cstring>

namespace cometprov {

namespace {

using OpFn = Outcome (*)(const json&);

struct OpEntry {
    const char* name;
    OpFn fn;
};

constexpr OpEntry kOps[] = {
    {"version", op_version},
    {"username.validate", op_username_validate},
    {"username.derive", op_username_derive},
    {"password.validate", op_password_validate},
    {"options.parseName", op_options_parse_name},
    {"options.quotas", op_options_quotas},
    {"policy.restricted", op_policy_restricted},
    {"policy.idForProduct", op_policy_id_for_product},
    {"profile.apply", op_profile_apply},
    {"usage.fromProfiles", op_usage_from_profiles},
    {"plan.start", op_plan_start},
    {"plan.resume", op_plan_resume},
};

json response_of(const Outcome& o) {
    json r = json::object();
    r["ok"] = o.ok;
    if (o.ok) {
        r["value"] = o.value;
    } else {
        r["error"] = o.error.to_json();
    }
    return r;
}

}  // namespace

json op_names() {
    json out = json::array();
    for (const auto& entry : kOps) out.push_back(entry.name);
    return out;
}

Outcome invoke_json(const json& request) {
    if (!request.is_object()) {
        return Outcome::failure(Error{"request.bad_shape",
                                      "The request must be a JSON object {\"op\": ..., \"args\": {...}}",
                                      "", {}});
    }
    auto op = request.find("op");
    if (op == request.end() || op->is_null()) {
        return Outcome::failure(Error{"request.missing_op", "The request has no \"op\"", "/op", {}});
    }
    if (!op->is_string()) {
        return Outcome::failure(Error{"request.bad_type", "\"op\" must be a string", "/op", {}});
    }
    static const json kEmptyArgs = json::object();
    const json* args = &kEmptyArgs;
    auto a = request.find("args");
    if (a != request.end() && !a->is_null()) {
        // PHP sends an empty array as [], so [] stands for {} here as everywhere.
        if (a->is_array() && a->empty()) {
            args = &kEmptyArgs;
        } else if (!a->is_object()) {
            return Outcome::failure(
                Error{"request.bad_type", "\"args\" must be an object", "/args", {}});
        } else {
            args = &*a;
        }
    }
    const std::string& name = op->get_ref<const std::string&>();
    for (const auto& entry : kOps) {
        if (name == entry.name) return entry.fn(*args);
    }
    json d = json::object();
    d["op"] = name;
    return Outcome::failure(Error{"request.unknown_op", "Unknown op \"" + name + "\"", "/op", d});
}

std::string invoke(std::string_view request, bool& ok) {
    json parsed;
    Error err;
    Outcome o;
    if (!parse(request, parsed, err)) {
        o = Outcome::failure(err);
    } else {
        o = invoke_json(parsed);
    }
    ok = o.ok;
    return dump(response_of(o));
}

std::string invoke(std::string_view request) {
    bool ok = false;
    return invoke(request, ok);
}

}  // namespace cometprov
