// Comet's username rules, and how the module derives a username for a new service.
#pragma once

#include "cometprov/json.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cometprov {

constexpr std::size_t kUsernameMaxLength = 255;
constexpr std::size_t kUsernameLegacyMinimum = 6;  // Comet before 21.9.10
constexpr std::size_t kUsernameModernMinimum = 1;  // Comet 21.9.10 and newer

struct ServerVersion {
    bool known = false;
    long major = 0, minor = 0, patch = 0;
};

// "", absent or null mean unknown. Accepts "21.9.10", "v21.9.10", "21.9" and trailing text after a
// space ("25.9.8 (Voyager)"). Anything else is an error naming `field`.
bool parse_server_version(std::string_view text, ServerVersion& out, Error& err,
                          const std::string& field);
bool version_at_least(const ServerVersion& v, long major, long minor, long patch);

// Minimum username length the given server enforces; unknown versions get the stricter legacy rule.
std::size_t minimum_username_length(const ServerVersion& v);

// Every broken rule, each an Error with code username.{empty,too_short,too_long,bad_char}.
std::vector<Error> validate_username(std::string_view name, std::size_t min_length,
                                     const std::string& field);

// Maps arbitrary text (an email, a name) into Comet's character set, deterministically:
// ASCII letters lower-cased, common Latin letters with diacritics folded, anything else becomes "_",
// runs of "_" collapse, leading and trailing "_" are dropped, length capped at 255.
std::string sanitize_username(std::string_view raw);

Outcome op_username_validate(const json& args);
Outcome op_username_derive(const json& args);

}  // namespace cometprov
