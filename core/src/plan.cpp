// The plan engine: start/resume, the opaque state, reply classification and the action table.
#include "cometprov/plan.hpp"

#include "args.hpp"
#include "plan_detail.hpp"

namespace cometprov {

namespace detail {

namespace {

const json* member(const json& obj, const char* key) {
    if (!obj.is_object()) return nullptr;
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
}

// Context keys, grouped by what reads them.
// The account-name rule reads customfields (the official module's custom Username field).
constexpr KeySet kAccount = keys(Key::username, Key::customfields, Key::marker);
// The actions that may adopt the account under the service's name also read createAttempted: after
// this module's Create was refused, that name may be another customer's (see unfinished_create).
// CreateAccount and AdoptAccount do not read it: Create continues by its own rules, and the admin's
// Adopt button reports what it found before adopting.
constexpr KeySet kAdopting = kAccount | bit(Key::createAttempted);
constexpr KeySet kPackage = keys(Key::configoption1, Key::configoption5, Key::configoptions,
                                 Key::productName);

// The one dispatch: every action, its context keys, its family's phase count, start and resume.
constexpr ActionSpec kActions[] = {
    {"CreateAccount",
     kAccount | kPackage |
         keys(Key::serviceid, Key::password, Key::clientsdetails,
              Key::configoption2, Key::configoption3, Key::serverVersion, Key::serverUrl, Key::now,
              Key::claim),
     bit(Key::now), kCreatePhases, start_create, resume_create},
    {"SuspendAccount", kAdopting, 0, kProfilePhases, start_suspend, resume_profile},
    {"UnsuspendAccount", kAdopting, 0, kProfilePhases, start_unsuspend, resume_profile},
    {"ChangePackage", kAdopting | kPackage, 0, kProfilePhases, start_change_package, resume_profile},
    {"TerminateAccount", kAdopting | bit(Key::configoption4), 0, kTerminatePhases, start_terminate,
     resume_terminate},
    {"ChangePassword", kAdopting | bit(Key::password), 0, kPasswordPhases, start_change_password,
     resume_change_password},
    {"TestConnection", 0, 0, kServerPhases, start_test_connection, resume_test_connection},
    {"UsageUpdate", bit(Key::services), bit(Key::services), kServerPhases, start_usage_update,
     resume_usage_update, usage_sink},
    {"ListAccounts", 0, 0, kServerPhases, start_list_accounts, resume_list_accounts},
    {"ServiceOverview", kAdopting | keys(Key::status, Key::now), bit(Key::now), kOverviewPhases,
     start_service_overview, resume_service_overview},
    {"SignIn", kAdopting | keys(Key::status, Key::role, Key::serverVersion), bit(Key::role),
     kSignInPhases, start_sign_in, resume_sign_in},
    {"AdoptAccount", kAccount | kPackage, 0, kAdoptPhases, start_adopt, resume_adopt},
    {"AdminSingleSignOn", bit(Key::serverUrl), 0, kServerPhases, start_admin_sso, resume_admin_sso},
    {"LoadPolicies", keys(Key::pid, Key::installId), bit(Key::installId), kServerPhases,
     start_load_policies, resume_load_policies},
    {"LoadStorageProviders", 0, 0, kServerPhases, start_load_providers, resume_load_providers},
};
constexpr std::size_t kActionCount = sizeof kActions / sizeof kActions[0];

bool find_action(const std::string& name, std::size_t& index) {
    for (std::size_t i = 0; i < kActionCount; ++i) {
        if (name == kActions[i].name) {
            index = i;
            return true;
        }
    }
    return false;
}

// FNV-1a over the state text. It detects a corrupted or truncated state; it does not authenticate:
// anyone can compute it, so a host must keep states to itself (they also carry the service password)
// and the core re-checks everything it reads back (context types, phase range, scratch types).
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

constexpr int kStateVersion = 2;

Error bad_state_error() {
    return Error{"plan.bad_state", "The plan state is not one this core produced", "/state", {}};
}

bool from_state(const std::string& sealed, Machine& m, Error& err) {
    err = bad_state_error();
    const auto dot = sealed.find('.');
    if (dot != 16) return false;
    const std::string_view text = std::string_view(sealed).substr(dot + 1);
    json s;
    Error ignored;
    if (sealed.compare(0, 16, checksum(text)) != 0 || !parse(text, s, ignored, 512)) return false;
    Fields f(s);
    std::int64_t version = 0, phase = -1;
    std::string action;
    json ctx, scratch, effects;
    f.integer("v", version);
    f.text("action", action);
    f.integer("phase", phase);
    f.text("endpoint", m.endpoint);
    f.value("ctx", ctx);
    f.value("scratch", scratch);
    f.value("effects", effects);
    if (!f.ok() || version != kStateVersion || !find_action(action, m.action) ||
        !scratch.is_object() || !effects.is_array()) {
        return false;
    }
    const ActionSpec& spec = kActions[m.action];
    if (phase < 0 || phase >= spec.phases) return false;
    m.phase = static_cast<int>(phase);
    m.scratch = scratch;
    m.effects = effects;
    Error ctx_err;
    return parse_context(ctx, spec.reads, spec.required, m.ctx, ctx_err);
}

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
        r.transport_kind = text_member(*t, "kind");
        r.message = text_member(*t, "message");
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
            r.message = text_member(r.body, "Message");
            return true;
        }
    }
    r.kind = Reply::Kind::ok;
    return true;
}

}  // namespace

