// Comet's password rules: at least 8 code points, on one line.
#pragma once

#include "cometprov/json.hpp"

#include <string_view>
#include <vector>

namespace cometprov {

constexpr std::size_t kPasswordMinLength = 8;

// Every broken rule: password.too_short, password.multiline.
std::vector<Error> validate_password(std::string_view password, const std::string& field);

Outcome op_password_validate(const json& args);

}  // namespace cometprov
