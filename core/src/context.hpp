// The plan context, typed: plan.start parses the host's WHMCS-shaped context once, per action, into
// this structure, and refuses a missing or mistyped key with plan.bad_context and the key's path.
// The state carries the parsed context (re-serialised with the same key names), never the raw one.
#pragma once

#include "cometprov/json.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cometprov::detail {

// Every context key the core reads. An action declares the keys it reads and those it requires;
// keys it does not read are ignored (never type-checked, never stored).
enum class Key : unsigned {
    serviceid,
    pid,
    username,
    password,
    customfields,
    clientsdetails,
    configoption1,
    configoption2,
    configoption3,
    configoption4,
    configoption5,
    configoptions,
    productName,
    serverVersion,
    serverUrl,
    services,
    now,
    installId,
    marker,
    claim,
    status,
    role,
    createAttempted,
};
constexpr unsigned kKeyCount = static_cast<unsigned>(Key::createAttempted) + 1;

using KeySet = std::uint32_t;
constexpr KeySet bit(Key k) { return KeySet{1} << static_cast<unsigned>(k); }
template <typename... K>
constexpr KeySet keys(K... k) {
    return (KeySet{0} | ... | bit(k));
}
const char* key_name(Key k);

// The stored effect `claim`: an add-user whose outcome is unknown, so a retry may adopt the account.
struct Claim {
    std::string username;
    std::int64_t at = 0;  // unix seconds of the attempt
};

struct ServiceRef {
    std::string serviceid;
    std::string username;
    std::string custom_username;  // the service's custom Username field, or empty
    std::string marker;  // the service's stored marker (CreationGUID), or empty
};

// Who asks for a sign-in session (SignIn): the customer from the client area, or a WHMCS admin.
enum class Role { none, customer, admin };

// Unix seconds before 2001-09-09 are no real clock: a claim stamped with them would adopt almost
// any account, so `now` and `claim.at` must be at least this.
constexpr std::int64_t kEarliestTime = 1000000000;

struct Context {
    KeySet reads = 0;             // the keys the action reads (what to_json writes back)
    std::string serviceid;        // digits, or empty
    std::string pid;              // digits, or empty
    std::string username;         // the stored Comet username
    std::string password;         // the WHMCS service password
    std::string custom_username;  // customfields.Username
    std::string custom_password;  // customfields.Password
    std::string email, firstname, lastname;  // clientsdetails
    std::string policy_id;        // configoption1
    std::string vault_provider;   // configoption2
    bool require_password_change = false;  // configoption3
    bool uninstall_on_terminate = false;   // configoption4
    bool keep_vault_limits = false;        // configoption5
    json configoptions;           // an object, or null
    std::string product_name;
    std::string server_version;
    std::string server_url;
    std::vector<ServiceRef> services;
    std::int64_t now = 0;
    std::string install_id;
    std::string marker;           // empty: none recorded
    std::optional<Claim> claim;
    std::string status;           // the WHMCS service status (Active, Suspended, ...)
    Role role = Role::none;
    // The stored effect createAttempted: this module's Create sent add-user for the service and no
    // account is recorded since. With no marker, an account under the service's name may be another
    // customer's (add-user refused the name), so the routine actions must not adopt it.
    bool create_attempted = false;

    // The keys in `reads`, under the names a host sends (parse_context reads it back unchanged).
    json to_json() const;
};

// Refuses admin credentials anywhere in the context, then reads the keys in `reads` and requires
// those in `required`. On failure `err` is plan.bad_context with field "/context/<key>[/<member>]".
bool parse_context(const json& ctx, KeySet reads, KeySet required, Context& out, Error& err);

}  // namespace cometprov::detail
