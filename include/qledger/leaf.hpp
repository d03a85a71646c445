// The leaf: the exact bytes hashed for one event (encoding version 1).
//
// A leaf is the canonical JSON (see canonical_json.hpp) of the object
//   {"actor":A,"kind":K,"payload":P,"prev":H,"recorded_at":T,"seq":N,"v":1}
// where N is the 1-based sequence number (leaf index N−1), H the lower-case hex leaf hash of
// event N−1 (64 zeros for N = 1) — the chain —, T the UTC instant "YYYY-MM-DDTHH:MM:SS.mmmZ",
// K the event kind, A the actor and P the payload object. docs/ledger-format.md is the normative
// description; this header and that document must agree (a test checks the golden vectors).
#pragma once

#include "qledger/canonical_json.hpp"
#include "qledger/hash.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace qledger {

inline constexpr int kLeafEncodingVersion = 1;
inline constexpr std::size_t kMaxLeafBytes = 256 * 1024;
inline constexpr std::size_t kMaxKindBytes = 64;
inline constexpr std::size_t kMaxActorBytes = 128;

struct Leaf {
  std::uint64_t seq = 0;
  std::string kind;
  std::string recorded_at;
  std::string actor;
  Json payload = Json::object();
  Hash prev{};  // all zero for seq 1
};

// The hex chain value for the first event.
inline const Hash kGenesisPrev{};

// A problem with a leaf's fields; `field` names the leaf field ("kind", "payload", …).
struct LeafError {
  std::string field;
  std::string code;
  std::string message;
};

// Checks the fields a caller supplies (kind, actor, payload) before anything is written:
// kind matches [a-z][a-z0-9_.]{0,63}; actor is 1..128 bytes of UTF-8 without control characters;
// payload is a JSON object inside the canonical profile, nested less than kMaxJsonDepth deep.
std::optional<LeafError> check_leaf_fields(std::string_view kind, std::string_view actor,
                                           const Json& payload);

// check_leaf_fields, and the leaf these fields make fits kMaxLeafBytes at any seq (it is encoded
// with the widest one): what an append checks before it is queued, so that writing it later
// cannot fail on size. A leaf too large is field "payload", code "too_large".
std::optional<LeafError> check_leaf_fits(std::string_view kind, std::string_view actor,
                                         const Json& payload);

// Encodes a leaf. Throws std::invalid_argument if a field is invalid or the leaf is larger than
// kMaxLeafBytes.
std::string encode_leaf(const Leaf& leaf);

// As encode_leaf, but a leaf that would not fit kMaxLeafBytes at every seq (check_leaf_fits's
// criterion, applied to the leaf's final fields) gives nullopt instead: what the ledger writes
// with, so that a payload grown by an EventApplier, or a bulk request whose size was not checked
// before it was written, is refused like any other too-large request.
std::optional<std::string> encode_leaf_if_fits(const Leaf& leaf);

// Decodes and validates leaf bytes: canonical form, version 1, exactly the seven keys, types and
// formats as above. Returns nullopt and fills `error` on any deviation.
std::optional<Leaf> decode_leaf(std::string_view bytes, LeafError& error);

// A leaf's fields without the payload value: what the verifier compares. The views point into
// the bytes given to decode_leaf_header, or into this object's own storage for the rare leaf
// whose actor carries a JSON escape; so keep the bytes and this object in place while using it.
struct LeafHeader {
  std::uint64_t seq = 0;
  std::string_view kind, actor, recorded_at;
  std::string_view payload;  // the payload's canonical bytes
  Hash prev{};
  std::string storage[4];  // backing for the views when they cannot point into the bytes
};

// Accepts and refuses exactly what decode_leaf does, with the same error, in one pass over the
// bytes (canonical_scan.hpp) instead of building and re-encoding a value. Fills `out` on success.
bool decode_leaf_header(std::string_view bytes, LeafHeader& out, LeafError& error);

// The reference decoder: parse to a value, re-encode, compare, check every field. decode_leaf and
// decode_leaf_header fall back to it for anything their one-pass scan does not accept, so errors
// (field, code, message) come from here; tests check that the two paths agree.
std::optional<Leaf> decode_leaf_reference(std::string_view bytes, LeafError& error);

// True if `text` has the recorded_at form YYYY-MM-DDTHH:MM:SS.mmmZ and is a real instant.
bool is_recorded_at(std::string_view text);

// The current UTC time in recorded_at form.
std::string now_recorded_at();

}  // namespace qledger
