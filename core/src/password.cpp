// Password rules: Comet needs at least 8 characters on one line; anything else is allowed.
#include "cometprov/password.hpp"

#include "args.hpp"
#include "cometprov/text.hpp"

namespace cometprov {

std::vector<Error> validate_password(std::string_view password, const std::string& field) {
    std::vector<Error> errors;
    const std::size_t length = utf8_decode(password).size();
    if (length < kPasswordMinLength) {
        json d = json::object();
        d["minimum"] = kPasswordMinLength;
        d["length"] = length;
        errors.push_back(Error{"password.too_short",
                               "Password must be at least " + std::to_string(kPasswordMinLength) +
                                   " characters long; it has " + std::to_string(length),
                               field, d});
    }
    if (password.find_first_of("\r\n") != std::string_view::npos) {
        errors.push_back(Error{"password.multiline",
                               "Password must be on one line (no line breaks)", field, {}});
    }
    return errors;
}

Outcome op_password_validate(const json& args) {
    Error err;
    std::string password;
    if (!detail::require_string(args, "password", password, err)) return Outcome::failure(err);
    const auto errors = validate_password(password, "/password");
    json value = json::object();
    value["valid"] = errors.empty();
    value["errors"] = json::array();
    for (const auto& e : errors) value["errors"].push_back(e.to_json());
    return Outcome::success(value);
}

}  // namespace cometprov
