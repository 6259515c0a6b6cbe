// Plans that act on the server as a whole: Test Connection, usage, server sync, single sign-on and
// the product settings' dropdown loaders.
#include "cometprov/plan.hpp"
#include "cometprov/usage.hpp"
#include "cometprov/username.hpp"
#include "plan_detail.hpp"

#include <algorithm>
#include <cstdio>

namespace cometprov::detail {

namespace {

// Unix seconds (UTC) as "Y-m-d H:i:s", by Howard Hinnant's days-to-civil algorithm (no clock, no
// locale: the same text on every host).
std::string format_utc(std::int64_t t) {
    if (t < 0) t = 0;
    std::int64_t days = t / 86400;
    const std::int64_t secs = t % 86400;
    days += 719468;
    const std::int64_t era = days / 146097;
    const std::int64_t doe = days - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    std::int64_t y = yoe + era * 400;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
    const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) ++y;
    char buf[128];  // room for any int64 fields, so the formatter can never truncate
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld",
                  static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                  static_cast<long long>(secs / 3600), static_cast<long long>((secs / 60) % 60),
                  static_cast<long long>(secs % 60));
    return buf;
}

std::int64_t int_member(const json& obj, const char* key) {
    const json* v = member(obj, key);
    if (v == nullptr || !v->is_number_integer()) return 0;
    return v->is_number_unsigned() ? static_cast<std::int64_t>(v->get<std::uint64_t>())
                                   : v->get<std::int64_t>();
}

json option(const std::string& value, const std::string& label) {
    json o = json::object();
    o["value"] = value;
    o["label"] = label;
    return o;
}

json not_comet(const Machine& m, const std::string& why) {
    return done_failure(m, "comet.not_comet",
                        why + ": check the server's hostname, port, protocol and path");
}

json test_connection(Machine& m, const Reply& r) {
    if (r.kind == Reply::Kind::http_error) {
        return not_comet(m, "The server answered HTTP " + std::to_string(r.status) +
                                " instead of a Comet API reply");
    }
    if (r.kind == Reply::Kind::bad_body) return not_comet(m, "The server's reply is not JSON");
    if (r.kind != Reply::Kind::ok) return done_reply_failure(m, r, "meta/version");
    const std::string version = ctx_text(r.body, "Version");
    if (version.empty()) return not_comet(m, "The server's reply has no Comet version");
    ServerVersion v;
    Error err;
    if (!parse_server_version(version, v, err, "/Version")) {
        return not_comet(m, "The server reports an unreadable version \"" + version + "\"");
    }
    if (!version_at_least(v, 18, 9, 2)) {
        return done_failure(m, "comet.too_old",
                            "Comet Server " + version +
                                " is too old: this module needs Comet Server 18.9.2 or newer");
    }
    json out = json::object();
    out["version"] = version;
    return done_success(m, out);
}

json usage_update(Machine& m, const Reply& r) {
    if (r.kind != Reply::Kind::ok) return done_reply_failure(m, r, "list-users-full");
    std::vector<UsageRow> rows;
    Error err;
    if (!usage_from_profiles(r.body, rows, err, "")) {
        return done_failure(m, "comet.unexpected",
                            "The Comet Server's reply to list-users-full was not a user map");
    }
    json services = json::array();
    if (const json* s = member(m.ctx, "services"); s != nullptr && s->is_array()) services = *s;
    json out_rows = json::array();
    json unmatched = json::array();
    for (const auto& svc : services) {
        const std::string user = ctx_text(svc, "username");
        const std::string id = ctx_text(svc, "serviceid");
        const UsageRow* found = nullptr;
        for (const auto& row : rows) {
            if (!user.empty() && row.username == user) {
                found = &row;
                break;
            }
        }
        if (found == nullptr) {
            unmatched.push_back(id);
            continue;
        }
        json row = json::object();
        row["serviceid"] = id;
        row["username"] = user;
        row["diskusage"] = found->disk_usage_mb;
        row["disklimit"] = found->disk_limit_mb;
        out_rows.push_back(row);
    }
    json e = json::object();
    e["type"] = "usage";
    e["value"] = out_rows;
    m.effects.push_back(e);
    json out = json::object();
    out["updated"] = out_rows.size();
    out["unmatched"] = unmatched;
    return done_success(m, out);
}

