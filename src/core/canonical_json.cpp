// Canonical JSON profile: a strict parser (nlohmann's SAX interface driving our own DOM builder,
// so every rule is checked while parsing and hostile nesting is refused before it is built) and a
// serializer written out by hand so the hashed bytes are pinned by this file alone.
#include "qledger/canonical_json.hpp"

#include "qledger/canonical_scan.hpp"

#include <charconv>
#include <cstdint>
#include <functional>
#include <iterator>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace qledger {
namespace {

using value_t = Json::value_t;

// Objects iterate in key order under std::less<> on std::string, i.e. bytewise
// (char_traits<char> compares as unsigned char). The encoder relies on that order.
static_assert(std::is_same_v<Json::object_comparator_t, std::less<>>);

constexpr std::uint64_t kMaxSafeUnsigned = static_cast<std::uint64_t>(kMaxSafeInteger);
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

CanonicalError make_error(std::string path, std::string code, std::string message) {
  return CanonicalError{std::move(path), std::move(code), std::move(message)};
}

// ---------------------------------------------------------------------------------------------
// Small helpers shared by the parser, the checker and the encoder.

// Length of the well-formed UTF-8 sequence starting at s[i] (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0 if the bytes there are ill-formed.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  if (lead < 0x80) return 1;
  std::size_t len = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    len = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    len = 3;
    if (lead == 0xE0) lo = 0xA0;  // overlong
    if (lead == 0xED) hi = 0x9F;  // UTF-16 surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    len = 4;
    if (lead == 0xF0) lo = 0x90;  // overlong
    if (lead == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (s.size() - i < len) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return 0;
  }
  return len;
}

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = utf8_sequence_length(s, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

// Why `key` is not an allowed object key, or nullopt if it is.
std::optional<std::string> key_problem(std::string_view key) {
  if (key.empty()) return "object key is empty";
  if (key.size() > kMaxKeyBytes) return "object key is longer than 64 bytes";
  for (const char c : key) {
    if (c < 0x20 || c > 0x7E) return "object key has a byte outside printable ASCII (0x20..0x7E)";
  }
  return std::nullopt;
}

// One reference token of a JSON pointer (RFC 6901), with its leading '/'.
std::string pointer_token(std::string_view token) {
  std::string out = "/";
  for (const char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string pointer_token(std::size_t index) {
  std::string out = "/";  // appended, not "/" + ...: g++ 12 -O3 raises a false -Wrestrict there
  out += std::to_string(index);
  return out;
}

// Makes text safe to show in an error message: bytes outside printable ASCII become \xNN.
std::string printable(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 && b <= 0x7E) {
      out += c;
    } else {
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 0x0F];
    }
  }
  return out;
}

// True for a number token without fraction or exponent (nlohmann hands integers that overflow
// 64 bits to number_float; they are out of range, not floats).
bool is_integer_literal(std::string_view raw) {
  return raw.find_first_of(".eE") == std::string_view::npos;
}

const char* integer_range_message() {
  return "integer is outside the safe range -(2^53-1)..(2^53-1)";
}

// ---------------------------------------------------------------------------------------------
// check_profile: a walk over an in-memory value. Recursion stops at kMaxJsonDepth + 1 levels.

std::optional<CanonicalError> check_value(const Json& value, std::string& path, std::size_t depth);

std::optional<CanonicalError> check_array(const Json& array, std::string& path, std::size_t depth) {
  const std::size_t base = path.size();
  for (std::size_t i = 0; i < array.size(); ++i) {
    path += pointer_token(i);
    if (auto error = check_value(array[i], path, depth)) return error;
    path.resize(base);
  }
  return std::nullopt;
}

std::optional<CanonicalError> check_object(const Json& object, std::string& path,
                                           std::size_t depth) {
  const std::size_t base = path.size();
  for (const auto& [key, member] : object.get_ref<const Json::object_t&>()) {
    if (auto why = key_problem(key)) return make_error(path, "bad_key", *why);
    path += pointer_token(key);
    if (auto error = check_value(member, path, depth)) return error;
    path.resize(base);
  }
  return std::nullopt;
}

std::optional<CanonicalError> check_container(const Json& value, std::string& path,
                                              std::size_t depth) {
  if (depth + 1 > kMaxJsonDepth) {
    return make_error(path, "too_deep", "nesting is deeper than 32 objects/arrays");
  }
  return value.is_array() ? check_array(value, path, depth + 1)
                          : check_object(value, path, depth + 1);
}

std::optional<CanonicalError> check_scalar(const Json& value, const std::string& path) {
  switch (value.type()) {
    case value_t::null:
    case value_t::boolean:
      return std::nullopt;
    case value_t::number_integer: {
      const auto n = value.get<std::int64_t>();
      if (n >= -kMaxSafeInteger && n <= kMaxSafeInteger) return std::nullopt;
      return make_error(path, "integer_out_of_range", integer_range_message());
    }
    case value_t::number_unsigned:
      if (value.get<std::uint64_t>() <= kMaxSafeUnsigned) return std::nullopt;
      return make_error(path, "integer_out_of_range", integer_range_message());
    case value_t::number_float:
      return make_error(path, "float_not_allowed", "only integers are allowed, not floats");
    case value_t::string:
      if (is_valid_utf8(value.get_ref<const std::string&>())) return std::nullopt;
      return make_error(path, "invalid_utf8", "string is not valid UTF-8");
    default:
      return make_error(path, "invalid_json", "binary and discarded values are not JSON");
  }
}

