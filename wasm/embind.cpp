// The Embind boundary: chooses every JavaScript name; strings in, JSON strings out, no C++ handles.
#include "cometprov/invoke.hpp"
#include "cometprov/plan.hpp"

#include <emscripten/bind.h>

#include <string>

namespace {

std::string call(const char* op, cometprov::json args) {
    cometprov::json req = cometprov::json::object();
    req["op"] = op;
    req["args"] = std::move(args);
    return cometprov::dump(req);
}

std::string invoke_js(const std::string& request) { return cometprov::invoke(request); }

std::string username_validate(const std::string& username, const std::string& version) {
    cometprov::json a = cometprov::json::object();
    a["username"] = username;
    if (!version.empty()) a["serverVersion"] = version;
    return cometprov::invoke(call("username.validate", a));
}

std::string password_validate(const std::string& password) {
    cometprov::json a = cometprov::json::object();
    a["password"] = password;
    return cometprov::invoke(call("password.validate", a));
}

std::string options_parse_name(const std::string& name) {
    cometprov::json a = cometprov::json::object();
    a["name"] = name;
    return cometprov::invoke(call("options.parseName", a));
}

// Typed helpers whose arguments are documents take the args object as JSON text.
std::string op_with_json_args(const char* op, const std::string& args_json) {
    cometprov::json args;
    cometprov::Error err;
    if (!cometprov::parse(args_json, args, err)) {
        cometprov::json r = cometprov::json::object();
        r["ok"] = false;
        r["error"] = err.to_json();
        return cometprov::dump(r);
    }
    return cometprov::invoke(call(op, std::move(args)));
}

std::string username_derive(const std::string& a) { return op_with_json_args("username.derive", a); }
std::string options_quotas(const std::string& a) { return op_with_json_args("options.quotas", a); }
std::string policy_restricted(const std::string& a) { return op_with_json_args("policy.restricted", a); }
std::string profile_apply(const std::string& a) { return op_with_json_args("profile.apply", a); }
std::string usage_from_profiles(const std::string& a) { return op_with_json_args("usage.fromProfiles", a); }

// A streamed reply (core/PLAN.md "Streaming a reply"): the bytes cross as a Uint8Array (copied as
// they are) or a string (UTF-8), never JSON-escaped.
cometprov::PlanStream g_stream;

std::string outcome_text(cometprov::Outcome o) {
    cometprov::json r = cometprov::json::object();
    r["ok"] = o.ok;
    if (o.ok) {
        r["value"] = std::move(o.value);
    } else {
        r["error"] = o.error.to_json();
    }
    return cometprov::dump(r);
}

std::string stream_open(const std::string& state) { return outcome_text(g_stream.open(state)); }

// 0: go on; 1: the reply is already decided (the host may stop reading); -3: no stream is open.
int stream_write(const std::string& bytes) {
    if (!g_stream.is_open()) return -3;
    return g_stream.write(bytes.data(), bytes.size()) ? 0 : 1;
}

std::string stream_close(const std::string& response_json) {
    cometprov::json response;
    cometprov::Error err;
    if (!cometprov::parse(response_json, response, err, 8)) {
        g_stream.close(cometprov::json());
        return outcome_text(cometprov::Outcome::failure(err));
    }
    return outcome_text(g_stream.close(response));
}

}  // namespace

EMSCRIPTEN_BINDINGS(cometprov) {
    emscripten::function("invoke", &invoke_js);
    emscripten::function("usernameValidate", &username_validate);
    emscripten::function("usernameDerive", &username_derive);
    emscripten::function("passwordValidate", &password_validate);
    emscripten::function("optionsParseName", &options_parse_name);
    emscripten::function("optionsQuotas", &options_quotas);
    emscripten::function("policyRestricted", &policy_restricted);
    emscripten::function("profileApply", &profile_apply);
    emscripten::function("usageFromProfiles", &usage_from_profiles);
    emscripten::function("streamOpen", &stream_open);
    emscripten::function("streamWrite", &stream_write);
    emscripten::function("streamClose", &stream_close);
}
