// The typed plan context: one parser for every key, so no action reads the raw JSON.
#include "context.hpp"

#include <cctype>

namespace cometprov::detail {

namespace {

constexpr const char* kKeyNames[kKeyCount] = {
    "serviceid",     "pid",           "username",      "password",      "customfields",
    "clientsdetails", "configoption1", "configoption2", "configoption3", "configoption4",
    "configoption5", "configoptions", "productName",   "serverVersion", "serverUrl",
    "services",      "now",           "installId",     "marker",        "claim",
    "status",        "role",          "createAttempted",
};

constexpr const char* kWholeNumber = "a whole number (an integer or a string of digits)";
constexpr const char* kText = "a string";
constexpr const char* kFlag = "a string (\"on\" or \"\") or a boolean";
constexpr const char* kObject = "an object";

Error bad_context(const std::string& path, const std::string& message) {
    return Error{"plan.bad_context", message, "/context/" + path, {}};
}

Error wrong(const std::string& path, const char* what) {
    return bad_context(path, "Context key " + path + " must be " + what);
}

Error required_missing(const std::string& path, const char* what) {
    return bad_context(path, "Context key " + path + " is required: " + what);
}

// Defence in depth: no context string the core reads is longer than this, holds a NUL, or (except
// the passwords, which password.multiline covers) a line break; a context has at most this many
// configurable options. Real WHMCS values are far inside these bounds.
constexpr std::size_t kMaxTextBytes = 4096;
constexpr std::size_t kMaxConfigOptions = 200;

enum class Lines { one, many };

// RFC 6901: a member name inside a JSON pointer.
std::string pointer_escape(const std::string& name) {
    std::string out;
    for (char ch : name) {
        if (ch == '~') out += "~0";
        else if (ch == '/') out += "~1";
        else out += ch;
    }
    return out;
}

bool check_text(const std::string& s, const std::string& path, Lines lines, Error& err,
                const char* what = nullptr) {
    const std::string name = what != nullptr ? what : "Context key " + path;
    if (s.size() > kMaxTextBytes) {
        err = bad_context(path, name + " must be at most 4,096 bytes long");
        return false;
    }
    if (s.find('\0') != std::string::npos) {
        err = bad_context(path, name + " must not contain a NUL character");
        return false;
    }
    if (lines == Lines::one && s.find_first_of("\r\n") != std::string::npos) {
        err = bad_context(path, name + " must be one line (no CR or LF)");
        return false;
    }
    return true;
}

const json* find(const json& obj, const char* key) {
    if (!obj.is_object()) return nullptr;
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return nullptr;
    return &*it;
}

bool read_text(const json& obj, const char* key, const std::string& path, std::string& out, Error& err,
               Lines lines = Lines::one) {
    const json* v = find(obj, key);
    if (v == nullptr) return true;
    if (!v->is_string()) {
        err = wrong(path, kText);
        return false;
    }
    out = v->get<std::string>();
    return check_text(out, path, lines, err);
}

// configoptions: at most kMaxConfigOptions members; names and string values are checked like
// every other context string (a value's type is options.* business, checked by the plan).
bool check_configoptions(const json& o, Error& err) {
    if (o.size() > kMaxConfigOptions) {
        err = bad_context("configoptions", "Context key configoptions must have at most 200 options");
        return false;
    }
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!check_text(it.key(), "configoptions", Lines::one, err,
                        "Every option name in context key configoptions")) {
            return false;
        }
        if (it->is_string() &&
            !check_text(it->get_ref<const std::string&>(),
                        "configoptions/" + pointer_escape(it.key()), Lines::one, err)) {
            return false;
        }
    }
    return true;
}

bool read_id(const json& obj, const char* key, const std::string& path, std::string& out, Error& err) {
    const json* v = find(obj, key);
    if (v == nullptr) return true;
    if (v->is_number_unsigned()) {
        out = std::to_string(v->get<std::uint64_t>());
        return true;
    }
    if (v->is_number_integer() && v->get<std::int64_t>() >= 0) {
        out = std::to_string(v->get<std::int64_t>());
        return true;
    }
    if (v->is_string()) {
        const std::string& s = v->get_ref<const std::string&>();
        if (s.size() <= 19 && s.find_first_not_of("0123456789") == std::string::npos) {
            out = s;
            return true;
        }
    }
    err = wrong(path, kWholeNumber);
    return false;
}