std::optional<CanonicalError> check_value(const Json& value, std::string& path, std::size_t depth) {
  if (value.is_structured()) return check_container(value, path, depth);
  return check_scalar(value, path);
}

// The same rules as check_value without building paths: the common case (a valid value) costs
// no string work; only a failing value is walked again by check_value for its path.
bool within_profile(const Json& value, std::size_t depth) {
  switch (value.type()) {
    case value_t::null:
    case value_t::boolean:
      return true;
    case value_t::number_integer: {
      const auto n = value.get<std::int64_t>();
      return n >= -kMaxSafeInteger && n <= kMaxSafeInteger;
    }
    case value_t::number_unsigned:
      return value.get<std::uint64_t>() <= kMaxSafeUnsigned;
    case value_t::string:
      return is_valid_utf8(value.get_ref<const std::string&>());
    case value_t::array:
      if (depth + 1 > kMaxJsonDepth) return false;
      for (const Json& element : value) {
        if (!within_profile(element, depth + 1)) return false;
      }
      return true;
    case value_t::object:
      if (depth + 1 > kMaxJsonDepth) return false;
      for (const auto& [key, member] : value.get_ref<const Json::object_t&>()) {
        if (key_problem(key) || !within_profile(member, depth + 1)) return false;
      }
      return true;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------
// The parser: a SAX handler that builds the DOM and enforces the profile as events arrive.

class ProfileSax {
 public:
  explicit ProfileSax(CanonicalError& error) : error_(error) {}

  Json take_root() { return std::move(root_); }

  bool null() { return add(Json(nullptr)); }
  bool boolean(bool b) { return add(Json(b)); }
  bool string(std::string& s) { return add(Json(std::move(s))); }

  bool number_integer(std::int64_t n) {
    if (n < -kMaxSafeInteger || n > kMaxSafeInteger) {
      return fail(current_path(), "integer_out_of_range", integer_range_message());
    }
    return add(Json(n));
  }

  bool number_unsigned(std::uint64_t n) {
    if (n > kMaxSafeUnsigned) {
      return fail(current_path(), "integer_out_of_range", integer_range_message());
    }
    return add(Json(n));
  }

  bool number_float(double /*value*/, const std::string& raw) {
    if (is_integer_literal(raw)) {
      return fail(current_path(), "integer_out_of_range", integer_range_message());
    }
    return fail(current_path(), "float_not_allowed", "only integers are allowed, not floats");
  }

  bool binary(Json::binary_t& /*unused*/) {
    return fail(current_path(), "invalid_json", "binary values are not JSON");
  }

  bool start_object(std::size_t /*unknown*/) { return open(Json::object()); }
  bool start_array(std::size_t /*unknown*/) { return open(Json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(std::string& k) {
    // A bad key may be long or unprintable, so it is reported at its object's path.
    if (auto why = key_problem(k)) return fail(current_path(), "bad_key", *why);
    Frame& top = frames_.back();
    if (top.node->contains(k)) {
      return fail(current_path() + pointer_token(k), "duplicate_key",
                  "duplicate object key \"" + k + "\"");
    }
    top.key = std::move(k);
    top.key_pending = true;
    return true;
  }

  bool parse_error(std::size_t position, const std::string& last_token, const Json::exception& ex) {
    constexpr int kNumberOverflow = 406;  // out_of_range.406: the literal exceeds a double
    if (ex.id == kNumberOverflow) return number_float(0.0, last_token);
    // Only the library's own words, up to "; last read: '<input>'", are inspected.
    const std::string_view what = ex.what();
    const std::string_view lexer_says = what.substr(0, what.find("; last read: '"));
    const std::string at = " (near byte " + std::to_string(position) + ")";
    if (lexer_says.ends_with("invalid string: ill-formed UTF-8 byte")) {
      return fail(current_path(), "invalid_utf8", "string is not valid UTF-8" + at);
    }
    if (lexer_says.find("invalid string: surrogate U+") != std::string_view::npos) {
      return fail(current_path(), "lone_surrogate", "string has a lone UTF-16 surrogate" + at);
    }
    const std::size_t end_of_prefix = what.find("] ");  // "[json.exception.parse_error.101] "
    const auto detail =
        end_of_prefix == std::string_view::npos ? what : what.substr(end_of_prefix + 2);
    return fail(current_path(), "invalid_json", printable(detail));
  }

 private:
  struct Frame {
    Json* node;                // the open object or array
    std::string key;           // object: key of the member being (or last) parsed
    bool key_pending = false;  // object: a key has arrived but its value has not
    std::size_t count = 0;     // array: children started so far
  };

  // JSON pointer of the value the parser is at: the child being delivered or lexed when the
  // innermost container expects one, otherwise the innermost container itself.
  std::string current_path() const {
    std::string path;
    for (std::size_t i = 0; i < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      const bool innermost = i + 1 == frames_.size();
      if (f.node->is_array()) {
        path += pointer_token(innermost ? f.count : f.count - 1);
      } else if (!innermost || f.key_pending) {
        path += pointer_token(f.key);
      }
    }
    return path;
  }

  Json* next_slot() {
    if (frames_.empty()) return &root_;
    Frame& top = frames_.back();
    if (top.node->is_array()) {
      top.node->push_back(nullptr);
      ++top.count;
      return &top.node->back();
    }
    top.key_pending = false;
    return &(*top.node)[top.key];
  }

  bool add(Json value) {
    *next_slot() = std::move(value);
    return true;
  }

  // Depth is checked before the container is created, so hostile nesting stops here.
  bool open(Json container) {
    if (frames_.size() >= kMaxJsonDepth) {
      return fail(current_path(), "too_deep", "nesting is deeper than 32 objects/arrays");
    }
    Json* slot = next_slot();
    *slot = std::move(container);
    frames_.push_back(Frame{slot, {}, false, 0});
    return true;
  }

  bool close() {
    frames_.pop_back();
    return true;
  }

  bool fail(std::string path, std::string code, std::string message) {
    error_ = make_error(std::move(path), std::move(code), std::move(message));
    return false;
  }

  CanonicalError& error_;
  Json root_;
  std::vector<Frame> frames_;  // pointers stay valid: a parent never grows while a child is open
};

// ---------------------------------------------------------------------------------------------
// The encoder. Callers run check_profile first; the fallbacks below only guard the switch.

void encode_string(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out += kHex[static_cast<unsigned char>(c) >> 4];
          out += kHex[static_cast<unsigned char>(c) & 0x0F];
        } else {
          out += c;  // everything else, including U+007F and non-ASCII, verbatim
        }
    }
  }
  out += '"';
}

template <typename Integer>
void encode_integer(Integer n, std::string& out) {
  char buffer[24];
  const auto result = std::to_chars(std::begin(buffer), std::end(buffer), n);
  out.append(buffer, result.ptr);
}

void encode_value(const Json& value, std::string& out);

void encode_array(const Json& array, std::string& out) {
  out += '[';
  bool first = true;
  for (const Json& element : array) {
    if (!first) out += ',';
    first = false;
    encode_value(element, out);
  }
  out += ']';
}

void encode_object(const Json& object, std::string& out) {
  out += '{';
  bool first = true;
  for (const auto& [key, member] : object.get_ref<const Json::object_t&>()) {
    if (!first) out += ',';
    first = false;
    encode_string(key, out);
    out += ':';
    encode_value(member, out);
  }
  out += '}';
}

void encode_value(const Json& value, std::string& out) {
  switch (value.type()) {
    case value_t::null:
      out += "null";
      break;
    case value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      break;
    case value_t::number_integer:
      encode_integer(value.get<std::int64_t>(), out);
      break;
    case value_t::number_unsigned:
      encode_integer(value.get<std::uint64_t>(), out);
      break;
    case value_t::string:
      encode_string(value.get_ref<const std::string&>(), out);
      break;
    case value_t::array:
      encode_array(value, out);
      break;
    case value_t::object:
      encode_object(value, out);
      break;
    default:
      throw std::invalid_argument("canonical JSON: value type outside the profile");
  }
}

}  // namespace

