// TerminateAccount and ChangePassword: read the account first, always: with a stored marker it must
// prove to be this service's; without one, the account under the service's own name is adopted.
#include "cometprov/password.hpp"
#include "plan_detail.hpp"

namespace cometprov::detail {

namespace {

// A refused delete's answer, and the lookup answer that still has to be confirmed by list-users.
struct Scratch {
    std::int64_t refused_status = 0;  // delete-user's refusal (0: the delete was not refused)
    std::string refused_message;
    Lookup lookup;                    // the get-user-profile answer being confirmed

    json to_json() const {
        json j = json::object();
        j["refusedStatus"] = refused_status;
        j["refusedMessage"] = refused_message;
        lookup.to_json(j);
        return j;
    }
    bool from_json(const json& j) {
        Fields f(j);
        f.integer("refusedStatus", refused_status);
        f.text("refusedMessage", refused_message);
        lookup.from_json(f);
        return f.ok();
    }
};

Call verify_call(const std::string& user) { return Call{"get-user-profile", target(user), {}}; }

// ---- TerminateAccount --------------------------------------------------------------------------

enum class TerminatePhase { verify, remove, confirm, listed };
static_assert(static_cast<int>(TerminatePhase::listed) + 1 == kTerminatePhases,
              "kTerminatePhases counts TerminatePhase");

json delete_user(Machine& m, const Scratch& s) {
    Call call{"delete-user", target(m.ctx.username), {}};
    if (m.ctx.uninstall_on_terminate) {
        // Ask live devices to uninstall the client; keep their local settings files.
        call.params["UninstallConfig"] = R"({"UninstallFlag":true,"RemoveConfigFile":false})";
    }
    return request(m, s, TerminatePhase::remove, call);
}

json terminated(Machine& m, const char* note) {
    set_effect(m, "marker", json(nullptr));
    forget_create_attempt(m);  // nothing of an earlier Create remains: a second Terminate reads the name again
    json out = json::object();
    out["username"] = m.ctx.username;
    if (note != nullptr) out["note"] = note;
    return done_success(m, out);
}

constexpr const char* kAlreadyGone = "The Comet account was already gone";

// Comet answers Status 400 for an unknown user, but also for other refusals: before calling an
// account gone (and forgetting its marker), list-users must confirm that the name is not there.
json confirm_gone(Machine& m, Scratch& s, const Reply& r) {
    s.lookup.keep(r);
    return request(m, s, TerminatePhase::listed, list_users_call());
}

json delete_refused(const Machine& m, const Scratch& s) {
    const std::string& user = m.ctx.username;
    json detail = json::object();
    detail["endpoint"] = "delete-user";
    detail["status"] = s.refused_status;
    detail["message"] = s.refused_message;
    detail["username"] = user;
    return done_failure(m, "comet.delete_refused",
                        "The Comet Server refused to delete " + user + ": " + s.refused_message, detail);
}

// ---- ChangePassword ----------------------------------------------------------------------------

enum class PasswordPhase { verify, reset, listed };
static_assert(static_cast<int>(PasswordPhase::listed) + 1 == kPasswordPhases,
              "kPasswordPhases counts PasswordPhase");

json reset(Machine& m, const Scratch& s) {
    Call call{"reset-user-password", target(m.ctx.username), {"NewPassword"}};
    call.params["NewPassword"] = m.ctx.password;
    return request(m, s, PasswordPhase::reset, call);
}

}  // namespace

json start_terminate(Machine& m) {
    m.ctx.username = service_account(m.ctx);
    if (m.ctx.username.empty()) return no_username(m);
    return request(m, Scratch{}, TerminatePhase::verify, verify_call(m.ctx.username));
}

json resume_terminate(Machine& m, const Reply& r) {
    Scratch s;
    if (!s.from_json(m.scratch)) return bad_state();
    const std::string& user = m.ctx.username;
    switch (static_cast<TerminatePhase>(m.phase)) {
        case TerminatePhase::verify:
            if (r.not_found()) return confirm_gone(m, s, r);
            if (!r.ok()) return reply_failure(m, r, user);
            if (take_ownership(m, user, r.body) == Ownership::not_ours) return not_ours(m, user, r.body);
            return delete_user(m, s);
        case TerminatePhase::remove:
            if (r.ok()) return terminated(m, nullptr);
            if (r.refused()) {
                // Already gone, or refused: a lookup tells which.
                s.refused_status = r.status;
                s.refused_message = r.message;
                return request(m, s, TerminatePhase::confirm, verify_call(user));
            }
            return reply_failure(m, r, user);
        case TerminatePhase::confirm:
            if (r.not_found()) return confirm_gone(m, s, r);
            if (r.ok()) return delete_refused(m, s);
            return reply_failure(m, r, user);
        case TerminatePhase::listed: {
            if (!r.ok()) return reply_failure(m, r, user);
            if (!r.body.is_array()) {
                json detail = json::object();
                detail["endpoint"] = m.endpoint;
                return done_failure(m, "comet.unexpected",
                                    "The Comet Server's reply to list-users was not a list of names", detail);
            }
            if (!lists_user(r.body, user)) return terminated(m, kAlreadyGone);
            // The account exists: the Status 400 meant something else.
            if (s.refused_status != 0) return delete_refused(m, s);
            json detail = json::object();
            detail["endpoint"] = "get-user-profile";
            detail["status"] = s.lookup.status;
            detail["message"] = s.lookup.message;
            detail["username"] = user;
            return done_failure(m, "comet.refused",
                                "The Comet Server refused get-user-profile: " + s.lookup.message + " (Status " +
                                    std::to_string(s.lookup.status) + ")",
                                detail);
        }
    }
    return bad_state();
}

json start_change_password(Machine& m) {
    m.ctx.username = service_account(m.ctx);
    if (m.ctx.username.empty()) return no_username(m);
    const auto errors = validate_password(m.ctx.password, "/password");
    if (!errors.empty()) return done_failure(m, errors.front().code, errors.front().message);
    return request(m, Scratch{}, PasswordPhase::verify, verify_call(m.ctx.username));
}

json resume_change_password(Machine& m, const Reply& r) {
    Scratch s;
    if (!s.from_json(m.scratch)) return bad_state();
    const std::string& user = m.ctx.username;
    switch (static_cast<PasswordPhase>(m.phase)) {
        case PasswordPhase::verify:
            if (r.not_found()) {
                // Status 400 is "no such user" but also other refusals: list-users decides.
                s.lookup.keep(r);
                return request(m, s, PasswordPhase::listed, list_users_call());
            }
            if (!r.ok()) return reply_failure(m, r, user);
            if (take_ownership(m, user, r.body) == Ownership::not_ours) return not_ours(m, user, r.body);
            return reset(m, s);
        case PasswordPhase::reset:
            if (r.ok()) {
                json out = json::object();
                out["username"] = user;
                return done_success(m, out);
            }
            if (r.refused()) {
                return done_failure(m, "comet.password_refused",
                                    "The Comet Server refused the new password for " + user + ": " +
                                        r.message,
                                    reply_detail(m, r, user));
            }
            return reply_failure(m, r, user);
        case PasswordPhase::listed:
            return s.lookup.confirm(m, r, user, "get-user-profile");
    }
    return bad_state();
}

}  // namespace cometprov::detail
