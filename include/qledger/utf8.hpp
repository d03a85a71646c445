// Strict UTF-8 decoding (RFC 3629): no overlong forms, no UTF-16 surrogates, nothing beyond
// U+10FFFF. Every text check in qledger (checkpoint notes, key names, calendar files) decodes
// through this one function so they agree on what "valid UTF-8" means; and the one encoder.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace qledger {

// Decodes the code point starting at text[i] into `cp` and advances `i` past it. Returns false,
// leaving `i` unchanged, if the bytes there are not a well-formed UTF-8 sequence. Requires
// i < text.size().
bool decode_utf8(std::string_view text, std::size_t& i, char32_t& cp);

// Appends the UTF-8 encoding of `cp` (at most U+10FFFF; not a surrogate) to `out`.
void append_utf8(std::string& out, char32_t cp);

}  // namespace qledger
