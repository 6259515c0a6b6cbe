// Argument readers: every op checks types before it reads, so no input can trigger a JSON exception.
#include "args.hpp"

namespace cometprov::detail {

const char* type_name(const json& j) {
    switch (j.type()) {
        case json::value_t::null: return "null";
        case json::value_t::boolean: return "boolean";
        case json::value_t::string: return "string";
        case json::value_t::array: return "array";
        case json::value_t::object: return "object";
        case json::value_t::number_integer:
        case json::value_t::number_unsigned: return "integer";
        case json::value_t::number_float: return "number";
        default: return "value";
    }
}

Error missing(const std::string& field) {
    return Error{"request.missing_field", "Missing required argument " + field, field, {}};
}

Error bad_type(const std::string& field, const char* expected, const json& got) {
    return Error{"request.bad_type",
                 "Argument " + field + " must be " + expected + ", not " + type_name(got), field,
                 {}};
}

namespace {
const json* find(const json& args, const char* key) {
    if (!args.is_object()) return nullptr;
    auto it = args.find(key);
    if (it == args.end() || it->is_null()) return nullptr;
    return &*it;
}
}  // namespace

Presence read_string(const json& args, const char* key, std::string& out, Error& err,
                     const std::string& base) {
    const json* v = find(args, key);
    if (v == nullptr) return Presence::absent;
    if (!v->is_string()) {
        err = bad_type(field_of(base, key), "a string", *v);
        return Presence::invalid;
    }
    out = v->get_ref<const std::string&>();
    return Presence::present;
}

bool require_string(const json& args, const char* key, std::string& out, Error& err) {
    switch (read_string(args, key, out, err)) {
        case Presence::present: return true;
        case Presence::absent: err = missing(field_of("", key)); return false;
        case Presence::invalid: return false;
    }
    return false;
}

Presence read_bool(const json& args, const char* key, bool& out, Error& err,
                   const std::string& base) {
    const json* v = find(args, key);
    if (v == nullptr) return Presence::absent;
    if (!v->is_boolean()) {
        err = bad_type(field_of(base, key), "a boolean", *v);
        return Presence::invalid;
    }
    out = v->get<bool>();
    return Presence::present;
}

Presence read_uint(const json& args, const char* key, std::uint64_t& out, Error& err,
                   const std::string& base) {
    const json* v = find(args, key);
    if (v == nullptr) return Presence::absent;
    const std::string field = field_of(base, key);
    if (v->is_number_unsigned()) {
        out = v->get<std::uint64_t>();
        return Presence::present;
    }
    if (v->is_number_integer()) {
        const auto n = v->get<std::int64_t>();
        if (n >= 0) {
            out = static_cast<std::uint64_t>(n);
            return Presence::present;
        }
        err = Error{"request.bad_value", "Argument " + field + " must not be negative", field, {}};
        return Presence::invalid;
    }
    if (v->is_string()) {
        const auto& s = v->get_ref<const std::string&>();
        if (!s.empty() && s.size() <= 19 && s.find_first_not_of("0123456789") == std::string::npos) {
            std::uint64_t n = 0;
            for (char c : s) n = n * 10 + static_cast<std::uint64_t>(c - '0');
            out = n;
            return Presence::present;
        }
        err = Error{"request.bad_value",
                    "Argument " + field + " must be a whole number written in digits", field, {}};
        return Presence::invalid;
    }
    err = bad_type(field, "an integer", *v);
    return Presence::invalid;
}

}  // namespace cometprov::detail
