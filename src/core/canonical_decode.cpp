#include "qledger/canonical_decode.hpp"

#include "qledger/utf8.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>

namespace qledger {

namespace {

class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}

  Json document() {
    Json out = value(0);
    if (pos_ != in_.size()) fail("trailing bytes");
    return out;
  }

 private:
  [[noreturn]] void fail(const char* what) const {
    throw std::invalid_argument(std::string("not canonical JSON (") + what + ") at byte " +
                                std::to_string(pos_));
  }

  char peek() const {
    if (pos_ >= in_.size()) fail("unexpected end");
    return in_[pos_];
  }

  void expect(char c) {
    if (peek() != c) fail("unexpected byte");
    ++pos_;
  }

  Json value(std::size_t depth) {
    switch (peek()) {
      case '{':
        return object(depth + 1);
      case '[':
        return array(depth + 1);
      case '"': {
        std::string s;
        string_into(s);
        return Json(std::move(s));
      }
      case 't':
        literal("true");
        return Json(true);
      case 'f':
        literal("false");
        return Json(false);
      case 'n':
        literal("null");
        return Json(nullptr);
      default:
        return number();
    }
  }

  Json object(std::size_t depth) {
    if (depth > kMaxJsonDepth) fail("too deep");
    ++pos_;  // '{'
    Json out = Json::object();
    auto& members = out.get_ref<Json::object_t&>();
    if (peek() == '}') {
      ++pos_;
      return out;
    }
    for (;;) {
      std::string key;
      string_into(key);
      expect(':');
      // Sorted keys make the end the right place; a repeated key is overwritten, as
      // Json::parse does.
      auto it = members.emplace_hint(members.end(), std::move(key), nullptr);
      it->second = value(depth);
      const char c = peek();
      ++pos_;
      if (c == '}') return out;
      if (c != ',') fail("expected , or }");
    }
  }

  Json array(std::size_t depth) {
    if (depth > kMaxJsonDepth) fail("too deep");
    ++pos_;  // '['
    Json out = Json::array();
    auto& items = out.get_ref<Json::array_t&>();
    if (peek() == ']') {
      ++pos_;
      return out;
    }
    for (;;) {
      items.push_back(value(depth));
      const char c = peek();
      ++pos_;
      if (c == ']') return out;
      if (c != ',') fail("expected , or ]");
    }
  }

  void literal(std::string_view word) {
    if (in_.substr(pos_, word.size()) != word) fail("bad literal");
    pos_ += word.size();
  }

  Json number() {
    const bool negative = peek() == '-';
    if (negative) ++pos_;
    const std::size_t start = pos_;
    std::uint64_t magnitude = 0;
    while (pos_ < in_.size() && in_[pos_] >= '0' && in_[pos_] <= '9') {
      magnitude = magnitude * 10 + static_cast<std::uint64_t>(in_[pos_] - '0');
      ++pos_;
      if (magnitude > static_cast<std::uint64_t>(kMaxSafeInteger)) fail("integer out of range");
    }
    const std::size_t digits = pos_ - start;
    if (digits == 0) fail("unexpected byte");
    if (digits > 1 && in_[start] == '0') fail("leading zero");
    if (pos_ < in_.size() && (in_[pos_] == '.' || in_[pos_] == 'e' || in_[pos_] == 'E')) {
      fail("not an integer");
    }
    if (negative) return Json(-static_cast<std::int64_t>(magnitude));
    return Json(magnitude);
  }

  unsigned hex4() {
    if (pos_ + 4 > in_.size()) fail("short \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = in_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<unsigned>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<unsigned>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<unsigned>(c - 'A' + 10);
      } else {
        fail("bad \\u escape");
      }
    }
    return v;
  }

  void escape_into(std::string& out) {
    ++pos_;  // '\\'
    const char c = peek();
    ++pos_;
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out += c;
        return;
      case 'b':
        out += '\b';
        return;
      case 'f':
        out += '\f';
        return;
      case 'n':
        out += '\n';
        return;
      case 'r':
        out += '\r';
        return;
      case 't':
        out += '\t';
        return;
      case 'u':
        break;
      default:
        fail("bad escape");
    }
    char32_t cp = hex4();
    if (cp >= 0xDC00 && cp <= 0xDFFF) fail("lone surrogate");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (in_.substr(pos_, 2) != "\\u") fail("lone surrogate");
      pos_ += 2;
      const char32_t low = hex4();
      if (low < 0xDC00 || low > 0xDFFF) fail("lone surrogate");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(out, cp);
  }

  // Reads a string starting at its opening quote into `out`.
  void string_into(std::string& out) {
    expect('"');
    for (;;) {
      // Copy the run of plain ASCII and well-formed UTF-8 up to the next quote or escape.
      const std::size_t run = pos_;
      while (pos_ < in_.size()) {
        const auto b = static_cast<unsigned char>(in_[pos_]);
        if (b == '"' || b == '\\') break;
        if (b < 0x20) fail("control character in string");
        if (b < 0x80) {
          ++pos_;
          continue;
        }
        char32_t cp = 0;
        if (!decode_utf8(in_, pos_, cp)) fail("invalid UTF-8");
      }
      out.append(in_.data() + run, pos_ - run);
      const char c = peek();
      if (c == '"') {
        ++pos_;
        return;
      }
      escape_into(out);
    }
  }

  std::string_view in_;
  std::size_t pos_ = 0;
};

}  // namespace

Json decode_canonical(std::string_view bytes) { return Decoder(bytes).document(); }

}  // namespace qledger
