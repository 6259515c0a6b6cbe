// Helpers shared by the core test files.
#include "test_util.hpp"

#include <gtest/gtest.h>

namespace cptest {

json call(const std::string& op, const json& args) {
    json req = json::object();
    req["op"] = op;
    req["args"] = args;
    const std::string out = cometprov::invoke(cometprov::dump(req));
    json parsed = json::parse(out, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << out;
    return parsed;
}

std::string code_of(const json& response) {
    auto e = response.find("error");
    if (e == response.end() || !e->is_object()) return "";
    auto c = e->find("code");
    return c != e->end() && c->is_string() ? c->get<std::string>() : "";
}

json J(const char* text) {
    json j = json::parse(text, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << text;
    return j;
}

}  // namespace cptest
