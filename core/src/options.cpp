// Configurable option names and the mapping of their quantities to Comet quotas.
#include "cometprov/options.hpp"

#include "args.hpp"
#include "cometprov/text.hpp"

#include <array>
#include <limits>

namespace cometprov {

namespace {

constexpr const char* kDevices = "number_of_devices";
constexpr const char* kItemsGB = "protected_item_quota_gb";
constexpr const char* kItemsTB = "protected_item_quota_tb";
constexpr const char* kVaultGB = "storage_vault_quota_gb";
constexpr const char* kVaultTB = "storage_vault_quota_tb";
constexpr std::array<const char*, 5> kKnownKeys{kDevices, kItemsGB, kItemsTB, kVaultGB, kVaultTB};

std::string_view trim(std::string_view s) {
    const char* ws = " \t\r\n\f\v";
    const auto b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(ws);
    return s.substr(b, e - b + 1);
}

// One option's quantity: absent (unset), or an exact non-negative decimal.
struct Quantity {
    bool set = false;
    Decimal value;
    std::string field;
    std::string key;
};

bool read_quantity(const json& v, const std::string& key, const std::string& field, Quantity& q,
                   Error& err) {
    q.field = field;
    q.key = key;
    std::string text;
    if (v.is_null()) return true;
    if (v.is_string()) {
        text = v.get_ref<const std::string&>();
        if (trim(text).empty()) return true;
    } else if (v.is_number()) {
        text = v.dump();
    } else {
        err = Error{"options.bad_type",
                    "Configurable option " + key + " must be a number, not " +
                        detail::type_name(v),
                    field, {}};
        return false;
    }
    if (!parse_decimal(text, q.value)) {
        err = Error{"options.not_a_number",
                    "Configurable option " + key + " must be a number, not \"" +
                        std::string(trim(text)) + "\"",
                    field, {}};
        return false;
    }
    if (q.value.negative && !decimal_is_zero(q.value)) {
        err = Error{"options.negative", "Configurable option " + key + " must not be negative",
                    field, {}};
        return false;
    }
    q.set = true;
    return true;
}

bool nonzero(const Quantity& q) { return q.set && !decimal_is_zero(q.value); }

bool to_bytes(const Quantity& q, std::uint64_t unit, std::int64_t& bytes, Error& err) {
    if (!decimal_times_floor(q.value, unit, bytes)) {
        err = Error{"options.overflow",
                    "Configurable option " + q.key + " is too large for a Comet quota", q.field,
                    {}};
        return false;
    }
    return true;
}

// The quota from a GB/TB pair; only one of the two may carry a non-zero value.
bool pick_quota(const Quantity& gb, const Quantity& tb, Quota& out, bool& any_set, Error& err) {
    any_set = gb.set || tb.set;
    if (nonzero(gb) && nonzero(tb)) {
        err = Error{"options.conflict",
                    "Both " + gb.key + " and " + tb.key + " are set; use only one of them",
                    tb.field, {}};
        return false;
    }
    out = Quota{};
    std::int64_t bytes = 0;
    if (nonzero(gb)) {
        if (!to_bytes(gb, kGiB, bytes, err)) return false;
    } else if (nonzero(tb)) {
        if (!to_bytes(tb, kTiB, bytes, err)) return false;
    }
    out.enabled = bytes > 0;
    out.bytes = bytes;
    return true;
}

bool read_quota_json(const json& j, const std::string& field, Quota& q, Error& err) {
    if (!j.is_object()) {
        err = detail::bad_type(field, "an object", j);
        return false;
    }
    bool enabled = false;
    std::uint64_t bytes = 0;
    auto p = detail::read_bool(j, "enabled", enabled, err, field);
    if (p == detail::Presence::invalid) return false;
    if (p == detail::Presence::absent) {
        err = detail::missing(field + "/enabled");
        return false;
    }
    p = detail::read_uint(j, "bytes", bytes, err, field);
    if (p == detail::Presence::invalid) return false;
    if (p == detail::Presence::absent) {
        err = detail::missing(field + "/bytes");
        return false;
    }
    if (bytes > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        err = Error{"request.bad_value", "Argument " + field + "/bytes is too large", field + "/bytes",
                    {}};
        return false;
    }
    q.enabled = enabled;
    q.bytes = static_cast<std::int64_t>(bytes);
    return true;
}

json quota_json(const Quota& q) {
    json j = json::object();
    j["enabled"] = q.enabled;
    j["bytes"] = q.bytes;
    return j;
}

}  // namespace

bool is_known_option_key(std::string_view key) {
    for (const char* k : kKnownKeys) {
        if (key == k) return true;
    }
    return false;
}

bool parse_option_name(std::string_view name, OptionName& out, Error& err,
                       const std::string& field) {
    out = OptionName{};
    const auto bar = name.find('|');
    const std::string_view key = trim(name.substr(0, bar));
    if (key.empty()) {
        err = Error{"options.empty_key",
                    "Option name \"" + std::string(name) + "\" has no key before the |", field, {}};
        return false;
    }
    out.key = std::string(key);
    if (bar != std::string_view::npos) {
        out.label = std::string(trim(name.substr(bar + 1)));
        out.has_label = !out.label.empty();
    }
    out.known = is_known_option_key(out.key);
    return true;
}

json Quotas::to_json() const {
    json j = json::object();
    j["maximumDevices"] = maximum_devices;
    j["protectedItems"] = quota_json(protected_items);
    if (vault_unchanged) {
        j["storageVault"] = "unchanged";
    } else {
        j["storageVault"] = quota_json(storage_vault);
    }
    return j;
}

bool Quotas::from_json(const json& j, Quotas& out, Error& err, const std::string& field) {
    if (!j.is_object()) {
        err = detail::bad_type(field, "an object", j);
        return false;
    }
    Quotas q;
    std::uint64_t devices = 0;
    if (detail::read_uint(j, "maximumDevices", devices, err, field) == detail::Presence::invalid) {
        return false;
    }
    if (devices > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        err = Error{"request.bad_value", "Argument " + field + "/maximumDevices is too large",
                    field + "/maximumDevices", {}};
        return false;
    }
    q.maximum_devices = static_cast<std::int64_t>(devices);
    auto items = j.find("protectedItems");
    if (items != j.end() && !items->is_null()) {
        if (!read_quota_json(*items, field + "/protectedItems", q.protected_items, err)) return false;
    }
    auto vault = j.find("storageVault");
    if (vault == j.end() || vault->is_null() ||
        (vault->is_string() && vault->get_ref<const std::string&>() == "unchanged")) {
        q.vault_unchanged = true;
    } else if (!read_quota_json(*vault, field + "/storageVault", q.storage_vault, err)) {
        return false;
    }
    out = q;
    return true;
}

bool quotas_from_configoptions(const json& configoptions, bool manage_vault_quota, Quotas& out,
                               Error& err) {
    const std::string base = "/configoptions";
    // PHP encodes an empty array as [], so [] is an empty map too.
    const bool empty_list = configoptions.is_array() && configoptions.empty();
    if (!configoptions.is_null() && !configoptions.is_object() && !empty_list) {
        err = detail::bad_type(base, "an object", configoptions);
        return false;
    }
    std::array<Quantity, 5> found{};
    std::array<bool, 5> seen{};
    if (configoptions.is_object()) {
        for (auto it = configoptions.begin(); it != configoptions.end(); ++it) {
            const std::string field = base + "/" + pointer_token(it.key());
            OptionName name;
            Error ignored;
            if (!parse_option_name(it.key(), name, ignored, field) || !name.known) continue;
            std::size_t index = 0;
            while (name.key != kKnownKeys[index]) ++index;
            if (it.value().is_null()) continue;  // null counts as absent, as in the context
            if (seen[index]) {
                err = Error{"options.duplicate",
                            "Configurable option " + name.key + " is given more than once", field,
                            {}};
                return false;
            }
            seen[index] = true;
            if (!read_quantity(it.value(), name.key, field, found[index], err)) return false;
        }
    }
    Quotas q;
    const Quantity& devices = found[0];
    if (devices.set) {
        if (!decimal_is_integer(devices.value)) {
            err = Error{"options.not_integer",
                        "Configurable option number_of_devices must be a whole number",
                        devices.field, {}};
            return false;
        }
        if (!decimal_times_floor(devices.value, 1, q.maximum_devices)) {
            err = Error{"options.overflow", "Configurable option number_of_devices is too large",
                        devices.field, {}};
            return false;
        }
    }
    bool any = false;
    if (!pick_quota(found[1], found[2], q.protected_items, any, err)) return false;
    if (!pick_quota(found[3], found[4], q.storage_vault, any, err)) return false;
    q.devices_present = seen[0];
    q.items_present = seen[1] || seen[2];
    q.vault_present = seen[3] || seen[4];
    // The vault rule: a product without a storage_vault_quota_* option leaves vault limits as the
    // admin or the storage provider set them (0 lifts them, N sets N); "never change storage vault
    // limits" (manage_vault_quota false) leaves them whatever the options say.
    q.vault_unchanged = !manage_vault_quota || !q.vault_present;
    if (q.vault_unchanged) q.storage_vault = Quota{};
    out = q;
    return true;
}

Outcome op_options_parse_name(const json& args) {
    Error err;
    std::string name;
    if (!detail::require_string(args, "name", name, err)) return Outcome::failure(err);
    OptionName parsed;
    if (!parse_option_name(name, parsed, err, "/name")) return Outcome::failure(err);
    json value = json::object();
    value["key"] = parsed.key;
    value["label"] = parsed.has_label ? json(parsed.label) : json(nullptr);
    value["known"] = parsed.known;
    return Outcome::success(value);
}

Outcome op_options_quotas(const json& args) {
    Error err;
    bool manage = true;
    if (detail::read_bool(args, "manageVaultQuota", manage, err) == detail::Presence::invalid) {
        return Outcome::failure(err);
    }
    json none;
    auto it = args.is_object() ? args.find("configoptions") : args.end();
    const json& configoptions = (args.is_object() && it != args.end()) ? *it : none;
    Quotas q;
    if (!quotas_from_configoptions(configoptions, manage, q, err)) return Outcome::failure(err);
    return Outcome::success(q.to_json());
}

}  // namespace cometprov
