// The plan engine: start/resume, the opaque state, reply classification and step wording.
#include "cometprov/plan.hpp"

#include "args.hpp"
#include "cometprov/policy.hpp"
#include "plan_detail.hpp"

namespace cometprov {

namespace detail {

const json* member(const json& obj, const char* key) {
    if (!obj.is_object()) return nullptr;
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
}

std::string ctx_text(const json& ctx, const char* key) {
    const json* v = member(ctx, key);
    if (v == nullptr) return "";
    if (v->is_string()) return v->get_ref<const std::string&>();
    if (v->is_number_unsigned()) return std::to_string(v->get<std::uint64_t>());
    if (v->is_number_integer()) return std::to_string(v->get<std::int64_t>());
    if (v->is_boolean()) return v->get<bool>() ? "1" : "";
    return "";
}

std::string ctx_nested_text(const json& ctx, const char* outer, const char* inner) {
    const json* o = member(ctx, outer);
    return o == nullptr ? "" : ctx_text(*o, inner);
}

bool ctx_flag(const json& ctx, const char* key) {
    const std::string v = ctx_text(ctx, key);
    return v == "on" || v == "yes" || v == "1" || v == "true" || v == "Yes" || v == "On";
}

std::int64_t ctx_int(const json& ctx, const char* key) {
    const std::string v = ctx_text(ctx, key);
    if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos) return 0;
    std::int64_t n = 0;
    for (char c : v) n = n * 10 + (c - '0');
    return n;
}

namespace {

// FNV-1a over the state text. It detects a corrupted or truncated state; it does not authenticate:
// anyone can compute it, so a host must keep states to itself (they also carry the service password).
std::string checksum(std::string_view text) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    static const char* hex = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = hex[h & 0xF];
        h >>= 4;
    }
    return out;
}

}  // namespace

std::string seal_state(const json& state) {
    const std::string body = dump(state);
    return checksum(body) + "." + body;
}

json Machine::to_state() const {
    json s = json::object();
    s["v"] = 1;
    s["action"] = action;
    s["phase"] = phase;
    s["ctx"] = ctx;
    s["data"] = data;
    s["effects"] = effects;
    return s;
}

bool Machine::from_state(const std::string& sealed, Machine& m, Error& err) {
    json s;
    const auto dot = sealed.find('.');
    const std::string_view text =
        dot == std::string::npos ? std::string_view() : std::string_view(sealed).substr(dot + 1);
    if (dot != 16 || sealed.compare(0, 16, checksum(text)) != 0 || !parse(text, s, err, 512)) {
        err = Error{"plan.bad_state", "The plan state is not one this core produced", "/state", {}};
        return false;
    }
    const json* v = member(s, "v");
    const json* action = member(s, "action");
    const json* phase = member(s, "phase");
    const json* ctx = member(s, "ctx");
    const json* data = member(s, "data");
    const json* effects = member(s, "effects");
    if (v == nullptr || !v->is_number_integer() || *v != 1 || action == nullptr ||
        !action->is_string() || phase == nullptr || !phase->is_string() || ctx == nullptr ||
        !ctx->is_object() || data == nullptr || !data->is_object() || effects == nullptr ||
        !effects->is_array()) {
        err = Error{"plan.bad_state", "The plan state is not one this core produced", "/state", {}};
        return false;
    }
    m.action = action->get<std::string>();
    m.phase = phase->get<std::string>();
    m.ctx = *ctx;
    m.data = *data;
    m.effects = *effects;
    return true;
}

json request_step(Machine& m, const std::string& phase, const std::string& endpoint,
                  const json& params, const std::vector<std::string>& secrets) {
    m.phase = phase;
    json req = json::object();
    req["endpoint"] = endpoint;
    req["params"] = params.is_object() ? params : json::object();
    req["secrets"] = json::array();
    for (const auto& s : secrets) req["secrets"].push_back(s);
    json step = json::object();
    step["state"] = seal_state(m.to_state());
    step["request"] = req;
    return step;
}

json done_success(const Machine& m, const json& output) {
    json d = json::object();
    d["result"] = "success";
    d["effects"] = m.effects;
    if (!output.is_null()) d["output"] = output;
    json step = json::object();
    step["done"] = d;
    return step;
}

json done_failure(const Machine& m, const std::string& code, const std::string& message) {
    json d = json::object();
    d["result"] = message;
    d["code"] = code;
    d["effects"] = m.effects;
    json step = json::object();
    step["done"] = d;
    return step;
}

