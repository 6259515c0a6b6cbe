// UTF-8 and number helpers used by several rule areas.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cometprov {

// Decodes UTF-8 into code points; each invalid byte becomes U+FFFD, so the count is always defined.
std::vector<char32_t> utf8_decode(std::string_view s);
std::string utf8_encode(char32_t cp);

// How a character is shown in a message: printable characters as themselves, others as U+XXXX.
std::string describe_char(char32_t cp);

// An exact non-negative decimal: the digits without the point, and how many of them are fractional.
struct Decimal {
    bool negative = false;
    std::string digits;  // no leading zeros except "0"
    int scale = 0;       // number of fractional digits in `digits`
};

// Parses "12", "1.5", ".5", "+3", "-2", "1e3", "2.5E-1" (surrounding ASCII whitespace allowed).
bool parse_decimal(std::string_view text, Decimal& out);

// floor(value * multiplier); false when negative or above INT64_MAX.
bool decimal_times_floor(const Decimal& value, std::uint64_t multiplier, std::int64_t& out);

// True when the decimal has no non-zero fractional digit.
bool decimal_is_integer(const Decimal& value);
bool decimal_is_zero(const Decimal& value);

}  // namespace cometprov