bool read_flag(const json& obj, const char* key, const std::string& path, bool& out, Error& err) {
    const json* v = find(obj, key);
    if (v == nullptr) return true;
    if (v->is_boolean()) {
        out = v->get<bool>();
        return true;
    }
    if (!v->is_string()) {
        err = wrong(path, kFlag);
        return false;
    }
    std::string s = v->get<std::string>();
    // Only a NUL is refused: any other text that is no flag word reads as unset, because the
    // official module's configoption4 is a Note (free text, often several lines with a <style>).
    if (s.find('\0') != std::string::npos) {
        err = bad_context(path, "Context key " + path + " must not contain a NUL character");
        return false;
    }
    const char* ws = " \t\r\n\f\v";
    const auto b = s.find_first_not_of(ws);
    s = b == std::string::npos ? std::string() : s.substr(b, s.find_last_not_of(ws) - b + 1);
    if (s.size() > 5) {
        out = false;
        return true;
    }
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out = s == "on" || s == "yes" || s == "1" || s == "true";
    return true;
}

// An object, or nothing: null, absent and PHP's empty array [] all read as "no members".
bool read_object(const json& obj, const char* key, const std::string& path, const json*& out, Error& err) {
    out = nullptr;
    const json* v = find(obj, key);
    if (v == nullptr || (v->is_array() && v->empty())) return true;
    if (!v->is_object()) {
        err = wrong(path, kObject);
        return false;
    }
    out = v;
    return true;
}

bool valid_install_id(const std::string& id) {
    return !id.empty() && id.size() <= 32 &&
           id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
               std::string::npos;
}

bool read_time(const json& v, std::int64_t& out) {
    if (v.is_number_unsigned()) {
        const auto n = v.get<std::uint64_t>();
        if (n > static_cast<std::uint64_t>(INT64_MAX)) return false;
        out = static_cast<std::int64_t>(n);
    } else if (v.is_number_integer()) {
        out = v.get<std::int64_t>();
    } else {
        return false;
    }
    return out >= kEarliestTime;
}

