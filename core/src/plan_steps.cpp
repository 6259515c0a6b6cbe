// Shared step helpers of the plan engine: steps, failures, effects, the policy check and the
// read-edit-write of a profile. Every action file builds on these.
#include "cometprov/account.hpp"
#include "cometprov/policy.hpp"
#include "cometprov/username.hpp"
#include "plan_detail.hpp"

namespace cometprov::detail {

std::string seal_state(const Machine& m);  // plan.cpp

json request_step(Machine& m, int phase, const Call& call) {
    m.phase = phase;
    m.endpoint = call.endpoint;
    json req = json::object();
    req["endpoint"] = call.endpoint;
    req["params"] = call.params.is_object() ? call.params : json::object();
    req["secrets"] = json::array();
    for (const auto& s : call.secrets) req["secrets"].push_back(s);
    if (call.stream) req["stream"] = true;
    json step = json::object();
    step["state"] = seal_state(m);
    step["request"] = req;
    return step;
}

json done_success(const Machine& m, const json& output) {
    json d = json::object();
    d["result"] = "success";
    d["effects"] = m.effects;
    if (!output.is_null()) d["output"] = output;
    json step = json::object();
    step["done"] = d;
    return step;
}

json done_failure(const Machine& m, const std::string& code, const std::string& message,
                  const json& detail) {
    json d = json::object();
    d["result"] = message;
    d["code"] = code;
    if (detail.is_object()) d["detail"] = detail;
    d["effects"] = m.effects;
    json step = json::object();
    step["done"] = d;
    return step;
}

json reply_detail(const Machine& m, const Reply& r, const std::string& username) {
    json d = json::object();
    d["endpoint"] = m.endpoint;
    switch (r.kind) {
        case Reply::Kind::transport:
            d["transport"] = r.transport_kind;
            d["message"] = r.message;
            break;
        case Reply::Kind::http_error: d["httpStatus"] = r.status; break;
        case Reply::Kind::api_error:
            d["status"] = r.status;
            d["message"] = r.message;
            break;
        case Reply::Kind::bad_body:
        case Reply::Kind::ok: break;
    }
    if (!username.empty()) d["username"] = username;
    return d;
}

json reply_failure(const Machine& m, const Reply& r, const std::string& username) {
    const std::string& endpoint = m.endpoint;
    const json detail = reply_detail(m, r, username);
    switch (r.kind) {
        case Reply::Kind::transport:
            if (r.transport_kind == "tls") {
                return done_failure(m, "comet.tls",
                                    "TLS verification of the Comet Server failed: " + r.message, detail);
            }
            if (r.transport_kind == "timeout") {
                return done_failure(m, "comet.timeout",
                                    "The Comet Server did not answer " + endpoint + " in time", detail);
            }
            if (r.transport_kind == "connect") {
                return done_failure(m, "comet.unreachable",
                                    "Could not connect to the Comet Server: " + r.message, detail);
            }
            return done_failure(m, "comet.transport",
                                "The connection to the Comet Server failed during " + endpoint +
                                    ": " + r.message,
                                detail);
        case Reply::Kind::http_error:
            return done_failure(m, "comet.http",
                                "The Comet Server answered " + endpoint + " with HTTP " +
                                    std::to_string(r.status),
                                detail);
        case Reply::Kind::bad_body:
            return done_failure(m, "comet.bad_reply",
                                "The Comet Server sent an unreadable reply to " + endpoint, detail);
        case Reply::Kind::api_error:
            if (r.status == 403 && r.message == "ERR_TOTP_REQUIRED") {
                return done_failure(m, "comet.totp_required",
                                    "The Comet admin account requires two-factor authentication "
                                    "(TOTP); use an admin account without it for WHMCS",
                                    detail);
            }
            if (r.status == 403) {
                return done_failure(m, "comet.auth",
                                    "The Comet Server refused the admin credentials: " + r.message,
                                    detail);
            }
            return done_failure(m, "comet.refused",
                                "The Comet Server refused " + endpoint + ": " + r.message +
                                    " (Status " + std::to_string(r.status) + ")",
                                detail);
        case Reply::Kind::ok: break;
    }
    return done_failure(m, "comet.unexpected",
                        "The Comet Server's reply to " + endpoint + " was not the expected one", detail);
}

void set_effect(Machine& m, const char* type, const json& value) { set_effect(m, type, json(value)); }

void set_effect(Machine& m, const char* type, json&& value) {
    json e = json::object();
    e["type"] = type;
    e["value"] = std::move(value);
    for (auto& existing : m.effects) {
        if (text_member(existing, "type") == type) {
            existing = std::move(e);
            return;
        }
    }
    m.effects.push_back(std::move(e));
}

json target(const std::string& user) {
    json p = json::object();
    p["TargetUser"] = user;
    return p;
}

std::int64_t int_member(const json& obj, const char* key) {
    if (!obj.is_object()) return 0;
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_number_integer()) return 0;
    return it->is_number_unsigned() ? static_cast<std::int64_t>(it->get<std::uint64_t>())
                                    : it->get<std::int64_t>();
}

