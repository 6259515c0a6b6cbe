// CreateAccount: policy, add-user (with fallback names), vault, quotas; idempotent across retries
// through the stored marker and claim.
#include "cometprov/account.hpp"
#include "cometprov/password.hpp"
#include "cometprov/policy.hpp"
#include "cometprov/username.hpp"
#include "plan_detail.hpp"

namespace cometprov::detail {

namespace {

enum class Phase { policy, known, add_user, probe, vault, read, reread, set, version };
static_assert(static_cast<int>(Phase::version) + 1 == kCreatePhases, "kCreatePhases counts Phase");

// An account created up to this long before our claim's timestamp may still be ours (clock skew
// between WHMCS and Comet); anything older belongs to someone else.
constexpr std::int64_t kClaimSkewSeconds = 600;

struct Scratch {
    std::vector<std::string> candidates;  // usernames to try, in order
    bool custom = false;                  // the customer (or admin) chose the name: no fallbacks
    bool hand_set = false;                // the chosen name is the service's username, set by hand
    std::size_t candidate = 0;            // index of the name add-user was asked for
    std::string known;                    // the recorded or claimed name being checked
    std::string foreign;                  // `known` when its read showed someone else's account
    bool adopting = false;                // continuing an account proven ours
    bool fresh = false;                   // created by this plan: it has no vault yet
    std::string username;                 // the account's name once created or adopted
    std::int64_t add_status = 0;          // a refused add-user's Status and Message
    std::string add_error;
    PolicyStep policy = PolicyStep::get;
    ProfileWrite write;

