// Shared JSON vocabulary of the core: the document type, the error value, and the outcome of an operation.
#pragma once

#include "cometprov/indexed_map.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace cometprov {

// Insertion-ordered, so that profile round trips keep the key order Comet sent and every host prints
// the same bytes; indexed, so that objects with many keys parse and search in linear time.
using json = nlohmann::basic_json<indexed_ordered_map>;

// A rejection, as data. `code` is stable ("<area>.<name>", catalogued in core/ERRORS.md); `message` is
// for humans; `field` is a JSON pointer into the op's args ("/configoptions/number_of_devices"), empty
// when no single field is at fault; `detail` carries extra members (e.g. "position").
struct Error {
    std::string code;
    std::string message;
    std::string field;
    json detail = json::object();

    json to_json() const;
};

// The result of every operation: a value or an error, never both.
struct Outcome {
    bool ok = false;
    json value;
    Error error;

    static Outcome success(json v) {
        Outcome o;
        o.ok = true;
        o.value = std::move(v);
        return o;
    }
    static Outcome failure(Error e) {
        Outcome o;
        o.error = std::move(e);
        return o;
    }
};

// Serialises compactly, replacing invalid UTF-8 instead of aborting.
std::string dump(const json& j);

// Parses untrusted text without exceptions. Rejects nesting deeper than `max_depth` before parsing,
// so hostile input cannot exhaust the (small) wasm stack. Returns false and fills `err` on failure.
bool parse(std::string_view text, json& out, Error& err, int max_depth = 256);

// Escapes one object key for use as a JSON pointer token (RFC 6901).
std::string pointer_token(std::string_view key);

}  // namespace cometprov
