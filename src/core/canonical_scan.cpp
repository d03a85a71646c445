// One pass over the bytes: every rule of the profile (canonical_json.hpp) is checked in the form
// the encoder writes it, so "parses and re-encodes to itself" becomes a left-to-right scan.
// Recursion is bounded by max_depth (at most kMaxJsonDepth in every caller).
#include "qledger/canonical_scan.hpp"

#include "qledger/canonical_json.hpp"
#include "qledger/utf8.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace qledger {
namespace {

constexpr std::size_t kNpos = std::string_view::npos;

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// A string as encode_string writes it. s[i] is the opening quote. Returns the position past the
// closing quote. With `key`, the decoded text must also be 1..64 bytes of printable ASCII; it is
// copied to key_out (decoded) and its length to key_len.
std::size_t scan_string(std::string_view s, std::size_t i, char* key_out, std::size_t* key_len) {
  const std::size_t n = s.size();
  std::size_t decoded = 0;
  ++i;
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"') {
      if (key_out != nullptr) {
        if (decoded == 0) return kNpos;
        *key_len = decoded;
      }
      return i + 1;
    }
    char out = static_cast<char>(c);
    if (c == '\\') {
      if (i + 1 >= n) return kNpos;
      const char e = s[i + 1];
      if (e == '"' || e == '\\') {
        out = e;
        i += 2;
      } else if (key_out != nullptr) {
        return kNpos;  // every other escape stands for a control character: not a key byte
      } else if (e == 'b' || e == 't' || e == 'n' || e == 'f' || e == 'r') {
        i += 2;
      } else if (e == 'u') {
        // Only \u00XX in lower-case hex for control characters without a short form.
        if (n - i < 6 || s[i + 2] != '0' || s[i + 3] != '0') return kNpos;
        const char hi = s[i + 4];
        const char lo = s[i + 5];
        if ((hi != '0' && hi != '1') || !is_lower_hex(lo)) return kNpos;
        const int value = (hi - '0') * 16 + (lo <= '9' ? lo - '0' : lo - 'a' + 10);
        if (value == 0x08 || value == 0x09 || value == 0x0A || value == 0x0C || value == 0x0D) {
          return kNpos;
        }
        i += 6;
      } else {
        return kNpos;
      }
    } else if (c < 0x20) {
      return kNpos;
    } else if (c < 0x80) {
      ++i;
    } else {
      if (key_out != nullptr) return kNpos;
      char32_t cp = 0;
      if (!decode_utf8(s, i, cp)) return kNpos;
      continue;  // decode_utf8 advanced i
    }
    if (key_out != nullptr) {
      if (decoded == kMaxKeyBytes || out == 0x7F) return kNpos;
      key_out[decoded] = out;
    }
    ++decoded;
  }
  return kNpos;
}

// An integer as std::to_chars writes it, within ±(2^53−1); "-0" is not canonical.
std::size_t scan_integer(std::string_view s, std::size_t i) {
  const std::size_t n = s.size();
  const bool negative = s[i] == '-';
  if (negative) ++i;
  if (i >= n) return kNpos;
  if (s[i] == '0') return negative ? kNpos : i + 1;
  if (s[i] < '1' || s[i] > '9') return kNpos;
  std::uint64_t value = 0;
  std::size_t digits = 0;
  while (i < n && s[i] >= '0' && s[i] <= '9') {
    if (++digits > 16) return kNpos;  // 2^53−1 has 16 digits
    value = value * 10 + static_cast<std::uint64_t>(s[i] - '0');
    ++i;
  }
  if (value > static_cast<std::uint64_t>(kMaxSafeInteger)) return kNpos;
  return i;
}

std::size_t scan_literal(std::string_view s, std::size_t i, std::string_view word) {
  return s.substr(i, word.size()) == word ? i + word.size() : kNpos;
}

std::size_t scan_value(std::string_view s, std::size_t i, std::size_t depth_left);

std::size_t scan_object(std::string_view s, std::size_t i, std::size_t depth_left) {
  const std::size_t n = s.size();
  ++i;
  if (i < n && s[i] == '}') return i + 1;
  char keys[2][kMaxKeyBytes];
  std::size_t lengths[2] = {0, 0};
  int current = 0;
  bool first = true;
  for (;;) {
    if (i >= n || s[i] != '"') return kNpos;
    i = scan_string(s, i, keys[current], &lengths[current]);
    if (i == kNpos) return kNpos;
    if (!first) {
      // Strictly increasing bytewise: sorted, and no duplicates.
      const int previous = 1 - current;
      const std::size_t common = std::min(lengths[0], lengths[1]);
      const int order = std::memcmp(keys[previous], keys[current], common);
      if (order > 0 || (order == 0 && lengths[previous] >= lengths[current])) return kNpos;
    }
    first = false;
    current = 1 - current;
    if (i >= n || s[i] != ':') return kNpos;
    i = scan_value(s, i + 1, depth_left);
    if (i == kNpos || i >= n) return kNpos;
    if (s[i] == '}') return i + 1;
    if (s[i] != ',') return kNpos;
    ++i;
  }
}

std::size_t scan_array(std::string_view s, std::size_t i, std::size_t depth_left) {
  const std::size_t n = s.size();
  ++i;
  if (i < n && s[i] == ']') return i + 1;
  for (;;) {
    i = scan_value(s, i, depth_left);
    if (i == kNpos || i >= n) return kNpos;
    if (s[i] == ']') return i + 1;
    if (s[i] != ',') return kNpos;
    ++i;
  }
}

std::size_t scan_value(std::string_view s, std::size_t i, std::size_t depth_left) {
  if (i >= s.size()) return kNpos;
  switch (s[i]) {
    case '{':
      return depth_left == 0 ? kNpos : scan_object(s, i, depth_left - 1);
    case '[':
      return depth_left == 0 ? kNpos : scan_array(s, i, depth_left - 1);
    case '"':
      return scan_string(s, i, nullptr, nullptr);
    case 't':
      return scan_literal(s, i, "true");
    case 'f':
      return scan_literal(s, i, "false");
    case 'n':
      return scan_literal(s, i, "null");
    default:
      if (s[i] == '-' || (s[i] >= '0' && s[i] <= '9')) return scan_integer(s, i);
      return kNpos;
  }
}

}  // namespace

std::size_t scan_canonical_value(std::string_view bytes, std::size_t pos, std::size_t max_depth) {
  return scan_value(bytes, pos, max_depth);
}

}  // namespace qledger
