// Plans that act on the server as a whole, one request each: Test Connection, usage, server sync,
// single sign-on and the product settings' dropdown loaders.
#include "cometprov/account.hpp"
#include "cometprov/plan.hpp"
#include "cometprov/usage.hpp"
#include "cometprov/usage_stream.hpp"
#include "cometprov/username.hpp"
#include "plan_detail.hpp"

#include <algorithm>
#include <cstdio>

namespace cometprov::detail {

namespace {

enum class Phase { call };
static_assert(static_cast<int>(Phase::call) + 1 == kServerPhases, "kServerPhases counts Phase");

struct Scratch {
    json to_json() const { return json::object(); }
};

json call(Machine& m, const std::string& endpoint, const json& params = json::object()) {
    return request(m, Scratch{}, Phase::call, Call{endpoint, params, {}});
}

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

json option(const std::string& value, const std::string& label) {
    json o = json::object();
    o["value"] = value;
    o["label"] = label;
    return o;
}

json unexpected(const Machine& m, const std::string& what) {
    json detail = json::object();
    detail["endpoint"] = m.endpoint;
    return done_failure(m, "comet.unexpected",
                        "The Comet Server's reply to " + m.endpoint + " " + what, detail);
}

json not_comet(const Machine& m, const Reply& r, const std::string& why) {
    return done_failure(m, "comet.not_comet",
                        why + ": check the server's hostname, port, protocol and path",
                        reply_detail(m, r));
}

// A map reply (null, {} and an old server's [] are empty), else false.
bool is_map(const json& body) {
    return body.is_null() || body.is_object() || (body.is_array() && body.empty());
}

}  // namespace

json session_output(Machine& m, const Reply& r, const char* type, const std::string& user) {
    if (!r.ok()) return reply_failure(m, r, user);
    const std::string key = text_member(r.body, "SessionKey");
    if (key.empty()) return unexpected(m, "has no session key");
    json out = json::object();
    out["sessionKey"] = key;
    out["type"] = type;
    if (!user.empty()) out["username"] = user;
    return done_success(m, out);
}

namespace {

json load_options(Machine& m, const Reply& r, const std::string& managed) {
    if (!r.ok()) return reply_failure(m, r);
    if (!is_map(r.body)) return unexpected(m, "was not a map");
    json options = json::array();
    options.push_back(option("", "None"));
    bool managed_listed = false;
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

// ---- TestConnection ------------------------------------------------------------------------------

json start_test_connection(Machine& m) { return call(m, "meta/version"); }

json resume_test_connection(Machine& m, const Reply& r) {
    if (r.kind == Reply::Kind::http_error) {
        return not_comet(m, r, "The server answered HTTP " + std::to_string(r.status) +
                                   " instead of a Comet API reply");
    }
    if (r.kind == Reply::Kind::bad_body) return not_comet(m, r, "The server's reply is not JSON");
    if (!r.ok()) return reply_failure(m, r);
    const std::string version = text_member(r.body, "Version");
    if (version.empty()) return not_comet(m, r, "The server's reply has no Comet version");
    ServerVersion v;
    Error err;
    if (!parse_server_version(version, v, err, "/Version")) {
        return not_comet(m, r, "The server reports an unreadable version \"" + version + "\"");
    }
    if (!version_at_least(v, 18, 9, 2)) {
        json detail = reply_detail(m, r);
        detail["version"] = version;
        return done_failure(m, "comet.too_old",
                            "Comet Server " + version +
                                " is too old: this module needs Comet Server 18.9.2 or newer",
                            detail);
    }
    // The host keeps it per server, so later plans need not ask again (CreateAccount, SignIn).
    set_effect(m, "serverVersion", version);
    json out = json::object();
    out["version"] = version;
    return done_success(m, out);
}

// ---- UsageUpdate ---------------------------------------------------------------------------------
// The list-users-full body is read incrementally (UsageStream), whether a host streams it or
// plan.resume hands it over whole: only the services' users are kept, found through a hash map.

json start_usage_update(Machine& m) {
    Call c{"list-users-full", json::object(), {}};
    c.stream = true;
    return request(m, Scratch{}, Phase::call, c);
}

// Only transport errors and non-200 replies arrive here; a 200 body goes through usage_sink.
json resume_usage_update(Machine& m, const Reply& r) {
    if (!r.ok()) return reply_failure(m, r);
    return unexpected(m, "was not read");
}

namespace {

json first_of(const std::vector<std::string>& items) {
    json out = json::array();
    for (std::size_t i = 0; i < items.size() && i < UsageStream::kListed; ++i) out.push_back(items[i]);
    return out;
}

std::vector<std::string> wanted_names(const Context& c) {
    std::vector<std::string> names;
    names.reserve(c.services.size());
    // The same account-name rule as every other action, per row.
    for (const auto& s : c.services) names.push_back(account_name(s.username, s.custom_username));
    return names;
}

json usage_done(Machine& m, const UsageStream& u) {
    if (!u.valid_json()) {
        json detail = json::object();
        detail["endpoint"] = m.endpoint;
        detail["reason"] = u.syntax_error();
        detail["offset"] = u.error_offset();
        return done_failure(m, "comet.bad_reply",
                            "The Comet Server sent an unreadable reply to " + m.endpoint + ": " +
                                u.syntax_error() + " (at byte " + std::to_string(u.error_offset()) + ")",
                            detail);
    }
    Reply envelope;
    if (u.envelope(envelope.status, envelope.message)) {
        envelope.kind = Reply::Kind::api_error;
        return reply_failure(m, envelope);
    }
    if (!u.is_map()) return unexpected(m, "was not a user map");
    if (const UsageStream::Problem* p = u.problem()) {
        json detail = json::object();
        detail["endpoint"] = m.endpoint;
        detail["username"] = p->username;
        if (!p->field.empty()) detail["field"] = p->field;
        return done_failure(m, "comet.unexpected",
                            "The Comet Server's reply to " + m.endpoint + " has an unreadable entry for \"" +
                                p->username + "\": " + (p->field.empty() ? "it" : p->field) + " " + p->what,
                            detail);
    }
    json rows = json::array();
    std::vector<std::string> unmatched, not_ours;
    std::size_t unmatched_count = 0, not_ours_count = 0;
    for (std::size_t i = 0; i < m.ctx.services.size(); ++i) {
        const ServiceRef& svc = m.ctx.services[i];
        const UsageStream::Usage& found = u.usage(i);
        if (!found.seen) {
            if (unmatched_count++ < UsageStream::kListed) unmatched.push_back(svc.serviceid);
            continue;
        }
        if (!svc.marker.empty() && svc.marker != found.creation_guid) {
            if (not_ours_count++ < UsageStream::kListed) not_ours.push_back(svc.serviceid);
            continue;
        }
        json row = json::object();
        row["serviceid"] = svc.serviceid;
        row["username"] = account_name(svc.username, svc.custom_username);
        row["diskusage"] = found.disk_usage_mb;
        row["disklimit"] = found.disk_limit_mb;
        rows.push_back(std::move(row));
    }
    const std::size_t updated = rows.size();
    set_effect(m, "usage", std::move(rows));
    json out = json::object();
    out["updated"] = updated;
    out["accounts"] = u.accounts();
    out["unmatched"] = first_of(unmatched);
    out["unmatchedCount"] = unmatched_count;
    out["notOurs"] = first_of(not_ours);
    out["notOursCount"] = not_ours_count;
    out["unknownAccounts"] = first_of(u.unknown_first());
    out["unknownAccountCount"] = u.unknown_count();
    // done_success's shape, with the effects moved rather than copied (100,000 rows are ~25 MB).
    json d = json::object();
    d["result"] = "success";
    d["effects"] = std::move(m.effects);
    d["output"] = std::move(out);
    json step = json::object();
    step["done"] = std::move(d);
    return step;
}

struct UsageSink final : BodySink {
    explicit UsageSink(const Machine& m) : stream(wanted_names(m.ctx)) {}
    bool write(const char* data, std::size_t len) override { return stream.write(data, len); }
    json finish(Machine& m) override {
        stream.finish();
        return usage_done(m, stream);
    }
    UsageStream stream;
};

}  // namespace

std::unique_ptr<BodySink> usage_sink(const Machine& m) { return std::make_unique<UsageSink>(m); }

// ---- ListAccounts --------------------------------------------------------------------------------

json start_list_accounts(Machine& m) { return call(m, "list-users-full"); }

json resume_list_accounts(Machine& m, const Reply& r) {
    if (!r.ok()) return reply_failure(m, r);
    if (!is_map(r.body)) return unexpected(m, "was not a user map");
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
        if (profile->is_object()) {
            auto emails = profile->find("Emails");
            if (emails != profile->end() && emails->is_array() && !emails->empty() &&
                (*emails)[0].is_string()) {
                email = (*emails)[0].get<std::string>();
            }
        }
        bool suspended = false;
        if (profile->is_object()) {
            auto s = profile->find("IsSuspended");
            suspended = s != profile->end() && s->is_boolean() && s->get<bool>();
        }
        // Typed by end users: WHMCS's Server Sync gets an address or nothing.
        a["email"] = is_valid_email(email) ? email : "";
        a["username"] = name;
        a["domain"] = "";
        a["uniqueIdentifier"] = name;
        a["product"] = "";
        a["primaryip"] = "";
        a["created"] = format_utc(int_member(*profile, "CreateTime"));
        a["status"] = suspended ? "Suspended" : "Active";
        accounts.push_back(a);
    }
    json out = json::object();
    out["accounts"] = accounts;
    return done_success(m, out);
}

// ---- AdminSingleSignOn (a service's sign-in is SignIn, plan_signin.cpp) --------------------------

json start_admin_sso(Machine& m) {
    json p = json::object();
    const std::string self = self_address(m.ctx);
    if (!self.empty()) p["SelfAddress"] = self;
    return call(m, "account/session-start", p);
}

json resume_admin_sso(Machine& m, const Reply& r) { return session_output(m, r, "admin", ""); }

// ---- LoadPolicies, LoadStorageProviders ----------------------------------------------------------

json start_load_policies(Machine& m) { return call(m, "policies/list"); }

json resume_load_policies(Machine& m, const Reply& r) {
    std::string managed;
    if (!m.ctx.pid.empty()) {
        std::uint64_t pid = 0;
        for (char c : m.ctx.pid) pid = pid * 10 + static_cast<std::uint64_t>(c - '0');
        managed = managed_policy_id(pid, m.ctx.install_id);
    }
    return load_options(m, r, managed);
}

json start_load_providers(Machine& m) { return call(m, "request-storage-vault-providers"); }

json resume_load_providers(Machine& m, const Reply& r) { return load_options(m, r, ""); }

}  // namespace cometprov::detail
