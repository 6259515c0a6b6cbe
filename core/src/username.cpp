// Username rules (Comet's character set and lengths) and the derivation of a username for a service.
#include "cometprov/username.hpp"

#include "args.hpp"
#include "cometprov/text.hpp"

namespace cometprov {

using detail::Presence;

namespace {

bool allowed_username_char(char32_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '@' || c == '-';
}

bool parse_number(std::string_view s, std::size_t& i, long& out) {
    const std::size_t start = i;
    long n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        if (n > 100000000) return false;
        n = n * 10 + (s[i] - '0');
        ++i;
    }
    out = n;
    return i > start;
}

}  // namespace

bool parse_server_version(std::string_view text, ServerVersion& out, Error& err,
                          const std::string& field) {
    out = ServerVersion{};
    if (text.empty()) return true;
    std::size_t i = 0;
    if (text[0] == 'v' || text[0] == 'V') i = 1;
    long parts[3] = {0, 0, 0};
    int count = 0;
    bool ok = true;
    while (count < 3) {
        if (!parse_number(text, i, parts[count])) {
            ok = false;
            break;
        }
        ++count;
        if (i < text.size() && text[i] == '.' && count < 3) {
            ++i;
            continue;
        }
        break;
    }
    if (ok && count < 2) ok = false;
    if (ok && i < text.size() && text[i] != ' ') ok = false;
    if (!ok) {
        err = Error{"version.bad_format",
                    "Server version must look like 21.9.10, not \"" + std::string(text) + "\"", field,
                    {}};
        return false;
    }
    out.known = true;
    out.major = parts[0];
    out.minor = parts[1];
    out.patch = parts[2];
    return true;
}

bool version_at_least(const ServerVersion& v, long major, long minor, long patch) {
    if (!v.known) return false;
    if (v.major != major) return v.major > major;
    if (v.minor != minor) return v.minor > minor;
    return v.patch >= patch;
}

std::size_t minimum_username_length(const ServerVersion& v) {
    return version_at_least(v, 21, 9, 10) ? kUsernameModernMinimum : kUsernameLegacyMinimum;
}

std::vector<Error> validate_username(std::string_view name, std::size_t min_length,
                                     const std::string& field) {
    std::vector<Error> errors;
    if (name.empty()) {
        errors.push_back(Error{"username.empty", "Username is empty", field, {}});
        return errors;
    }
    const auto cps = utf8_decode(name);
    const std::size_t length = cps.size();
    if (length < min_length) {
        json d = json::object();
        d["minimum"] = min_length;
        d["length"] = length;
        errors.push_back(Error{"username.too_short",
                               "Username must be at least " + std::to_string(min_length) +
                                   " characters long; it has " + std::to_string(length),
                               field, d});
    }
    if (length > kUsernameMaxLength) {
        json d = json::object();
        d["maximum"] = kUsernameMaxLength;
        d["length"] = length;
        errors.push_back(Error{"username.too_long",
                               "Username must be at most " + std::to_string(kUsernameMaxLength) +
                                   " characters long; it has " + std::to_string(length),
                               field, d});
    }
    std::size_t bad = 0, first = 0;
    for (std::size_t k = 0; k < cps.size(); ++k) {
        if (!allowed_username_char(cps[k])) {
            if (bad == 0) first = k;
            ++bad;
        }
    }
    if (bad > 0) {
        json d = json::object();
        d["char"] = utf8_encode(cps[first]);
        d["position"] = first + 1;
        d["count"] = bad;
        errors.push_back(Error{"username.bad_char",
                               "Username contains " + describe_char(cps[first]) + " at position " +
                                   std::to_string(first + 1) +
                                   "; only A-Z, a-z, 0-9 and _ . @ - are allowed",
                               field, d});
    }
    return errors;
}

