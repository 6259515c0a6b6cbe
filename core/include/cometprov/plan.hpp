// Every provisioning action as a resumable plan: the core decides, the host only does the HTTP.
// The whole host contract (actions, context keys, effects, steps, secrets, transport errors) is in
// core/PLAN.md.
//
// plan.start  {action, context}    -> step (or plan.bad_context, with the key's path, before any step)
// plan.resume {state, response}    -> step
// step: {"state": "<opaque>", "request": {"endpoint", "params": {name: string}, "secrets": [names],
//        "stream"?: true}}
//    or {"done": {"result": "success" | "<message>", "code"?, "detail"?, "effects": [...], "output"?}}
// response: {"httpStatus": 200, "body": "<raw reply text>"} or
//           {"transportError": {"kind": "connect"|"timeout"|"tls"|"reset"|"other", "message": "..."}}
// The state carries the parsed context (including the service password): hosts keep it in memory
// and never log it. Admin credentials never enter the core; the host adds them to every request.
#pragma once

#include "cometprov/json.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

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

// A streamed reply (core/PLAN.md "Streaming a reply"): for a step whose request says "stream": true,
// a host may feed the body's raw bytes as they arrive instead of plan.resume with the whole body.
//   open(state)           -> {} or an error (plan.bad_state, plan.not_streamed)
//   write(bytes) ...      -> false once the body is known to be unreadable (the host may stop)
//   close(response)       -> exactly the step plan.resume {state, response + body} would return;
//                            response: {"httpStatus": n} or {"transportError": {...}} (no body)
// One stream at a time; open() discards a stream left open, close() ends it.
class PlanStream {
public:
    PlanStream();
    ~PlanStream();
    PlanStream(const PlanStream&) = delete;
    PlanStream& operator=(const PlanStream&) = delete;

    Outcome open(std::string_view state);
    bool write(const char* data, std::size_t len);
    Outcome close(const json& response);
    bool is_open() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace cometprov
