// Internals of the plan engine shared by the action files: the machine, replies, the action table
// and the step helpers (plan_steps.cpp). See core/PLAN.md for the contract hosts see.
#pragma once

#include "cometprov/json.hpp"
#include "cometprov/options.hpp"
#include "cometprov/profile.hpp"
#include "context.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
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

    bool ok() const { return kind == Kind::ok; }
    // Comet answers 400 for an unknown user or policy.
    bool not_found() const { return kind == Kind::api_error && status == 400; }
    // The server understood the request and said no (403 is the admin login, never the request's).
    bool refused() const { return kind == Kind::api_error && status != 403; }
};

// The whole state of a running plan; serialised into the opaque "state" string between steps.
struct Machine {
    std::size_t action = 0;       // index into the action table
    Context ctx;
    int phase = 0;                // the action family's phase enum, as its integer
    std::string endpoint;         // the endpoint of the request in flight
    json scratch = json::object();  // the family's typed scratch struct, serialised
    json effects = json::array();
};

using StartFn = json (*)(Machine&);
using ResumeFn = json (*)(Machine&, const Reply&);  // returns null for an inconsistent state

// A 200 reply body fed in pieces, for a request step marked "stream" (plan.resume feeds the whole
// body in one piece, so both paths give the same step).
struct BodySink {
    virtual ~BodySink() = default;
    // False once more bytes cannot change the outcome (the body is already unreadable).
    virtual bool write(const char* data, std::size_t len) = 0;
    // The body is complete: the step, as the action's resume would give it.
    virtual json finish(Machine& m) = 0;
};
using SinkFn = std::unique_ptr<BodySink> (*)(const Machine&);

// One row per action: the only dispatch. `phases` bounds Machine::phase for the action's family.
struct ActionSpec {
    const char* name;
    KeySet reads;
    KeySet required;
    int phases;
    StartFn start;
    ResumeFn resume;
    SinkFn sink = nullptr;  // the action's 200 replies are read by a BodySink (streamable)
};

// A request a step asks for.
struct Call {
    std::string endpoint;
    json params = json::object();
    std::vector<std::string> secrets;
    bool stream = false;  // the host may stream the reply (PlanStream)
};

// ---- steps (plan_steps.cpp) ----------------------------------------------------------------------

// Stores the phase and endpoint, seals the state and returns {"state", "request"}.
json request_step(Machine& m, int phase, const Call& call);

// The only way an action asks for a request: the typed scratch is saved with the state.
template <typename Scratch, typename Phase>
json request(Machine& m, const Scratch& s, Phase phase, const Call& call) {
    m.scratch = s.to_json();
    return request_step(m, static_cast<int>(phase), call);
}

json done_success(const Machine& m, const json& output = json());
json done_failure(const Machine& m, const std::string& code, const std::string& message,
                  const json& detail = json());
// What the reply to the request in flight said: {endpoint, status+message | httpStatus |
// transport+message}, plus username when given.
json reply_detail(const Machine& m, const Reply& r, const std::string& username = "");
// The failure for a reply that is not what the step needed (comet.* codes), worded for an admin.
json reply_failure(const Machine& m, const Reply& r, const std::string& username = "");
// Marks the state inconsistent (op_plan_resume answers plan.bad_state).
inline json bad_state() { return json(); }

// Replaces the effect of the same type, so retries inside one plan never duplicate effects.
void set_effect(Machine& m, const char* type, const json& value);
void set_effect(Machine& m, const char* type, json&& value);  // large values (usage rows) are moved

json target(const std::string& user);  // {"TargetUser": user}
std::int64_t int_member(const json& obj, const char* key);  // 0 unless an integer
std::string text_member(const json& obj, const char* key);  // "" unless a string
std::string self_address(const Context& c);  // serverUrl with one trailing slash, or ""

// Typed reads of a scratch object; any missing or mistyped member makes ok() false.
class Fields {
public:
    explicit Fields(const json& j) : j_(j), ok_(j.is_object()) {}
    void text(const char* key, std::string& out);
    void flag(const char* key, bool& out);
    void integer(const char* key, std::int64_t& out);
    void index(const char* key, std::size_t& out);
    void texts(const char* key, std::vector<std::string>& out);
    void value(const char* key, json& out);
    bool ok() const { return ok_; }

private:
    const json* get(const char* key);
    const json& j_;
    bool ok_;
};

// The product's quotas (the start already proved the options valid).
bool quotas_of(const Context& c, Quotas& q, Error& err);

