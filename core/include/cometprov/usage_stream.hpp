// An incremental reader of a list-users-full reply (one JSON object: username -> profile), fed in
// chunks as the bytes arrive. It keeps only what UsageUpdate needs: per wanted username the vault
// usage, the limits and the CreationGUID; the number of other accounts and the first of their names.
// Memory is bounded by the wanted names (a hash map built once), never by the body or by a profile.
//
// One push tokenizer (chunk boundaries anywhere: inside strings, escapes, UTF-8 sequences, numbers
// and literals) checks that the whole body is valid JSON (RFC 8259, UTF-8, nesting <= 512) and,
// inside a wanted user's profile, reads the few members usage needs as they pass (a SAX-style walk
// with typed checks; nothing of the profile is buffered but a member name or a number's text). A
// user counts only once its whole object has arrived. Other users are only checked to be JSON
// objects. Feeding the same body in any chunking gives the same results.
#pragma once

#include "cometprov/json.hpp"
#include "cometprov/usage.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cometprov {

class UsageStream {
public:
    static constexpr std::size_t kMaxNameBytes = 4096;         // a username or member name, as sent
    static constexpr std::size_t kMaxNumberBytes = 1024;       // a number usage reads, as sent
    static constexpr std::size_t kMaxEnvelopeBytes = 65536;    // the Status / Message of an error reply
    static constexpr std::size_t kListed = 20;                 // names kept of unknown accounts
    static constexpr std::size_t kMaxDepth = 512;

    // What a wanted user's profile says.
    struct Usage {
        bool seen = false;
        std::int64_t disk_usage_mb = 0;
        std::int64_t disk_limit_mb = 0;  // 0 = unlimited
        std::int64_t vaults = 0;
        std::string creation_guid;       // empty when the profile has none
    };

    // A wanted user whose profile is not what the rules read (a wrong type), or a member of the
    // reply that is not a profile at all.
    struct Problem {
        std::string username;
        std::string field;   // JSON pointer inside the profile, "" for the profile itself
        std::string what;    // "is not a number", ...
    };

    // `wanted`: the usernames whose usage is read (duplicates and empty names are allowed).
    explicit UsageStream(const std::vector<std::string>& wanted);

    // Feeds the next bytes of the body. Returns false once the body is known not to be valid JSON:
    // further bytes change nothing, the caller may stop receiving.
    bool write(const char* data, std::size_t len);
    bool write(std::string_view s) { return write(s.data(), s.size()); }
    // The body is complete. Results below are final afterwards (finish() is idempotent).
    void finish();

    // ---- results (after finish) ----
    bool valid_json() const { return state_ == St::done; }
    // Why the body is not valid JSON, and the offset of the offending byte (the body's length when it
    // ends too early).
    const std::string& syntax_error() const { return syntax_error_; }
    std::uint64_t error_offset() const { return error_offset_; }
    // A Comet error envelope {"Status": >= 400, "Message": ...}.
    bool envelope(std::int64_t& status, std::string& message) const;
    // The reply is a map (an object, null, or an empty list).
    bool is_map() const;
    // The first member that is not a readable profile, or nullptr.
    const Problem* problem() const { return has_problem_ ? &problem_ : nullptr; }
    // Usage of wanted[i].
    const Usage& usage(std::size_t i) const;
    std::uint64_t accounts() const { return accounts_; }       // members that are profiles
    std::uint64_t unknown_count() const { return unknown_count_; }  // profiles nobody wanted
    const std::vector<std::string>& unknown_first() const { return unknown_first_; }
    std::uint64_t bytes() const { return offset_; }

private:
    enum class St : std::uint8_t {
        value, value_or_close, key_or_close, key, colon, after, string, escape, uhex, utf8, number,
        literal, done, error
    };
    enum class Num : std::uint8_t { minus, zero, integer, dot, fraction, e, esign, exponent };

    // Inside a wanted profile: what the open container is, and which typed member a scalar fills.
    enum class Role : std::uint8_t { profile, destinations, vault, stats, cps, other, array };
    enum class Slot : std::uint8_t { none, guid, dtype, limit_bytes, size };

    // tokenizer
    void fail(const char* why, std::uint64_t at);
    bool begin_value(unsigned char c, std::size_t i);
    void close_container(std::size_t& i, const char* data);
    void end_value(std::size_t end, const char* data);  // end: one past the value's last byte
    void end_string(std::size_t i, const char* data);
    bool end_number();
    void flush_spans(const char* data, std::size_t len);

    // the wanted profile being read
    void profile_value(unsigned char c, std::size_t i);
    void profile_close();
    void finish_slot();
    void profile_problem(const std::string& field, const char* what);
    bool typed_container() const;
    std::string vault_path(const char* suffix) const;  // "/Destinations/<id><suffix>"

    // the reply's members
    void begin_member(unsigned char first);
    void end_member();
    void note_problem(const std::string& user, const std::string& field, const std::string& what);

    St state_ = St::value;
    Num num_ = Num::minus;
    bool str_is_key_ = false;
    bool need_backslash_u_ = false;  // after a high surrogate: the next bytes must be "\u"
    unsigned hex_left_ = 0;
    unsigned code_unit_ = 0;
    unsigned utf8_left_ = 0;
    unsigned char utf8_lo_ = 0x80, utf8_hi_ = 0xBF;
    const char* literal_ = nullptr;
    std::size_t literal_pos_ = 0;
    std::vector<char> stack_;  // 'o' object, 'a' array
    std::uint64_t offset_ = 0;  // bytes consumed before the current chunk
    std::uint64_t error_offset_ = 0;
    std::string syntax_error_;
    bool finished_ = false;

    // root
    unsigned char root_ = 0;        // first byte of the top-level value
    bool root_array_empty_ = true;

    // the member (depth 1) being read
    bool key_capture_ = false;      // capturing the raw bytes of a member name
    std::size_t key_from_ = 0;
    bool key_too_long_ = false;
    std::string key_raw_;
    std::string key_;
    bool in_member_ = false;
    unsigned char member_first_ = 0;
    bool capturing_ = false;        // capturing the raw bytes of the member's value
    std::size_t capture_from_ = 0;
    std::size_t capture_limit_ = 0;
    bool capture_overflow_ = false;
    std::string capture_;
    std::size_t member_slot_ = 0;   // index into usage_ of a wanted user, or npos

    // a wanted profile (reading_ until it ends or has a problem)
    bool reading_ = false;
    std::vector<Role> roles_;
    bool pkey_capture_ = false;
    std::size_t pkey_from_ = 0;
    bool pkey_too_long_ = false;
    std::string pkey_raw_;
    std::string pkey_;              // the current member name in a typed container
    Slot slot_ = Slot::none;
    std::size_t val_from_ = 0;
    bool val_too_long_ = false;
    std::string val_raw_;
    std::string vault_key_;         // the vault being read (its ID in Destinations)
    std::uint64_t type_ = 0, size_ = 0, bytes_ = 0;
    bool enabled_ = false;
    UsageTotals totals_;  // the matched user's vaults so far (usage.hpp's rule)
    std::string guid_;

    // results
    std::unordered_map<std::string, std::size_t> slot_of_;  // wanted name -> slot
    std::vector<std::size_t> wanted_slot_;                   // wanted index -> slot or npos
    std::vector<Usage> usage_;
    std::uint64_t accounts_ = 0;
    std::uint64_t unknown_count_ = 0;
    std::vector<std::string> unknown_first_;
    bool has_status_ = false;
    std::int64_t status_ = 0;
    std::string message_;
    bool has_problem_ = false;
    Problem problem_;
};

}  // namespace cometprov
