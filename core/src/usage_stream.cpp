// The incremental list-users-full reader: a push tokenizer for the whole body, nlohmann for each
// wanted user's profile once it is complete. See usage_stream.hpp.
#include "cometprov/usage_stream.hpp"

#include "cometprov/policy.hpp"
#include "cometprov/text.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace cometprov {

namespace {

constexpr std::size_t npos = static_cast<std::size_t>(-1);
constexpr std::uint64_t kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

inline bool is_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
inline bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

int hex_value(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

unsigned hex4(const std::string& s, std::size_t at) {
    unsigned v = 0;
    for (std::size_t k = 0; k < 4; ++k) v = v * 16 + static_cast<unsigned>(hex_value(static_cast<unsigned char>(s[at + k])));
    return v;
}

// The text of a JSON string's raw content (between the quotes), already checked by the tokenizer.
// Writes into `out`, reusing its capacity (member names repeat for every user).
void decode_into(const std::string& raw, std::string& out) {
    if (raw.find('\\') == std::string::npos) {
        out.assign(raw);
        return;
    }
    out.clear();
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const char c = raw[i];
        if (c != '\\') {
            out += c;
            continue;
        }
        const char e = raw[++i];
        switch (e) {
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                unsigned cp = hex4(raw, i + 1);
                i += 4;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    const unsigned low = hex4(raw, i + 3);  // the tokenizer guarantees "\uDC00-\uDFFF"
                    i += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                }
                out += utf8_encode(static_cast<char32_t>(cp));
                break;
            }
            default: out += e; break;  // " \ /
        }
    }
}

// A non-negative byte count from a number's JSON text: negative counts as 0, huge values saturate.
std::uint64_t bytes_of(const std::string& text) {
    if (text.empty() || text[0] == '-') return 0;
    if (text.find_first_of(".eE") == std::string::npos) {
        std::uint64_t v = 0;
        for (char c : text) {
            const auto d = static_cast<std::uint64_t>(c - '0');
            if (v > (kMax - d) / 10) return kMax;
            v = v * 10 + d;
        }
        return v;
    }
    const double d = std::strtod(text.c_str(), nullptr);
    if (!(d > 0)) return 0;
    if (d >= 9.2e18) return kMax;
    return static_cast<std::uint64_t>(d);
}

void append_limited(std::string& buf, const char* from, std::size_t n, std::size_t limit, bool& overflow) {
    if (overflow || n == 0) return;
    if (buf.size() + n > limit) {
        overflow = true;
        std::string().swap(buf);
        return;
    }
    buf.append(from, n);
}

}  // namespace

UsageStream::UsageStream(const std::vector<std::string>& wanted) {
    wanted_slot_.reserve(wanted.size());
    slot_of_.reserve(wanted.size());
    for (const auto& w : wanted) {
        if (w.empty()) {
            wanted_slot_.push_back(npos);
            continue;
        }
        auto it = slot_of_.find(w);
        if (it == slot_of_.end()) {
            it = slot_of_.emplace(w, usage_.size()).first;
            usage_.emplace_back();
        }
        wanted_slot_.push_back(it->second);
    }
    stack_.reserve(16);
}

const UsageStream::Usage& UsageStream::usage(std::size_t i) const {
    static const Usage none;
    if (i >= wanted_slot_.size() || wanted_slot_[i] == npos) return none;
    return usage_[wanted_slot_[i]];
}

bool UsageStream::envelope(std::int64_t& status, std::string& message) const {
    if (!has_status_ || status_ < 400) return false;
    status = status_;
    message = message_;
    return true;
}

bool UsageStream::is_map() const {
    return root_ == '{' || root_ == 'n' || (root_ == '[' && root_array_empty_);
}

void UsageStream::fail(const char* why, std::uint64_t at) {
    state_ = St::error;
    syntax_error_ = why;
    error_offset_ = at;
    key_capture_ = false;
    capturing_ = false;
    std::string().swap(capture_);
    std::string().swap(key_raw_);
}