std::string seal_state(const Machine& m) {
    json s = json::object();
    s["v"] = kStateVersion;
    s["action"] = kActions[m.action].name;
    s["phase"] = m.phase;
    s["endpoint"] = m.endpoint;
    s["ctx"] = m.ctx.to_json();
    s["scratch"] = m.scratch;
    s["effects"] = m.effects;
    const std::string body = dump(s);
    return checksum(body) + "." + body;
}

json describe_actions() {
    json out = json::object();
    for (const auto& a : kActions) {
        json reads = json::array();
        json required = json::array();
        for (unsigned i = 0; i < kKeyCount; ++i) {
            const Key k = static_cast<Key>(i);
            if (((a.reads | a.required) & bit(k)) != 0) reads.push_back(key_name(k));
            if ((a.required & bit(k)) != 0) required.push_back(key_name(k));
        }
        json d = json::object();
        d["reads"] = reads;
        d["requires"] = required;
        out[a.name] = d;
    }
    return out;
}

}  // namespace detail

json plan_actions() {
    json out = json::array();
    for (const auto& a : detail::kActions) out.push_back(a.name);
    return out;
}

json plan_context_keys() { return detail::describe_actions(); }

json plan_effects() {
    return json::array(
        {"username", "marker", "claim", "customPassword", "usage", "serverVersion", "adopted",
         "createAttempted"});
}

json plan_secret_params() {
    return json::array(
        {"Password", "TargetPassword", "NewPassword", "OldPassword", "SessionKey", "TOTP", "ProfileData"});
}

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
    detail::Machine m;
    if (!detail::find_action(action, m.action)) {
        return Outcome::failure(Error{"plan.unknown_action", "Unknown action \"" + action + "\"",
                                      "/action", {}});
    }
    const detail::ActionSpec& spec = detail::kActions[m.action];
    static const json kEmpty = json::object();
    const json* ctx = detail::member(args, "context");
    if (ctx == nullptr || ctx->is_null() || (ctx->is_array() && ctx->empty())) {
        ctx = &kEmpty;  // PHP sends an empty array as []
    } else if (!ctx->is_object()) {
        return Outcome::failure(detail::bad_type("/context", "an object", *ctx));
    }
    if (!detail::parse_context(*ctx, spec.reads, spec.required, m.ctx, err)) {
        return Outcome::failure(err);
    }
    if ((spec.reads & detail::bit(detail::Key::createAttempted)) != 0 &&
        detail::unfinished_create(m.ctx)) {
        return Outcome::success(detail::create_unfinished(m));
    }
    json step = spec.start(m);
    if (step.is_null()) return Outcome::failure(detail::bad_state_error());
    return Outcome::success(step);
}

