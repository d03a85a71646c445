#include "qledger/leaf.hpp"

#include "qledger/canonical_decode.hpp"
#include "qledger/canonical_scan.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace qledger {

namespace {

bool is_kind_char(char c, bool first) {
  if (c >= 'a' && c <= 'z') return true;
  if (first) return false;
  return (c >= '0' && c <= '9') || c == '_' || c == '.';
}

// Length of the UTF-8 sequence starting at s[i], or 0 if invalid (overlong, surrogate, > U+10FFFF).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// UTF-8 without C0/C1 control characters or DEL.
bool is_clean_text(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_sequence_length(s, i);
    if (n == 0) return false;
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (n == 1 && (b0 < 0x20 || b0 == 0x7F)) return false;
    if (n == 2 && b0 == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) return false;  // C1
    i += n;
  }
  return true;
}

bool digits(std::string_view s, std::size_t pos, std::size_t count, int& value) {
  value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    value = value * 10 + (s[i] - '0');
  }
  return true;
}

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Nesting depth of a profile-checked value (bounded by kMaxJsonDepth, so recursion is safe):
// a scalar is 0, {} or [] is 1.
std::size_t json_depth(const Json& v) {
  if (!v.is_object() && !v.is_array()) return 0;
  std::size_t deepest = 0;
  for (const auto& child : v) deepest = std::max(deepest, json_depth(child));
  return deepest + 1;
}

LeafError leaf_error(std::string field, std::string code, std::string message) {
  return LeafError{std::move(field), std::move(code), std::move(message)};
}

// The leaf layout is fixed: seven keys in byte order, no whitespace. Reads `literal` at pos.
bool expect(std::string_view s, std::size_t& pos, std::string_view literal) {
  if (s.substr(pos, literal.size()) != literal) return false;
  pos += literal.size();
  return true;
}

// A string member's raw content up to the closing quote, for fields whose valid values never
// need an escape (kind, recorded_at, prev) or whose escaped form the caller refuses (actor).
bool plain_string(std::string_view s, std::size_t& pos, std::string_view& out) {
  const std::size_t end = s.find('"', pos);
  if (end == std::string_view::npos) return false;
  out = s.substr(pos, end - pos);
  pos = end + 1;
  return out.find('\\') == std::string_view::npos;
}

// The one-pass decode of a leaf in canonical form. Sound but not complete: whatever it accepts,
// decode_leaf_reference accepts with the same fields; a leaf it refuses (including the valid but
// rare one whose actor holds an escaped '"' or '\\') goes to decode_leaf_reference.
bool scan_leaf(std::string_view s, LeafHeader& out) {
  if (s.size() > kMaxLeafBytes) return false;
  std::size_t pos = 0;
  if (!expect(s, pos, R"({"actor":")") || !plain_string(s, pos, out.actor) || out.actor.empty() ||
      out.actor.size() > kMaxActorBytes || !is_clean_text(out.actor)) {
    return false;
  }
  if (!expect(s, pos, R"(,"kind":")") || !plain_string(s, pos, out.kind) || out.kind.empty() ||
      out.kind.size() > kMaxKindBytes) {
    return false;
  }
  for (std::size_t i = 0; i < out.kind.size(); ++i) {
    if (!is_kind_char(out.kind[i], i == 0)) return false;
  }
  if (!expect(s, pos, R"(,"payload":)") || pos >= s.size() || s[pos] != '{') return false;
  // The payload is one level below the leaf object, whose depth limit is kMaxJsonDepth.
  const std::size_t payload_end = scan_canonical_value(s, pos, kMaxJsonDepth - 1);
  if (payload_end == std::string_view::npos) return false;
  out.payload = s.substr(pos, payload_end - pos);
  pos = payload_end;
  std::string_view prev_hex;
  if (!expect(s, pos, R"(,"prev":")") || !plain_string(s, pos, prev_hex) || prev_hex.size() != 64 ||
      !hash_from_hex(prev_hex, out.prev)) {
    return false;
  }
  for (const char c : prev_hex) {
    if (c >= 'A' && c <= 'F') return false;  // lower-case only
  }
  if (!expect(s, pos, R"(,"recorded_at":")") || !plain_string(s, pos, out.recorded_at) ||
      !is_recorded_at(out.recorded_at) || !expect(s, pos, R"(,"seq":)")) {
    return false;
  }
  // seq: a canonical integer in 1..2^53−1, i.e. 1 to 16 digits without a leading zero.
  const std::size_t digits_from = pos;
  std::uint64_t seq = 0;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    seq = seq * 10 + static_cast<std::uint64_t>(s[pos] - '0');
    ++pos;
  }
  const std::size_t digit_count = pos - digits_from;
  if (digit_count == 0 || digit_count > 16 || s[digits_from] == '0' ||
      seq > static_cast<std::uint64_t>(kMaxSafeInteger)) {
    return false;
  }
  out.seq = seq;
  return expect(s, pos, R"(,"v":1})") && pos == s.size();
}

}  // namespace

