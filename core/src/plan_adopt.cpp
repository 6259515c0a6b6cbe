// AdoptAccount (the admin's "Adopt Comet account" button): reads the account under the service's
// own name, adopts it when no marker is stored, and reports its policy and quotas against the
// product's. Changes nothing on the Comet Server.
#include "cometprov/options.hpp"
#include "cometprov/policy.hpp"
#include "plan_detail.hpp"

namespace cometprov::detail {

namespace {

enum class Phase { read, listed };
static_assert(static_cast<int>(Phase::listed) + 1 == kAdoptPhases, "kAdoptPhases counts Phase");

struct Scratch {
    bool had_marker = false;  // a marker was stored before the read
    Lookup lookup;

    json to_json() const {
        json j = json::object();
        j["hadMarker"] = had_marker;
        lookup.to_json(j);
        return j;
    }
    bool from_json(const json& j) {
        Fields f(j);
        f.flag("hadMarker", had_marker);
        lookup.from_json(f);
        return f.ok();
    }
};

// A limit as one number: the bytes (or devices) when enabled, 0 for unlimited.
std::int64_t limit_of(bool enabled, std::int64_t bytes) { return enabled ? bytes : 0; }

json quota_row(const char* name, const json& account, const json& product, bool matches) {
    json q = json::object();
    q["name"] = name;
    q["account"] = account;
    q["product"] = product;
    q["matches"] = matches;
    return q;
}

// The remote vaults' common limit (0 = unlimited), or null when there is none or they differ.
json vault_limit(const json& profile, bool& all_equal_to, std::int64_t wanted) {
    json common;
    bool differ = false;
    all_equal_to = true;
    auto dests = profile.find("Destinations");
    if (dests == profile.end() || !dests->is_object()) return json();
    for (const auto& v : *dests) {
        if (!v.is_object() ||
            int_member(v, "DestinationType") == static_cast<std::int64_t>(kDestinationLocalCopy)) {
            continue;
        }
        auto en = v.find("StorageLimitEnabled");
        const bool enabled = en != v.end() && en->is_boolean() && en->get<bool>();
        const std::int64_t limit = limit_of(enabled, int_member(v, "StorageLimitBytes"));
        if (limit != wanted) all_equal_to = false;
        if (common.is_null()) {
            common = limit;
        } else if (common != json(limit)) {
            differ = true;
        }
    }
    return differ ? json() : common;
}

json report(Machine& m, const json& profile, bool adopted, bool already) {
    Quotas q;
    Error err;
    if (!quotas_of(m.ctx, q, err)) return bad_state();  // plan.start checked the options
    json out = json::object();
    out["username"] = m.ctx.username;
    out["adopted"] = adopted;
    out["alreadyAdopted"] = already;
    out["creationGuid"] = creation_guid(profile);
    json policy = json::object();
    policy["account"] = text_member(profile, "PolicyID");
    policy["product"] = m.ctx.policy_id;
    policy["matches"] = policy["account"] == policy["product"];
    out["policy"] = policy;

    // What Create and Change Package would set: an absent devices or protected-items option sets
    // unlimited (0); an absent vault option (or "never change storage vault limits") leaves limits.
    json quotas = json::array();
    const std::int64_t devices = int_member(profile, "MaximumDevices");
    quotas.push_back(quota_row("devices", devices,
                               q.devices_present ? json(q.maximum_devices) : json(),
                               devices == q.maximum_devices));
    auto items_on = profile.find("AllProtectedItemsQuotaEnabled");
    const std::int64_t items =
        limit_of(items_on != profile.end() && items_on->is_boolean() && items_on->get<bool>(),
                 int_member(profile, "AllProtectedItemsQuotaBytes"));
    const std::int64_t items_wanted = limit_of(q.protected_items.enabled, q.protected_items.bytes);
    quotas.push_back(quota_row("protectedItems", items, q.items_present ? json(items_wanted) : json(),
                               items == items_wanted));
    const std::int64_t vault_wanted = limit_of(q.storage_vault.enabled, q.storage_vault.bytes);
    bool all_equal = true;
    const json vault = vault_limit(profile, all_equal, vault_wanted);
    quotas.push_back(quota_row("storageVault", vault, q.vault_unchanged ? json() : json(vault_wanted),
                               q.vault_unchanged || all_equal));
    out["quotas"] = quotas;
    return done_success(m, out);
}

}  // namespace

json start_adopt(Machine& m) {
    m.ctx.username = service_account(m.ctx);
    Quotas q;
    Error err;
    if (!quotas_of(m.ctx, q, err)) return done_failure(m, err.code, err.message);
    if (m.ctx.username.empty()) return no_username(m);
    Scratch s;
    s.had_marker = !m.ctx.marker.empty();
    return request(m, s, Phase::read, read_profile_call(m.ctx.username));
}

json resume_adopt(Machine& m, const Reply& r) {
    Scratch s;
    if (!s.from_json(m.scratch)) return bad_state();
    const std::string user = m.ctx.username;
    switch (static_cast<Phase>(m.phase)) {
        case Phase::read: {
            json profile, step;
            Ownership own = Ownership::ours;
            if (!read_account_step(m, r, user, s, Phase::listed, profile, own, step)) return step;
            return report(m, profile, own == Ownership::adopted, s.had_marker);
        }
        case Phase::listed:
            return s.lookup.confirm(m, r, user, "get-user-profile-and-hash");
    }
    return bad_state();
}

}  // namespace cometprov::detail
