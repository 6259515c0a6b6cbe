// Typed, non-throwing readers for an operation's args object (internal to the core).
#pragma once

#include "cometprov/json.hpp"

#include <cstdint>
#include <string>

namespace cometprov::detail {

enum class Presence { absent, present, invalid };

inline std::string field_of(const std::string& base, const char* key) {
    return base + "/" + pointer_token(key);
}

// Missing or null keys are `absent`; a wrong type is `invalid` with err filled.
Presence read_string(const json& args, const char* key, std::string& out, Error& err,
                     const std::string& base = "");
Presence read_bool(const json& args, const char* key, bool& out, Error& err,
                   const std::string& base = "");
// A required string: false with err filled (wrong type, or missing/null) unless it is present.
bool require_string(const json& args, const char* key, std::string& out, Error& err);
// Accepts a JSON integer or a string of decimal digits (WHMCS ids arrive as either).
Presence read_uint(const json& args, const char* key, std::uint64_t& out, Error& err,
                   const std::string& base = "");

Error missing(const std::string& field);
Error bad_type(const std::string& field, const char* expected, const json& got);
const char* type_name(const json& j);

}  // namespace cometprov::detail