void UsageStream::note_problem(const std::string& user, const std::string& field, const std::string& what) {
    if (has_problem_) return;
    has_problem_ = true;
    problem_ = Problem{user, field, what};
}

bool UsageStream::begin_value(unsigned char c, std::size_t i) {
    St next = St::number;
    switch (c) {
        case '{':
        case '[':
            if (stack_.size() >= kMaxDepth) {
                fail("the JSON nests deeper than 512 levels", offset_ + i);
                return false;
            }
            next = c == '{' ? St::key_or_close : St::value_or_close;
            break;
        case '"': next = St::string; break;
        case '-': num_ = Num::minus; break;
        case '0': num_ = Num::zero; break;
        case 't': next = St::literal; literal_ = "true"; break;
        case 'f': next = St::literal; literal_ = "false"; break;
        case 'n': next = St::literal; literal_ = "null"; break;
        default:
            if (c < '1' || c > '9') {
                fail("an unexpected character", offset_ + i);
                return false;
            }
            num_ = Num::integer;
    }
    if (stack_.empty()) {
        root_ = c;
    } else if (stack_.size() == 1 && root_ == '[') {
        root_array_empty_ = false;
    } else if (stack_.size() == 1 && root_ == '{') {
        begin_member(c);
        capture_from_ = i;
    } else if (reading_) {
        profile_value(c, i);
    }
    if (c == '{' || c == '[') stack_.push_back(c == '{' ? 'o' : 'a');
    state_ = next;
    str_is_key_ = false;
    literal_pos_ = 1;
    return true;
}

void UsageStream::close_container(std::size_t& i, const char* data) {
    stack_.pop_back();
    if (reading_) profile_close();
    ++i;
    end_value(i, data);
}

void UsageStream::end_value(std::size_t end, const char* data) {
    if (reading_ && slot_ != Slot::none) {
        append_limited(val_raw_, data + val_from_, end - val_from_,
                       slot_ == Slot::guid ? kMaxNameBytes + 2 : kMaxNumberBytes, val_too_long_);
        finish_slot();
    }
    if (in_member_ && stack_.size() == 1) {
        if (capturing_) {
            append_limited(capture_, data + capture_from_, end - capture_from_, capture_limit_, capture_overflow_);
            capturing_ = false;
        }
        end_member();
    }
    state_ = stack_.empty() ? St::done : St::after;
}

void UsageStream::end_string(std::size_t i, const char* data) {
    if (!str_is_key_) {
        end_value(i + 1, data);
        return;
    }
    if (key_capture_) {
        append_limited(key_raw_, data + key_from_, i - key_from_, kMaxNameBytes, key_too_long_);
        key_capture_ = false;
        if (key_too_long_) {
            key_.clear();
        } else {
            decode_into(key_raw_, key_);
        }
    } else if (pkey_capture_) {
        append_limited(pkey_raw_, data + pkey_from_, i - pkey_from_, kMaxNameBytes, pkey_too_long_);
        pkey_capture_ = false;
        if (pkey_too_long_) {
            pkey_ = "(a name longer than 4096 bytes)";
        } else {
            decode_into(pkey_raw_, pkey_);
        }
    }
    state_ = St::colon;
}

bool UsageStream::end_number() {
    return num_ == Num::zero || num_ == Num::integer || num_ == Num::fraction || num_ == Num::exponent;
}

void UsageStream::flush_spans(const char* data, std::size_t len) {
    if (key_capture_) {
        append_limited(key_raw_, data + key_from_, len - key_from_, kMaxNameBytes, key_too_long_);
        key_from_ = 0;
    }
    if (pkey_capture_) {
        append_limited(pkey_raw_, data + pkey_from_, len - pkey_from_, kMaxNameBytes, pkey_too_long_);
        pkey_from_ = 0;
    }
    if (capturing_) {
        append_limited(capture_, data + capture_from_, len - capture_from_, capture_limit_, capture_overflow_);
        capture_from_ = 0;
    }
    if (reading_ && slot_ != Slot::none) {
        append_limited(val_raw_, data + val_from_, len - val_from_,
                       slot_ == Slot::guid ? kMaxNameBytes + 2 : kMaxNumberBytes, val_too_long_);
        val_from_ = 0;
    }
}