Outcome op_plan_resume(const json& args) {
    Error err;
    std::string state;
    if (!detail::require_string(args, "state", state, err)) return Outcome::failure(err);
    detail::Machine m;
    if (!detail::from_state(state, m, err)) return Outcome::failure(err);
    const json* response = detail::member(args, "response");
    if (response == nullptr || response->is_null()) {
        return Outcome::failure(detail::missing("/response"));
    }
    const detail::ActionSpec& spec = detail::kActions[m.action];
    if (spec.sink != nullptr) {
        // A 200 body of a streamable step is read by the same sink a streaming host feeds.
        const json* status = detail::member(*response, "httpStatus");
        const json* body = detail::member(*response, "body");
        if (detail::member(*response, "transportError") == nullptr && status != nullptr &&
            status->is_number_integer() && *status == 200 && body != nullptr && body->is_string()) {
            auto sink = spec.sink(m);
            const std::string& text = body->get_ref<const std::string&>();
            sink->write(text.data(), text.size());
            json step = sink->finish(m);
            if (step.is_null()) return Outcome::failure(detail::bad_state_error());
            return Outcome::success(std::move(step));
        }
    }
    detail::Reply reply;
    if (!detail::classify(*response, reply, err)) return Outcome::failure(err);
    json step = spec.resume(m, reply);
    if (step.is_null()) return Outcome::failure(detail::bad_state_error());
    return Outcome::success(step);
}

// ---- PlanStream -----------------------------------------------------------------------------------

struct PlanStream::Impl {
    detail::Machine machine;
    std::unique_ptr<detail::BodySink> sink;
};

PlanStream::PlanStream() = default;
PlanStream::~PlanStream() = default;

bool PlanStream::is_open() const { return impl_ != nullptr; }

Outcome PlanStream::open(std::string_view state) {
    impl_.reset();
    auto impl = std::make_unique<Impl>();
    Error err;
    if (!detail::from_state(std::string(state), impl->machine, err)) return Outcome::failure(err);
    const detail::ActionSpec& spec = detail::kActions[impl->machine.action];
    if (spec.sink == nullptr) {
        return Outcome::failure(Error{"plan.not_streamed",
                                      "The reply to this step cannot be streamed: use plan.resume",
                                      "/state", {}});
    }
    impl->sink = spec.sink(impl->machine);
    impl_ = std::move(impl);
    return Outcome::success(json::object());
}

bool PlanStream::write(const char* data, std::size_t len) {
    if (impl_ == nullptr) return false;
    return impl_->sink->write(data, len);
}

Outcome PlanStream::close(const json& response) {
    if (impl_ == nullptr) {
        return Outcome::failure(
            Error{"plan.no_stream", "No stream is open: open one with the step's state first", "", {}});
    }
    std::unique_ptr<Impl> impl = std::move(impl_);
    if (!response.is_object()) return Outcome::failure(detail::bad_type("/response", "an object", response));
    if (detail::member(response, "body") != nullptr) {
        return Outcome::failure(Error{"request.bad_value",
                                      "Argument /response/body must be absent: the body was streamed",
                                      "/response/body", {}});
    }
    const json* status = detail::member(response, "httpStatus");
    json step;
    if (detail::member(response, "transportError") == nullptr && status != nullptr &&
        status->is_number_integer() && *status == 200) {
        step = impl->sink->finish(impl->machine);
    } else {
        json full = response;
        full["body"] = "";  // a non-200 reply's body is never read
        detail::Reply reply;
        Error err;
        if (!detail::classify(full, reply, err)) return Outcome::failure(err);
        step = detail::kActions[impl->machine.action].resume(impl->machine, reply);
    }
    if (step.is_null()) return Outcome::failure(detail::bad_state_error());
    return Outcome::success(std::move(step));
}

}  // namespace cometprov
