#include "qledger/html_escape.hpp"

#include "qledger/utf8.hpp"

namespace qledger {

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t start = i;
    char32_t cp = 0;
    if (!decode_utf8(text, i, cp)) {
      out += "\xEF\xBF\xBD";  // U+FFFD for each byte that does not start a valid sequence
      ++i;
      continue;
    }
    switch (cp) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\t':
      case '\n':
        out.push_back(static_cast<char>(cp));
        break;
      default:
        if (cp >= 0x20 && cp != 0x7F) out.append(text.substr(start, i - start));
    }
  }
  return out;
}

}  // namespace qledger