json done_reply_failure(const Machine& m, const Reply& r, const std::string& endpoint) {
    switch (r.kind) {
        case Reply::Kind::transport:
            if (r.transport_kind == "tls") {
                return done_failure(m, "comet.tls",
                                    "TLS verification of the Comet Server failed: " + r.message);
            }
            if (r.transport_kind == "timeout") {
                return done_failure(m, "comet.timeout",
                                    "The Comet Server did not answer " + endpoint + " in time");
            }
            if (r.transport_kind == "connect") {
                return done_failure(m, "comet.unreachable",
                                    "Could not connect to the Comet Server: " + r.message);
            }
            return done_failure(m, "comet.transport",
                                "The connection to the Comet Server failed during " + endpoint +
                                    ": " + r.message);
        case Reply::Kind::http_error:
            return done_failure(m, "comet.http",
                                "The Comet Server answered " + endpoint + " with HTTP " +
                                    std::to_string(r.status));
        case Reply::Kind::bad_body:
            return done_failure(m, "comet.bad_reply",
                                "The Comet Server sent an unreadable reply to " + endpoint);
        case Reply::Kind::api_error:
            if (r.status == 403 && r.message == "ERR_TOTP_REQUIRED") {
                return done_failure(m, "comet.totp_required",
                                    "The Comet admin account requires two-factor authentication "
                                    "(TOTP); use an admin account without it for WHMCS");
            }
            if (r.status == 403) {
                return done_failure(m, "comet.auth",
                                    "The Comet Server refused the admin credentials: " + r.message);
            }
            return done_failure(m, "comet.api_error",
                                "The Comet Server refused " + endpoint + ": " + r.message +
                                    " (Status " + std::to_string(r.status) + ")");
        case Reply::Kind::ok:
            break;
    }
    return done_failure(m, "comet.unexpected",
                        "The Comet Server's reply to " + endpoint + " was not the expected one");
}

namespace {

Error bad_context(const std::string& key, const std::string& why) {
    return Error{"plan.bad_context", "Context key " + key + " " + why, "/context/" + pointer_token(key), {}};
}

bool valid_install_id(const std::string& id) {
    return !id.empty() && id.size() <= 32 &&
           id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
               std::string::npos;
}

}  // namespace

// Unix seconds before 2001-09-09 cannot be a real clock: a claim stamped with them would adopt
// almost any account.
constexpr std::int64_t kEarliestNow = 1000000000;

bool check_context(const std::string& action, const json& ctx, Error& err) {
    for (const char* key : {"serverpassword", "serverusername", "serveraccesshash"}) {
        if (member(ctx, key) != nullptr) {
            err = bad_context(key, "must not be in the context: the host adds the admin credentials "
                                   "to each request itself");
            return false;
        }
    }
    if (action == "CreateAccount") {
        const json* now = member(ctx, "now");
        bool ok = now != nullptr && now->is_number_integer();
        if (ok) {
            ok = now->is_number_unsigned()
                     ? now->get<std::uint64_t>() >= static_cast<std::uint64_t>(kEarliestNow)
                     : now->get<std::int64_t>() >= kEarliestNow;
        }
        if (!ok) {
            err = bad_context("now", "is required: the current time in unix seconds (an integer)");
            return false;
        }
    }
    if (action == "LoadPolicies") {
        const json* id = member(ctx, "installId");
        if (id == nullptr || !id->is_string() || !valid_install_id(id->get<std::string>())) {
            err = bad_context("installId",
                              "is required: the WHMCS installation's ID, 1 to 32 letters and digits");
            return false;
        }
    }
    return true;
}

