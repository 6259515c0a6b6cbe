// Internals of the plan engine shared by the action files: the machine, replies, and step builders.
#pragma once

#include "cometprov/json.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace cometprov::detail {

// A host's reply to one request, classified once so actions branch on kinds, never on prose.
struct Reply {
    enum class Kind { ok, api_error, http_error, bad_body, transport };
    Kind kind = Kind::transport;
    json body;                   // parsed JSON (ok, api_error)
    std::int64_t status = 0;     // the envelope's Status (api_error) or the HTTP status (http_error)
    std::string message;         // the envelope's Message, or the transport's message
    std::string transport_kind;  // connect, timeout, tls, reset, other

    bool not_found() const { return kind == Kind::api_error && status == 400; }
};

// The whole state of a running plan; serialised into the opaque "state" string between steps.
struct Machine {
    std::string action;
    json ctx = json::object();   // the WHMCS-shaped context given to plan.start
    std::string phase;
    json data = json::object();  // the action's scratch values
    json effects = json::array();

    json to_state() const;
    static bool from_state(const std::string& text, Machine& m, Error& err);
};

std::string seal_state(const json& state);

// Step builders. `secrets` names the params a host must mask in its logs.
json request_step(Machine& m, const std::string& phase, const std::string& endpoint,
                  const json& params, const std::vector<std::string>& secrets = {});
json done_success(const Machine& m, const json& output = json());
json done_failure(const Machine& m, const std::string& code, const std::string& message);
// The failure for a reply that is not what the step needed, worded for an admin.
json done_reply_failure(const Machine& m, const Reply& r, const std::string& endpoint);

// Refuses a context the action cannot run safely with: admin credentials, or a missing required key.
bool check_context(const std::string& action, const json& ctx, Error& err);

// Context readers: WHMCS sends ids and settings as strings or numbers, so both are read as text.
std::string ctx_text(const json& ctx, const char* key);
std::string ctx_nested_text(const json& ctx, const char* outer, const char* inner);
bool ctx_flag(const json& ctx, const char* key);  // WHMCS yes/no: "on", "yes", "1", "true"
std::int64_t ctx_int(const json& ctx, const char* key);

// A JSON object member, or nullptr.
const json* member(const json& obj, const char* key);

// Each action: start and resume.
json start_create(Machine& m);
json resume_create(Machine& m, const Reply& r);
json start_profile_edit(Machine& m);  // suspend, unsuspend, package
json resume_profile_edit(Machine& m, const Reply& r);
json start_terminate(Machine& m);
json resume_terminate(Machine& m, const Reply& r);
json start_change_password(Machine& m);
json resume_change_password(Machine& m, const Reply& r);
json start_server_action(Machine& m);  // test, usage, list, sso, loaders
json resume_server_action(Machine& m, const Reply& r);

// Shared pieces of the account actions.
// The product's policy must exist before accounts point at it: policies/get, and only when the
// server says the ID is unknown (confirmed by policies/list) and the ID is this product's own,
// policies/set creates it. An existing policy is never overwritten.
std::string selected_policy(const Machine& m);
bool needs_policy_check(const Machine& m);
json start_policy_check(Machine& m);
enum class PolicyProgress { step, settled, failed };
PolicyProgress resume_policy_check(Machine& m, const Reply& r, json& out);
bool is_policy_phase(const std::string& phase);

// Whether a profile is the one this service created: its CreationGUID equals the stored marker.
bool marker_matches(const Machine& m, const json& profile);
std::string creation_guid(const json& profile);

}  // namespace cometprov::detail
