// Every provisioning action as a resumable plan: the core decides, the host only does the HTTP.
// The whole host contract (actions, context keys, effects, steps, secrets, transport errors) is in
// core/PLAN.md.
//
// plan.start  {action, context}    -> step (or plan.bad_context, with the key's path, before any step)
// plan.resume {state, response}    -> step
// step: {"state": "<opaque>", "request": {"endpoint", "params": {name: string}, "secrets": [names]}}
//    or {"done": {"result": "success" | "<message>", "code"?, "detail"?, "effects": [...], "output"?}}
// response: {"httpStatus": 200, "body": "<raw reply text>"} or
//           {"transportError": {"kind": "connect"|"timeout"|"tls"|"reset"|"other", "message": "..."}}
// The state carries the parsed context (including the service password): hosts keep it in memory
// and never log it. Admin credentials never enter the core; the host adds them to every request.
#pragma once

#include "cometprov/json.hpp"

#include <string>

namespace cometprov {

// The stable, product-derived ID of the policy that "[Create New Policy Group]" creates.
std::string managed_policy_id(std::uint64_t product_id, const std::string& install_id);

// What `version` publishes: action names, each action's context keys ({action: {reads, requires}}),
// effect types and the parameter names a host must always mask.
json plan_actions();
json plan_context_keys();
json plan_effects();
json plan_secret_params();

Outcome op_plan_start(const json& args);
Outcome op_plan_resume(const json& args);
Outcome op_policy_id_for_product(const json& args);

}  // namespace cometprov
