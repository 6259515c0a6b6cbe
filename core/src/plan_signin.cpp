// SignIn: a Comet session on the service's account, for the customer (client area) or an admin.
// The account is read first: adopted when no marker is stored, refused when the marker differs.
#include "cometprov/username.hpp"
#include "plan_detail.hpp"

namespace cometprov::detail {

namespace {

enum class Phase { version, read, listed, session };
static_assert(static_cast<int>(Phase::session) + 1 == kSignInPhases, "kSignInPhases counts Phase");

struct Scratch {
    Lookup lookup;  // the read's Status 400, until list-users confirms it

    json to_json() const {
        json j = json::object();
        lookup.to_json(j);
        return j;
    }
    bool from_json(const json& j) {
        Fields f(j);
        lookup.from_json(f);
        return f.ok();
    }
};

// With the version known: refuse a server without session-start-as-user, else read the account.
json read(Machine& m) {
    ServerVersion v;
    Error ignored;
    if (parse_server_version(m.ctx.server_version, v, ignored, "") && v.known &&
        !version_at_least(v, 19, 6, 0)) {
        json detail = json::object();
        detail["version"] = m.ctx.server_version;
        return done_failure(m, "sso.unsupported_version",
                            "Signing in to a Comet account needs Comet 19.6 or newer; this Comet "
                            "Server runs " + m.ctx.server_version,
                            detail);
    }
    return request(m, Scratch{}, Phase::read, read_profile_call(m.ctx.username));
}

}  // namespace

json start_sign_in(Machine& m) {
    const Context& c = m.ctx;
    // A customer's session is a full Comet web session (restore, settings, devices): only for a
    // service that is Active. An admin may look at any service.
    if (c.role == Role::customer && c.status != "Active") {
        json detail = json::object();
        detail["status"] = c.status;
        return done_failure(m, "service.not_active",
                            "This service is not active (status " +
                                (c.status.empty() ? std::string("unknown") : c.status) +
                                "): signing in to its backup account is not available",
                            detail);
    }
    m.ctx.username = service_account(c);
    if (m.ctx.username.empty()) return no_username(m);
    if (version_unknown(m.ctx)) return request(m, Scratch{}, Phase::version, version_call());
    return read(m);
}

json resume_sign_in(Machine& m, const Reply& r) {
    Scratch s;
    if (!s.from_json(m.scratch)) return bad_state();
    const std::string user = m.ctx.username;
    switch (static_cast<Phase>(m.phase)) {
        case Phase::version: {
            json failure;
            if (!take_version(m, r, failure)) return failure;
            return read(m);
        }
        case Phase::read: {
            json profile, step;
            Ownership own = Ownership::ours;
            if (!read_account_step(m, r, user, s, Phase::listed, profile, own, step)) return step;
            return request(m, s, Phase::session,
                           Call{"account/session-start-as-user", target(m.ctx.username), {}});
        }
        case Phase::listed:
            return s.lookup.confirm(m, r, user, "get-user-profile-and-hash");
        case Phase::session: return session_output(m, r, "user", user);
    }
    return bad_state();
}

}  // namespace cometprov::detail
