// The single JSON entry point shared by every host: {"op", "args"} in, {"ok", "value"|"error"} out.
#pragma once

#include "cometprov/json.hpp"

#include <string>
#include <string_view>

namespace cometprov {

// Runs one request given as JSON text and returns the response as compact JSON text.
// Never throws across this boundary and never aborts on bad input.
std::string invoke(std::string_view request);

// Same, and reports whether the response is {"ok": true} (for the C ABI's status code).
std::string invoke(std::string_view request, bool& ok);

// The names of every op, in the order `version` lists them.
json op_names();

// Runs one already-parsed request (used by the native tests and tools).
Outcome invoke_json(const json& request);

}  // namespace cometprov