std::optional<Json> parse_profile_json(std::string_view text, CanonicalError& error,
                                       std::size_t max_bytes) {
  if (text.size() > max_bytes) {
    error = make_error("", "too_large",
                       "document is larger than " + std::to_string(max_bytes) + " bytes");
    return std::nullopt;
  }
  if (text.starts_with(kByteOrderMark)) {  // nlohmann would skip it silently
    error = make_error("", "invalid_json", "a byte order mark is not allowed");
    return std::nullopt;
  }
  ProfileSax sax(error);
  if (!Json::sax_parse(text.data(), text.data() + text.size(), &sax)) return std::nullopt;
  Json value = sax.take_root();
  // Defence in depth: the SAX handler already enforced the profile, nlohmann checked UTF-8.
  if (auto problem = check_profile(value)) {
    error = std::move(*problem);
    return std::nullopt;
  }
  return value;
}

std::optional<CanonicalError> check_profile(const Json& value) {
  if (within_profile(value, 0)) return std::nullopt;
  std::string path;
  return check_value(value, path, 0);
}

std::string encode_canonical(const Json& value) {
  std::string out;
  append_canonical(value, out);
  return out;
}

void append_canonical(const Json& value, std::string& out) {
  if (auto problem = check_profile(value)) {
    throw std::invalid_argument("canonical JSON: " + problem->code + " at \"" +
                                printable(problem->path) + "\": " + problem->message);
  }
  encode_value(value, out);
}

bool is_canonical(std::string_view bytes) {
  // One pass over the bytes; agrees with "parse_profile_json, then encode_canonical gives the
  // same bytes" (tests/canonical_scan_test.cpp checks both on a corpus).
  return scan_canonical_value(bytes, 0, kMaxJsonDepth) == bytes.size();
}

}  // namespace qledger
