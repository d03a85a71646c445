// The canonical JSON profile hashed into every leaf (see docs/ledger-format.md §"Canonical JSON").
//
// A subset of RFC 8785 (JCS) on which JCS and a byte-exact serializer agree trivially:
//   - object keys: 1..64 bytes of printable ASCII (0x20..0x7E), no duplicates, sorted bytewise;
//   - numbers: integers only, within ±(2^53−1); fractions and measured values travel as strings;
//   - strings: valid UTF-8, no lone surrogates; escapes only for '"', '\\' and U+0000..U+001F
//     (\b \t \n \f \r short forms, otherwise \u00XX lower-case hex); everything else verbatim;
//   - literals true, false, null; no whitespace anywhere; nesting depth at most 32.
// Pure functions, no I/O.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace qledger {

using Json = nlohmann::json;

inline constexpr std::int64_t kMaxSafeInteger = 9007199254740991;  // 2^53 − 1
inline constexpr std::size_t kMaxJsonDepth = 32;
inline constexpr std::size_t kMaxKeyBytes = 64;

// Why a document was refused. `path` is a JSON pointer ("/payload/items/0") to the offending
// value where known, `code` a stable machine code, `message` an English sentence in printable
// ASCII (input bytes are shown as \xNN).
//   - bad_key: the path of the object holding the key (the key itself may be unprintable);
//     duplicate_key: the path of the repeated member.
//   - invalid_json / invalid_utf8 / lone_surrogate: where the parser was, i.e. the value it was
//     reading (or the enclosing container when it was between members); "" at the top level.
//   - too_large: always "" (checked before parsing).
// invalid_utf8 and lone_surrogate cover strings and keys; stray non-UTF-8 bytes outside a string
// are invalid_json. Telling them apart relies on the lexer messages of nlohmann/json 3.11.2; the
// canonical tests pin this, so a library upgrade that changes them fails loudly.
struct CanonicalError {
  std::string path;
  std::string code;  // e.g. "invalid_json", "duplicate_key", "float_not_allowed",
                     // "integer_out_of_range", "invalid_utf8", "lone_surrogate", "bad_key",
                     // "too_deep", "too_large"
  std::string message;
};

// Parses arbitrary JSON text (whitespace allowed, any key order) and checks it against the
// profile. On success returns the value; on failure fills `error` and returns nullopt.
// `max_bytes` bounds the input size (error "too_large"). Nesting beyond 32 is refused as it is
// read, so hostile input cannot exhaust the stack. A number with a fraction or exponent is
// float_not_allowed even if integral ("1.0", "1e3"); an integer literal beyond the safe range,
// however long, is integer_out_of_range. "-0" reads as 0. A leading byte order mark is
// invalid_json (nlohmann would skip it).
std::optional<Json> parse_profile_json(std::string_view text, CanonicalError& error,
                                       std::size_t max_bytes = 1 << 20);

// Checks an in-memory value against the profile (used for values built in code).
std::optional<CanonicalError> check_profile(const Json& value);

// Serializes a value that satisfies the profile to its canonical bytes.
// Throws std::invalid_argument if the value is outside the profile.
std::string encode_canonical(const Json& value);

// The same bytes appended to `out` (which is left unchanged when it throws): for documents
// assembled around a value, like a leaf around its payload, without copying the value.
void append_canonical(const Json& value, std::string& out);

// True if `bytes` is exactly the canonical encoding of some profile value. No size limit is
// applied here; callers bound leaf sizes themselves.
bool is_canonical(std::string_view bytes);

}  // namespace qledger
