// SuspendAccount, UnsuspendAccount, ChangePackage: read the profile with its hash (adopting an
// inherited account, refusing someone else's), edit what the module owns, write it back with the
// hash (re-reading when the write is refused).
#include "plan_detail.hpp"

namespace cometprov::detail {

namespace {

enum class Phase { policy, read, reread, set, listed };
static_assert(static_cast<int>(Phase::listed) + 1 == kProfilePhases, "kProfilePhases counts Phase");

enum class Edit { suspend, unsuspend, package };

struct Scratch {
    Edit edit = Edit::suspend;
    PolicyStep policy = PolicyStep::get;
    ProfileWrite write;
    Lookup lookup;  // a read's Status 400, until list-users confirms it

    json to_json() const {
        json j = json::object();
        j["edit"] = static_cast<std::int64_t>(edit);
        j["policy"] = policy_step_json(policy);
        j["write"] = write.to_json();
        lookup.to_json(j);
        return j;
    }
    bool from_json(const json& j) {
        Fields f(j);
        std::int64_t e = -1;
        json p, w;
        f.integer("edit", e);
        f.value("policy", p);
        f.value("write", w);
        lookup.from_json(f);
        if (!f.ok() || e < 0 || e > static_cast<std::int64_t>(Edit::package)) return false;
        edit = static_cast<Edit>(e);
        return policy_step_from(p, policy) && write.from_json(w);
    }
};

json read(Machine& m, const Scratch& s, Phase phase) {
    return request(m, s, phase, read_profile_call(m.ctx.username));
}

json begin(Machine& m, Edit edit) {
    // The official module's services name their account in the custom field (account-name rule).
    m.ctx.username = service_account(m.ctx);
    if (m.ctx.username.empty()) return no_username(m);
    Scratch s;
    s.edit = edit;
    if (edit == Edit::package) {
        Quotas q;
        Error err;
        if (!quotas_of(m.ctx, q, err)) return done_failure(m, err.code, err.message);
        if (!m.ctx.policy_id.empty()) return request(m, s, Phase::policy, policy_start(m.ctx, s.policy));
    }
    return read(m, s, Phase::read);
}

json success(const Machine& m) {
    json out = json::object();
    out["username"] = m.ctx.username;
    return done_success(m, out);
}

}  // namespace

json start_suspend(Machine& m) { return begin(m, Edit::suspend); }
json start_unsuspend(Machine& m) { return begin(m, Edit::unsuspend); }
json start_change_package(Machine& m) { return begin(m, Edit::package); }

json resume_profile(Machine& m, const Reply& r) {
    Scratch s;
    if (!s.from_json(m.scratch)) return bad_state();
    const std::string& user = m.ctx.username;
    const Phase phase = static_cast<Phase>(m.phase);
    switch (phase) {
        case Phase::policy: {
            Call call;
            json failure;
            switch (policy_resume(m, s.policy, r, call, failure)) {
                case PolicyProgress::call: return request(m, s, Phase::policy, call);
                case PolicyProgress::failed: return failure;
                case PolicyProgress::settled: break;
            }
            return read(m, s, Phase::read);
        }
        case Phase::read:
        case Phase::reread: {
            if (r.not_found()) {
                // Status 400 is "no such user" but also other refusals: list-users decides.
                s.lookup.keep(r);
                return request(m, s, Phase::listed, list_users_call());
            }
            if (!r.ok() || !s.write.take(r.body)) return reply_failure(m, r, user);
            if (take_ownership(m, user, s.write.profile) == Ownership::not_ours) {
                return not_ours(m, user, s.write.profile);
            }
            if (phase == Phase::reread && !retry_write(s.write)) return write_refused(m, s.write, user);
            ProfileEdit edit;
            switch (s.edit) {
                case Edit::suspend: edit.suspended = true; break;
                case Edit::unsuspend: edit.suspended = false; break;
                case Edit::package: {
                    Quotas q;
                    Error err;
                    if (!quotas_of(m.ctx, q, err)) return bad_state();  // plan.start checked them
                    edit.quotas = q;
                    edit.policy_id = m.ctx.policy_id;
                    break;
                }
            }
            bool changed = false;
            Error err;
            if (!apply_edit(s.write, edit, changed, err)) {
                json detail = json::object();
                detail["endpoint"] = m.endpoint;
                detail["username"] = user;
                return done_failure(m, err.code,
                                    "The Comet account " + user + " has an unexpected profile: " + err.message,
                                    detail);
            }
            if (!changed) return success(m);
            return request(m, s, Phase::set, write_profile_call(s.write, user));
        }
        case Phase::set:
            if (r.ok()) return success(m);
            if (note_refused_write(s.write, r)) return read(m, s, Phase::reread);
            return reply_failure(m, r, user);
        case Phase::listed:
            return s.lookup.confirm(m, r, user, "get-user-profile-and-hash");
    }
    return bad_state();
}

}  // namespace cometprov::detail