bool is_recorded_at(std::string_view t) {
  // 2026-11-27T08:49:31.123Z
  if (t.size() != 24 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' ||
      t[16] != ':' || t[19] != '.' || t[23] != 'Z') {
    return false;
  }
  int y, mo, d, h, mi, s, ms;
  if (!digits(t, 0, 4, y) || !digits(t, 5, 2, mo) || !digits(t, 8, 2, d) || !digits(t, 11, 2, h) ||
      !digits(t, 14, 2, mi) || !digits(t, 17, 2, s) || !digits(t, 20, 3, ms)) {
    return false;
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1970 || mo < 1 || mo > 12 || d < 1) return false;
  const int month_days = kDays[mo - 1] + ((mo == 2 && is_leap(y)) ? 1 : 0);
  return d <= month_days && h <= 23 && mi <= 59 && s <= 59;
}

std::string now_recorded_at() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  const std::time_t secs = system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

std::optional<LeafError> check_leaf_fields(std::string_view kind, std::string_view actor,
                                           const Json& payload) {
  if (kind.empty() || kind.size() > kMaxKindBytes) {
    return leaf_error("kind", "bad_kind", "kind must be 1 to 64 characters");
  }
  for (std::size_t i = 0; i < kind.size(); ++i) {
    if (!is_kind_char(kind[i], i == 0)) {
      return leaf_error("kind", "bad_kind",
                        "kind must start with a-z and contain only a-z, 0-9, '_' and '.'");
    }
  }
  if (actor.empty() || actor.size() > kMaxActorBytes) {
    return leaf_error("actor", "bad_actor", "actor must be 1 to 128 bytes");
  }
  if (!is_clean_text(actor)) {
    return leaf_error("actor", "bad_actor", "actor must be UTF-8 without control characters");
  }
  if (!payload.is_object()) {
    return leaf_error("payload", "not_object", "payload must be a JSON object");
  }
  if (auto problem = check_profile(payload)) {
    return leaf_error("payload" + problem->path, problem->code, problem->message);
  }
  // The leaf object wraps the payload one level deeper than the profile's limit counts.
  if (json_depth(payload) >= kMaxJsonDepth) {
    return leaf_error(
        "payload", "too_deep",
        "payload nested deeper than " + std::to_string(kMaxJsonDepth - 1) + " levels");
  }
  return std::nullopt;
}

namespace {

// The leaf's bytes, written member by member in the canonical key order (actor, kind, payload,
// prev, recorded_at, seq, v) instead of building a JSON object around a copy of the payload.
// Only the actor and the payload can need escapes; kind, recorded_at and prev are checked to
// hold none by the callers.
std::string leaf_bytes(std::uint64_t seq, std::string_view kind, std::string_view recorded_at,
                       std::string_view actor, const Json& payload, const Hash& prev) {
  std::string out;
  out += R"({"actor":)";
  append_canonical(Json(std::string(actor)), out);
  out += R"(,"kind":")";
  out += kind;
  out += R"(","payload":)";
  append_canonical(payload, out);
  out += R"(,"prev":")";
  out += to_hex(prev);
  out += R"(","recorded_at":")";
  out += recorded_at;
  out += R"(","seq":)";
  out += std::to_string(seq);
  out += R"(,"v":)";
  out += std::to_string(kLeafEncodingVersion);
  out += '}';
  return out;
}

std::string too_large_message() {
  return "leaf larger than " + std::to_string(kMaxLeafBytes) + " bytes";
}

}  // namespace

std::optional<LeafError> check_leaf_fits(std::string_view kind, std::string_view actor,
                                         const Json& payload) {
  if (auto problem = check_leaf_fields(kind, actor, payload)) return problem;
  const std::string widest = leaf_bytes(static_cast<std::uint64_t>(kMaxSafeInteger), kind,
                                        "2000-01-01T00:00:00.000Z", actor, payload, kGenesisPrev);
  if (widest.size() > kMaxLeafBytes) return leaf_error("payload", "too_large", too_large_message());
  return std::nullopt;
}

namespace {

// The leaf's bytes, whatever their size. Throws std::invalid_argument if a field is invalid.
std::string checked_leaf_bytes(const Leaf& leaf) {
  if (auto problem = check_leaf_fields(leaf.kind, leaf.actor, leaf.payload)) {
    throw std::invalid_argument(problem->field + ": " + problem->message);
  }
  if (leaf.seq < 1 || leaf.seq > static_cast<std::uint64_t>(kMaxSafeInteger)) {
    throw std::invalid_argument("seq out of range");
  }
  if (!is_recorded_at(leaf.recorded_at)) throw std::invalid_argument("bad recorded_at");
  return leaf_bytes(leaf.seq, leaf.kind, leaf.recorded_at, leaf.actor, leaf.payload, leaf.prev);
}

}  // namespace