// ---- the product's policy (shared by create and change package) ----------------------------------
// policies/get; only when the server says the ID is unknown (confirmed by policies/list) and the ID
// is one of the module's own ("WHMCS_..."), policies/set creates it. An existing policy is never
// overwritten.
enum class PolicyStep { get, list, set };
enum class PolicyProgress { call, settled, failed };
Call policy_start(const Context& c, PolicyStep& step);
PolicyProgress policy_resume(const Machine& m, PolicyStep& step, const Reply& r, Call& call,
                             json& failure);
json policy_step_json(PolicyStep s);
bool policy_step_from(const json& j, PolicyStep& s);

// ---- read, edit, write a profile with its hash (shared by create and the profile edits) ----------
constexpr int kMaxHashRetries = 3;

struct ProfileWrite {
    json profile;          // null until read
    std::string hash;
    std::string sent_hash;  // the hash of a refused write
    std::int64_t set_status = 0;
    std::string set_error;
    std::int64_t attempts = 0;

    json to_json() const;
    bool from_json(const json& j);
    // Takes {Profile, ProfileHash} from a get-user-profile-and-hash (or modern vault) reply.
    bool take(const json& body);
};

Call read_profile_call(const std::string& user);
// Applies the edit; `changed` false means nothing to write. False when the profile is malformed.
bool apply_edit(ProfileWrite& w, const ProfileEdit& edit, bool& changed, Error& err);
Call write_profile_call(const ProfileWrite& w, const std::string& user);
// After a refused write: true when the caller should re-read (the server said no; a concurrent
// write may have moved the hash). False: end the plan with reply_failure.
bool note_refused_write(ProfileWrite& w, const Reply& r);
// After the re-read: true when the write should be tried again (the hash moved; bounded).
bool retry_write(ProfileWrite& w);
json write_refused(const Machine& m, const ProfileWrite& w, const std::string& user);

// ---- accounts ----------------------------------------------------------------------------------
std::string creation_guid(const json& profile);
// The profile is the one this service created: its CreationGUID equals the stored marker.
bool marker_matches(const Context& c, const json& profile);
json no_username(const Machine& m);
// This module's Create sent add-user for the service (stored effect createAttempted) and no marker
// is recorded: the account under the service's name is not known to be its own (add-user may have
// been refused because another customer holds the name), so an action that could adopt it must not
// even read it. plan.start ends such an action at once with create_unfinished (account.no_username,
// detail.createAttempted = true), before any request.
bool unfinished_create(const Context& c);
json create_unfinished(const Machine& m);
// The account is now recorded (marker set by Create or adoption) or gone (Terminate): the stored
// createAttempted no longer applies (effect createAttempted = false).
void forget_create_attempt(Machine& m);
// account.not_ours with detail {endpoint, username, marker, creationGuid}.
json not_ours(const Machine& m, const std::string& user, const json& profile);

// The service's Comet username by the account-name rule (cometprov/account.hpp): `username`, unless
// empty or the official module's placeholder, then customfields.Username.
std::string service_account(const Context& c);

// What a profile read says about ownership. No marker stored: the account under the service's own
// name is adopted (effects marker = its CreationGUID, username, adopted = {username, marker}; the
// context's marker and username are set so later reads of the same plan check against it). A
// profile without a CreationGUID cannot be adopted and is used as before. Marker stored: a
// different CreationGUID is someone else's.
enum class Ownership { ours, adopted, not_ours };
Ownership take_ownership(Machine& m, const std::string& user, const json& profile);

// The reply to get-user-profile-and-hash of the service's account, for the read-only plans
// (ServiceOverview, SignIn, AdoptAccount): `profile` holds the profile and ownership is settled
// (`own`: ours, or adopted now); `confirm`: a Status 400 that list-users must confirm (the caller
// keeps r.status/r.message for confirm_missing); `failed`: `step` is the plan's failure
// (account.not_ours with nothing else requested, or the reply's failure).
enum class AccountRead { profile, confirm, failed };
AccountRead read_account(Machine& m, const Reply& r, const std::string& user, json& profile,
                         Ownership& own, json& step);

