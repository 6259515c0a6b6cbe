// Which Comet account a WHMCS service names, and whether a text is an email address.
#pragma once

#include <string>
#include <string_view>

namespace cometprov {

// What the official Comet module stores in tblhosting.username when the product has a custom
// Username field: the real name is then in the custom field.
constexpr std::string_view kCustomFieldPlaceholder = "[Using custom field]";

// The Comet username of a service: its stored username, unless that is empty or the official
// module's placeholder; then its custom Username field (possibly empty: no name at all). Both come
// from the service's own records, which is what lets a found account be adopted.
std::string account_name(const std::string& username, const std::string& custom_username);

// True when `username` is a name the admin typed into the service (not empty, not the placeholder).
bool is_hand_set(const std::string& username);

// A plain internet address "local@domain.tld" (ASCII, at most 254 bytes, local part at most 64
// bytes of letters, digits and !#$%&'*+/=?^_`{|}~- in dot-separated runs, domain of two or more
// labels of letters, digits and inner hyphens, a top-level label that is not all digits). What Comet
// stores is typed by end users; WHMCS must not receive anything else as a client's email.
bool is_valid_email(std::string_view text);

}  // namespace cometprov
