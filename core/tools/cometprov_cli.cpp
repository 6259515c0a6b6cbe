// Native command-line front end: one invoke request as JSON on stdin, the response on stdout.
// `cometprov --batch` reads a JSON array of request strings and prints a JSON array of the response
// strings, so conformance tests can compare hosts without one process per request.
// `cometprov --conversations` reads a plan conversations document (tests/vectors/conversations) and
// prints, per conversation, the array of raw responses the core gave: plan.start, then plan.resume
// with each reply in turn, until the plan ends or the replies run out.
// `cometprov --conversations --stream N` answers steps marked "stream" through PlanStream instead,
// writing each 200 reply's body in pieces of N bytes (the close's output is recorded in place of
// plan.resume's: the two must be identical).
#include "cometprov/invoke.hpp"
#include "cometprov/plan.hpp"

#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

std::string outcome_text(const cometprov::Outcome& o) {
    cometprov::json r = cometprov::json::object();
    r["ok"] = o.ok;
    if (o.ok) {
        r["value"] = o.value;
    } else {
        r["error"] = o.error.to_json();
    }
    return cometprov::dump(r);
}

// The reply to a "stream" step, fed through PlanStream in pieces of `chunk` bytes.
std::string streamed(const std::string& state, const cometprov::json& reply, std::size_t chunk) {
    cometprov::PlanStream ps;
    const cometprov::Outcome opened = ps.open(state);
    if (!opened.ok) return outcome_text(opened);
    cometprov::json close = reply;
    if (reply.is_object() && reply.contains("body") && reply["body"].is_string()) {
        const std::string& body = reply["body"].get_ref<const std::string&>();
        for (std::size_t at = 0; at < body.size(); at += chunk) {
            ps.write(body.data() + at, std::min(chunk, body.size() - at));
        }
        close.erase("body");
    }
    return outcome_text(ps.close(close));
}

cometprov::json run_conversation(const cometprov::json& c, std::size_t chunk) {
    cometprov::json responses = cometprov::json::array();
    cometprov::json req = cometprov::json::object();
    req["op"] = "plan.start";
    req["args"]["action"] = c.contains("action") ? c["action"] : cometprov::json();
    req["args"]["context"] = c.contains("context") ? c["context"] : cometprov::json();
    const cometprov::json replies =
        c.contains("replies") && c["replies"].is_array() ? c["replies"] : cometprov::json::array();
    std::size_t used = 0;
    std::string out = cometprov::invoke(cometprov::dump(req));
    for (;;) {
        responses.push_back(out);
        cometprov::json r;
        cometprov::Error err;
        if (!cometprov::parse(out, r, err) || !r.contains("value") || !r["value"].contains("state") ||
            used >= replies.size()) {
            break;
        }
        const cometprov::json& reply = replies[used++];
        if (chunk > 0 && r["value"]["request"].value("stream", false) && reply.is_object() &&
            reply.contains("httpStatus")) {
            out = streamed(r["value"]["state"].get<std::string>(), reply, chunk);
            continue;
        }
        cometprov::json next = cometprov::json::object();
        next["op"] = "plan.resume";
        next["args"]["state"] = r["value"]["state"];
        next["args"]["response"] = reply;
        out = cometprov::invoke(cometprov::dump(next));
    }
    return responses;
}

}  // namespace

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
    if (argc > 1 && std::strcmp(argv[1], "--conversations") == 0) {
        std::size_t chunk = 0;
        if (argc > 3 && std::strcmp(argv[2], "--stream") == 0) chunk = std::strtoul(argv[3], nullptr, 10);
        cometprov::json doc;
        cometprov::Error err;
        if (!cometprov::parse(input, doc, err) || !doc.contains("conversations") ||
            !doc["conversations"].is_array()) {
            std::fputs("cometprov --conversations: stdin must be {\"conversations\": [...]}\n", stderr);
            return 2;
        }
        cometprov::json out = cometprov::json::array();
        for (const auto& c : doc["conversations"]) {
            if (!c.is_object()) {
                std::fputs("cometprov --conversations: every conversation must be an object\n", stderr);
                return 2;
            }
            out.push_back(run_conversation(c, chunk));
        }
        const std::string text = cometprov::dump(out);
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fputc('\n', stdout);
        return 0;
    }
    if (argc > 1) {
        std::fputs("usage: cometprov [--batch | --conversations [--stream N]] < input.json\n", stderr);
        return 2;
    }
    bool ok = false;
    const std::string out = cometprov::invoke(input, ok);
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fputc('\n', stdout);
    // 0: ok; 1: the request was rejected (the reason is in the JSON).
    return ok ? 0 : 1;
}
