// The account-name rule and the email check (see cometprov/account.hpp).
#include "cometprov/account.hpp"

namespace cometprov {

bool is_hand_set(const std::string& username) {
    return !username.empty() && username != kCustomFieldPlaceholder;
}

std::string account_name(const std::string& username, const std::string& custom_username) {
    return is_hand_set(username) ? username : custom_username;
}

namespace {

bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_atext(char c) {
    if (is_alnum(c)) return true;
    for (char k : std::string_view("!#$%&'*+/=?^_`{|}~-")) {
        if (c == k) return true;
    }
    return false;
}

bool valid_local(std::string_view s) {
    if (s.empty() || s.size() > 64 || s.front() == '.' || s.back() == '.') return false;
    char prev = 0;
    for (char c : s) {
        if (c == '.' ? prev == '.' : !is_atext(c)) return false;
        prev = c;
    }
    return true;
}

bool valid_label(std::string_view l) {
    if (l.empty() || l.size() > 63 || l.front() == '-' || l.back() == '-') return false;
    for (char c : l) {
        if (!is_alnum(c) && c != '-') return false;
    }
    return true;
}

bool valid_domain(std::string_view s) {
    if (s.size() > 253) return false;
    std::size_t labels = 0;
    std::string_view last;
    while (true) {
        const auto dot = s.find('.');
        last = s.substr(0, dot);
        if (!valid_label(last)) return false;
        ++labels;
        if (dot == std::string_view::npos) break;
        s.remove_prefix(dot + 1);
    }
    if (labels < 2) return false;
    for (char c : last) {
        if (!(c >= '0' && c <= '9')) return true;
    }
    return false;  // "1.2.3.4" is no mail domain
}

}  // namespace

bool is_valid_email(std::string_view text) {
    if (text.size() > 254) return false;
    const auto at = text.rfind('@');
    if (at == std::string_view::npos) return false;
    return valid_local(text.substr(0, at)) && valid_domain(text.substr(at + 1));
}

}  // namespace cometprov