namespace {

// Folds the common Latin letters with diacritics to ASCII; 0 means "no folding known".
const char* fold_latin(char32_t c) {
    switch (c) {
        case 0xC0: case 0xC1: case 0xC2: case 0xC3: case 0xC4: case 0xC5:
        case 0xE0: case 0xE1: case 0xE2: case 0xE3: case 0xE4: case 0xE5:
        case 0x100: case 0x101: case 0x102: case 0x103: case 0x104: case 0x105: return "a";
        case 0xC6: case 0xE6: return "ae";
        case 0xC7: case 0xE7: case 0x106: case 0x107: case 0x10C: case 0x10D: return "c";
        case 0xD0: case 0xF0: case 0x10E: case 0x10F: case 0x110: case 0x111: return "d";
        case 0xC8: case 0xC9: case 0xCA: case 0xCB: case 0xE8: case 0xE9: case 0xEA: case 0xEB:
        case 0x112: case 0x113: case 0x116: case 0x117: case 0x118: case 0x119: case 0x11A:
        case 0x11B: return "e";
        case 0x11E: case 0x11F: return "g";
        case 0xCC: case 0xCD: case 0xCE: case 0xCF: case 0xEC: case 0xED: case 0xEE: case 0xEF:
        case 0x12A: case 0x12B: case 0x12E: case 0x12F: case 0x130: case 0x131: return "i";
        case 0x141: case 0x142: return "l";
        case 0xD1: case 0xF1: case 0x143: case 0x144: case 0x147: case 0x148: return "n";
        case 0xD2: case 0xD3: case 0xD4: case 0xD5: case 0xD6: case 0xD8: case 0xF2: case 0xF3:
        case 0xF4: case 0xF5: case 0xF6: case 0xF8: case 0x150: case 0x151: return "o";
        case 0x152: case 0x153: return "oe";
        case 0x158: case 0x159: return "r";
        case 0x15A: case 0x15B: case 0x15E: case 0x15F: case 0x160: case 0x161: return "s";
        case 0xDF: return "ss";
        case 0x162: case 0x163: case 0x164: case 0x165: return "t";
        case 0xDE: case 0xFE: return "th";
        case 0xD9: case 0xDA: case 0xDB: case 0xDC: case 0xF9: case 0xFA: case 0xFB: case 0xFC:
        case 0x16A: case 0x16B: case 0x16E: case 0x16F: case 0x170: case 0x171: return "u";
        case 0xDD: case 0xFD: case 0xFF: case 0x178: return "y";
        case 0x179: case 0x17A: case 0x17B: case 0x17C: case 0x17D: case 0x17E: return "z";
        default: return nullptr;
    }
}

std::string pad_to(std::string name, std::size_t min_length, const std::string& padding) {
    std::size_t k = 0;
    while (name.size() < min_length) {
        name += k < padding.size() ? padding[k] : '0';
        ++k;
    }
    return name;
}

}  // namespace

std::string sanitize_username(std::string_view raw) {
    std::string out;
    for (char32_t c : utf8_decode(raw)) {
        if (c >= 'A' && c <= 'Z') {
            out += static_cast<char>(c - 'A' + 'a');
        } else if (allowed_username_char(c)) {
            out += static_cast<char>(c);
        } else if (const char* folded = fold_latin(c)) {
            out += folded;
        } else if (out.empty() || out.back() != '_') {
            out += '_';
        }
    }
    std::size_t b = 0, e = out.size();
    while (b < e && out[b] == '_') ++b;
    while (e > b && out[e - 1] == '_') --e;
    out = out.substr(b, e - b);
    if (out.size() > kUsernameMaxLength) out.resize(kUsernameMaxLength);
    return out;
}

Outcome op_username_validate(const json& args) {
    Error err;
    std::string username, version;
    if (!detail::require_string(args, "username", username, err)) return Outcome::failure(err);
    if (detail::read_string(args, "serverVersion", version, err) == Presence::invalid) {
        return Outcome::failure(err);
    }
    ServerVersion v;
    if (!parse_server_version(version, v, err, "/serverVersion")) return Outcome::failure(err);
    const auto errors = validate_username(username, minimum_username_length(v), "/username");
    json value = json::object();
    value["valid"] = errors.empty();
    value["errors"] = json::array();
    for (const auto& e : errors) value["errors"].push_back(e.to_json());
    return Outcome::success(value);
}