// ---- the server's version (CreateAccount, SignIn; TestConnection emits it too) --------------------
// Unknown (the host had no fresh one): the plan's first request is meta/version.
bool version_unknown(const Context& c);
Call version_call();
// meta/version's reply: sets the context's serverVersion and the serverVersion effect. False with
// `failure` set when the reply holds no readable version.
bool take_version(Machine& m, const Reply& r, json& failure);
// Comet answers Status 400 for an unknown user but also for other refusals: an account is only
// called missing once list-users does not list its name.
Call list_users_call();
bool lists_user(const json& body, const std::string& user);
// With list-users' reply `r`, after `lookup` (the endpoint) answered Status `status`/`message`:
// account.missing when the name is not listed; comet.refused with the lookup's own answer when it
// is; the reply's failure when list-users itself failed.
json confirm_missing(const Machine& m, const Reply& r, const std::string& user, const std::string& lookup,
                     std::int64_t status, const std::string& message);

// A lookup's Status 400, kept in a plan's scratch until list-users confirms it (confirm_missing).
// Every plan that reads an account before acting keeps one, under lookupStatus/lookupMessage.
struct Lookup {
    std::int64_t status = 0;
    std::string message;

    void keep(const Reply& r) {
        status = r.status;
        message = r.message;
    }
    // Adds lookupStatus/lookupMessage to the scratch object (each scratch adds them last, so the
    // sealed scratch keeps its member order).
    void to_json(json& j) const;
    void from_json(Fields& f);
    // confirm_missing with the kept answer of `lookup` (the endpoint that answered Status 400).
    json confirm(const Machine& m, const Reply& r, const std::string& user, const std::string& lookup) const {
        return confirm_missing(m, r, user, lookup, status, message);
    }
};

// The read step of the read-only plans, read_account's reply turned into the next step. True with
// `profile` and `own` set when the profile was read; false with `step` set otherwise: the list-users
// request (the Status 400 kept in s.lookup, the plan resumes in phase `listed`) or the plan's failure.
template <typename Scratch, typename Phase>
bool read_account_step(Machine& m, const Reply& r, const std::string& user, Scratch& s, Phase listed,
                       json& profile, Ownership& own, json& step) {
    switch (read_account(m, r, user, profile, own, step)) {
        case AccountRead::profile: return true;
        case AccountRead::confirm:
            s.lookup.keep(r);
            step = request(m, s, listed, list_users_call());
            return false;
        case AccountRead::failed: return false;
    }
    return false;
}

// ---- the actions (one file per family) -----------------------------------------------------------
// plan_create.cpp
constexpr int kCreatePhases = 9;
json start_create(Machine& m);
json resume_create(Machine& m, const Reply& r);
// plan_profile.cpp: suspend, unsuspend, change package
constexpr int kProfilePhases = 5;
json start_suspend(Machine& m);
json start_unsuspend(Machine& m);
json start_change_package(Machine& m);
json resume_profile(Machine& m, const Reply& r);
// plan_terminate_password.cpp
constexpr int kTerminatePhases = 4;
json start_terminate(Machine& m);
json resume_terminate(Machine& m, const Reply& r);
constexpr int kPasswordPhases = 3;
json start_change_password(Machine& m);
json resume_change_password(Machine& m, const Reply& r);
// plan_server.cpp: one request each
constexpr int kServerPhases = 1;
json start_test_connection(Machine& m);
json resume_test_connection(Machine& m, const Reply& r);
json start_usage_update(Machine& m);
json resume_usage_update(Machine& m, const Reply& r);
std::unique_ptr<BodySink> usage_sink(const Machine& m);
json start_list_accounts(Machine& m);
json resume_list_accounts(Machine& m, const Reply& r);
// The session reply of account/session-start(-as-user): {sessionKey, type, username?}.
json session_output(Machine& m, const Reply& r, const char* type, const std::string& user);
json start_admin_sso(Machine& m);
json resume_admin_sso(Machine& m, const Reply& r);
json start_load_policies(Machine& m);
json resume_load_policies(Machine& m, const Reply& r);
json start_load_providers(Machine& m);
json resume_load_providers(Machine& m, const Reply& r);
// plan_signin.cpp
constexpr int kSignInPhases = 4;
json start_sign_in(Machine& m);
json resume_sign_in(Machine& m, const Reply& r);
// plan_overview.cpp
constexpr int kOverviewPhases = 3;
json start_service_overview(Machine& m);
json resume_service_overview(Machine& m, const Reply& r);
// plan_adopt.cpp
constexpr int kAdoptPhases = 2;
json start_adopt(Machine& m);
json resume_adopt(Machine& m, const Reply& r);

}  // namespace cometprov::detail
