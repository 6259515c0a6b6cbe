// Version facts, fixed at build time.
#include "cometprov/version.hpp"

#include "cometprov/invoke.hpp"
#include "cometprov/plan.hpp"

#ifndef COMETPROV_VERSION
#define COMETPROV_VERSION "0.0.0"
#endif
#include "build_id.h"

namespace cometprov {

const char* core_version() { return COMETPROV_VERSION; }
const char* build_id() { return COMETPROV_BUILD_ID; }

Outcome op_version(const json&) {
    json v = json::object();
    v["version"] = core_version();
    v["build"] = build_id();
    v["abiVersion"] = kAbiVersion;
    // What hosts would otherwise copy by hand: they read these lists from the core.
    v["ops"] = op_names();
    v["actions"] = plan_actions();
    v["contextKeys"] = plan_context_keys();
    v["effects"] = plan_effects();
    v["secretParams"] = plan_secret_params();
    return Outcome::success(v);
}

}  // namespace cometprov
