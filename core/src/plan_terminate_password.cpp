// TerminateAccount and ChangePassword: with a stored marker, prove the account is this service's
// before acting on it.
#include "cometprov/password.hpp"
#include "plan_detail.hpp"

namespace cometprov::detail {

namespace {

// Neither action keeps more than the refused delete's answer.
struct Scratch {
    std::int64_t refused_status = 0;
    std::string refused_message;

    json to_json() const {
        json j = json::object();
        j["refusedStatus"] = refused_status;
        j["refusedMessage"] = refused_message;
        return j;
    }
    bool from_json(const json& j) {
        Fields f(j);
        f.integer("refusedStatus", refused_status);
        f.text("refusedMessage", refused_message);
        return f.ok();
    }
};

Call verify_call(const std::string& user) { return Call{"get-user-profile", target(user), {}}; }

// ---- TerminateAccount --------------------------------------------------------------------------

enum class TerminatePhase { verify, remove, confirm };
static_assert(static_cast<int>(TerminatePhase::confirm) + 1 == kTerminatePhases,
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
    json out = json::object();
    out["username"] = m.ctx.username;
    if (note != nullptr) out["note"] = note;
    return done_success(m, out);
}

constexpr const char* kAlreadyGone = "The Comet account was already gone";

// ---- ChangePassword ----------------------------------------------------------------------------

enum class PasswordPhase { verify, reset };
static_assert(static_cast<int>(PasswordPhase::reset) + 1 == kPasswordPhases,
              "kPasswordPhases counts PasswordPhase");

json reset(Machine& m, const Scratch& s) {
    Call call{"reset-user-password", target(m.ctx.username), {"NewPassword"}};
    call.params["NewPassword"] = m.ctx.password;
    return request(m, s, PasswordPhase::reset, call);
}

}  // namespace

json start_terminate(Machine& m) {
    if (m.ctx.username.empty()) return no_username(m);
    Scratch s;
    if (!m.ctx.marker.empty()) {
        return request(m, s, TerminatePhase::verify, verify_call(m.ctx.username));
    }
    return delete_user(m, s);
}

json resume_terminate(Machine& m, const Reply& r) {
    Scratch s;
    if (!s.from_json(m.scratch)) return bad_state();
    const std::string& user = m.ctx.username;
    switch (static_cast<TerminatePhase>(m.phase)) {
        case TerminatePhase::verify:
            if (r.not_found()) return terminated(m, kAlreadyGone);
            if (!r.ok()) return reply_failure(m, r, user);
            if (!marker_matches(m.ctx, r.body)) return not_ours(m, user);
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
            if (r.not_found()) return terminated(m, kAlreadyGone);
            if (r.ok()) {
                json detail = json::object();
                detail["endpoint"] = "delete-user";
                detail["status"] = s.refused_status;
                detail["message"] = s.refused_message;
                detail["username"] = user;
                return done_failure(m, "comet.delete_refused",
                                    "The Comet Server refused to delete " + user + ": " + s.refused_message,
                                    detail);
            }
            return reply_failure(m, r, user);
    }
    return bad_state();
}

json start_change_password(Machine& m) {
    if (m.ctx.username.empty()) return no_username(m);
    const auto errors = validate_password(m.ctx.password, "/password");
    if (!errors.empty()) return done_failure(m, errors.front().code, errors.front().message);
    Scratch s;
    if (!m.ctx.marker.empty()) {
        return request(m, s, PasswordPhase::verify, verify_call(m.ctx.username));
    }
    return reset(m, s);
}

json resume_change_password(Machine& m, const Reply& r) {
    Scratch s;
    if (!s.from_json(m.scratch)) return bad_state();
    const std::string& user = m.ctx.username;
    switch (static_cast<PasswordPhase>(m.phase)) {
        case PasswordPhase::verify:
            if (r.not_found()) return missing_account(m, r, user);
            if (!r.ok()) return reply_failure(m, r, user);
            if (!marker_matches(m.ctx, r.body)) return not_ours(m, user);
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
    }
    return bad_state();
}

}  // namespace cometprov::detail
