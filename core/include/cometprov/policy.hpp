// The restricted Comet group policy that "[Create New Policy Group]" creates.
#pragma once

#include "cometprov/json.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace cometprov {

constexpr std::uint64_t kDestinationComet = 1003;
constexpr std::uint64_t kDestinationLocalCopy = 1002;
constexpr int kSettingEnforcedOn = 3;

struct PolicyRequest {
    std::string product_name;
    std::string policy_id;
    std::vector<std::uint64_t> allowed_providers{kDestinationComet};
};

// A GroupPolicy JSON object: {"Description", "Policy": UserPolicy}.
json restricted_policy(const PolicyRequest& req);

Outcome op_policy_restricted(const json& args);

}  // namespace cometprov