bool read_key(Key k, const json& ctx, Context& c, Error& err) {
    const std::string name = key_name(k);
    const json* o = nullptr;
    switch (k) {
        case Key::serviceid: return read_id(ctx, "serviceid", name, c.serviceid, err);
        case Key::pid: return read_id(ctx, "pid", name, c.pid, err);
        case Key::username: return read_text(ctx, "username", name, c.username, err);
        case Key::password: return read_text(ctx, "password", name, c.password, err, Lines::many);
        case Key::customfields:
            if (!read_object(ctx, "customfields", name, o, err)) return false;
            if (o == nullptr) return true;
            return read_text(*o, "Username", "customfields/Username", c.custom_username, err) &&
                   read_text(*o, "Password", "customfields/Password", c.custom_password, err, Lines::many);
        case Key::clientsdetails:
            if (!read_object(ctx, "clientsdetails", name, o, err)) return false;
            if (o == nullptr) return true;
            return read_text(*o, "email", "clientsdetails/email", c.email, err) &&
                   read_text(*o, "firstname", "clientsdetails/firstname", c.firstname, err) &&
                   read_text(*o, "lastname", "clientsdetails/lastname", c.lastname, err);
        case Key::configoption1: return read_text(ctx, "configoption1", name, c.policy_id, err);
        case Key::configoption2: return read_text(ctx, "configoption2", name, c.vault_provider, err);
        case Key::configoption3:
            return read_flag(ctx, "configoption3", name, c.require_password_change, err);
        case Key::configoption4:
            return read_flag(ctx, "configoption4", name, c.uninstall_on_terminate, err);
        case Key::configoption5: return read_flag(ctx, "configoption5", name, c.keep_vault_limits, err);
        case Key::configoptions:
            if (!read_object(ctx, "configoptions", name, o, err)) return false;
            if (o != nullptr && !check_configoptions(*o, err)) return false;
            c.configoptions = o == nullptr ? json() : *o;
            return true;
        case Key::productName: return read_text(ctx, "productName", name, c.product_name, err);
        case Key::serverVersion: return read_text(ctx, "serverVersion", name, c.server_version, err);
        case Key::serverUrl: return read_text(ctx, "serverUrl", name, c.server_url, err);
        case Key::services: {
            const json* v = find(ctx, "services");
            if (v == nullptr) return true;
            if (!v->is_array()) {
                err = wrong(name, "a list of {serviceid, username}");
                return false;
            }
            std::size_t i = 0;
            for (const auto& s : *v) {
                const std::string at = "services/" + std::to_string(i++);
                if (!s.is_object()) {
                    err = wrong(at, "an object {serviceid, username}");
                    return false;
                }
                ServiceRef ref;
                if (!read_id(s, "serviceid", at + "/serviceid", ref.serviceid, err) ||
                    // A line break in one service's row must not stop the whole usage run: such a
                    // name matches no Comet account (Comet names are one line).
                    !read_text(s, "username", at + "/username", ref.username, err, Lines::many) ||
                    !read_text(s, "customUsername", at + "/customUsername", ref.custom_username, err,
                               Lines::many) ||
                    !read_text(s, "marker", at + "/marker", ref.marker, err, Lines::many)) {
                    return false;
                }
                c.services.push_back(ref);
            }
            return true;
        }
        case Key::now: {
            const json* v = find(ctx, "now");
            if (v != nullptr && !read_time(*v, c.now)) {
                err = wrong(name, "the current time in unix seconds (an integer)");
                return false;
            }
            return true;
        }
        case Key::installId: {
            const json* v = find(ctx, "installId");
            if (v == nullptr) return true;
            if (!v->is_string() || !valid_install_id(v->get<std::string>())) {
                err = wrong(name, "the WHMCS installation's ID, 1 to 32 letters and digits");
                return false;
            }
            c.install_id = v->get<std::string>();
            return true;
        }
        case Key::marker: return read_text(ctx, "marker", name, c.marker, err);
        case Key::claim: {
            const json* v = find(ctx, "claim");
            if (v == nullptr) return true;
            if (!v->is_object()) {
                err = wrong(name, "the stored claim {username, at}, or null");
                return false;
            }
            Claim claim;
            const json* at = find(*v, "at");
            if (!read_text(*v, "username", "claim/username", claim.username, err)) return false;
            if (claim.username.empty()) {
                err = wrong("claim/username", "the claimed username (a non-empty string)");
                return false;
            }
            if (at == nullptr || !read_time(*at, claim.at)) {
                err = wrong("claim/at", "the claim's time in unix seconds (an integer)");
                return false;
            }
            c.claim = claim;
            return true;
        }
        case Key::status: return read_text(ctx, "status", name, c.status, err);
        case Key::createAttempted: {
            const json* v = find(ctx, "createAttempted");
            if (v == nullptr || v->is_null()) return true;
            if (!v->is_boolean()) {
                err = wrong(name, "a boolean (the stored effect createAttempted)");
                return false;
            }
            c.create_attempted = v->get<bool>();
            return true;
        }
        case Key::role: {
            const json* v = find(ctx, "role");
            if (v == nullptr) return true;
            if (v->is_string() && *v == "customer") {
                c.role = Role::customer;
            } else if (v->is_string() && *v == "admin") {
                c.role = Role::admin;
            } else {
                err = wrong(name, "\"customer\" or \"admin\"");
                return false;
            }
            return true;
        }
    }
    return false;
}

bool is_missing(Key k, const Context& c) {
    switch (k) {
        case Key::now: return c.now == 0;
        case Key::installId: return c.install_id.empty();
        case Key::role: return c.role == Role::none;
        default: return false;  // only `now`, `installId`, `role` and `services` are ever required
    }
}