bool UsageStream::write(const char* data, std::size_t len) {
    if (finished_ || state_ == St::error) {
        if (!finished_) offset_ += len;
        return state_ != St::error;
    }
    const auto* p = reinterpret_cast<const unsigned char*>(data);
    std::size_t i = 0;
    while (i < len) {
        const unsigned char c = p[i];
        switch (state_) {
            case St::string:
                if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && !need_backslash_u_) {
                    ++i;
                    while (i < len) {
                        const unsigned char d = p[i];
                        if (d < 0x20 || d >= 0x80 || d == '"' || d == '\\') break;
                        ++i;
                    }
                    continue;
                }
                if (c == '\\') {
                    state_ = St::escape;
                    ++i;
                    continue;
                }
                if (need_backslash_u_) {
                    fail("a \\u escape of a high surrogate is not followed by its low half", offset_ + i);
                    return false;
                }
                if (c == '"') {
                    end_string(i, data);
                    ++i;
                    continue;
                }
                if (c < 0x20) {
                    fail("a control character inside a string", offset_ + i);
                    return false;
                }
                utf8_lo_ = 0x80;
                utf8_hi_ = 0xBF;
                if (c >= 0xC2 && c <= 0xDF) {
                    utf8_left_ = 1;
                } else if (c == 0xE0) {
                    utf8_left_ = 2;
                    utf8_lo_ = 0xA0;
                } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
                    utf8_left_ = 2;
                } else if (c == 0xED) {
                    utf8_left_ = 2;
                    utf8_hi_ = 0x9F;
                } else if (c == 0xF0) {
                    utf8_left_ = 3;
                    utf8_lo_ = 0x90;
                } else if (c >= 0xF1 && c <= 0xF3) {
                    utf8_left_ = 3;
                } else if (c == 0xF4) {
                    utf8_left_ = 3;
                    utf8_hi_ = 0x8F;
                } else {
                    fail("invalid UTF-8", offset_ + i);
                    return false;
                }
                state_ = St::utf8;
                ++i;
                continue;
            case St::utf8:
                if (c < utf8_lo_ || c > utf8_hi_) {
                    fail("invalid UTF-8", offset_ + i);
                    return false;
                }
                utf8_lo_ = 0x80;
                utf8_hi_ = 0xBF;
                if (--utf8_left_ == 0) state_ = St::string;
                ++i;
                continue;
            case St::escape:
                if (need_backslash_u_ && c != 'u') {
                    fail("a \\u escape of a high surrogate is not followed by its low half", offset_ + i);
                    return false;
                }
                switch (c) {
                    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
                        state_ = St::string;
                        break;
                    case 'u':
                        state_ = St::uhex;
                        hex_left_ = 4;
                        code_unit_ = 0;
                        break;
                    default:
                        fail("an invalid escape in a string", offset_ + i);
                        return false;
                }
                ++i;
                continue;
            case St::uhex: {
                const int h = hex_value(c);
                if (h < 0) {
                    fail("an invalid \\u escape", offset_ + i);
                    return false;
                }
                code_unit_ = code_unit_ * 16 + static_cast<unsigned>(h);
                ++i;
                if (--hex_left_ == 0) {
                    state_ = St::string;
                    if (need_backslash_u_) {
                        need_backslash_u_ = false;
                        if (code_unit_ < 0xDC00 || code_unit_ > 0xDFFF) {
                            fail("a \\u escape of a high surrogate is not followed by its low half", offset_ + i - 1);
                            return false;
                        }
                    } else if (code_unit_ >= 0xD800 && code_unit_ <= 0xDBFF) {
                        need_backslash_u_ = true;
                    } else if (code_unit_ >= 0xDC00 && code_unit_ <= 0xDFFF) {
                        fail("a \\u escape of a lone low surrogate", offset_ + i - 1);
                        return false;
                    }
                }
                continue;
            }
            case St::number: {
                bool more = true;  // c belongs to the number
                switch (num_) {
                    case Num::minus:
                        if (c == '0') {
                            num_ = Num::zero;
                        } else if (c >= '1' && c <= '9') {
                            num_ = Num::integer;
                        } else {
                            fail("an invalid number", offset_ + i);
                            return false;
                        }
                        break;
                    case Num::zero:
                        if (c == '.') num_ = Num::dot;
                        else if (c == 'e' || c == 'E') num_ = Num::e;
                        else more = false;
                        break;
                    case Num::integer:
                        if (is_digit(c)) {
                        } else if (c == '.') {
                            num_ = Num::dot;
                        } else if (c == 'e' || c == 'E') {
                            num_ = Num::e;
                        } else {
                            more = false;
                        }
                        break;
                    case Num::dot:
                        if (!is_digit(c)) {
                            fail("an invalid number", offset_ + i);
                            return false;
                        }
                        num_ = Num::fraction;
                        break;
                    case Num::fraction:
                        if (is_digit(c)) {
                        } else if (c == 'e' || c == 'E') {
                            num_ = Num::e;
                        } else {
                            more = false;
                        }
                        break;
                    case Num::e:
                        if (c == '+' || c == '-') {
                            num_ = Num::esign;
                        } else if (is_digit(c)) {
                            num_ = Num::exponent;
                        } else {
                            fail("an invalid number", offset_ + i);
                            return false;
                        }
                        break;
                    case Num::esign:
                        if (!is_digit(c)) {
                            fail("an invalid number", offset_ + i);
                            return false;
                        }
                        num_ = Num::exponent;
                        break;
                    case Num::exponent:
                        if (!is_digit(c)) more = false;
                        break;
                }
                if (more) {
                    ++i;
                    continue;
                }
                end_value(i, data);  // c is not part of the number: handled in the new state
                continue;
            }
            case St::literal:
                if (c != static_cast<unsigned char>(literal_[literal_pos_])) {
                    fail("an invalid literal (true, false or null)", offset_ + i);
                    return false;
                }
                ++i;
                if (literal_[++literal_pos_] == '\0') end_value(i, data);
                continue;
            case St::value:
            case St::value_or_close:
                if (is_ws(c)) {
                    ++i;
                    continue;
                }
                if (c == ']' && state_ == St::value_or_close) {
                    close_container(i, data);
                    continue;
                }
                if (!begin_value(c, i)) return false;
                ++i;
                continue;
            case St::key_or_close:
            case St::key:
                if (is_ws(c)) {
                    ++i;
                    continue;
                }
                if (c == '"') {
                    state_ = St::string;
                    str_is_key_ = true;
                    if (stack_.size() == 1 && root_ == '{') {
                        key_capture_ = true;
                        key_from_ = i + 1;
                        key_too_long_ = false;
                        key_raw_.clear();
                    } else if (reading_ && typed_container()) {
                        pkey_capture_ = true;
                        pkey_from_ = i + 1;
                        pkey_too_long_ = false;
                        pkey_raw_.clear();
                    }
                    ++i;
                    continue;
                }
                if (c == '}' && state_ == St::key_or_close) {
                    close_container(i, data);
                    continue;
                }
                fail(state_ == St::key ? "an unexpected character where a member name should be"
                                       : "an unexpected character",
                     offset_ + i);
                return false;
            case St::colon:
                if (is_ws(c)) {
                    ++i;
                    continue;
                }
                if (c != ':') {
                    fail("a missing ':' after a member name", offset_ + i);
                    return false;
                }
                state_ = St::value;
                ++i;
                continue;
            case St::after:
                if (is_ws(c)) {
                    ++i;
                    continue;
                }
                if (c == ',') {
                    state_ = stack_.back() == 'o' ? St::key : St::value;
                    ++i;
                    continue;
                }
                if ((c == '}' && stack_.back() == 'o') || (c == ']' && stack_.back() == 'a')) {
                    close_container(i, data);
                    continue;
                }
                fail("an unexpected character", offset_ + i);
                return false;
            case St::done:
                if (is_ws(c)) {
                    ++i;
                    continue;
                }
                fail("more data after the end of the JSON", offset_ + i);
                return false;
            case St::error:
                return false;
        }
    }
    flush_spans(data, len);
    offset_ += len;
    return true;
}

