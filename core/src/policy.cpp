// The restricted group policy: what a hosting customer may and may not change in Comet.
#include "cometprov/policy.hpp"

#include "args.hpp"

#include <algorithm>

namespace cometprov {

namespace {

bool known_provider(std::uint64_t t) { return t >= 1000 && t <= 1011; }

std::string trimmed(const std::string& s) {
    const char* ws = " \t\r\n\f\v";
    const auto b = s.find_first_not_of(ws);
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

}  // namespace

json restricted_policy(const PolicyRequest& req) {
    json user = json::object();
    user["PreventChangeAccountPassword"] = true;
    user["ModeAdminResetPassword"] = kSettingEnforcedOn;
    user["PreventRequestStorageVault"] = true;
    user["PreventAddCustomStorageVault"] = true;
    user["PreventEditStorageVault"] = true;
    user["PreventDeleteStorageVault"] = true;
    json providers = json::object();
    providers["ShouldRestrictProviderList"] = true;
    providers["AllowedProvidersWhenRestricted"] = json::array();
    for (auto p : req.allowed_providers) providers["AllowedProvidersWhenRestricted"].push_back(p);
    user["StorageVaultProviders"] = providers;
    json engines = json::object();
    engines["ShouldRestrictEngineTypeList"] = false;
    engines["AllowedEngineTypeWhenRestricted"] = json::array();
    user["ProtectedItemEngineTypes"] = engines;

    std::string description = trimmed(req.product_name);
    if (!description.empty()) {
        description += " (WHMCS)";
    } else if (!req.policy_id.empty()) {
        description = req.policy_id;
    } else {
        description = "WHMCS restricted policy";
    }
    json group = json::object();
    group["Description"] = description;
    group["Policy"] = user;
    return group;
}

Outcome op_policy_restricted(const json& args) {
    Error err;
    PolicyRequest req;
    if (detail::read_string(args, "productName", req.product_name, err) ==
            detail::Presence::invalid ||
        detail::read_string(args, "policyId", req.policy_id, err) == detail::Presence::invalid) {
        return Outcome::failure(err);
    }
    auto it = args.is_object() ? args.find("allowedProviders") : args.end();
    if (args.is_object() && it != args.end() && !it->is_null()) {
        if (!it->is_array()) return Outcome::failure(detail::bad_type("/allowedProviders", "an array", *it));
        if (it->empty()) {
            return Outcome::failure(Error{"policy.no_providers",
                                          "allowedProviders must list at least one storage type",
                                          "/allowedProviders", {}});
        }
        req.allowed_providers.clear();
        std::size_t index = 0;
        for (const auto& p : *it) {
            const std::string field = "/allowedProviders/" + std::to_string(index++);
            std::uint64_t t = 0;
            if (p.is_number_unsigned()) {
                t = p.get<std::uint64_t>();
            } else if (p.is_number_integer() && p.get<std::int64_t>() >= 0) {
                t = static_cast<std::uint64_t>(p.get<std::int64_t>());
            } else {
                return Outcome::failure(detail::bad_type(field, "a storage type number", p));
            }
            if (!known_provider(t)) {
                return Outcome::failure(Error{"policy.unknown_provider",
                                              "Unknown storage type " + std::to_string(t) +
                                                  " (Comet's types are 1000 to 1011)",
                                              field, {}});
            }
            if (std::find(req.allowed_providers.begin(), req.allowed_providers.end(), t) ==
                req.allowed_providers.end()) {
                req.allowed_providers.push_back(t);
            }
        }
    }
    return Outcome::success(restricted_policy(req));
}

}  // namespace cometprov
