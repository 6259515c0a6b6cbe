// UTF-8 decoding and exact decimal arithmetic, so quotas never go through floating point.
#include "cometprov/text.hpp"

#include <cstdio>
#include <limits>

namespace cometprov {

std::vector<char32_t> utf8_decode(std::string_view s) {
    std::vector<char32_t> out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        int len = 0;
        char32_t cp = 0;
        if (b0 < 0x80) {
            len = 1;
            cp = b0;
        } else if ((b0 & 0xE0) == 0xC0) {
            len = 2;
            cp = b0 & 0x1F;
        } else if ((b0 & 0xF0) == 0xE0) {
            len = 3;
            cp = b0 & 0x0F;
        } else if ((b0 & 0xF8) == 0xF0) {
            len = 4;
            cp = b0 & 0x07;
        }
        bool valid = len > 0 && i + static_cast<std::size_t>(len) <= s.size();
        for (int k = 1; valid && k < len; ++k) {
            const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
            if ((b & 0xC0) != 0x80) {
                valid = false;
            } else {
                cp = (cp << 6) | (b & 0x3F);
            }
        }
        // Reject overlong forms, surrogates and values past U+10FFFF.
        if (valid && ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
                      (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
                      (cp >= 0xD800 && cp <= 0xDFFF))) {
            valid = false;
        }
        if (!valid) {
            out.push_back(0xFFFD);
            ++i;
        } else {
            out.push_back(cp);
            i += static_cast<std::size_t>(len);
        }
    }
    return out;
}

std::string utf8_encode(char32_t cp) {
    std::string out;
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return out;
}

std::string describe_char(char32_t cp) {
    const bool control = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0xFFFD;
    const bool space = cp == 0x20 || cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200F) || cp == 0x3000 ||
                       cp == 0xFEFF || cp == 0x2028 || cp == 0x2029;
    if (control || space) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
        if (cp == 0x20) return std::string("space (U+0020)");
        return buf;
    }
    return "'" + utf8_encode(cp) + "'";
}

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

bool parse_decimal(std::string_view text, Decimal& out) {
    std::size_t b = 0, e = text.size();
    while (b < e && is_space(text[b])) ++b;
    while (e > b && is_space(text[e - 1])) --e;
    std::string_view t = text.substr(b, e - b);
    std::size_t i = 0;
    Decimal d;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) {
        d.negative = t[i] == '-';
        ++i;
    }
    std::string int_digits, frac_digits;
    while (i < t.size() && is_digit(t[i])) int_digits += t[i++];
    if (i < t.size() && t[i] == '.') {
        ++i;
        while (i < t.size() && is_digit(t[i])) frac_digits += t[i++];
    }
    if (int_digits.empty() && frac_digits.empty()) return false;
    long exponent = 0;
    if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
        ++i;
        bool exp_negative = false;
        if (i < t.size() && (t[i] == '+' || t[i] == '-')) {
            exp_negative = t[i] == '-';
            ++i;
        }
        if (i >= t.size() || !is_digit(t[i])) return false;
        while (i < t.size() && is_digit(t[i])) {
            // Anything past 10000 is absurd for a quota; clamp so the arithmetic stays bounded.
            if (exponent < 100000) exponent = exponent * 10 + (t[i] - '0');
            ++i;
        }
        if (exp_negative) exponent = -exponent;
    }
    if (i != t.size()) return false;
    std::string digits = int_digits + frac_digits;
    long scale = static_cast<long>(frac_digits.size()) - exponent;
    if (scale < 0) {
        if (-scale > 10000) scale = -10000;  // overflows anyway; keep memory bounded
        digits.append(static_cast<std::size_t>(-scale), '0');
        scale = 0;
    }
    if (scale > 10000) {
        // Tiny beyond any quota's resolution: the floor of value * multiplier is 0.
        digits = "0";
        scale = 0;
    }
    std::size_t nz = 0;
    while (nz + 1 < digits.size() && digits[nz] == '0' &&
           digits.size() - nz > static_cast<std::size_t>(scale)) {
        ++nz;
    }
    digits.erase(0, nz);
    if (digits.empty()) digits = "0";
    d.digits = digits;
    d.scale = static_cast<int>(scale);
    out = d;
    return true;
}

bool decimal_is_zero(const Decimal& value) {
    for (char c : value.digits) {
        if (c != '0') return false;
    }
    return true;
}

bool decimal_is_integer(const Decimal& value) {
    const std::size_t n = value.digits.size();
    const std::size_t s = static_cast<std::size_t>(value.scale);
    for (std::size_t k = 0; k < s && k < n; ++k) {
        if (value.digits[n - 1 - k] != '0') return false;
    }
    return true;
}

bool decimal_times_floor(const Decimal& value, std::uint64_t multiplier, std::int64_t& out) {
    if (decimal_is_zero(value)) {
        out = 0;
        return true;
    }
    if (value.negative) return false;
    // Schoolbook multiplication of the decimal digit string by `multiplier` (at most 2^40, so
    // digit * multiplier + carry fits in 64 bits), then drop `scale` digits: that is the floor.
    std::string product;
    std::uint64_t carry = 0;
    for (std::size_t k = value.digits.size(); k-- > 0;) {
        const std::uint64_t cur =
            static_cast<std::uint64_t>(value.digits[k] - '0') * multiplier + carry;
        product.insert(product.begin(), static_cast<char>('0' + cur % 10));
        carry = cur / 10;
    }
    while (carry > 0) {
        product.insert(product.begin(), static_cast<char>('0' + carry % 10));
        carry /= 10;
    }
    const std::size_t scale = static_cast<std::size_t>(value.scale);
    std::string whole = product.size() > scale ? product.substr(0, product.size() - scale) : "0";
    std::size_t nz = 0;
    while (nz + 1 < whole.size() && whole[nz] == '0') ++nz;
    whole.erase(0, nz);
    const std::string max = std::to_string(std::numeric_limits<std::int64_t>::max());
    if (whole.size() > max.size() || (whole.size() == max.size() && whole > max)) return false;
    std::int64_t result = 0;
    for (char c : whole) result = result * 10 + (c - '0');
    out = result;
    return true;
}

}  // namespace cometprov
