// Native timing of one invoke for a few typical ops (for `make bench`; never part of the tests).
// Prints JSON: per op, the median and minimum microseconds per invoke over several rounds.
#include "cometprov/invoke.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

int main() {
    const std::vector<std::pair<const char*, std::string>> ops = {
        {"username.validate", R"({"op":"username.validate","args":{"username":"john_backup@example.com"}})"},
        {"options.quotas", R"({"op":"options.quotas","args":{"configoptions":{"number_of_devices|Devices":"3","protected_item_quota_gb":"100","storage_vault_quota_gb":"250"}}})"},
        {"plan.start CreateAccount", R"({"op":"plan.start","args":{"action":"CreateAccount","context":{"serviceid":42,"password":"Wh1mcs-Generated","configoptions":{"number_of_devices":"3"},"configoption1":"WHMCS_P3","clientsdetails":{"email":"john+x@example.com"},"now":1764500000,"serverVersion":"25.9.8"}}})"},
    };
    const int rounds = 15, per_round = 2000;
    std::printf("{");
    bool first = true;
    for (const auto& [name, req] : ops) {
        std::vector<double> us;
        std::size_t sink = 0;
        for (int r = 0; r < rounds; ++r) {
            const auto t0 = std::chrono::steady_clock::now();
            for (int i = 0; i < per_round; ++i) sink += cometprov::invoke(req).size();
            const auto t1 = std::chrono::steady_clock::now();
            us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count() / per_round);
        }
        std::sort(us.begin(), us.end());
        std::printf("%s\"%s\":{\"medianUs\":%.3f,\"minUs\":%.3f,\"checksum\":%zu}", first ? "" : ",", name,
                    us[us.size() / 2], us.front(), sink % 1000);
        first = false;
    }
    std::printf("}\n");
    return 0;
}
