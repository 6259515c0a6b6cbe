// Plans that act on one service's Comet account: create, suspend, unsuspend, change package,
// terminate and change password.
#include "cometprov/options.hpp"
#include "cometprov/password.hpp"
#include "cometprov/plan.hpp"
#include "cometprov/policy.hpp"
#include "cometprov/profile.hpp"
#include "cometprov/username.hpp"
#include "plan_detail.hpp"

namespace cometprov::detail {

namespace {

constexpr int kMaxHashRetries = 3;
// An account created up to this long before our claim's timestamp may still be ours (clock skew
// between WHMCS and Comet); anything older belongs to someone else.
constexpr std::int64_t kClaimSkewSeconds = 600;

json params_for(const std::string& user) {
    json p = json::object();
    p["TargetUser"] = user;
    return p;
}

std::string data_text(const Machine& m, const char* key) { return ctx_text(m.data, key); }

// Replaces the effect of the same type, so retries inside one plan never duplicate effects.
void set_effect(Machine& m, const char* type, const json& value) {
    json e = json::object();
    e["type"] = type;
    e["value"] = value;
    for (auto& existing : m.effects) {
        if (existing.is_object() && ctx_text(existing, "type") == type) {
            existing = e;
            return;
        }
    }
    m.effects.push_back(e);
}

std::int64_t profile_int(const json& profile, const char* key) {
    const json* v = member(profile, key);
    if (v == nullptr || !v->is_number_integer()) return 0;
    return v->is_number_unsigned() ? static_cast<std::int64_t>(v->get<std::uint64_t>())
                                   : v->get<std::int64_t>();
}

bool has_remote_vault(const json& profile) {
    const json* dests = member(profile, "Destinations");
    if (dests == nullptr || !dests->is_object()) return false;
    for (const auto& v : *dests) {
        const json* t = member(v, "DestinationType");
        const bool local = t != nullptr && t->is_number_integer() &&
                           *t == static_cast<std::int64_t>(kDestinationLocalCopy);
        if (v.is_object() && !local) return true;
    }
    return false;
}

// Reads {Profile, ProfileHash} from a get-user-profile-and-hash (or modern vault/set) reply.
bool take_profile(Machine& m, const json& body) {
    const json* profile = member(body, "Profile");
    const json* hash = member(body, "ProfileHash");
    if (profile == nullptr || !profile->is_object() || hash == nullptr || !hash->is_string()) {
        return false;
    }
    m.data["profile"] = *profile;
    m.data["hash"] = *hash;
    return true;
}

std::string account_username(const Machine& m) { return ctx_text(m.ctx, "username"); }

Quotas quotas_of(const Machine& m) {
    Quotas q;
    Error ignored;
    const json* j = member(m.data, "quotas");
    if (j != nullptr) Quotas::from_json(*j, q, ignored, "/quotas");
    return q;
}

// The quotas of the product's configurable options; false with a done step on bad options.
bool compute_quotas(Machine& m, json& failure) {
    const json* opts = member(m.ctx, "configoptions");
    Quotas q;
    Error err;
    // configoption5 "Never change storage vault limits" turns vault management off.
    const bool manage = !ctx_flag(m.ctx, "configoption5");
    if (!quotas_from_configoptions(opts == nullptr ? json() : *opts, manage, q, err)) {
        failure = done_failure(m, err.code, err.message);
        return false;
    }
    m.data["quotas"] = q.to_json();
    return true;
}

json set_profile_step(Machine& m, const std::string& user) {
    json p = params_for(user);
    p["ProfileData"] = dump(m.data["profile"]);
    p["RequireHash"] = m.data["hash"];
    // The whole profile carries the user's TOTP secret, recovery code and vault keys: hosts must
    // keep it out of their logs.
    return request_step(m, "set", "set-user-profile-hash", p, {"ProfileData"});
}

json read_profile_step(Machine& m, const std::string& phase, const std::string& user) {
    return request_step(m, phase, "get-user-profile-and-hash", params_for(user));
}

// Applies `edit` to the profile in data; returns a set step, or a done step when nothing changed.
json apply_and_set(Machine& m, const std::string& user, const ProfileEdit& edit, const json& output) {
    bool changed = false;
    Error err;
    json& profile = m.data["profile"];
    if (!apply_profile_edit(profile, edit, changed, err, "/Profile")) {
        return done_failure(m, err.code, "The Comet account " + user + " has an unexpected profile: " + err.message);
    }
    if (!changed) return done_success(m, output);
    return set_profile_step(m, user);
}

// A refused set-user-profile-hash: re-read, so the caller can tell a concurrent write (the hash
// moved: retry) from a real refusal (it did not: fail). Other failures end the plan.
json set_refused(Machine& m, const Reply& r, const std::string& user) {
    if (r.kind != Reply::Kind::api_error || r.status == 403) {
        return done_reply_failure(m, r, "set-user-profile-hash");
    }
    m.data["sentHash"] = m.data["hash"];
    m.data["setError"] = r.message;
    return read_profile_step(m, "reread", user);
}

// After a re-read: true when the write should be tried again (bounded); else `out` is the failure.
bool retry_after_reread(Machine& m, const std::string& user, json& out) {
    const int attempts = m.data.value("attempts", 0) + 1;
    m.data["attempts"] = attempts;
    if (m.data["hash"] == m.data.value("sentHash", json()) || attempts > kMaxHashRetries) {
        out = done_failure(m, "comet.api_error",
                           "The Comet Server refused the profile update of " + user + ": " +
                               data_text(m, "setError"));
        return false;
    }
    return true;
}

}  // namespace

std::string creation_guid(const json& profile) { return ctx_text(profile, "CreationGUID"); }

bool marker_matches(const Machine& m, const json& profile) {
    const std::string marker = ctx_text(m.ctx, "marker");
    return !marker.empty() && marker == creation_guid(profile);
}

std::string selected_policy(const Machine& m) { return ctx_text(m.ctx, "configoption1"); }

bool needs_policy_check(const Machine& m) { return !selected_policy(m).empty(); }

bool is_policy_phase(const std::string& phase) { return phase.rfind("policy_", 0) == 0; }

json start_policy_check(Machine& m) {
    json p = json::object();
    p["PolicyID"] = selected_policy(m);
    return request_step(m, "policy_get", "policies/get", p);
}

PolicyProgress resume_policy_check(Machine& m, const Reply& r, json& out) {
    const std::string id = selected_policy(m);
    if (m.phase == "policy_get") {
        if (r.kind == Reply::Kind::ok) return PolicyProgress::settled;
        if (r.not_found()) {
            // Only the module's own IDs are ever created; an admin's policy that vanished is an error.
            if (id.rfind("WHMCS_", 0) != 0) {
                out = done_failure(m, "policy.missing",
                                   "The product's policy group " + id +
                                       " does not exist on the Comet Server; choose another one in "
                                       "the product's module settings");
                return PolicyProgress::failed;
            }
            out = request_step(m, "policy_list", "policies/list", json::object());
            return PolicyProgress::step;
        }
        out = done_reply_failure(m, r, "policies/get");
        return PolicyProgress::failed;
    }
    if (m.phase == "policy_list") {
        if (r.kind != Reply::Kind::ok) {
            out = done_reply_failure(m, r, "policies/list");
            return PolicyProgress::failed;
        }
        if (r.body.is_object() && r.body.contains(id)) return PolicyProgress::settled;
        PolicyRequest req;
        req.product_name = ctx_text(m.ctx, "productName");
        req.policy_id = id;
        json p = json::object();
        p["PolicyID"] = id;
        p["Policy"] = dump(restricted_policy(req));
        out = request_step(m, "policy_set", "policies/set", p);
        return PolicyProgress::step;
    }
    // policy_set
    if (r.kind == Reply::Kind::ok) return PolicyProgress::settled;
    out = done_reply_failure(m, r, "policies/set");
    return PolicyProgress::failed;
}

// ------------------------------------------------------------------------------------------------
// CreateAccount

namespace {

json create_finish(Machine& m) {
    set_effect(m, "claim", json(nullptr));
    json out = json::object();
    out["username"] = m.data["username"];
    return done_success(m, out);
}

ProfileEdit create_edit(const Machine& m) {
    ProfileEdit e;
    e.quotas = quotas_of(m);
    e.policy_id = selected_policy(m);
    return e;
}

// With the profile in data: record the marker, then apply quotas and policy.
json create_apply(Machine& m) {
    const std::string user = data_text(m, "username");
    const std::string guid = creation_guid(m.data["profile"]);
    if (!guid.empty()) set_effect(m, "marker", guid);
    json out = json::object();
    out["username"] = user;
    set_effect(m, "claim", json(nullptr));
    return apply_and_set(m, user, create_edit(m), out);
}

json create_vault_or_apply(Machine& m) {
    const std::string provider = ctx_text(m.ctx, "configoption2");
    const bool fresh = m.data.value("fresh", false);
    const bool need_vault =
        !provider.empty() && (fresh || !has_remote_vault(m.data.value("profile", json::object())));
    const std::string user = data_text(m, "username");
    if (need_vault) {
        json p = params_for(user);
        p["StorageProvider"] = provider;
        const std::string self = ctx_text(m.ctx, "serverUrl");
        if (!self.empty()) p["SelfAddress"] = self.back() == '/' ? self : self + "/";
        return request_step(m, "vault", "request-storage-vault", p);
    }
    if (!m.data.contains("profile")) return read_profile_step(m, "read", user);
    return create_apply(m);
}

json add_user_step(Machine& m, std::size_t index) {
    // Copy before inserting: members of an ordered_json object move when another is added.
    const std::string user = m.data["candidates"][index].get<std::string>();
    m.data["candidate"] = index;
    json p = params_for(user);
    p["TargetPassword"] = m.data["password"];
    p["StoreRecoveryCode"] = "1";
    if (ctx_flag(m.ctx, "configoption3")) p["RequirePasswordChange"] = "1";
    return request_step(m, "add_user", "add-user", p, {"TargetPassword"});
}

json begin_create(Machine& m) {
    m.data["adopting"] = false;
    if (needs_policy_check(m)) return start_policy_check(m);
    return add_user_step(m, 0);
}

bool claimed_by_us(const Machine& m, const std::string& user, const json& profile) {
    if (marker_matches(m, profile)) return true;
    const json* claim = member(m.ctx, "claim");
    if (claim == nullptr || ctx_text(*claim, "username") != user) return false;
    // Only an account created after (or just before, for skew) our own attempt can be ours.
    return profile_int(profile, "CreateTime") >= ctx_int(*claim, "at") - kClaimSkewSeconds;
}

// Takes over an account proven to be this service's; continues with policy, vault and quotas.
json adopt(Machine& m, const std::string& user) {
    m.data["username"] = user;
    m.data["adopting"] = true;
    m.data["fresh"] = false;
    set_effect(m, "username", user);
    if (needs_policy_check(m)) return start_policy_check(m);
    return create_vault_or_apply(m);
}

json next_candidate_or_fail(Machine& m, const std::string& taken) {
    if (m.data.value("custom", false)) {
        return done_failure(m, "account.username_taken",
                            "The username " + taken +
                                " is already in use on the Comet Server; choose another one");
    }
    const std::size_t next = m.data.value("candidate", static_cast<std::size_t>(0)) + 1;
    if (next >= m.data["candidates"].size()) {
        return done_failure(m, "account.no_free_username",
                            "Every username tried for this service is already in use on the "
                            "Comet Server; set the service's username by hand");
    }
    return add_user_step(m, next);
}

}  // namespace

json start_create(Machine& m) {
    json failure;
    const std::string custom_password = ctx_nested_text(m.ctx, "customfields", "Password");
    const std::string password = custom_password.empty() ? ctx_text(m.ctx, "password") : custom_password;
    const auto password_errors = validate_password(password, "/password");
    if (!password_errors.empty()) {
        return done_failure(m, password_errors.front().code,
                            "The account password is not acceptable: " + password_errors.front().message);
    }
    if (!compute_quotas(m, failure)) return failure;

    json derive = json::object();
    derive["customUsername"] = ctx_nested_text(m.ctx, "customfields", "Username");
    derive["email"] = ctx_nested_text(m.ctx, "clientsdetails", "email");
    derive["firstname"] = ctx_nested_text(m.ctx, "clientsdetails", "firstname");
    derive["lastname"] = ctx_nested_text(m.ctx, "clientsdetails", "lastname");
    const std::string sid = ctx_text(m.ctx, "serviceid");
    if (!sid.empty() && sid.find_first_not_of("0123456789") == std::string::npos && sid.size() < 19) {
        derive["serviceId"] = sid;
    }
    derive["serverVersion"] = ctx_text(m.ctx, "serverVersion");
    Outcome d = op_username_derive(derive);
    if (!d.ok) {
        return done_failure(m, d.error.code, "The username is not acceptable: " + d.error.message);
    }
    m.data["candidates"] = d.value["candidates"];
    m.data["custom"] = d.value["source"] == "custom";
    m.data["password"] = password;
    set_effect(m, "customPassword", !custom_password.empty());

    // A service that already has an account (recorded marker) or an unfinished attempt (claim) is
    // continued, never duplicated.
    std::string known;
    if (!ctx_text(m.ctx, "marker").empty()) known = account_username(m);
    const json* claim = member(m.ctx, "claim");
    if (known.empty() && claim != nullptr) known = ctx_text(*claim, "username");
    if (!known.empty()) {
        m.data["known"] = known;
        return read_profile_step(m, "known", known);
    }
    return begin_create(m);
}

json resume_create(Machine& m, const Reply& r) {
    const std::string phase = m.phase;
    if (is_policy_phase(phase)) {
        json out;
        switch (resume_policy_check(m, r, out)) {
            case PolicyProgress::step:
            case PolicyProgress::failed: return out;
            case PolicyProgress::settled: break;
        }
        if (m.data.value("adopting", false)) return create_vault_or_apply(m);
        return add_user_step(m, 0);
    }
    if (phase == "known") {
        const std::string known = data_text(m, "known");
        if (r.kind == Reply::Kind::ok) {
            const json* profile = member(r.body, "Profile");
            if (profile != nullptr && claimed_by_us(m, known, *profile) && take_profile(m, r.body)) {
                return adopt(m, known);
            }
            if (m.data.value("custom", false) && m.data["candidates"][0] == known) {
                return next_candidate_or_fail(m, known);
            }
            return begin_create(m);
        }
        if (r.not_found()) return begin_create(m);
        return done_reply_failure(m, r, "get-user-profile-and-hash");
    }
    const std::size_t index = m.data.value("candidate", static_cast<std::size_t>(0));
    const std::string candidate =
        index < m.data["candidates"].size() ? m.data["candidates"][index].get<std::string>() : "";
    if (phase == "add_user") {
        if (r.kind == Reply::Kind::ok) {
            m.data["username"] = candidate;
            m.data["fresh"] = true;
            set_effect(m, "username", candidate);
            // Until the marker is known, a claim lets a retry recognise this account as ours.
            json claim = json::object();
            claim["username"] = candidate;
            claim["at"] = ctx_int(m.ctx, "now");
            set_effect(m, "claim", claim);
            return create_vault_or_apply(m);
        }
        if (r.kind == Reply::Kind::api_error && r.status != 403) {
            m.data["addError"] = r.message;
            return read_profile_step(m, "probe", candidate);
        }
        if (r.kind != Reply::Kind::api_error) {
            // The server may have created the account before the reply was lost: claim the name.
            json claim = json::object();
            claim["username"] = candidate;
            claim["at"] = ctx_int(m.ctx, "now");
            set_effect(m, "claim", claim);
        }
        return done_reply_failure(m, r, "add-user");
    }
    if (phase == "probe") {
        if (r.kind == Reply::Kind::ok) {
            const json* profile = member(r.body, "Profile");
            if (profile != nullptr && claimed_by_us(m, candidate, *profile) && take_profile(m, r.body)) {
                return adopt(m, candidate);
            }
            return next_candidate_or_fail(m, candidate);
        }
        if (r.not_found()) {
            return done_failure(m, "account.create_refused",
                                "The Comet Server refused to create the account " + candidate + ": " +
                                    data_text(m, "addError"));
        }
        return done_reply_failure(m, r, "get-user-profile-and-hash");
    }
    const std::string user = data_text(m, "username");
    if (phase == "vault") {
        if (r.kind != Reply::Kind::ok) return done_reply_failure(m, r, "request-storage-vault");
        m.data["fresh"] = false;
        if (take_profile(m, r.body)) return create_apply(m);  // Comet 25.6.8+ returns the profile
        return read_profile_step(m, "read", user);
    }
    if (phase == "read" || phase == "reread") {
        if (r.kind != Reply::Kind::ok || !take_profile(m, r.body)) {
            return done_reply_failure(m, r, "get-user-profile-and-hash");
        }
        json out;
        if (phase == "reread" && !retry_after_reread(m, user, out)) return out;
        return create_apply(m);
    }
    if (phase == "set") {
        if (r.kind == Reply::Kind::ok) return create_finish(m);
        return set_refused(m, r, user);
    }
    return done_failure(m, "plan.bad_state", "The plan reached an unknown step");
}

// ------------------------------------------------------------------------------------------------
// SuspendAccount, UnsuspendAccount, ChangePackage: read, edit, write with the hash.

namespace {

ProfileEdit edit_for(const Machine& m) {
    ProfileEdit e;
    if (m.action == "SuspendAccount") e.suspended = true;
    if (m.action == "UnsuspendAccount") e.suspended = false;
    if (m.action == "ChangePackage") {
        e.quotas = quotas_of(m);
        e.policy_id = selected_policy(m);
    }
    return e;
}

json no_username(const Machine& m) {
    return done_failure(m, "account.no_username",
                        "This service has no Comet username recorded; run Create first");
}

json not_ours(const Machine& m, const std::string& user) {
    return done_failure(m, "account.not_ours",
                        "The Comet account " + user +
                            " was not created for this service (its creation ID differs); "
                            "nothing was changed");
}

json missing_account(const Machine& m, const std::string& user) {
    return done_failure(m, "account.missing",
                        "The Comet account " + user + " does not exist on the Comet Server");
}

}  // namespace

json start_profile_edit(Machine& m) {
    const std::string user = account_username(m);
    if (user.empty()) return no_username(m);
    if (m.action == "ChangePackage") {
        json failure;
        if (!compute_quotas(m, failure)) return failure;
        if (needs_policy_check(m)) return start_policy_check(m);
    }
    return read_profile_step(m, "read", user);
}

json resume_profile_edit(Machine& m, const Reply& r) {
    const std::string user = account_username(m);
    if (is_policy_phase(m.phase)) {
        json out;
        switch (resume_policy_check(m, r, out)) {
            case PolicyProgress::step:
            case PolicyProgress::failed: return out;
            case PolicyProgress::settled: break;
        }
        return read_profile_step(m, "read", user);
    }
    json output = json::object();
    output["username"] = user;
    if (m.phase == "read" || m.phase == "reread") {
        if (r.not_found()) return missing_account(m, user);
        if (r.kind != Reply::Kind::ok || !take_profile(m, r.body)) {
            return done_reply_failure(m, r, "get-user-profile-and-hash");
        }
        if (!ctx_text(m.ctx, "marker").empty() && !marker_matches(m, m.data["profile"])) {
            return not_ours(m, user);
        }
        json out;
        if (m.phase == "reread" && !retry_after_reread(m, user, out)) return out;
        return apply_and_set(m, user, edit_for(m), output);
    }
    if (m.phase == "set") {
        if (r.kind == Reply::Kind::ok) return done_success(m, output);
        return set_refused(m, r, user);
    }
    return done_failure(m, "plan.bad_state", "The plan reached an unknown step");
}

// ------------------------------------------------------------------------------------------------
// TerminateAccount

namespace {

json delete_step(Machine& m, const std::string& user) {
    json p = params_for(user);
    if (ctx_flag(m.ctx, "configoption4")) {
        // Ask live devices to uninstall the client; keep their local settings files.
        p["UninstallConfig"] = R"({"UninstallFlag":true,"RemoveConfigFile":false})";
    }
    return request_step(m, "delete", "delete-user", p);
}

json terminated(Machine& m, const std::string& user, const char* note) {
    set_effect(m, "marker", json(nullptr));
    json out = json::object();
    out["username"] = user;
    if (note != nullptr) out["note"] = note;
    return done_success(m, out);
}

}  // namespace

json start_terminate(Machine& m) {
    const std::string user = account_username(m);
    if (user.empty()) return no_username(m);
    // With a marker, prove the account is ours before deleting anything.
    if (!ctx_text(m.ctx, "marker").empty()) {
        return request_step(m, "verify", "get-user-profile", params_for(user));
    }
    return delete_step(m, user);
}

json resume_terminate(Machine& m, const Reply& r) {
    const std::string user = account_username(m);
    if (m.phase == "verify") {
        if (r.not_found()) return terminated(m, user, "The Comet account was already gone");
        if (r.kind != Reply::Kind::ok) return done_reply_failure(m, r, "get-user-profile");
        if (!marker_matches(m, r.body)) return not_ours(m, user);
        return delete_step(m, user);
    }
    if (m.phase == "delete") {
        if (r.kind == Reply::Kind::ok) return terminated(m, user, nullptr);
        if (r.kind == Reply::Kind::api_error && r.status != 403) {
            m.data["deleteError"] = r.message;
            return request_step(m, "confirm", "get-user-profile", params_for(user));
        }
        return done_reply_failure(m, r, "delete-user");
    }
    if (m.phase == "confirm") {
        if (r.not_found()) return terminated(m, user, "The Comet account was already gone");
        if (r.kind == Reply::Kind::ok) {
            return done_failure(m, "comet.api_error",
                                "The Comet Server refused to delete " + user + ": " +
                                    data_text(m, "deleteError"));
        }
        return done_reply_failure(m, r, "get-user-profile");
    }
    return done_failure(m, "plan.bad_state", "The plan reached an unknown step");
}

// ------------------------------------------------------------------------------------------------
// ChangePassword

namespace {

json reset_step(Machine& m, const std::string& user) {
    json p = params_for(user);
    p["NewPassword"] = ctx_text(m.ctx, "password");
    return request_step(m, "reset", "reset-user-password", p, {"NewPassword"});
}

}  // namespace

json start_change_password(Machine& m) {
    const std::string user = account_username(m);
    if (user.empty()) return no_username(m);
    const auto errors = validate_password(ctx_text(m.ctx, "password"), "/password");
    if (!errors.empty()) return done_failure(m, errors.front().code, errors.front().message);
    if (!ctx_text(m.ctx, "marker").empty()) {
        return request_step(m, "verify", "get-user-profile", params_for(user));
    }
    return reset_step(m, user);
}

json resume_change_password(Machine& m, const Reply& r) {
    const std::string user = account_username(m);
    if (m.phase == "verify") {
        if (r.not_found()) return missing_account(m, user);
        if (r.kind != Reply::Kind::ok) return done_reply_failure(m, r, "get-user-profile");
        if (!marker_matches(m, r.body)) return not_ours(m, user);
        return reset_step(m, user);
    }
    if (m.phase == "reset") {
        if (r.kind == Reply::Kind::ok) {
            json out = json::object();
            out["username"] = user;
            return done_success(m, out);
        }
        if (r.not_found()) {
            return done_failure(m, "comet.api_error",
                                "The Comet Server refused the new password: " + r.message);
        }
        return done_reply_failure(m, r, "reset-user-password");
    }
    return done_failure(m, "plan.bad_state", "The plan reached an unknown step");
}

}  // namespace cometprov::detail
