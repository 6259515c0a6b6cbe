// Edits to a full Comet UserProfileConfig that touch only what the module owns.
#pragma once

#include "cometprov/json.hpp"
#include "cometprov/options.hpp"

#include <optional>
#include <string>

namespace cometprov {

struct ProfileEdit {
    std::optional<Quotas> quotas;
    std::optional<bool> suspended;
    std::optional<std::string> policy_id;
};

// Applies the edit in place. Unknown fields, key order and number formats are kept; only the edited
// members change. Returns false (and fills err) when the profile has the wrong shape.
bool apply_profile_edit(json& profile, const ProfileEdit& edit, bool& changed, Error& err,
                        const std::string& field);

Outcome op_profile_apply(const json& args);

}  // namespace cometprov
