// Native command-line front end: one invoke request as JSON on stdin, the response on stdout.
#include "cometprov/invoke.hpp"

#include <cstdio>
#include <string>

int main() {
    std::string input;
    char buf[65536];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) input.append(buf, n);
    bool ok = false;
    const std::string out = cometprov::invoke(input, ok);
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fputc('\n', stdout);
    // 0: ok; 1: the request was rejected (the reason is in the JSON).
    return ok ? 0 : 1;
}
