// Targeted edits of a Comet profile: only the members the module owns change, in place.
#include "cometprov/profile.hpp"

#include "args.hpp"
#include "cometprov/policy.hpp"

namespace cometprov {

namespace {

// Replaces a member's value in place (keeping its position) or appends it; reports real changes.
void set_member(json& obj, const char* key, const json& value, bool& changed) {
    auto it = obj.find(key);
    if (it == obj.end()) {
        obj[key] = value;
        changed = true;
    } else if (*it != value) {
        *it = value;
        changed = true;
    }
}

bool is_local_copy(const json& destination) {
    auto t = destination.find("DestinationType");
    if (t == destination.end()) return false;
    if (t->is_number_unsigned()) return t->get<std::uint64_t>() == kDestinationLocalCopy;
    if (t->is_number_integer()) {
        return t->get<std::int64_t>() == static_cast<std::int64_t>(kDestinationLocalCopy);
    }
    return false;
}

}  // namespace

bool apply_profile_edit(json& profile, const ProfileEdit& edit, bool& changed, Error& err,
                        const std::string& field) {
    changed = false;
    if (!profile.is_object()) {
        err = detail::bad_type(field, "an object", profile);
        return false;
    }
    auto dests = profile.find("Destinations");
    const bool touch_vaults = edit.quotas && !edit.quotas->vault_unchanged;
    if (touch_vaults && dests != profile.end() && !dests->is_null()) {
        if (!dests->is_object()) {
            err = Error{"profile.bad_shape", "Profile member Destinations must be an object",
                        field + "/Destinations", {}};
            return false;
        }
        for (auto it = dests->begin(); it != dests->end(); ++it) {
            if (!it->is_object()) {
                err = Error{"profile.bad_shape", "Storage vault " + it.key() + " is not an object",
                            field + "/Destinations/" + pointer_token(it.key()), {}};
                return false;
            }
        }
    }
    if (edit.quotas) {
        const Quotas& q = *edit.quotas;
        set_member(profile, "MaximumDevices", json(q.maximum_devices), changed);
        set_member(profile, "AllProtectedItemsQuotaEnabled", json(q.protected_items.enabled),
                   changed);
        set_member(profile, "AllProtectedItemsQuotaBytes", json(q.protected_items.bytes), changed);
        // Look Destinations up again: the inserts above may have moved the members.
        auto vaults = profile.find("Destinations");
        if (touch_vaults && vaults != profile.end() && vaults->is_object()) {
            for (auto& vault : *vaults) {
                // A local copy lives on the customer's own disk: not ours to limit or bill.
                if (is_local_copy(vault)) continue;
                set_member(vault, "StorageLimitEnabled", json(q.storage_vault.enabled), changed);
                set_member(vault, "StorageLimitBytes", json(q.storage_vault.bytes), changed);
            }
        }
    }
    if (edit.suspended) set_member(profile, "IsSuspended", json(*edit.suspended), changed);
    if (edit.policy_id) set_member(profile, "PolicyID", json(*edit.policy_id), changed);
    return true;
}

Outcome op_profile_apply(const json& args) {
    Error err;
    if (!args.is_object()) return Outcome::failure(detail::missing("/profile"));
    auto pit = args.find("profile");
    if (pit == args.end() || pit->is_null()) return Outcome::failure(detail::missing("/profile"));
    json profile = *pit;
    if (!profile.is_object()) return Outcome::failure(detail::bad_type("/profile", "an object", profile));
    ProfileEdit edit;
    auto q = args.find("quotas");
    if (q != args.end() && !q->is_null()) {
        Quotas quotas;
        if (!Quotas::from_json(*q, quotas, err, "/quotas")) return Outcome::failure(err);
        edit.quotas = quotas;
    }
    bool suspended = false;
    switch (detail::read_bool(args, "suspended", suspended, err)) {
        case detail::Presence::invalid: return Outcome::failure(err);
        case detail::Presence::present: edit.suspended = suspended; break;
        case detail::Presence::absent: break;
    }
    std::string policy_id;
    switch (detail::read_string(args, "policyId", policy_id, err)) {
        case detail::Presence::invalid: return Outcome::failure(err);
        case detail::Presence::present: edit.policy_id = policy_id; break;
        case detail::Presence::absent: break;
    }
    bool changed = false;
    if (!apply_profile_edit(profile, edit, changed, err, "/profile")) return Outcome::failure(err);
    json value = json::object();
    value["changed"] = changed;
    value["profile"] = std::move(profile);
    return Outcome::success(value);
}

}  // namespace cometprov
