// JSON plumbing shared by every operation: safe parsing, compact output, error serialisation.
#include "cometprov/json.hpp"

namespace cometprov {

json Error::to_json() const {
    json e = json::object();
    e["code"] = code;
    e["message"] = message;
    if (!field.empty()) e["field"] = field;
    if (detail.is_object()) {
        for (auto it = detail.begin(); it != detail.end(); ++it) e[it.key()] = it.value();
    }
    return e;
}

std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

namespace {

// Depth of the deepest [ or { outside strings; stops counting once past the limit.
bool depth_within(std::string_view text, int max_depth) {
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) return false;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return true;
}

}  // namespace

bool parse(std::string_view text, json& out, Error& err, int max_depth) {
    if (!depth_within(text, max_depth)) {
        err = Error{"request.too_deep",
                    "JSON nests deeper than " + std::to_string(max_depth) + " levels", "", {}};
        return false;
    }
    out = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (out.is_discarded()) {
        err = Error{"request.bad_json", "The request is not valid UTF-8 JSON", "", {}};
        return false;
    }
    return true;
}

std::string pointer_token(std::string_view key) {
    std::string out;
    out.reserve(key.size());
    for (char c : key) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace cometprov
