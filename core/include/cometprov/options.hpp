// WHMCS configurable options: option names ("key|Label") and the quotas they set on a Comet profile.
#pragma once

#include "cometprov/json.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace cometprov {

constexpr std::uint64_t kGiB = 1024ull * 1024ull * 1024ull;
constexpr std::uint64_t kTiB = kGiB * 1024ull;

struct OptionName {
    std::string key;
    std::string label;
    bool has_label = false;
    bool known = false;
};

// "number_of_devices|Devices" -> {number_of_devices, Devices}. Spaces around both parts are trimmed.
bool parse_option_name(std::string_view name, OptionName& out, Error& err, const std::string& field);

// True for the keys this module understands.
bool is_known_option_key(std::string_view key);

struct Quota {
    bool enabled = false;
    std::int64_t bytes = 0;
};

struct Quotas {
    std::int64_t maximum_devices = 0;  // 0 = unlimited
    Quota protected_items;
    bool vault_unchanged = false;  // true: leave the vaults' limits as they are
    Quota storage_vault;
    // Which options the product has (a key present with a value, even "" or 0): AdoptAccount
    // reports an absent one as product: null. Not part of to_json.
    bool devices_present = false;
    bool items_present = false;
    bool vault_present = false;

    json to_json() const;
    static bool from_json(const json& j, Quotas& out, Error& err, const std::string& field);
};

// configoptions (a WHMCS map; [] and null mean empty) -> quotas. Vault limits: no
// storage_vault_quota_* option (or a null value) leaves them unchanged, 0 lifts them, N sets N GiB/TiB;
// without manage_vault_quota ("never change storage vault limits") they are always left unchanged.
bool quotas_from_configoptions(const json& configoptions, bool manage_vault_quota, Quotas& out,
                               Error& err);

Outcome op_options_parse_name(const json& args);
Outcome op_options_quotas(const json& args);

}  // namespace cometprov
