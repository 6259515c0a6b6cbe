// Storage usage per Comet user, in the units WHMCS stores (MiB).
#pragma once

#include "cometprov/json.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace cometprov {

// One storage vault's part in an account's usage. UsageUpdate (streamed or not), usage.fromProfiles and
// ServiceOverview all go through vault_figures and UsageTotals, so a page and the WHMCS usage columns
// never disagree.
struct VaultFigures {
    bool local = false;       // a local copy: on the customer's own disk, never counted or limited
    std::uint64_t used = 0;   // Statistics.ClientProvidedSize.Size (bytes, 0 when unknown)
    bool limited = false;     // StorageLimitEnabled is true (never for a local copy)
    std::uint64_t limit = 0;  // StorageLimitBytes when limited, else 0
};

VaultFigures vault_figures(std::uint64_t destination_type, std::uint64_t size, bool limit_enabled,
                           std::uint64_t limit_bytes);
// From a parsed vault object (lenient: a wrong type counts as absent).
VaultFigures vault_figures(const json& vault);

// The sum over an account's vaults: one unlimited vault (or none at all) makes the account unlimited.
struct UsageTotals {
    std::uint64_t used = 0;
    std::uint64_t limit = 0;
    std::int64_t vaults = 0;  // vaults counted (local copies excluded)
    bool unlimited = false;

    void add(const VaultFigures& v);
    std::int64_t used_mb() const;
    std::int64_t limit_mb() const;  // 0 = unlimited
};

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
