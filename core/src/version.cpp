// Version facts, fixed at build time.
#include "cometprov/version.hpp"

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
    return Outcome::success(v);
}

}  // namespace cometprov