void UsageStream::finish() {
    if (finished_) return;
    finished_ = true;
    if (state_ == St::error) return;
    if (state_ == St::number && stack_.empty()) {
        if (!end_number()) {
            fail("an invalid number", offset_);
            return;
        }
        state_ = St::done;
    }
    if (state_ != St::done) {
        fail(root_ == 0 ? "the reply is empty" : "the reply ends in the middle of the JSON", offset_);
    }
}

// ---- the reply's members ---------------------------------------------------------------------------

void UsageStream::begin_member(unsigned char first) {
    in_member_ = true;
    member_first_ = first;
    member_slot_ = npos;
    capturing_ = false;
    capture_overflow_ = false;
    capture_.clear();
    if (first == '{') {
        if (key_too_long_ || has_problem_) return;
        auto it = slot_of_.find(key_);
        if (it == slot_of_.end()) return;
        member_slot_ = it->second;
        reading_ = true;
        roles_.clear();
        roles_.push_back(Role::profile);
        slot_ = Slot::none;
        pkey_.clear();
        guid_.clear();
        totals_ = UsageTotals{};
    } else if (!key_too_long_ && (key_ == "Status" || key_ == "Message")) {
        capturing_ = true;
        capture_limit_ = kMaxEnvelopeBytes;
    }
}

