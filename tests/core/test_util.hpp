// Helpers shared by the core test files.
#pragma once

#include "cometprov/invoke.hpp"

#include <string>

namespace cptest {

using cometprov::json;

// Runs {"op": op, "args": args} and returns the parsed response.
json call(const std::string& op, const json& args);

// The error code of a response, or "" when it succeeded.
std::string code_of(const json& response);

// Parses a literal in a test; fails the test when it is not JSON.
json J(const char* text);

}  // namespace cptest