json list_accounts(Machine& m, const Reply& r) {
    if (r.kind != Reply::Kind::ok) return done_reply_failure(m, r, "list-users-full");
    if (!r.body.is_null() && !r.body.is_object() && !(r.body.is_array() && r.body.empty())) {
        return done_failure(m, "comet.unexpected",
                            "The Comet Server's reply to list-users-full was not a user map");
    }
    std::vector<std::pair<std::string, const json*>> users;
    if (r.body.is_object()) {
        for (auto it = r.body.begin(); it != r.body.end(); ++it) users.emplace_back(it.key(), &it.value());
    }
    std::sort(users.begin(), users.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    json accounts = json::array();
    for (const auto& [name, profile] : users) {
        json a = json::object();
        std::string email;
        if (const json* emails = member(*profile, "Emails");
            emails != nullptr && emails->is_array() && !emails->empty() && (*emails)[0].is_string()) {
            email = (*emails)[0].get<std::string>();
        }
        const json* suspended = member(*profile, "IsSuspended");
        a["email"] = email;
        a["username"] = name;
        a["domain"] = "";
        a["uniqueIdentifier"] = name;
        a["product"] = "";
        a["primaryip"] = "";
        a["created"] = format_utc(int_member(*profile, "CreateTime"));
        a["status"] = (suspended != nullptr && suspended->is_boolean() && suspended->get<bool>())
                          ? "Suspended"
                          : "Active";
        accounts.push_back(a);
    }
    json out = json::object();
    out["accounts"] = accounts;
    return done_success(m, out);
}

json session(Machine& m, const Reply& r, const char* endpoint, const char* type) {
    if (r.kind != Reply::Kind::ok) return done_reply_failure(m, r, endpoint);
    const std::string key = ctx_text(r.body, "SessionKey");
    if (key.empty()) {
        return done_failure(m, "comet.unexpected",
                            std::string("The Comet Server's reply to ") + endpoint +
                                " has no session key");
    }
    json out = json::object();
    out["sessionKey"] = key;
    out["type"] = type;
    if (std::string(type) == "user") out["username"] = ctx_text(m.ctx, "username");
    return done_success(m, out);
}

json load_options(Machine& m, const Reply& r, const char* endpoint, bool policies) {
    if (r.kind != Reply::Kind::ok) return done_reply_failure(m, r, endpoint);
    if (!r.body.is_null() && !r.body.is_object() && !(r.body.is_array() && r.body.empty())) {
        return done_failure(m, "comet.unexpected",
                            std::string("The Comet Server's reply to ") + endpoint + " was not a map");
    }
    json options = json::array();
    options.push_back(option("", "None"));
    bool managed_listed = false;
    std::string managed;
    const std::string pid = ctx_text(m.ctx, "pid");
    if (policies && !pid.empty() && pid.size() < 19 &&
        pid.find_first_not_of("0123456789") == std::string::npos) {
        managed = managed_policy_id(std::stoull(pid), ctx_text(m.ctx, "installId"));
    }
    if (r.body.is_object()) {
        for (auto it = r.body.begin(); it != r.body.end(); ++it) {
            const std::string label = it.value().is_string() ? it.value().get<std::string>() : it.key();
            options.push_back(option(it.key(), label));
            if (it.key() == managed) managed_listed = true;
        }
    }
    // Stable across page views: the same product always offers the same new ID.
    if (!managed.empty() && !managed_listed) {
        options.push_back(option(managed, "[Create New Policy Group] (" + managed + ")"));
    }
    json out = json::object();
    out["options"] = options;
    return done_success(m, out);
}

}  // namespace

json start_server_action(Machine& m) {
    const json none = json::object();
    if (m.action == "TestConnection") return request_step(m, "call", "meta/version", none);
    if (m.action == "UsageUpdate" || m.action == "ListAccounts") {
        return request_step(m, "call", "list-users-full", none);
    }
    if (m.action == "ServiceSingleSignOn") {
        const std::string user = ctx_text(m.ctx, "username");
        if (user.empty()) {
            return done_failure(m, "account.no_username",
                                "This service has no Comet username recorded; run Create first");
        }
        ServerVersion v;
        Error ignored;
        if (parse_server_version(ctx_text(m.ctx, "serverVersion"), v, ignored, "") && v.known &&
            !version_at_least(v, 19, 6, 0)) {
            return done_failure(m, "comet.unsupported",
                                "Signing in to a customer's account needs Comet Server 19.6 or newer");
        }
        json p = json::object();
        p["TargetUser"] = user;
        return request_step(m, "call", "account/session-start-as-user", p);
    }
    if (m.action == "AdminSingleSignOn") {
        json p = json::object();
        const std::string self = ctx_text(m.ctx, "serverUrl");
        if (!self.empty()) p["SelfAddress"] = self.back() == '/' ? self : self + "/";
        return request_step(m, "call", "account/session-start", p);
    }
    if (m.action == "LoadPolicies") return request_step(m, "call", "policies/list", none);
    return request_step(m, "call", "request-storage-vault-providers", none);
}

json resume_server_action(Machine& m, const Reply& r) {
    if (m.phase != "call") return done_failure(m, "plan.bad_state", "The plan reached an unknown step");
    if (m.action == "TestConnection") return test_connection(m, r);
    if (m.action == "UsageUpdate") return usage_update(m, r);
    if (m.action == "ListAccounts") return list_accounts(m, r);
    if (m.action == "ServiceSingleSignOn") return session(m, r, "account/session-start-as-user", "user");
    if (m.action == "AdminSingleSignOn") return session(m, r, "account/session-start", "admin");
    if (m.action == "LoadPolicies") return load_options(m, r, "policies/list", true);
    return load_options(m, r, "request-storage-vault-providers", false);
}

}  // namespace cometprov::detail
