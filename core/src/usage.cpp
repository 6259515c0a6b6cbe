// Usage rows for WHMCS from Comet profiles: vault sizes and limits, summed per user, in MiB.
#include "cometprov/usage.hpp"

#include "args.hpp"
#include "cometprov/policy.hpp"

#include <algorithm>
#include <limits>

namespace cometprov {

namespace {

constexpr std::uint64_t kMiB = 1024ull * 1024ull;
constexpr std::uint64_t kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

// A non-negative byte count from a Comet number; anything else counts as 0.
std::uint64_t bytes_of(const json* v) {
    if (v == nullptr) return 0;
    if (v->is_number_unsigned()) return v->get<std::uint64_t>();
    if (v->is_number_integer()) {
        const auto n = v->get<std::int64_t>();
        return n > 0 ? static_cast<std::uint64_t>(n) : 0;
    }
    if (v->is_number_float()) {
        const double d = v->get<double>();
        if (!(d > 0)) return 0;
        if (d >= 9.2e18) return kMax;
        return static_cast<std::uint64_t>(d);
    }
    return 0;
}

const json* member(const json& obj, const char* key) {
    if (!obj.is_object()) return nullptr;
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
}

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
    return (a > kMax || b > kMax - a) ? kMax : a + b;
}

std::uint64_t destination_type(const json& vault) {
    const json* t = member(vault, "DestinationType");
    if (t == nullptr || !t->is_number_integer()) return 0;
    return t->is_number_unsigned() ? t->get<std::uint64_t>()
                                   : static_cast<std::uint64_t>(std::max<std::int64_t>(0, t->get<std::int64_t>()));
}

}  // namespace

VaultFigures vault_figures(std::uint64_t destination_type, std::uint64_t size, bool limit_enabled,
                           std::uint64_t limit_bytes) {
    VaultFigures v;
    v.local = destination_type == kDestinationLocalCopy;
    if (v.local) return v;
    v.used = size;
    v.limited = limit_enabled;
    v.limit = limit_enabled ? limit_bytes : 0;
    return v;
}

VaultFigures vault_figures(const json& vault) {
    const json* stats = member(vault, "Statistics");
    const json* size = stats ? member(*stats, "ClientProvidedSize") : nullptr;
    const json* enabled = member(vault, "StorageLimitEnabled");
    return vault_figures(destination_type(vault), bytes_of(size ? member(*size, "Size") : nullptr),
                         enabled != nullptr && enabled->is_boolean() && enabled->get<bool>(),
                         bytes_of(member(vault, "StorageLimitBytes")));
}

void UsageTotals::add(const VaultFigures& v) {
    if (v.local) return;
    ++vaults;
    used = saturating_add(used, v.used);
    if (v.limited) {
        limit = saturating_add(limit, v.limit);
    } else {
        unlimited = true;
    }
}

std::int64_t UsageTotals::used_mb() const { return static_cast<std::int64_t>(used / kMiB); }

std::int64_t UsageTotals::limit_mb() const {
    // One unlimited vault makes the account unlimited; WHMCS writes that as 0.
    if (unlimited || vaults == 0) return 0;
    return static_cast<std::int64_t>(limit / kMiB);
}

bool usage_from_profiles(const json& profiles, std::vector<UsageRow>& rows, Error& err,
                         const std::string& field) {
    rows.clear();
    if (profiles.is_null() || (profiles.is_array() && profiles.empty())) return true;
    if (!profiles.is_object()) {
        err = detail::bad_type(field, "an object", profiles);
        return false;
    }
    for (auto it = profiles.begin(); it != profiles.end(); ++it) {
        UsageRow row;
        row.username = it.key();
        UsageTotals totals;
        const json* dests = member(it.value(), "Destinations");
        if (dests != nullptr && dests->is_object()) {
            for (const auto& vault : *dests) {
                if (vault.is_object()) totals.add(vault_figures(vault));
            }
        }
        row.vaults = totals.vaults;
        row.disk_usage_mb = totals.used_mb();
        row.disk_limit_mb = totals.limit_mb();
        rows.push_back(row);
    }
    std::sort(rows.begin(), rows.end(),
              [](const UsageRow& a, const UsageRow& b) { return a.username < b.username; });
    return true;
}

Outcome op_usage_from_profiles(const json& args) {
    Error err;
    if (!args.is_object()) return Outcome::failure(detail::missing("/profiles"));
    auto it = args.find("profiles");
    if (it == args.end()) return Outcome::failure(detail::missing("/profiles"));
    std::vector<UsageRow> rows;
    if (!usage_from_profiles(*it, rows, err, "/profiles")) return Outcome::failure(err);
    json out = json::array();
    for (const auto& r : rows) {
        json row = json::object();
        row["username"] = r.username;
        row["diskUsageMB"] = r.disk_usage_mb;
        row["diskLimitMB"] = r.disk_limit_mb;
        row["vaults"] = r.vaults;
        out.push_back(row);
    }
    json value = json::object();
    value["rows"] = out;
    return Outcome::success(value);
}

}  // namespace cometprov
