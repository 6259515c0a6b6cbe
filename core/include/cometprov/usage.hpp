// Storage usage per Comet user, in the units WHMCS stores (MiB).
#pragma once

#include "cometprov/json.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace cometprov {

struct UsageRow {
    std::string username;
    std::int64_t disk_usage_mb = 0;
    std::int64_t disk_limit_mb = 0;  // 0 = unlimited
    std::int64_t vaults = 0;         // vaults counted (local copies excluded)
};

// profiles: a list-users-full reply (map username -> profile); null, {} and [] are empty.
// Lenient on the profiles' contents (a cron job must not die on one odd vault); strict on the shape.
bool usage_from_profiles(const json& profiles, std::vector<UsageRow>& rows, Error& err,
                         const std::string& field);

Outcome op_usage_from_profiles(const json& args);

}  // namespace cometprov