const char* required_what(Key k) {
    switch (k) {
        case Key::now: return "the current time in unix seconds (an integer)";
        case Key::installId: return "the WHMCS installation's ID, 1 to 32 letters and digits";
        case Key::services: return "a list of {serviceid, username}";
        case Key::role: return "\"customer\" or \"admin\"";
        default: return "a value";
    }
}

}  // namespace

const char* key_name(Key k) { return kKeyNames[static_cast<unsigned>(k)]; }

bool parse_context(const json& ctx, KeySet reads, KeySet required, Context& out, Error& err) {
    out = Context();
    out.reads = reads | required;
    for (const char* secret : {"serverpassword", "serverusername", "serveraccesshash"}) {
        if (ctx.is_object() && ctx.contains(secret)) {
            err = bad_context(secret, std::string("Context key ") + secret +
                                          " must not be in the context: the host adds the admin "
                                          "credentials to each request itself");
            return false;
        }
    }
    for (unsigned i = 0; i < kKeyCount; ++i) {
        const Key k = static_cast<Key>(i);
        if ((out.reads & bit(k)) == 0) continue;
        if (!read_key(k, ctx, out, err)) return false;
        if ((required & bit(k)) != 0 &&
            (k == Key::services ? find(ctx, "services") == nullptr : is_missing(k, out))) {
            err = required_missing(key_name(k), required_what(k));
            return false;
        }
    }
    return true;
}

json Context::to_json() const {
    json j = json::object();
    auto text = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
    for (unsigned i = 0; i < kKeyCount; ++i) {
        const Key k = static_cast<Key>(i);
        if ((reads & bit(k)) == 0) continue;
        const char* name = key_name(k);
        switch (k) {
            case Key::serviceid: j[name] = text(serviceid); break;
            case Key::pid: j[name] = text(pid); break;
            case Key::username: j[name] = text(username); break;
            case Key::password: j[name] = text(password); break;
            case Key::customfields:
                j[name] = json::object();
                j[name]["Username"] = text(custom_username);
                j[name]["Password"] = text(custom_password);
                break;
            case Key::clientsdetails:
                j[name] = json::object();
                j[name]["email"] = text(email);
                j[name]["firstname"] = text(firstname);
                j[name]["lastname"] = text(lastname);
                break;
            case Key::configoption1: j[name] = text(policy_id); break;
            case Key::configoption2: j[name] = text(vault_provider); break;
            case Key::configoption3: j[name] = require_password_change; break;
            case Key::configoption4: j[name] = uninstall_on_terminate; break;
            case Key::configoption5: j[name] = keep_vault_limits; break;
            case Key::configoptions: j[name] = configoptions; break;
            case Key::productName: j[name] = text(product_name); break;
            case Key::serverVersion: j[name] = text(server_version); break;
            case Key::serverUrl: j[name] = text(server_url); break;
            case Key::services:
                j[name] = json::array();
                for (const auto& s : services) {
                    json e = json::object();
                    e["serviceid"] = text(s.serviceid);
                    e["username"] = text(s.username);
                    if (!s.custom_username.empty()) e["customUsername"] = s.custom_username;
                    if (!s.marker.empty()) e["marker"] = s.marker;
                    j[name].push_back(e);
                }
                break;
            case Key::now: j[name] = now == 0 ? json(nullptr) : json(now); break;
            case Key::installId: j[name] = text(install_id); break;
            case Key::marker: j[name] = text(marker); break;
            case Key::claim:
                if (claim) {
                    j[name] = json::object();
                    j[name]["username"] = claim->username;
                    j[name]["at"] = claim->at;
                } else {
                    j[name] = nullptr;
                }
                break;
            case Key::status: j[name] = text(status); break;
            case Key::createAttempted: j[name] = create_attempted; break;
            case Key::role:
                j[name] = role == Role::customer ? json("customer")
                          : role == Role::admin  ? json("admin")
                                                 : json(nullptr);
                break;
        }
    }
    return j;
}

}  // namespace cometprov::detail
