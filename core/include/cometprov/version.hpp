// The core's version, build id and ABI version.
#pragma once

#include "cometprov/json.hpp"

namespace cometprov {

constexpr int kAbiVersion = 1;
const char* core_version();
const char* build_id();

Outcome op_version(const json& args);

}  // namespace cometprov
