// Every provisioning action as a resumable plan: the core decides, the host only does the HTTP.
//
// plan.start  {action, context}    -> step
// plan.resume {state, response}    -> step
// step: {"state": "<opaque>", "request": {"endpoint", "params": {name: string}, "secrets": [names]}}
//    or {"done": {"result": "success" | "<message>", "code"?, "effects": [...], "output"?: {...}}}
// response: {"httpStatus": 200, "body": "<raw reply text>"} or
//           {"transportError": {"kind": "connect"|"timeout"|"tls"|"reset"|"other", "message": "..."}}
// The state carries the context (including the service password): hosts keep it in memory and
// never log it. Admin credentials never enter the core; the host adds them to every request.
#pragma once

#include "cometprov/json.hpp"

#include <string>

namespace cometprov {

// The stable, product-derived ID of the policy that "[Create New Policy Group]" creates.
std::string managed_policy_id(std::uint64_t product_id, const std::string& install_id);

Outcome op_plan_start(const json& args);
Outcome op_plan_resume(const json& args);
Outcome op_policy_id_for_product(const json& args);

}  // namespace cometprov