std::string encode_leaf(const Leaf& leaf) {
  std::string bytes = checked_leaf_bytes(leaf);
  if (bytes.size() > kMaxLeafBytes) throw std::invalid_argument(too_large_message());
  return bytes;
}

std::optional<std::string> encode_leaf_if_fits(const Leaf& leaf) {
  std::string bytes = checked_leaf_bytes(leaf);
  // Only the seq's digits vary with the seq (recorded_at and prev have fixed widths): at the
  // widest seq the leaf is this much longer.
  const std::size_t widest =
      bytes.size() - std::to_string(leaf.seq).size() + std::to_string(kMaxSafeInteger).size();
  if (widest > kMaxLeafBytes) return std::nullopt;
  return bytes;
}

std::optional<Leaf> decode_leaf_reference(std::string_view bytes, LeafError& error) {
  if (bytes.size() > kMaxLeafBytes) {
    error = leaf_error("", "too_large", "leaf larger than the maximum size");
    return std::nullopt;
  }
  CanonicalError parse_error;
  auto value = parse_profile_json(bytes, parse_error, kMaxLeafBytes);
  if (!value) {
    error = leaf_error(parse_error.path, parse_error.code, parse_error.message);
    return std::nullopt;
  }
  if (encode_canonical(*value) != bytes) {
    error = leaf_error("", "not_canonical", "leaf bytes are not in canonical form");
    return std::nullopt;
  }
  if (!value->is_object() || value->size() != 7) {
    error = leaf_error("", "bad_shape", "leaf must be an object with exactly 7 keys");
    return std::nullopt;
  }
  const Json& v = *value;
  auto require = [&](const char* key, bool ok) {
    if (!ok) error = leaf_error(key, "bad_field", std::string("missing or malformed ") + key);
    return ok;
  };
  if (!require("v", v.contains("v") && v["v"].is_number_integer() &&
                        v["v"].get<std::int64_t>() == kLeafEncodingVersion) ||
      !require("seq", v.contains("seq") && v["seq"].is_number_integer() &&
                          v["seq"].get<std::int64_t>() >= 1) ||
      !require("kind", v.contains("kind") && v["kind"].is_string()) ||
      !require("actor", v.contains("actor") && v["actor"].is_string()) ||
      !require("payload", v.contains("payload") && v["payload"].is_object()) ||
      !require("recorded_at", v.contains("recorded_at") && v["recorded_at"].is_string() &&
                                  is_recorded_at(v["recorded_at"].get<std::string>())) ||
      !require("prev", v.contains("prev") && v["prev"].is_string())) {
    return std::nullopt;
  }
  Leaf leaf;
  leaf.seq = static_cast<std::uint64_t>(v["seq"].get<std::int64_t>());
  leaf.kind = v["kind"].get<std::string>();
  leaf.actor = v["actor"].get<std::string>();
  leaf.recorded_at = v["recorded_at"].get<std::string>();
  leaf.payload = v["payload"];
  const std::string prev_hex = v["prev"].get<std::string>();
  if (!hash_from_hex(prev_hex, leaf.prev) || to_hex(leaf.prev) != prev_hex) {
    error = leaf_error("prev", "bad_field", "prev must be 64 lower-case hex digits");
    return std::nullopt;
  }
  if (auto problem = check_leaf_fields(leaf.kind, leaf.actor, leaf.payload)) {
    error = *problem;
    return std::nullopt;
  }
  return leaf;
}

bool decode_leaf_header(std::string_view bytes, LeafHeader& out, LeafError& error) {
  if (scan_leaf(bytes, out)) return true;
  auto leaf = decode_leaf_reference(bytes, error);
  if (!leaf) return false;
  out.seq = leaf->seq;
  out.prev = leaf->prev;
  out.storage[0] = std::move(leaf->kind);
  out.storage[1] = std::move(leaf->actor);
  out.storage[2] = std::move(leaf->recorded_at);
  out.storage[3] = encode_canonical(leaf->payload);
  out.kind = out.storage[0];
  out.actor = out.storage[1];
  out.recorded_at = out.storage[2];
  out.payload = out.storage[3];
  return true;
}

std::optional<Leaf> decode_leaf(std::string_view bytes, LeafError& error) {
  LeafHeader header;
  if (!scan_leaf(bytes, header)) return decode_leaf_reference(bytes, error);
  Leaf leaf;
  leaf.seq = header.seq;
  leaf.kind = header.kind;
  leaf.actor = header.actor;
  leaf.recorded_at = header.recorded_at;
  leaf.prev = header.prev;
  // Canonical (just checked), so the fast builder applies; it gives what Json::parse gives.
  leaf.payload = decode_canonical(header.payload);
  return leaf;
}

}  // namespace qledger