void UsageStream::end_member() {
    in_member_ = false;
    const std::string name = key_too_long_ ? std::string("(a name longer than 4096 bytes)") : key_;
    if (member_first_ == '{') {
        ++accounts_;
        if (key_too_long_ || slot_of_.find(key_) == slot_of_.end()) {
            ++unknown_count_;
            if (unknown_first_.size() < kListed) unknown_first_.push_back(name);
        } else if (reading_) {
            reading_ = false;
            Usage u;
            u.seen = true;
            u.creation_guid = std::move(guid_);
            u.vaults = totals_.vaults;
            u.disk_usage_mb = totals_.used_mb();
            u.disk_limit_mb = totals_.limit_mb();
            usage_[member_slot_] = std::move(u);
        }
    } else {
        json v;
        Error ignored;
        const bool readable = !capture_.empty() && !capture_overflow_ && parse(capture_, v, ignored, 4);
        if (!key_too_long_ && key_ == "Status" && readable && v.is_number_integer()) {
            status_ = v.is_number_unsigned()
                          ? static_cast<std::int64_t>(std::min<std::uint64_t>(v.get<std::uint64_t>(), kMax))
                          : v.get<std::int64_t>();
            has_status_ = true;
            if (status_ < 400) note_problem(name, "", "is not a profile (a JSON object)");
        } else {
            if (!key_too_long_ && key_ == "Status") has_status_ = false;
            if (!key_too_long_ && key_ == "Message" && readable && v.is_string()) {
                message_ = v.get<std::string>();
            }
            note_problem(name, "", "is not a profile (a JSON object)");
        }
    }
    std::string().swap(capture_);
}

// ---- a wanted profile, read as it passes ---------------------------------------------------------

std::string UsageStream::vault_path(const char* suffix) const {
    return "/Destinations/" + pointer_token(vault_key_) + suffix;
}

bool UsageStream::typed_container() const {
    const Role r = roles_.back();
    return r != Role::other && r != Role::array;
}

void UsageStream::profile_problem(const std::string& field, const char* what) {
    note_problem(key_, field, what);
    reading_ = false;
    roles_.clear();
    slot_ = Slot::none;
    pkey_capture_ = false;
}