Outcome op_username_derive(const json& args) {
    Error err;
    std::string custom, email, firstname, lastname, version, padding;
    std::uint64_t service_id = 0;
    bool have_service = false;
    for (auto [key, dest] : {std::pair<const char*, std::string*>{"customUsername", &custom},
                             {"email", &email},
                             {"firstname", &firstname},
                             {"lastname", &lastname},
                             {"serverVersion", &version},
                             {"padding", &padding}}) {
        if (detail::read_string(args, key, *dest, err) == Presence::invalid) {
            return Outcome::failure(err);
        }
    }
    switch (detail::read_uint(args, "serviceId", service_id, err)) {
        case Presence::invalid: return Outcome::failure(err);
        case Presence::present: have_service = true; break;
        case Presence::absent: break;
    }
    std::uint64_t max_candidates = 5;
    if (detail::read_uint(args, "maxCandidates", max_candidates, err) == Presence::invalid) {
        return Outcome::failure(err);
    }
    if (max_candidates < 1 || max_candidates > 20) {
        return Outcome::failure(Error{"request.bad_value",
                                      "Argument /maxCandidates must be between 1 and 20",
                                      "/maxCandidates", {}});
    }
    for (char c : padding) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
            return Outcome::failure(Error{"request.bad_value",
                                          "Argument /padding may hold only letters and digits",
                                          "/padding", {}});
        }
    }
    ServerVersion v;
    if (!parse_server_version(version, v, err, "/serverVersion")) return Outcome::failure(err);
    const std::size_t min_length = minimum_username_length(v);

    json value = json::object();
    if (!custom.empty()) {
        // A customer's chosen name is used exactly as typed, or refused with the reason.
        const auto errors = validate_username(custom, min_length, "/customUsername");
        if (!errors.empty()) return Outcome::failure(errors.front());
        value["username"] = custom;
        value["source"] = "custom";
        value["candidates"] = json::array({custom});
        return Outcome::success(value);
    }

    const std::string sid = have_service ? std::to_string(service_id) : "";
    std::string base, source;
    if (!email.empty()) {
        base = sanitize_username(email);
        source = "email";
        // "_@_" from an all-CJK address is no name: it needs at least one letter or digit.
        if (base.find_first_of("abcdefghijklmnopqrstuvwxyz0123456789") == std::string::npos) {
            base.clear();
        }
    }
    if (base.empty()) {
        std::string first = sanitize_username(firstname);
        if (first.empty()) first = sanitize_username(lastname);
        if (first.empty()) first = "user";
        if (!have_service) {
            return Outcome::failure(
                Error{"username.no_source",
                      "Cannot derive a username: no custom username, no usable email and no service id",
                      "/serviceId", {}});
        }
        base = first + sid;
        if (base.size() > kUsernameMaxLength) {
            base = first.substr(0, kUsernameMaxLength - sid.size()) + sid;
        }
        source = "name";
    }
    base = pad_to(base, min_length, padding.empty() ? sid : padding);

    // Collision candidates: the name, then "_<service id>", then "_<service id>_<n>", each kept
    // within the length limit by shortening the base, never the suffix.
    json candidates = json::array();
    candidates.push_back(base);
    for (std::uint64_t n = 1; n < max_candidates; ++n) {
        std::string suffix = "_";
        if (have_service) {
            suffix += sid;
            if (n > 1) suffix += "_" + std::to_string(n);
        } else {
            suffix += std::to_string(n + 1);
        }
        std::string stem = base;
        if (stem.size() + suffix.size() > kUsernameMaxLength) {
            stem.resize(kUsernameMaxLength - suffix.size());
        }
        candidates.push_back(stem + suffix);
    }
    value["username"] = base;
    value["source"] = source;
    value["candidates"] = candidates;
    return Outcome::success(value);
}

}  // namespace cometprov
