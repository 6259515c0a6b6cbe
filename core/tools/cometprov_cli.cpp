// Native command-line front end: one invoke request as JSON on stdin, the response on stdout.
// `cometprov --batch` reads a JSON array of request strings and prints a JSON array of the response
// strings, so conformance tests can compare hosts without one process per request.
#include "cometprov/invoke.hpp"

#include <cstdio>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
    std::string input;
    char buf[65536];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) input.append(buf, n);
    if (argc > 1 && std::strcmp(argv[1], "--batch") == 0) {
        cometprov::json requests;
        cometprov::Error err;
        if (!cometprov::parse(input, requests, err, 4) || !requests.is_array()) {
            std::fputs("cometprov --batch: stdin must be a JSON array of request strings\n", stderr);
            return 2;
        }
        cometprov::json out = cometprov::json::array();
        for (const auto& r : requests) {
            if (!r.is_string()) {
                std::fputs("cometprov --batch: every element must be a string\n", stderr);
                return 2;
            }
            out.push_back(cometprov::invoke(r.get_ref<const std::string&>()));
        }
        const std::string text = cometprov::dump(out);
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fputc('\n', stdout);
        return 0;
    }
    if (argc > 1) {
        std::fputs("usage: cometprov [--batch] < request.json\n", stderr);
        return 2;
    }
    bool ok = false;
    const std::string out = cometprov::invoke(input, ok);
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fputc('\n', stdout);
    // 0: ok; 1: the request was rejected (the reason is in the JSON).
    return ok ? 0 : 1;
}