// A value starts inside the profile (c is its first byte, already checked).
void UsageStream::profile_value(unsigned char c, std::size_t i) {
    enum class K { object, array, text, number, yes, no, null };
    const K k = c == '{' ? K::object : c == '[' ? K::array : c == '"' ? K::text : c == 't' ? K::yes
              : c == 'f' ? K::no : c == 'n' ? K::null : K::number;
    const Role parent = roles_.back();
    Role pushed = k == K::array ? Role::array : Role::other;
    Slot slot = Slot::none;
    const std::string& key = pkey_;
    switch (parent) {
        case Role::profile:
            if (key == "CreationGUID") {
                if (k == K::text) slot = Slot::guid;
                else if (k != K::null) return profile_problem("/CreationGUID", "is not a string");
                if (k == K::null) guid_.clear();
            } else if (key == "Destinations") {
                if (k != K::object && k != K::null) return profile_problem("/Destinations", "is not an object");
                totals_ = UsageTotals{};  // a repeated member replaces the earlier one
                if (k == K::object) pushed = Role::destinations;
            }
            break;
        case Role::destinations:
            vault_key_.assign(key);
            if (k != K::object) return profile_problem(vault_path(""), "is not an object");
            pushed = Role::vault;
            type_ = size_ = bytes_ = 0;
            enabled_ = false;
            break;
        case Role::vault:
            if (key == "DestinationType") {
                if (k == K::number) slot = Slot::dtype;
                else if (k == K::null) type_ = 0;
                else return profile_problem(vault_path("/DestinationType"), "is not an integer");
            } else if (key == "StorageLimitEnabled") {
                if (k == K::yes || k == K::no || k == K::null) enabled_ = k == K::yes;
                else return profile_problem(vault_path("/StorageLimitEnabled"), "is not a boolean");
            } else if (key == "StorageLimitBytes") {
                if (k == K::number) slot = Slot::limit_bytes;
                else if (k == K::null) bytes_ = 0;
                else return profile_problem(vault_path("/StorageLimitBytes"), "is not a number");
            } else if (key == "Statistics") {
                if (k == K::object) pushed = Role::stats;
                else if (k != K::null) return profile_problem(vault_path("/Statistics"), "is not an object");
                else size_ = 0;
            }
            break;
        case Role::stats:
            if (key == "ClientProvidedSize") {
                if (k == K::object) pushed = Role::cps;
                else if (k != K::null) return profile_problem(vault_path("/Statistics/ClientProvidedSize"), "is not an object");
                else size_ = 0;
            }
            break;
        case Role::cps:
            if (key == "Size") {
                if (k == K::number) slot = Slot::size;
                else if (k == K::null) size_ = 0;
                else return profile_problem(vault_path("/Statistics/ClientProvidedSize/Size"), "is not a number");
            }
            break;
        case Role::other:
        case Role::array: break;
    }
    if (k == K::object || k == K::array) roles_.push_back(pushed);
    if (slot != Slot::none) {
        slot_ = slot;
        val_from_ = i;
        val_too_long_ = false;
        val_raw_.clear();
    }
}

// A container inside the profile closed (a vault adds up here).
void UsageStream::profile_close() {
    const Role r = roles_.back();
    roles_.pop_back();
    if (r != Role::vault) return;
    totals_.add(vault_figures(type_, size_, enabled_, bytes_));
}

// A typed scalar is complete: val_raw_ holds its JSON text.
void UsageStream::finish_slot() {
    const Slot slot = slot_;
    slot_ = Slot::none;
    if (val_too_long_) {
        const std::string at = slot == Slot::guid ? std::string("/CreationGUID")
                               : slot == Slot::dtype ? vault_path("/DestinationType")
                               : slot == Slot::limit_bytes ? vault_path("/StorageLimitBytes")
                                                           : vault_path("/Statistics/ClientProvidedSize/Size");
        return profile_problem(at, slot == Slot::guid ? "is longer than 4096 bytes" : "has more than 1024 characters");
    }
    switch (slot) {
        case Slot::guid: decode_into(val_raw_.substr(1, val_raw_.size() - 2), guid_); break;
        case Slot::dtype:
            if (val_raw_.find_first_of(".eE") != std::string::npos) {
                return profile_problem(vault_path("/DestinationType"), "is not an integer");
            }
            type_ = bytes_of(val_raw_);
            break;
        case Slot::limit_bytes: bytes_ = bytes_of(val_raw_); break;
        case Slot::size: size_ = bytes_of(val_raw_); break;
        case Slot::none: break;
    }
}

}  // namespace cometprov