namespace {

bool classify(const json& response, Reply& r, Error& err) {
    if (!response.is_object()) {
        err = bad_type("/response", "an object", response);
        return false;
    }
    if (const json* t = member(response, "transportError")) {
        if (!t->is_object()) {
            err = bad_type("/response/transportError", "an object", *t);
            return false;
        }
        r.kind = Reply::Kind::transport;
        r.transport_kind = ctx_text(*t, "kind");
        r.message = ctx_text(*t, "message");
        if (r.transport_kind.empty()) r.transport_kind = "other";
        if (r.message.empty()) r.message = r.transport_kind;
        return true;
    }
    const json* status = member(response, "httpStatus");
    const json* body = member(response, "body");
    if (status == nullptr || !status->is_number_integer()) {
        err = Error{"request.missing_field",
                    "Missing required argument /response/httpStatus (or /response/transportError)",
                    "/response/httpStatus", {}};
        return false;
    }
    if (body == nullptr || !body->is_string()) {
        err = Error{"request.missing_field", "Missing required argument /response/body (a string)",
                    "/response/body", {}};
        return false;
    }
    const std::int64_t http = status->is_number_unsigned()
                                  ? static_cast<std::int64_t>(status->get<std::uint64_t>())
                                  : status->get<std::int64_t>();
    if (http != 200) {
        r.kind = Reply::Kind::http_error;
        r.status = http;
        return true;
    }
    Error ignored;
    if (!parse(body->get_ref<const std::string&>(), r.body, ignored, 512)) {
        r.kind = Reply::Kind::bad_body;
        return true;
    }
    // Comet reports failures as HTTP 200 with {"Status": >= 400, "Message": ...}.
    const json* st = member(r.body, "Status");
    if (st != nullptr && st->is_number_integer()) {
        const std::int64_t s = st->is_number_unsigned()
                                   ? static_cast<std::int64_t>(st->get<std::uint64_t>())
                                   : st->get<std::int64_t>();
        if (s >= 400) {
            r.kind = Reply::Kind::api_error;
            r.status = s;
            r.message = ctx_text(r.body, "Message");
            return true;
        }
    }
    r.kind = Reply::Kind::ok;
    return true;
}

using StartFn = json (*)(Machine&);
using ResumeFn = json (*)(Machine&, const Reply&);

struct ActionEntry {
    const char* name;
    StartFn start;
    ResumeFn resume;
};

constexpr ActionEntry kActions[] = {
    {"CreateAccount", start_create, resume_create},
    {"SuspendAccount", start_profile_edit, resume_profile_edit},
    {"UnsuspendAccount", start_profile_edit, resume_profile_edit},
    {"ChangePackage", start_profile_edit, resume_profile_edit},
    {"TerminateAccount", start_terminate, resume_terminate},
    {"ChangePassword", start_change_password, resume_change_password},
    {"TestConnection", start_server_action, resume_server_action},
    {"UsageUpdate", start_server_action, resume_server_action},
    {"ListAccounts", start_server_action, resume_server_action},
    {"ServiceSingleSignOn", start_server_action, resume_server_action},
    {"AdminSingleSignOn", start_server_action, resume_server_action},
    {"LoadPolicies", start_server_action, resume_server_action},
    {"LoadStorageProviders", start_server_action, resume_server_action},
};

const ActionEntry* find_action(const std::string& name) {
    for (const auto& a : kActions) {
        if (name == a.name) return &a;
    }
    return nullptr;
}

}  // namespace

}  // namespace detail

std::string managed_policy_id(std::uint64_t product_id, const std::string& install_id) {
    return "WHMCS_" + install_id + "_P" + std::to_string(product_id);
}

Outcome op_policy_id_for_product(const json& args) {
    Error err;
    std::uint64_t pid = 0;
    auto p = detail::read_uint(args, "productId", pid, err);
    if (p == detail::Presence::invalid) return Outcome::failure(err);
    if (p == detail::Presence::absent) return Outcome::failure(detail::missing("/productId"));
    std::string install;
    if (!detail::require_string(args, "installId", install, err)) return Outcome::failure(err);
    if (install.empty() || install.size() > 32 ||
        install.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") !=
            std::string::npos) {
        return Outcome::failure(Error{"request.bad_value",
                                      "Argument /installId must be 1 to 32 letters and digits",
                                      "/installId", {}});
    }
    json v = json::object();
    v["policyId"] = managed_policy_id(pid, install);
    return Outcome::success(v);
}

Outcome op_plan_start(const json& args) {
    Error err;
    std::string action;
    if (!detail::require_string(args, "action", action, err)) return Outcome::failure(err);
    const detail::ActionEntry* entry = detail::find_action(action);
    if (entry == nullptr) {
        return Outcome::failure(Error{"plan.unknown_action", "Unknown action \"" + action + "\"",
                                      "/action", {}});
    }
    detail::Machine m;
    m.action = action;
    const json* ctx = detail::member(args, "context");
    if (ctx != nullptr && !ctx->is_null()) {
        if (ctx->is_array() && ctx->empty()) {
            m.ctx = json::object();
        } else if (!ctx->is_object()) {
            return Outcome::failure(detail::bad_type("/context", "an object", *ctx));
        } else {
            m.ctx = *ctx;
        }
    }
    if (!detail::check_context(action, m.ctx, err)) return Outcome::failure(err);
    return Outcome::success(entry->start(m));
}

Outcome op_plan_resume(const json& args) {
    Error err;
    std::string state;
    if (!detail::require_string(args, "state", state, err)) return Outcome::failure(err);
    detail::Machine m;
    if (!detail::Machine::from_state(state, m, err)) return Outcome::failure(err);
    const detail::ActionEntry* entry = detail::find_action(m.action);
    if (entry == nullptr) {
        return Outcome::failure(
            Error{"plan.bad_state", "The plan state is not one this core produced", "/state", {}});
    }
    const json* response = detail::member(args, "response");
    if (response == nullptr || response->is_null()) {
        return Outcome::failure(detail::missing("/response"));
    }
    detail::Reply reply;
    if (!detail::classify(*response, reply, err)) return Outcome::failure(err);
    return Outcome::success(entry->resume(m, reply));
}

}  // namespace cometprov
