// ServiceOverview: the client area's and the admin tab's data, as raw values (the PHP view formats
// and translates them). The profile read checks the marker (or adopts) before anything is shown;
// the recent jobs are a second read whose failure only sets jobsFailed.
#include "cometprov/policy.hpp"
#include "cometprov/usage.hpp"
#include "plan_detail.hpp"

#include <algorithm>
#include <cctype>

namespace cometprov::detail {

namespace {

enum class Phase { read, listed, jobs };
static_assert(static_cast<int>(Phase::jobs) + 1 == kOverviewPhases, "kOverviewPhases counts Phase");

constexpr std::int64_t kJobWindowSeconds = 14 * 86400;  // "recent" jobs: started in the last 14 days
constexpr std::size_t kJobLimit = 50;

struct Scratch {
    json profile;  // the account's profile, between the read and the jobs
    Lookup lookup;

    json to_json() const {
        json j = json::object();
        j["profile"] = profile;
        lookup.to_json(j);
        return j;
    }
    bool from_json(const json& j) {
        Fields f(j);
        f.value("profile", profile);
        lookup.from_json(f);
        return f.ok() && (profile.is_null() || profile.is_object());
    }
};

const json& member_or_null(const json& obj, const char* key) {
    static const json kNull;
    if (!obj.is_object()) return kNull;
    auto it = obj.find(key);
    return it == obj.end() ? kNull : *it;
}

// Comet numbers as integers: whole numbers, floats truncated, anything else 0 (the view must not
// fail on one odd member).
std::int64_t number(const json& v) {
    if (v.is_number_unsigned()) {
        const auto n = v.get<std::uint64_t>();
        return n > static_cast<std::uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(n);
    }
    if (v.is_number_integer()) return v.get<std::int64_t>();
    if (v.is_number_float()) {
        const double d = v.get<double>();
        if (!(d > -9.2e18 && d < 9.2e18)) return 0;
        return static_cast<std::int64_t>(d);
    }
    return 0;
}

std::string text(const json& v) { return v.is_string() ? v.get<std::string>() : ""; }

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

// The key a list is sorted by: case-insensitive name; a blank name sorts as `fallback` when there is
// one (a device's id, as the view shows it), else after every named row.
std::string sort_name(const std::string& name, const std::string& fallback) {
    if (!blank(name)) return "0" + lower(name);
    return fallback.empty() ? std::string("1") : "0" + lower(fallback);
}

std::string device_name(const json& devices, const std::string& id) {
    return text(member_or_null(member_or_null(devices, id.c_str()), "FriendlyName"));
}

// The SearchClause for this user's jobs that started in the last 14 days, as a form field.
std::string job_query(const std::string& user, std::int64_t now) {
    json user_rule = json::object();
    user_rule["ClauseType"] = "";
    user_rule["RuleField"] = "BackupJobDetail.Username";
    user_rule["RuleOperator"] = "str_eq";
    user_rule["RuleValue"] = user;
    json time_rule = json::object();
    time_rule["ClauseType"] = "";
    time_rule["RuleField"] = "BackupJobDetail.StartTime";
    time_rule["RuleOperator"] = "int_gt";
    time_rule["RuleValue"] = std::to_string(now - kJobWindowSeconds);
    json clause = json::object();
    clause["ClauseType"] = "and";
    clause["ClauseChildren"] = json::array({user_rule, time_rule});
    return dump(clause);
}

json usage_json(std::uint64_t used, bool limited, std::uint64_t limit) {
    json u = json::object();
    u["usedBytes"] = used;
    u["limitBytes"] = limited ? limit : 0;
    u["limited"] = limited;
    return u;
}

json devices_of(const json& profile) {
    std::vector<std::pair<std::string, json>> rows;
    const json& devices = member_or_null(profile, "Devices");
    if (devices.is_object()) {
        for (auto it = devices.begin(); it != devices.end(); ++it) {
            const json& d = it.value();
            const json& os = member_or_null(d, "PlatformVersion");
            json row = json::object();
            row["id"] = it.key();
            row["name"] = text(member_or_null(d, "FriendlyName"));
            row["os"] = text(member_or_null(os, "os"));
            row["arch"] = text(member_or_null(os, "arch"));
            row["version"] = text(member_or_null(d, "ClientVersion"));
            row["registered"] = number(member_or_null(d, "RegistrationTime"));
            rows.emplace_back(sort_name(row["name"].get<std::string>(), it.key()) + '\0' + it.key(), row);
        }
    }
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    json out = json::array();
    for (auto& r : rows) out.push_back(std::move(r.second));
    return out;
}

// Every vault with the usage rule UsageUpdate uses (usage.hpp): local copies are never limited.
json vaults_of(const json& profile) {
    std::vector<std::pair<std::string, json>> rows;
    const json& vaults = member_or_null(profile, "Destinations");
    if (vaults.is_object()) {
        for (auto it = vaults.begin(); it != vaults.end(); ++it) {
            if (!it.value().is_object()) continue;
            const VaultFigures f = vault_figures(it.value());
            const std::uint64_t size = static_cast<std::uint64_t>(std::max<std::int64_t>(
                0, number(member_or_null(member_or_null(member_or_null(it.value(), "Statistics"),
                                                        "ClientProvidedSize"),
                                         "Size"))));
            json row = json::object();
            row["id"] = it.key();
            row["name"] = text(member_or_null(it.value(), "Description"));
            row["local"] = f.local;
            json usage = usage_json(f.local ? size : f.used, f.limited, f.limit);
            for (auto u = usage.begin(); u != usage.end(); ++u) row[u.key()] = u.value();
            // Local copies after the others, then by name.
            rows.emplace_back(std::string(f.local ? "1" : "0") + sort_name(row["name"].get<std::string>(), "") +
                                  '\0' + it.key(),
                              row);
        }
    }
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    json out = json::array();
    for (auto& r : rows) out.push_back(std::move(r.second));
    return out;
}

json items_of(const json& profile, std::uint64_t& protected_bytes) {
    std::vector<std::pair<std::string, json>> rows;
    const json& devices = member_or_null(profile, "Devices");
    const json& sources = member_or_null(profile, "Sources");
    protected_bytes = 0;
    if (sources.is_object()) {
        for (auto it = sources.begin(); it != sources.end(); ++it) {
            const json& src = it.value();
            const json& stats = member_or_null(src, "Statistics");
            const json& last = member_or_null(stats, "LastBackupJob");
            const std::int64_t size = number(member_or_null(last, "TotalSize"));
            if (size > 0) protected_bytes += static_cast<std::uint64_t>(size);
            const std::string owner = text(member_or_null(src, "OwnerDevice"));
            const json& start = member_or_null(stats, "LastStartTime");
            json row = json::object();
            row["id"] = it.key();
            row["name"] = text(member_or_null(src, "Description"));
            row["deviceId"] = owner;
            row["deviceName"] = owner.empty() ? "" : device_name(devices, owner);
            row["lastBackup"] = number(start.is_null() ? member_or_null(last, "StartTime") : start);
            row["sizeBytes"] = size > 0 ? size : 0;
            rows.emplace_back(sort_name(row["name"].get<std::string>(), "") + '\0' + it.key(), row);
        }
    }
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    json out = json::array();
    for (auto& r : rows) out.push_back(std::move(r.second));
    return out;
}

// This user's jobs, newest first (Comet returns them in no particular order), at most kJobLimit.
json jobs_of(const json& list, const json& profile, const std::string& user) {
    const json& devices = member_or_null(profile, "Devices");
    const json& sources = member_or_null(profile, "Sources");
    const json& vaults = member_or_null(profile, "Destinations");
    std::vector<const json*> rows;
    if (list.is_array()) {
        for (const auto& j : list) {
            if (!j.is_object()) continue;
            // The query already filters by user; this guards against a server that ignored it.
            auto u = j.find("Username");
            if (u != j.end() && text(*u) != user) continue;
            rows.push_back(&j);
        }
    }
    std::stable_sort(rows.begin(), rows.end(), [](const json* a, const json* b) {
        const std::int64_t sa = number(member_or_null(*a, "StartTime"));
        const std::int64_t sb = number(member_or_null(*b, "StartTime"));
        if (sa != sb) return sa > sb;
        return text(member_or_null(*a, "GUID")) > text(member_or_null(*b, "GUID"));
    });
    if (rows.size() > kJobLimit) rows.resize(kJobLimit);
    json out = json::array();
    for (const json* jp : rows) {
        const json& j = *jp;
        const std::string device = text(member_or_null(j, "DeviceID"));
        const std::string source = text(member_or_null(j, "SourceGUID"));
        const json& src = member_or_null(sources, source.c_str());
        json row = json::object();
        row["guid"] = text(member_or_null(j, "GUID"));
        row["started"] = number(member_or_null(j, "StartTime"));
        row["ended"] = number(member_or_null(j, "EndTime"));
        row["classification"] = number(member_or_null(j, "Classification"));
        row["status"] = number(member_or_null(j, "Status"));
        row["deviceId"] = device;
        row["deviceName"] = device.empty() ? "" : device_name(devices, device);
        row["itemId"] = source;
        row["itemName"] = text(member_or_null(src, "Description"));
        row["itemRemoved"] = !source.empty() && !src.is_object();
        row["vaultName"] =
            text(member_or_null(member_or_null(vaults, text(member_or_null(j, "DestinationGUID")).c_str()),
                                "Description"));
        row["files"] = number(member_or_null(j, "TotalFiles"));
        row["sizeBytes"] = number(member_or_null(j, "TotalSize"));
        row["uploadedBytes"] = number(member_or_null(j, "UploadSize"));
        row["downloadedBytes"] = number(member_or_null(j, "DownloadSize"));
        out.push_back(std::move(row));
    }
    return out;
}

json overview(Machine& m, const json& profile, const json& jobs, bool jobs_failed) {
    const json& devices = member_or_null(profile, "Devices");
    json out = json::object();
    out["username"] = m.ctx.username;
    out["suspended"] = member_or_null(profile, "IsSuspended") == json(true);
    out["devicesUsed"] = devices.is_object() ? devices.size() : 0;
    out["devicesLimit"] = std::max<std::int64_t>(0, number(member_or_null(profile, "MaximumDevices")));
    out["devices"] = devices_of(profile);
    out["vaults"] = vaults_of(profile);
    std::uint64_t protected_bytes = 0;
    out["items"] = items_of(profile, protected_bytes);
    const bool items_limited = member_or_null(profile, "AllProtectedItemsQuotaEnabled") == json(true);
    out["protected"] = usage_json(
        protected_bytes, items_limited,
        static_cast<std::uint64_t>(std::max<std::int64_t>(0, number(member_or_null(profile, "AllProtectedItemsQuotaBytes")))));
    out["jobs"] = jobs_failed ? json::array() : jobs_of(jobs, profile, m.ctx.username);
    out["jobsFailed"] = jobs_failed;
    return done_success(m, out);
}

}  // namespace

json start_service_overview(Machine& m) {
    const std::string& status = m.ctx.status;
    if (status == "Terminated" || status == "Cancelled") {
        json detail = json::object();
        detail["status"] = status;
        return done_failure(m, "service.terminated",
                            "This service is " + status + ": its backup account is no longer available",
                            detail);
    }
    if (status == "Pending") {
        json detail = json::object();
        detail["status"] = status;
        return done_failure(m, "service.pending",
                            "This service is Pending: its backup account is created when the service "
                            "is activated",
                            detail);
    }
    m.ctx.username = service_account(m.ctx);
    if (m.ctx.username.empty()) return no_username(m);
    return request(m, Scratch{}, Phase::read, read_profile_call(m.ctx.username));
}

json resume_service_overview(Machine& m, const Reply& r) {
    Scratch s;
    if (!s.from_json(m.scratch)) return bad_state();
    const std::string user = m.ctx.username;
    switch (static_cast<Phase>(m.phase)) {
        case Phase::read: {
            json step;
            Ownership own = Ownership::ours;
            if (!read_account_step(m, r, user, s, Phase::listed, s.profile, own, step)) return step;
            Call call{"get-jobs-for-custom-search", json::object(), {}};
            call.params["Query"] = job_query(user, m.ctx.now);
            return request(m, s, Phase::jobs, call);
        }
        case Phase::listed:
            return s.lookup.confirm(m, r, user, "get-user-profile-and-hash");
        case Phase::jobs: {
            // Comet's empty list is null; anything else that is not a list is a failed read.
            const bool failed = !r.ok() || !(r.body.is_array() || r.body.is_null());
            if (!s.profile.is_object()) return bad_state();
            return overview(m, s.profile, failed ? json() : r.body, failed);
        }
    }
    return bad_state();
}

}  // namespace cometprov::detail