    json to_json() const {
        json j = json::object();
        j["candidates"] = candidates;
        j["custom"] = custom;
        j["handSet"] = hand_set;
        j["candidate"] = candidate;
        j["known"] = known;
        j["foreign"] = foreign;
        j["adopting"] = adopting;
        j["fresh"] = fresh;
        j["username"] = username;
        j["addStatus"] = add_status;
        j["addError"] = add_error;
        j["policy"] = policy_step_json(policy);
        j["write"] = write.to_json();
        return j;
    }
    bool from_json(const json& j) {
        Fields f(j);
        json p, w;
        f.texts("candidates", candidates);
        f.flag("custom", custom);
        f.flag("handSet", hand_set);
        f.index("candidate", candidate);
        f.text("known", known);
        f.text("foreign", foreign);
        f.flag("adopting", adopting);
        f.flag("fresh", fresh);
        f.text("username", username);
        f.integer("addStatus", add_status);
        f.text("addError", add_error);
        f.value("policy", p);
        f.value("write", w);
        return f.ok() && !candidates.empty() && candidate < candidates.size() &&
               policy_step_from(p, policy) && write.from_json(w);
    }
};

// The password the account gets: the customer's custom Password field, else the service's.
const std::string& account_password(const Context& c) {
    return c.custom_password.empty() ? c.password : c.custom_password;
}

bool claimed_by_us(const Context& c, const std::string& user, const json& profile) {
    if (marker_matches(c, profile)) return true;
    if (!c.claim || c.claim->username != user) return false;
    // Only an account created after (or just before, for skew) our own attempt can be ours. A
    // profile without CreateTime reads as 0: never ours.
    return int_member(profile, "CreateTime") >= c.claim->at - kClaimSkewSeconds;
}

json claim_of(const Context& c, const std::string& user) {
    json claim = json::object();
    claim["username"] = user;
    claim["at"] = c.now;
    return claim;
}

json add_user(Machine& m, Scratch& s, std::size_t index) {
    s.candidate = index;
    // Recorded before the first add-user, also when the plan then fails (refused name): from now on
    // the routine actions must not adopt whatever account carries the service's name.
    set_effect(m, "createAttempted", true);
    Call call{"add-user", target(s.candidates[index]), {"TargetPassword"}};
    call.params["TargetPassword"] = account_password(m.ctx);
    call.params["StoreRecoveryCode"] = "1";
    if (m.ctx.require_password_change) call.params["RequirePasswordChange"] = "1";
    return request(m, s, Phase::add_user, call);
}

json begin(Machine& m, Scratch& s) {
    s.adopting = false;
    if (!m.ctx.policy_id.empty()) return request(m, s, Phase::policy, policy_start(m.ctx, s.policy));
    return add_user(m, s, 0);
}

json finish(Machine& m, const Scratch& s) {
    set_effect(m, "claim", json(nullptr));
    json out = json::object();
    out["username"] = s.username;
    return done_success(m, out);
}

// With the profile read: record the marker, forget the claim, then apply quotas and policy.
json apply(Machine& m, Scratch& s) {
    const std::string guid = creation_guid(s.write.profile);
    if (!guid.empty()) {
        set_effect(m, "marker", guid);
        forget_create_attempt(m);
    }
    set_effect(m, "claim", json(nullptr));
    ProfileEdit edit;
    Error err;
    Quotas q;
    if (!quotas_of(m.ctx, q, err)) return bad_state();  // plan.start checked the options
    edit.quotas = q;
    edit.policy_id = m.ctx.policy_id;
    bool changed = false;
    if (!apply_edit(s.write, edit, changed, err)) {
        json detail = json::object();
        detail["endpoint"] = m.endpoint;
        detail["username"] = s.username;
        return done_failure(m, err.code,
                            "The Comet account " + s.username + " has an unexpected profile: " + err.message,
                            detail);
    }
    if (!changed) return finish(m, s);
    return request(m, s, Phase::set, write_profile_call(s.write, s.username));
}

bool has_remote_vault(const json& profile) {
    const json* dests = nullptr;
    if (profile.is_object()) {
        auto it = profile.find("Destinations");
        if (it != profile.end()) dests = &*it;
    }
    if (dests == nullptr || !dests->is_object()) return false;
    for (const auto& v : *dests) {
        if (v.is_object() &&
            int_member(v, "DestinationType") != static_cast<std::int64_t>(kDestinationLocalCopy)) {
            return true;
        }
    }
    return false;
}

// A new account gets the product's initial vault; an adopted one only when it has no remote vault.
json vault_or_apply(Machine& m, Scratch& s) {
    const std::string& provider = m.ctx.vault_provider;
    if (!provider.empty() && (s.fresh || !has_remote_vault(s.write.profile))) {
        Call call{"request-storage-vault", target(s.username), {}};
        call.params["StorageProvider"] = provider;
        const std::string self = self_address(m.ctx);
        if (!self.empty()) call.params["SelfAddress"] = self;
        return request(m, s, Phase::vault, call);
    }
    if (s.write.profile.is_null()) return request(m, s, Phase::read, read_profile_call(s.username));
    return apply(m, s);
}

// Takes over an account proven to be this service's; continues with policy, vault and quotas.
json adopt(Machine& m, Scratch& s, const std::string& user) {
    s.username = user;
    s.adopting = true;
    s.fresh = false;
    set_effect(m, "username", user);
    if (!m.ctx.policy_id.empty()) return request(m, s, Phase::policy, policy_start(m.ctx, s.policy));
    return vault_or_apply(m, s);
}

json next_candidate_or_fail(Machine& m, Scratch& s, const std::string& taken, const json& detail) {
    if (s.custom) {
        return done_failure(m, "account.username_taken",
                            "The username " + taken +
                                " is already in use on the Comet Server; choose another one",
                            detail);
    }
    const std::size_t next = s.candidate + 1;
    if (next >= s.candidates.size()) {
        return done_failure(m, "account.no_free_username",
                            "Every username tried for this service is already in use on the "
                            "Comet Server; set the service's username by hand",
                            detail);
    }
    return add_user(m, s, next);
}

json add_user_detail(const Scratch& s, const std::string& user) {
    json d = json::object();
    d["endpoint"] = "add-user";
    d["status"] = s.add_status;
    d["message"] = s.add_error;
    d["username"] = user;
    return d;
}

// After a refused add-user, the account under that name may be read only when this service has a
// stake in the name: its claim names it (a lost add-user reply of ours), or it is the service's
// recorded name and a marker can prove it. An account the service never claimed cannot become
// ours, so another customer's account is never read. A name whose account the plan already read
// and found foreign is not read again.
bool may_probe(const Context& c, const Scratch& s, const std::string& user) {
    if (user == s.foreign) return false;
    if (c.claim && c.claim->username == user) return true;
    return !c.marker.empty() && c.username == user;
}

// A refused add-user for a name the plan may not read: the reason stays Comet's own (taken, or
// refused for another reason, cannot be told apart without reading someone else's account).
json refused_unread(Machine& m, Scratch& s, const std::string& user) {
    const json detail = add_user_detail(s, user);
    if (s.hand_set) {
        // Most likely the service's existing account: Create never adopts by itself (the name was
        // typed, nothing proves the account is this service's), the admin's button does.
        return done_failure(m, "account.create_refused",
                            "The Comet Server refused to create the account " + user + ": " +
                                s.add_error +
                                "; if that account already exists and belongs to this service, use "
                                "the \"Adopt Comet account\" button instead of Create; otherwise "
                                "set another username",
                            detail);
    }
    if (s.custom) {
        return done_failure(m, "account.create_refused",
                            "The Comet Server refused to create the account " + user + ": " +
                                s.add_error + "; the name may already be in use: choose another one",
                            detail);
    }
    const std::size_t next = s.candidate + 1;
    if (next < s.candidates.size()) return add_user(m, s, next);
    return done_failure(m, "account.no_free_username",
                        "The Comet Server refused every username tried for this service (the last, " +
                            user + ": " + s.add_error +
                            "); they may already be in use: set the service's username by hand",
                        detail);
}

}  // namespace

namespace {

// With the server's version known: the names to try (a chosen name is checked against the
// version's minimum), then the account the service already has or claimed, or a new one.
json plan_names(Machine& m) {
    const Context& c = m.ctx;
    // A username the admin typed into a service that has no account yet is the name to create.
    const bool hand_set = is_hand_set(c.username) && c.marker.empty() && !c.claim;
    const std::string chosen = hand_set ? c.username : c.custom_username;
    json derive = json::object();
    derive["customUsername"] = chosen;
    derive["email"] = c.email;
    derive["firstname"] = c.firstname;
    derive["lastname"] = c.lastname;
    if (!c.serviceid.empty() && c.serviceid.size() < 19) derive["serviceId"] = c.serviceid;
    derive["serverVersion"] = c.server_version;
    Outcome d = op_username_derive(derive);
    if (!d.ok) {
        if (chosen.empty()) {
            return done_failure(m, d.error.code, "The username is not acceptable: " + d.error.message);
        }
        // The admin fixes the name in the field it came from: say which one.
        json detail = d.error.detail.is_object() ? d.error.detail : json::object();
        detail["field"] = hand_set ? "username" : "customfields/Username";
        const std::string where = hand_set ? "The service's username" : "The service's Username field";
        std::string message = where + " is not acceptable: " + d.error.message;
        if (d.error.code == "username.too_short" && !c.server_version.empty()) {
            message += " (Comet Server " + c.server_version + "; Comet accepts 1 character from 21.9.10)";
        }
        return done_failure(m, d.error.code, message, detail);
    }
    Scratch s;
    Fields f(d.value);
    f.texts("candidates", s.candidates);
    if (!f.ok() || s.candidates.empty()) return bad_state();
    s.custom = d.value["source"] == "custom";
    s.hand_set = hand_set;
    set_effect(m, "customPassword", !c.custom_password.empty());

    // A service that already has an account (recorded marker) or an unfinished attempt (claim) is
    // continued, never duplicated.
    std::string known;
    if (!c.marker.empty()) known = service_account(c);
    if (known.empty() && c.claim) known = c.claim->username;
    if (!known.empty()) {
        s.known = known;
        return request(m, s, Phase::known, read_profile_call(known));
    }
    return begin(m, s);
}

// The scratch of the version step, before any name is chosen.
struct VersionScratch {
    json to_json() const { return json::object(); }
};

}  // namespace

json start_create(Machine& m) {
    const Context& c = m.ctx;
    const auto password_errors = validate_password(account_password(c), "/password");
    if (!password_errors.empty()) {
        return done_failure(m, password_errors.front().code,
                            "The account password is not acceptable: " + password_errors.front().message);
    }
    Quotas q;
    Error err;
    if (!quotas_of(c, q, err)) return done_failure(m, err.code, err.message);
    // The username minimum depends on the version (6 before 21.9.10, 1 from it): ask first.
    if (version_unknown(c)) return request(m, VersionScratch{}, Phase::version, version_call());
    return plan_names(m);
}

json resume_create(Machine& m, const Reply& r) {
    if (static_cast<Phase>(m.phase) == Phase::version) {
        json failure;
        if (!take_version(m, r, failure)) return failure;
        return plan_names(m);
    }
    Scratch s;
    if (!s.from_json(m.scratch)) return bad_state();
    const std::string candidate = s.candidates[s.candidate];
    switch (static_cast<Phase>(m.phase)) {
        case Phase::policy: {
            Call call;
            json failure;
            switch (policy_resume(m, s.policy, r, call, failure)) {
                case PolicyProgress::call: return request(m, s, Phase::policy, call);
                case PolicyProgress::failed: return failure;
                case PolicyProgress::settled: break;
            }
            if (s.adopting) return vault_or_apply(m, s);
            return add_user(m, s, 0);
        }
        case Phase::known:
            if (r.ok()) {
                auto p = r.body.find("Profile");
                if (p != r.body.end() && claimed_by_us(m.ctx, s.known, *p) && s.write.take(r.body)) {
                    return adopt(m, s, s.known);
                }
                s.foreign = s.known;
                // Someone else's account holds the customer's chosen name.
                if (s.custom && s.candidates[0] == s.known) {
                    json detail = json::object();
                    detail["endpoint"] = m.endpoint;
                    detail["username"] = s.known;
                    return next_candidate_or_fail(m, s, s.known, detail);
                }
                return begin(m, s);
            }
            if (r.not_found()) return begin(m, s);
            return reply_failure(m, r, s.known);
        case Phase::add_user:
            if (r.ok()) {
                s.username = candidate;
                s.fresh = true;
                set_effect(m, "username", candidate);
                // Until the marker is known, a claim lets a retry recognise this account as ours.
                set_effect(m, "claim", claim_of(m.ctx, candidate));
                return vault_or_apply(m, s);
            }
            if (r.refused()) {
                s.add_status = r.status;
                s.add_error = r.message;
                // Ours (a lost reply of an earlier attempt), someone else's, or refused for another
                // reason: a lookup tells which, but only of a name this service claimed.
                if (!may_probe(m.ctx, s, candidate)) return refused_unread(m, s, candidate);
                return request(m, s, Phase::probe, read_profile_call(candidate));
            }
            if (r.kind != Reply::Kind::api_error) {
                // The server may have created the account before the reply was lost: claim the name.
                set_effect(m, "claim", claim_of(m.ctx, candidate));
            }
            return reply_failure(m, r, candidate);
        case Phase::probe:
            if (r.ok()) {
                auto p = r.body.find("Profile");
                if (p != r.body.end() && claimed_by_us(m.ctx, candidate, *p) && s.write.take(r.body)) {
                    return adopt(m, s, candidate);
                }
                return next_candidate_or_fail(m, s, candidate, add_user_detail(s, candidate));
            }
            if (r.not_found()) {
                return done_failure(m, "account.create_refused",
                                    "The Comet Server refused to create the account " + candidate +
                                        ": " + s.add_error,
                                    add_user_detail(s, candidate));
            }
            return reply_failure(m, r, candidate);
        case Phase::vault:
            if (r.refused()) {
                return done_failure(m, "comet.vault_refused",
                                    "The Comet Server refused to create a storage vault for " +
                                        s.username + ": " + r.message,
                                    reply_detail(m, r, s.username));
            }
            if (!r.ok()) return reply_failure(m, r, s.username);
            s.fresh = false;
            if (s.write.take(r.body)) return apply(m, s);  // Comet 25.6.8+ returns the profile
            return request(m, s, Phase::read, read_profile_call(s.username));
        case Phase::read:
        case Phase::reread:
            if (!r.ok() || !s.write.take(r.body)) return reply_failure(m, r, s.username);
            if (static_cast<Phase>(m.phase) == Phase::reread && !retry_write(s.write)) {
                return write_refused(m, s.write, s.username);
            }
            return apply(m, s);
        case Phase::set:
            if (r.ok()) return finish(m, s);
            if (note_refused_write(s.write, r)) {
                return request(m, s, Phase::reread, read_profile_call(s.username));
            }
            return reply_failure(m, r, s.username);
        case Phase::version: break;
    }
    return bad_state();
}

}  // namespace cometprov::detail