std::string text_member(const json& obj, const char* key) {
    if (!obj.is_object()) return "";
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string self_address(const Context& c) {
    const std::string& s = c.server_url;
    if (s.empty()) return "";
    return s.back() == '/' ? s : s + "/";
}

// ---- Fields ------------------------------------------------------------------------------------

const json* Fields::get(const char* key) {
    if (!ok_) return nullptr;
    auto it = j_.find(key);
    if (it == j_.end()) {
        ok_ = false;
        return nullptr;
    }
    return &*it;
}

void Fields::text(const char* key, std::string& out) {
    const json* v = get(key);
    if (v == nullptr) return;
    if (!v->is_string()) {
        ok_ = false;
        return;
    }
    out = v->get<std::string>();
}

void Fields::flag(const char* key, bool& out) {
    const json* v = get(key);
    if (v == nullptr) return;
    if (!v->is_boolean()) {
        ok_ = false;
        return;
    }
    out = v->get<bool>();
}

void Fields::integer(const char* key, std::int64_t& out) {
    const json* v = get(key);
    if (v == nullptr) return;
    if (v->is_number_unsigned()) {
        const auto n = v->get<std::uint64_t>();
        if (n > static_cast<std::uint64_t>(INT64_MAX)) {
            ok_ = false;
            return;
        }
        out = static_cast<std::int64_t>(n);
    } else if (v->is_number_integer()) {
        out = v->get<std::int64_t>();
    } else {
        ok_ = false;
    }
}

void Fields::index(const char* key, std::size_t& out) {
    std::int64_t n = -1;
    integer(key, n);
    if (!ok_) return;
    if (n < 0 || n > 1000000) {
        ok_ = false;
        return;
    }
    out = static_cast<std::size_t>(n);
}

void Fields::texts(const char* key, std::vector<std::string>& out) {
    const json* v = get(key);
    if (v == nullptr) return;
    if (!v->is_array()) {
        ok_ = false;
        return;
    }
    out.clear();
    for (const auto& e : *v) {
        if (!e.is_string()) {
            ok_ = false;
            return;
        }
        out.push_back(e.get<std::string>());
    }
}

void Fields::value(const char* key, json& out) {
    const json* v = get(key);
    if (v != nullptr) out = *v;
}

bool quotas_of(const Context& c, Quotas& q, Error& err) {
    // configoption5 "Never change storage vault limits" turns vault management off.
    return quotas_from_configoptions(c.configoptions, !c.keep_vault_limits, q, err);
}

// ---- the product's policy ----------------------------------------------------------------------

Call policy_start(const Context& c, PolicyStep& step) {
    step = PolicyStep::get;
    Call call{"policies/get", json::object(), {}};
    call.params["PolicyID"] = c.policy_id;
    return call;
}

PolicyProgress policy_resume(const Machine& m, PolicyStep& step, const Reply& r, Call& call,
                             json& failure) {
    const std::string& id = m.ctx.policy_id;
    switch (step) {
        case PolicyStep::get:
            if (r.ok()) return PolicyProgress::settled;
            if (!r.not_found()) break;
            // Only the module's own IDs are ever created; an admin's policy that vanished is an error.
            if (id.rfind("WHMCS_", 0) != 0) {
                json detail = reply_detail(m, r);
                detail["policyId"] = id;
                failure = done_failure(m, "policy.missing",
                                       "The product's policy group " + id +
                                           " does not exist on the Comet Server; choose another "
                                           "one in the product's module settings",
                                       detail);
                return PolicyProgress::failed;
            }
            step = PolicyStep::list;
            call = Call{"policies/list", json::object(), {}};
            return PolicyProgress::call;
        case PolicyStep::list: {
            if (!r.ok()) break;
            if (r.body.is_object() && r.body.contains(id)) return PolicyProgress::settled;
            PolicyRequest req;
            req.product_name = m.ctx.product_name;
            req.policy_id = id;
            step = PolicyStep::set;
            call = Call{"policies/set", json::object(), {}};
            call.params["PolicyID"] = id;
            call.params["Policy"] = dump(restricted_policy(req));
            return PolicyProgress::call;
        }
        case PolicyStep::set:
            if (r.ok()) return PolicyProgress::settled;
            if (r.refused()) {
                json detail = reply_detail(m, r);
                detail["policyId"] = id;
                failure = done_failure(m, "comet.policy_write_refused",
                                       "The Comet Server refused to create the policy group " + id +
                                           ": " + r.message,
                                       detail);
                return PolicyProgress::failed;
            }
            break;
    }
    failure = reply_failure(m, r);
    return PolicyProgress::failed;
}

json policy_step_json(PolicyStep s) { return static_cast<std::int64_t>(s); }

bool policy_step_from(const json& j, PolicyStep& s) {
    if (!j.is_number_integer()) return false;
    const auto n = j.is_number_unsigned() ? static_cast<std::int64_t>(j.get<std::uint64_t>())
                                          : j.get<std::int64_t>();
    if (n < 0 || n > static_cast<std::int64_t>(PolicyStep::set)) return false;
    s = static_cast<PolicyStep>(n);
    return true;
}

// ---- profile writes ----------------------------------------------------------------------------

json ProfileWrite::to_json() const {
    json j = json::object();
    j["profile"] = profile;
    j["hash"] = hash;
    j["sentHash"] = sent_hash;
    j["setStatus"] = set_status;
    j["setError"] = set_error;
    j["attempts"] = attempts;
    return j;
}

bool ProfileWrite::from_json(const json& j) {
    Fields f(j);
    f.value("profile", profile);
    f.text("hash", hash);
    f.text("sentHash", sent_hash);
    f.integer("setStatus", set_status);
    f.text("setError", set_error);
    f.integer("attempts", attempts);
    return f.ok() && (profile.is_null() || profile.is_object());
}

bool ProfileWrite::take(const json& body) {
    if (!body.is_object()) return false;
    auto p = body.find("Profile");
    auto h = body.find("ProfileHash");
    if (p == body.end() || !p->is_object() || h == body.end() || !h->is_string()) return false;
    profile = *p;
    hash = h->get<std::string>();
    return true;
}

Call read_profile_call(const std::string& user) {
    return Call{"get-user-profile-and-hash", target(user), {}};
}

bool apply_edit(ProfileWrite& w, const ProfileEdit& edit, bool& changed, Error& err) {
    changed = false;
    return apply_profile_edit(w.profile, edit, changed, err, "/Profile");
}

Call write_profile_call(const ProfileWrite& w, const std::string& user) {
    Call call{"set-user-profile-hash", target(user), {"ProfileData"}};
    // The whole profile carries the user's TOTP secret, recovery code and vault keys: hosts must
    // keep it out of their logs.
    call.params["ProfileData"] = dump(w.profile);
    call.params["RequireHash"] = w.hash;
    return call;
}

bool note_refused_write(ProfileWrite& w, const Reply& r) {
    if (!r.refused()) return false;
    w.sent_hash = w.hash;
    w.set_status = r.status;
    w.set_error = r.message;
    return true;
}

bool retry_write(ProfileWrite& w) {
    ++w.attempts;
    return w.hash != w.sent_hash && w.attempts <= kMaxHashRetries;
}

json write_refused(const Machine& m, const ProfileWrite& w, const std::string& user) {
    json detail = json::object();
    detail["endpoint"] = "set-user-profile-hash";
    detail["status"] = w.set_status;
    detail["message"] = w.set_error;
    detail["username"] = user;
    return done_failure(m, "comet.profile_write_refused",
                        "The Comet Server refused the profile update of " + user + ": " + w.set_error,
                        detail);
}

// ---- accounts ----------------------------------------------------------------------------------

std::string creation_guid(const json& profile) { return text_member(profile, "CreationGUID"); }

bool marker_matches(const Context& c, const json& profile) {
    return !c.marker.empty() && c.marker == creation_guid(profile);
}

json no_username(const Machine& m) {
    return done_failure(m, "account.no_username",
                        "This service has no Comet username recorded; run Create first");
}

bool unfinished_create(const Context& c) { return c.create_attempted && c.marker.empty(); }

json create_unfinished(const Machine& m) {
    json detail = json::object();
    detail["createAttempted"] = true;
    return done_failure(m, "account.no_username",
                        "This module's Create did not finish for this service, so no Comet account is "
                        "recorded for it: run Create again, or use the \"Adopt Comet account\" button "
                        "if its account already exists. Nothing was sent to the Comet Server.",
                        detail);
}

void forget_create_attempt(Machine& m) { set_effect(m, "createAttempted", false); }

json not_ours(const Machine& m, const std::string& user, const json& profile) {
    json detail = json::object();
    detail["endpoint"] = m.endpoint;
    detail["username"] = user;
    detail["marker"] = m.ctx.marker;
    detail["creationGuid"] = creation_guid(profile);
    return done_failure(m, "account.not_ours",
                        "The Comet account " + user +
                            " was not created for this service (its creation ID differs); "
                            "nothing was changed",
                        detail);
}

std::string service_account(const Context& c) { return account_name(c.username, c.custom_username); }

Ownership take_ownership(Machine& m, const std::string& user, const json& profile) {
    const std::string guid = creation_guid(profile);
    if (!m.ctx.marker.empty()) return guid == m.ctx.marker ? Ownership::ours : Ownership::not_ours;
    if (guid.empty()) return Ownership::ours;
    set_effect(m, "marker", guid);
    set_effect(m, "username", user);
    json adopted = json::object();
    adopted["username"] = user;
    adopted["marker"] = guid;
    set_effect(m, "adopted", adopted);
    forget_create_attempt(m);
    m.ctx.marker = guid;
    m.ctx.username = user;
    return Ownership::adopted;
}

AccountRead read_account(Machine& m, const Reply& r, const std::string& user, json& profile,
                         Ownership& own, json& step) {
    if (r.not_found()) return AccountRead::confirm;
    ProfileWrite w;
    if (!r.ok() || !w.take(r.body)) {
        step = reply_failure(m, r, user);
        return AccountRead::failed;
    }
    own = take_ownership(m, user, w.profile);
    if (own == Ownership::not_ours) {
        step = not_ours(m, user, w.profile);
        return AccountRead::failed;
    }
    profile = std::move(w.profile);
    return AccountRead::profile;
}

// An unreadable stored version (not one meta/version gave) counts as unknown: ask again.
bool version_unknown(const Context& c) {
    ServerVersion v;
    Error ignored;
    return !parse_server_version(c.server_version, v, ignored, "") || !v.known;
}

Call version_call() { return Call{"meta/version", json::object(), {}}; }

bool take_version(Machine& m, const Reply& r, json& failure) {
    if (!r.ok()) {
        failure = reply_failure(m, r);
        return false;
    }
    const std::string version = text_member(r.body, "Version");
    ServerVersion v;
    Error ignored;
    if (version.empty() || version.size() > 200 || version.find_first_of("\r\n") != std::string::npos ||
        !parse_server_version(version, v, ignored, "") || !v.known) {
        json detail = json::object();
        detail["endpoint"] = m.endpoint;
        failure = done_failure(m, "comet.unexpected",
                               "The Comet Server's reply to meta/version has no readable version", detail);
        return false;
    }
    m.ctx.server_version = version;
    set_effect(m, "serverVersion", version);
    return true;
}

Call list_users_call() { return Call{"list-users", json::object(), {}}; }

bool lists_user(const json& body, const std::string& user) {
    if (!body.is_array()) return false;
    for (const auto& name : body) {
        if (name.is_string() && name.get_ref<const std::string&>() == user) return true;
    }
    return false;
}

void Lookup::to_json(json& j) const {
    j["lookupStatus"] = status;
    j["lookupMessage"] = message;
}

void Lookup::from_json(Fields& f) {
    f.integer("lookupStatus", status);
    f.text("lookupMessage", message);
}

json confirm_missing(const Machine& m, const Reply& r, const std::string& user, const std::string& lookup,
                     std::int64_t status, const std::string& message) {
    if (!r.ok()) return reply_failure(m, r, user);
    if (!r.body.is_array()) {
        json detail = json::object();
        detail["endpoint"] = m.endpoint;
        return done_failure(m, "comet.unexpected",
                            "The Comet Server's reply to list-users was not a list of names", detail);
    }
    json detail = json::object();
    detail["endpoint"] = lookup;
    detail["status"] = status;
    detail["message"] = message;
    detail["username"] = user;
    if (!lists_user(r.body, user)) {
        return done_failure(m, "account.missing",
                            "The Comet account " + user + " does not exist on the Comet Server", detail);
    }
    // The account exists: the Status 400 meant something else.
    return done_failure(m, "comet.refused",
                        "The Comet Server refused " + lookup + ": " + message + " (Status " +
                            std::to_string(status) + ")",
                        detail);
}

}  // namespace cometprov::detail
