#include "qledger/csv_import.hpp"

#include "qledger/auth_account_events.hpp"
#include "qledger/read_ahead.hpp"

#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>
#include <stdexcept>
#include <unordered_map>

namespace qledger {

// ---- CSV records -----------------------------------------------------------------------------

namespace {

bool is_blank(std::string_view s) { return s.find_first_not_of(" \t") == std::string_view::npos; }

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

}  // namespace

bool CsvRecord::blank() const {
  return std::all_of(cells.begin(), cells.end(), [](const std::string& c) { return is_blank(c); });
}

CsvReader::CsvReader(std::istream& in) : in_(in), buffer_(1 << 16) {}

bool CsvReader::fill() {
  consumed_ += end_;
  pos_ = 0;
  end_ = 0;
  if (!in_.good()) {
    if (in_.bad()) throw std::runtime_error("read error in the input");
    return false;
  }
  in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  if (in_.bad()) throw std::runtime_error("read error in the input");
  end_ = static_cast<std::size_t>(in_.gcount());
  return end_ > 0;
}

bool CsvReader::next(CsvRecord& record) {
  if (pos_ == end_ && !fill()) return false;
  record.issues.clear();
  record.line = line_;
  std::size_t count = 0;  // cells started
  std::string overflow;   // sink for cells beyond kMaxCsvCells
  bool cut = false;       // the current cell hit kMaxCsvCellBytes
  bool stray = false;     // the current cell already has a stray_quote issue
  const auto cell = [&]() -> std::string& {
    return count > kMaxCsvCells ? overflow : record.cells[count - 1];
  };
  const auto issue = [&](const char* code) {
    record.issues.push_back({std::min(count, kMaxCsvCells + 1) - 1, code});
  };
  const auto start_cell = [&] {
    ++count;
    cut = stray = false;
    if (count > kMaxCsvCells) {
      if (count == kMaxCsvCells + 1) issue("too_many_cells");
      overflow.clear();
    } else if (count <= record.cells.size()) {
      record.cells[count - 1].clear();
    } else {
      record.cells.emplace_back();
    }
  };
  const auto append = [&](const char* data, std::size_t n) {
    std::string& c = cell();
    if (c.size() + n > kMaxCsvCellBytes) {
      if (!cut) issue("cell_too_long");
      cut = true;
      n = kMaxCsvCellBytes - c.size();
    }
    c.append(data, n);
  };
  const auto end_line = [&] {  // consumes CR, LF or CRLF
    const char c = buffer_[pos_++];
    ++line_;
    if (c == '\r' && (pos_ < end_ || fill()) && buffer_[pos_] == '\n') ++pos_;
  };
  const auto finish = [&] {
    record.cells.resize(std::min(count, kMaxCsvCells));
    return true;
  };

  enum class State { kStart, kUnquoted, kQuoted, kAfterQuote };
  State state = State::kStart;
  start_cell();
  for (;;) {
    if (pos_ == end_ && !fill()) {
      if (state == State::kQuoted) issue("unclosed_quote");
      return finish();
    }
    switch (state) {
      case State::kStart:
        if (buffer_[pos_] == '"') {
          ++pos_;
          state = State::kQuoted;
          continue;
        }
        state = State::kUnquoted;
        [[fallthrough]];
      case State::kUnquoted: {
        const std::size_t from = pos_;
        while (pos_ < end_) {
          const char c = buffer_[pos_];
          if (c == ',' || c == '"' || c == '\r' || c == '\n') break;
          ++pos_;
        }
        append(buffer_.data() + from, pos_ - from);
        if (pos_ == end_) continue;
        const char c = buffer_[pos_];
        if (c == '"') {
          if (!stray) issue("stray_quote");
          stray = true;
          append("\"", 1);
          ++pos_;
        } else if (c == ',') {
          ++pos_;
          start_cell();
          state = State::kStart;
        } else {
          end_line();
          return finish();
        }
        continue;
      }
      case State::kQuoted: {
        const std::size_t from = pos_;
        while (pos_ < end_) {
          const char c = buffer_[pos_];
          if (c == '"' || c == '\r' || c == '\n') break;
          ++pos_;
        }
        append(buffer_.data() + from, pos_ - from);
        if (pos_ == end_) continue;
        const char c = buffer_[pos_++];
        if (c == '"') {
          if ((pos_ < end_ || fill()) && buffer_[pos_] == '"') {
            append("\"", 1);
            ++pos_;
          } else {
            state = State::kAfterQuote;
          }
        } else {  // a line break inside quotes: kept as LF
          ++line_;
          append("\n", 1);
          if (c == '\r' && (pos_ < end_ || fill()) && buffer_[pos_] == '\n') ++pos_;
        }
        continue;
      }
      case State::kAfterQuote: {
        const char c = buffer_[pos_];
        if (c == ',') {
          ++pos_;
          start_cell();
          state = State::kStart;
        } else if (c == '\r' || c == '\n') {
          end_line();
          return finish();
        } else {
          issue("text_after_quote");
          state = State::kUnquoted;
        }
        continue;
      }
    }
  }
}

void append_csv_cell(std::string& out, std::string_view cell, bool guard_formula) {
  const bool guard = guard_formula && !cell.empty() &&
                     (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' ||
                      cell[0] == '\t' || cell[0] == '\r');
  const bool quote = cell.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!cell.empty() && (cell.front() == ' ' || cell.back() == ' '));
  if (!quote) {
    if (guard) out += '\'';
    out += cell;
    return;
  }
  out += '"';
  if (guard) out += '\'';
  for (const char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// ---- Encodings -------------------------------------------------------------------------------

std::string_view to_string(TextEncoding encoding) {
  return encoding == TextEncoding::kUtf8 ? "UTF-8" : "GB18030";
}

std::optional<EncodingChoice> parse_encoding_choice(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (lower == "auto") return EncodingChoice::kAuto;
  if (lower == "utf-8" || lower == "utf8") return EncodingChoice::kUtf8;
  if (lower == "gb18030") return EncodingChoice::kGb18030;
  return std::nullopt;
}

namespace {

// Length of the valid UTF-8 sequence at text[i], 0 if invalid; `truncated` is set when the
// bytes so far are a valid beginning cut short by the end of `text`.
std::size_t utf8_sequence(std::string_view text, std::size_t i, bool& truncated) {
  truncated = false;
  const auto b = static_cast<unsigned char>(text[i]);
  if (b < 0x80) return 1;
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b >= 0xC2 && b <= 0xDF) {
    len = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    len = 3;
    if (b == 0xE0) lo = 0xA0;  // no overlongs
    if (b == 0xED) hi = 0x9F;  // no surrogates
  } else if (b >= 0xF0 && b <= 0xF4) {
    len = 4;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;  // at most U+10FFFF
  } else {
    return 0;
  }
  for (std::size_t k = 1; k < len; ++k) {
    if (i + k >= text.size()) {
      truncated = true;
      return 0;
    }
    const auto c = static_cast<unsigned char>(text[i + k]);
    if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF)) return 0;
  }
  return len;
}

}  // namespace

std::size_t first_invalid_utf8(std::string_view text) {
  std::size_t i = 0;
  bool truncated = false;
  while (i < text.size()) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const std::size_t len = utf8_sequence(text, i, truncated);
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}

CellDecoder::CellDecoder(TextEncoding encoding) : encoding_(encoding) {
  if (encoding == TextEncoding::kGb18030) {
    const iconv_t cd = ::iconv_open("UTF-8", "GB18030");
    if (cd == reinterpret_cast<iconv_t>(-1)) {
      throw std::runtime_error("this system's iconv cannot convert from GB18030");
    }
    iconv_ = cd;
  }
}

CellDecoder::~CellDecoder() {
  if (iconv_ != nullptr) ::iconv_close(static_cast<iconv_t>(iconv_));
}

bool CellDecoder::decode(std::string_view raw, std::string& out, std::size_t& bad_offset) {
  const bool ascii = std::all_of(raw.begin(), raw.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (encoding_ == TextEncoding::kUtf8 || ascii) {
    bad_offset = ascii ? std::string_view::npos : first_invalid_utf8(raw);
    if (bad_offset != std::string_view::npos) return false;
    out.assign(raw);
    return true;
  }
  const auto cd = static_cast<iconv_t>(iconv_);
  ::iconv(cd, nullptr, nullptr, nullptr, nullptr);  // initial state
  out.resize(raw.size() * 2 + 16);                  // GB18030 -> UTF-8 grows at most 1.5x
  char* in = const_cast<char*>(raw.data());         // iconv's signature; it does not write
  std::size_t in_left = raw.size();
  std::size_t done = 0;
  while (in_left > 0) {
    char* o = out.data() + done;
    std::size_t o_left = out.size() - done;
    const std::size_t r = ::iconv(cd, &in, &in_left, &o, &o_left);
    done = static_cast<std::size_t>(o - out.data());
    if (r != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    bad_offset = static_cast<std::size_t>(in - raw.data());  // EILSEQ or EINVAL (cut short)
    return false;
  }
  out.resize(done);
  bad_offset = first_invalid_utf8(out);  // belt and braces: iconv output must be UTF-8
  if (bad_offset != std::string_view::npos) {
    bad_offset = 0;
    return false;
  }
  return true;
}

// ---- Column layout ---------------------------------------------------------------------------

ImportLayout::ImportLayout(const EventSchema& /*schema*/, const KindSpec& kind) : kind_(&kind) {
  for (const FieldSpec& f : kind.fields) {
    if (f.type == FieldType::kPersonal) {
      // "投诉人（个人信息，单独存放）" -> 投诉人姓名; the phone column is 联系电话, the label the
      // validator uses for the phone.
      const std::string who = f.zh.substr(0, f.zh.find("（"));
      columns_.push_back(
          {f.name + "_name", who + "姓名", &f, ImportColumn::Part::kPersonName, false});
      columns_.push_back(
          {f.name + "_phone", "联系电话", &f, ImportColumn::Part::kPersonPhone, false});
    } else {
      columns_.push_back({f.name, f.zh, &f, ImportColumn::Part::kWhole, f.required});
    }
  }
  std::vector<std::string> seen;
  for (const auto& c : columns_) {
    for (const std::string* h : {&c.name, &c.zh}) {
      if (std::find(seen.begin(), seen.end(), *h) != seen.end()) {
        throw std::logic_error("import layout of " + kind.kind + ": two columns headed " + *h);
      }
      seen.push_back(*h);
    }
    if (c.name == c.zh) seen.pop_back();
  }
}

const ImportColumn* ImportLayout::find(std::string_view header) const {
  const std::string_view h = trim(header);
  for (const auto& c : columns_) {
    if (h == c.name || h == c.zh) return &c;
  }
  return nullptr;
}

// ---- Value conversion ------------------------------------------------------------------------

namespace {

// `text` for a message: at most 40 characters, control characters shown as '?'.
std::string shown(std::string_view text) {
  std::string out;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    if ((b & 0xC0) != 0x80) {
      if (++chars > 40) {
        out += "…";
        break;
      }
    }
    out += (b < 0x20 || b == 0x7F) ? '?' : text[i];
  }
  return out;
}

std::string hex_byte(unsigned char b) {
  static const char* const kDigits = "0123456789ABCDEF";
  return std::string("0x") + kDigits[b >> 4] + kDigits[b & 15];
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<int> small_number(std::string_view digits, std::size_t min_len, std::size_t max_len) {
  if (digits.size() < min_len || digits.size() > max_len || !all_digits(digits)) {
    return std::nullopt;
  }
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

// Splits leading digits off `s`.
std::string_view take_digits(std::string_view& s) {
  std::size_t n = 0;
  while (n < s.size() && s[n] >= '0' && s[n] <= '9') ++n;
  const std::string_view digits = s.substr(0, n);
  s.remove_prefix(n);
  return digits;
}

bool take(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

enum class DateResult { kOk, kNotADate, kNotReal };

// YYYY-MM-DD, YYYY-M-D, YYYY/M/D, YYYY.M.D, YYYY年M月D日 -> "YYYY-MM-DD".
DateResult parse_date_forms(std::string_view s, std::string& out,
                            std::string_view* rest = nullptr) {
  const auto year = small_number(take_digits(s), 4, 4);
  if (!year) return DateResult::kNotADate;
  std::string_view sep1;
  for (const std::string_view sep : {"-", "/", ".", "年"}) {
    if (take(s, sep)) {
      sep1 = sep;
      break;
    }
  }
  if (sep1.empty()) return DateResult::kNotADate;
  const auto month = small_number(take_digits(s), 1, 2);
  if (!month) return DateResult::kNotADate;
  if (sep1 == "年") {
    if (!take(s, "月")) return DateResult::kNotADate;
  } else if (!take(s, sep1)) {
    return DateResult::kNotADate;
  }
  const auto day = small_number(take_digits(s), 1, 2);
  if (!day) return DateResult::kNotADate;
  if (sep1 == "年" && !take(s, "日")) return DateResult::kNotADate;
  if (rest != nullptr) {
    *rest = s;
  } else if (!s.empty()) {
    return DateResult::kNotADate;
  }
  if (!CivilDate::is_valid(*year, *month, *day)) return DateResult::kNotReal;
  out = CivilDate(*year, *month, *day).to_string();
  return DateResult::kOk;
}

// "H:MM" or "H:MM:SS" (H up to 23) -> "HH:MM:SS".
bool parse_clock(std::string_view s, std::string& out) {
  const auto hour = small_number(take_digits(s), 1, 2);
  if (!hour || *hour > 23 || !take(s, ":")) return false;
  const auto minute = small_number(take_digits(s), 2, 2);
  if (!minute || *minute > 59) return false;
  int second = 0;
  if (take(s, ":")) {
    const auto sec = small_number(take_digits(s), 2, 2);
    if (!sec || *sec > 59) return false;
    second = *sec;
  }
  if (!s.empty()) return false;
  const auto two = [](int v) {
    return std::string{static_cast<char>('0' + v / 10), static_cast<char>('0' + v % 10)};
  };
  out = two(*hour) + ":" + two(*minute) + ":" + two(second);
  return true;
}

std::optional<bool> parse_boolean(std::string_view text) {
  std::string s(trim(text));
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (s == "true" || s == "1" || s == "是") return true;
  if (s == "false" || s == "0" || s == "否") return false;
  return std::nullopt;
}

// "1234", "-5", "+7", "1,234,567" -> integer within ±(2^53 − 1).
std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::string_view s = trim(text);
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  std::string digits;
  if (s.find(',') != std::string_view::npos) {  // thousands separators, groups of three
    std::size_t group = 0;
    bool first = true;
    for (const char c : s) {
      if (c == ',') {
        if (group == 0 || group > 3 || (!first && group != 3)) return std::nullopt;
        first = false;
        group = 0;
      } else {
        digits += c;
        ++group;
      }
    }
    if (group != 3) return std::nullopt;
  } else {
    digits = s;
  }
  if (!all_digits(digits) || digits.size() > 16) return std::nullopt;
  std::int64_t value = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (value > kMaxSafeInteger) return std::nullopt;
  return negative ? -value : value;
}

std::string money_text(std::string_view text) {
  std::string_view s = trim(text);
  if (!take(s, "¥")) take(s, "￥");
  s = trim(s);
  // Thousands separators only in the whole part, in groups of three.
  const auto dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  if (whole.find(',') == std::string_view::npos) return std::string(s);
  std::string digits;
  std::size_t group = 0;
  bool first = true;
  for (const char c : whole) {
    if (c == ',') {
      if (group == 0 || group > 3 || (!first && group != 3)) return std::string(s);
      first = false;
      group = 0;
    } else {
      digits += c;
      ++group;
    }
  }
  if (group != 3) return std::string(s);
  return digits + std::string(dot == std::string_view::npos ? "" : s.substr(dot));
}

// Splits on any of `separators` (each a UTF-8 string).
std::vector<std::string_view> split_any(std::string_view s,
                                        std::initializer_list<std::string_view> separators) {
  std::vector<std::string_view> parts;
  std::size_t start = 0, i = 0;
  while (i < s.size()) {
    std::size_t matched = 0;
    for (const auto sep : separators) {
      if (s.substr(i, sep.size()) == sep) {
        matched = sep.size();
        break;
      }
    }
    if (matched == 0) {
      ++i;
      continue;
    }
    parts.push_back(s.substr(start, i - start));
    i += matched;
    start = i;
  }
  parts.push_back(s.substr(start));
  return parts;
}

std::string first_segment(std::string_view path) {
  return std::string(path.substr(0, path.find('/')));
}

}  // namespace

// ---- ImportReader ----------------------------------------------------------------------------

ImportReader::ImportReader(std::istream& in, const EventSchema& schema, const KindSpec& kind,
                           std::string actor, EncodingChoice encoding)
    : in_(in), schema_(schema), layout_(schema, kind), actor_(std::move(actor)) {
  choose_encoding(encoding);
  if (file_problems_.empty()) read_header();
}

ImportReader::~ImportReader() = default;

namespace {

// A std::streambuf over a few bytes already read, then the rest of the stream.
class PrefixedBuffer : public std::streambuf {
 public:
  PrefixedBuffer(std::string prefix, std::istream& rest) : prefix_(std::move(prefix)), rest_(rest) {
    setg(prefix_.data(), prefix_.data(), prefix_.data() + prefix_.size());
  }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (!rest_.good()) return traits_type::eof();
    rest_.read(chunk_, sizeof chunk_);
    if (rest_.bad()) throw std::runtime_error("read error in the input");
    const auto n = rest_.gcount();
    if (n <= 0) return traits_type::eof();
    setg(chunk_, chunk_, chunk_ + n);
    return traits_type::to_int_type(*gptr());
  }

 private:
  std::string prefix_;
  std::istream& rest_;
  char chunk_[1 << 16];
};

struct PrefixedStream {
  PrefixedBuffer buffer;
  std::istream stream;
  PrefixedStream(std::string prefix, std::istream& rest)
      : buffer(std::move(prefix), rest), stream(&buffer) {}
};

}  // namespace

void ImportReader::choose_encoding(EncodingChoice choice) {
  // The byte order mark, if any.
  std::string prefix(4, '\0');
  in_.read(prefix.data(), 4);
  if (in_.bad()) throw std::runtime_error("read error in the input");
  prefix.resize(static_cast<std::size_t>(in_.gcount()));
  std::size_t bom = 0;
  std::optional<TextEncoding> by_bom;
  const auto file_problem = [&](std::string code, std::string en, std::string zh) {
    file_problems_.push_back({0, 0, "", "", std::move(code), std::move(en), std::move(zh)});
  };
  if (prefix.rfind("\xEF\xBB\xBF", 0) == 0) {
    bom = 3;
    by_bom = TextEncoding::kUtf8;
  } else if (prefix.rfind("\x84\x31\x95\x33", 0) == 0) {
    bom = 4;
    by_bom = TextEncoding::kGb18030;
  } else if (prefix.rfind("\xFF\xFE", 0) == 0 || prefix.rfind("\xFE\xFF", 0) == 0) {
    file_problem("unsupported_encoding",
                 "the file is UTF-16; save it as \"CSV UTF-8\" (or CSV in GB18030/GBK) instead",
                 "文件为 UTF-16 编码，请另存为“CSV UTF-8（逗号分隔）”或“CSV（逗号分隔）”格式");
    return;
  }
  had_bom_ = bom > 0;
  if (by_bom) {
    const bool conflict = (choice == EncodingChoice::kUtf8 && *by_bom != TextEncoding::kUtf8) ||
                          (choice == EncodingChoice::kGb18030 && *by_bom != TextEncoding::kGb18030);
    if (conflict) {
      const std::string named(to_string(*by_bom));
      file_problem("encoding_conflict",
                   "the file starts with a " + named + " byte order mark, contradicting --encoding",
                   "文件开头的字节顺序标记表明为 " + named + " 编码，与 --encoding 指定的不一致");
      return;
    }
    encoding_ = *by_bom;
    encoding_note_ = choice == EncodingChoice::kAuto ? "detected: byte order mark" : "as given";
  } else if (choice == EncodingChoice::kUtf8) {
    encoding_ = TextEncoding::kUtf8;
    encoding_note_ = "as given";
  } else if (choice == EncodingChoice::kGb18030) {
    encoding_ = TextEncoding::kGb18030;
    encoding_note_ = "as given";
  } else {
    // Auto: valid UTF-8 throughout -> UTF-8, else GB18030. One pass, then rewind.
    std::string chunk = prefix;
    std::uint64_t line = 1;
    bool previous_cr = false;
    std::size_t bad = std::string_view::npos;
    for (;;) {
      // Count lines up to the end of the checked part (or the first bad byte).
      std::size_t keep = 0;  // bytes of an unfinished sequence carried to the next chunk
      std::size_t i = 0;
      bool truncated = false;
      const bool at_end = !in_.good();
      while (i < chunk.size()) {
        const char c = chunk[i];
        if (static_cast<unsigned char>(c) < 0x80) {
          if (c == '\n') {
            if (!previous_cr) ++line;
          } else if (c == '\r') {
            ++line;
          }
          previous_cr = c == '\r';
          ++i;
          continue;
        }
        previous_cr = false;
        const std::size_t len = utf8_sequence(chunk, i, truncated);
        if (len == 0) {
          if (truncated && !at_end) {
            keep = chunk.size() - i;
          } else {
            bad = i;
          }
          break;
        }
        i += len;
      }
      if (bad != std::string_view::npos || at_end) break;
      chunk.erase(0, chunk.size() - keep);
      const std::size_t old = chunk.size();
      chunk.resize(old + (1 << 16));
      in_.read(chunk.data() + old, 1 << 16);
      if (in_.bad()) throw std::runtime_error("read error in the input");
      chunk.resize(old + static_cast<std::size_t>(in_.gcount()));
      if (static_cast<std::size_t>(in_.gcount()) == 0 && keep > 0) {
        bad = 0;  // the input ends inside a sequence
        break;
      }
    }
    if (bad == std::string_view::npos) {
      encoding_ = TextEncoding::kUtf8;
      encoding_note_ = "detected: valid UTF-8";
    } else {
      encoding_ = TextEncoding::kGb18030;
      first_bad_utf8_line_ = line;
      encoding_note_ = "detected: not valid UTF-8 (first invalid byte on line " +
                       std::to_string(line) + "), read as GB18030";
    }
    in_.clear();
    in_.seekg(static_cast<std::streamoff>(bom));
    if (!in_) {
      throw std::runtime_error(
          "cannot rewind the input after detecting its encoding; give --encoding");
    }
    prefix.clear();
    bom = 0;
  }
  decoder_ = std::make_unique<CellDecoder>(encoding_);
  if (prefix.size() > bom) {
    // Bytes already read must be parsed too: chain them in front of the stream.
    auto chained = std::make_shared<PrefixedStream>(prefix.substr(bom), in_);
    chained_ = chained;
    reader_ = std::make_unique<CsvReader>(chained->stream);
  } else {
    reader_ = std::make_unique<CsvReader>(in_);
  }
}

void ImportReader::read_header() {
  const auto file_problem = [&](std::string column, std::string code, std::string en,
                                std::string zh) {
    file_problems_.push_back(
        {0, record_.line, std::move(column), "", std::move(code), std::move(en), std::move(zh)});
  };
  if (!reader_->next(record_) || record_.blank()) {
    record_.line = std::max<std::uint64_t>(record_.line, 1);
    file_problem("", "no_header", "the file is empty or its first row (the header) is blank",
                 "文件为空，或第一行（表头）为空");
    return;
  }
  for (const auto& issue : record_.issues) {
    file_problem("", "bad_header",
                 "the header row is not well-formed CSV (" + issue.code + " in cell " +
                     std::to_string(issue.cell + 1) + ")",
                 "表头行不符合 CSV 格式（第 " + std::to_string(issue.cell + 1) + " 列：" +
                     issue.code + "）");
  }
  std::vector<const ImportColumn*> present;
  for (std::size_t i = 0; i < record_.cells.size(); ++i) {
    std::size_t bad = 0;
    std::string decoded;
    if (!decoder_->decode(record_.cells[i], decoded, bad)) {
      file_problem("#" + std::to_string(i + 1), "bad_encoding",
                   "header cell " + std::to_string(i + 1) + " is not valid " +
                       std::string(to_string(encoding_)),
                   "表头第 " + std::to_string(i + 1) + " 列不是有效的 " +
                       std::string(to_string(encoding_)) + " 文本");
      decoded.clear();
    }
    const std::string header(trim(decoded));
    headers_.push_back(header);
    const ImportColumn* column = header.empty() ? nullptr : layout_.find(header);
    column_of_cell_.push_back(column);
    if (header.empty()) continue;
    if (column == nullptr) {
      std::string names;
      for (const auto& c : layout_.columns()) names += (names.empty() ? "" : ", ") + c.name;
      file_problem(header, "unknown_column",
                   "unknown column \"" + shown(header) + "\" for " + layout_.kind().kind +
                       "; the columns are: " + names,
                   "未知列“" + shown(header) + "”（" + layout_.kind().zh +
                       "），可用的列见 docs/import-export.md");
      continue;
    }
    if (std::find(present.begin(), present.end(), column) != present.end()) {
      file_problem(header, "duplicate_column",
                   "column " + column->name + " (" + column->zh + ") appears more than once",
                   "列“" + column->zh + "”（" + column->name + "）重复出现");
      continue;
    }
    present.push_back(column);
    const std::string key = column->part == ImportColumn::Part::kWhole ? column->field->name
                            : column->part == ImportColumn::Part::kPersonName
                                ? column->field->name + "/name"
                                : column->field->name + "/phone";
    header_of_key_[key] = header;
  }
  for (const auto& c : layout_.columns()) {
    if (c.required && std::find(present.begin(), present.end(), &c) == present.end()) {
      file_problem(c.name, "missing_column",
                   "required column " + c.name + " (" + c.zh + ") is missing",
                   "缺少必填列“" + c.zh + "”（" + c.name + "）");
    }
  }
}

std::string ImportReader::column_for(std::string_view field_path) const {
  const std::string top = first_segment(field_path);
  if (top.empty()) return "";
  const FieldSpec* f = layout_.kind().field(top);
  if (f != nullptr && f->type == FieldType::kPersonal) {
    // "complainant/phone" -> the phone column; "complainant" alone -> whichever column is there.
    const std::string part =
        first_segment(field_path.substr(std::min(field_path.size(), top.size() + 1)));
    for (const char* candidate : {"name", "phone"}) {
      if (!part.empty() && part != candidate) continue;
      const auto it = header_of_key_.find(top + "/" + candidate);
      if (it != header_of_key_.end()) return it->second;
    }
    return "";
  }
  const auto it = header_of_key_.find(top);
  return it == header_of_key_.end() ? "" : it->second;
}

std::optional<ImportRow> ImportReader::next() {
  if (!file_problems_.empty() || !reader_) return std::nullopt;
  if (!reader_->next(record_)) return std::nullopt;
  ImportRow row;
  row.row = ++row_;
  row.line = record_.line;
  const auto problem = [&](std::string column, std::string field, std::string code, std::string en,
                           std::string zh) {
    row.problems.push_back({row.row, row.line, std::move(column), std::move(field), std::move(code),
                            std::move(en), std::move(zh)});
  };
  if (record_.issues.empty() && record_.blank()) {
    row.blank = true;
    return row;
  }
  if (!record_.issues.empty()) {
    for (const auto& issue : record_.issues) {
      const std::string where = std::to_string(issue.cell + 1);
      const std::string column = issue.cell < headers_.size() ? headers_[issue.cell] : "";
      if (issue.code == "stray_quote") {
        problem(column, "", "csv_syntax",
                "cell " + where +
                    " contains a double quote but is not enclosed in quotes; write it as "
                    "\"...\"\"...\"",
                "第 " + where + " 列含双引号但未用双引号括起，应写为 \"...\"\"...\"");
      } else if (issue.code == "text_after_quote") {
        problem(column, "", "csv_syntax", "cell " + where + " has text after its closing quote",
                "第 " + where + " 列在结束引号之后还有字符");
      } else if (issue.code == "unclosed_quote") {
        problem(column, "", "csv_syntax",
                "cell " + where +
                    " opens a quote that is never closed (the rest of the file was "
                    "read into it)",
                "第 " + where + " 列的引号没有闭合（其后的全部内容都被读入该单元格）");
      } else if (issue.code == "cell_too_long") {
        problem(column, "", "csv_syntax",
                "cell " + where + " is longer than " + std::to_string(kMaxCsvCellBytes) + " bytes",
                "第 " + where + " 列超过 " + std::to_string(kMaxCsvCellBytes) + " 字节");
      } else {
        problem("", "", "csv_syntax",
                "the row has more than " + std::to_string(kMaxCsvCells) + " cells",
                "该行超过 " + std::to_string(kMaxCsvCells) + " 列");
      }
    }
    return row;  // cell boundaries are in doubt: no request
  }
  Json payload = Json::object();
  for (std::size_t i = 0; i < record_.cells.size(); ++i) {
    const std::string& raw = record_.cells[i];
    if (is_blank(raw)) continue;  // empty cell = field absent
    const ImportColumn* column = i < column_of_cell_.size() ? column_of_cell_[i] : nullptr;
    if (column == nullptr) {
      const std::string where = std::to_string(i + 1);
      if (i >= headers_.size()) {
        problem("#" + where, "", "extra_cell",
                "cell " + where + " is beyond the header's " + std::to_string(headers_.size()) +
                    " columns",
                "第 " + where + " 列超出表头的 " + std::to_string(headers_.size()) + " 列");
      } else {
        problem("#" + where, "", "unnamed_column",
                "cell " + where + " has a value but its column has no header",
                "第 " + where + " 列有内容但没有表头");
      }
      continue;
    }
    std::size_t bad = 0;
    if (!decoder_->decode(raw, scratch_, bad)) {
      const auto byte = static_cast<unsigned char>(raw[std::min(bad, raw.size() - 1)]);
      std::string en = "is not valid " + std::string(to_string(encoding_)) + " (byte " +
                       hex_byte(byte) + " at offset " + std::to_string(bad) + ")";
      std::string zh = "不是有效的 " + std::string(to_string(encoding_)) + " 文本（第 " +
                       std::to_string(bad + 1) + " 个字节 " + hex_byte(byte) + "）";
      if (first_bad_utf8_line_ != 0) {
        en += "; the file is not valid UTF-8 either (first invalid byte on line " +
              std::to_string(first_bad_utf8_line_) + ")";
        zh += "；文件也不是有效的 UTF-8（第 " + std::to_string(first_bad_utf8_line_) + " 行起）";
      }
      problem(headers_[i], column->field->name, "bad_encoding", column->field->en + ": " + en,
              column->field->zh + "：" + zh);
      row.failed_fields.push_back(column->field->name);
      continue;
    }
    convert_cell(*column, headers_[i], scratch_, payload, row);
  }
  row.request = AppendRequest{layout_.kind().kind, actor_, std::move(payload)};
  return row;
}

void ImportReader::convert_cell(const ImportColumn& column, const std::string& header,
                                std::string text, Json& payload, ImportRow& row) {
  const FieldSpec& f = *column.field;
  const auto fail = [&](std::string code, const std::string& en, const std::string& zh) {
    row.problems.push_back(
        {row.row, row.line, header, f.name, std::move(code), f.en + ": " + en, f.zh + "：" + zh});
    if (std::find(row.failed_fields.begin(), row.failed_fields.end(), f.name) ==
        row.failed_fields.end()) {
      row.failed_fields.push_back(f.name);
    }
  };
  if (column.part != ImportColumn::Part::kWhole) {
    Json& person = payload[f.name];
    if (!person.is_object()) person = Json::object();
    person[column.part == ImportColumn::Part::kPersonName ? "name" : "phone"] = std::move(text);
    return;
  }
  const std::string value = "\"" + shown(trim(text)) + "\"";  // in English messages
  const std::string quoted = "“" + shown(trim(text)) + "”";   // in Chinese ones
  switch (f.type) {
    case FieldType::kText:
    case FieldType::kLongText:
    case FieldType::kCode:
    case FieldType::kUscc:
    case FieldType::kScLicence:
    case FieldType::kEquipmentCode:
    case FieldType::kKind:
    case FieldType::kPersonal:  // not reached: personal fields have name/phone columns
      payload[f.name] = std::move(text);
      return;
    case FieldType::kInteger:
    case FieldType::kSeq: {
      const auto n = parse_integer(text);
      if (!n) {
        fail("bad_integer", value + " is not a whole number", quoted + " 不是整数");
        return;
      }
      payload[f.name] = *n;
      return;
    }
    case FieldType::kBoolean: {
      const auto b = parse_boolean(text);
      if (!b) {
        fail("bad_boolean", value + " is not one of true, false, 是, 否, 1, 0",
             quoted + " 应为 是、否、true、false、1 或 0");
        return;
      }
      payload[f.name] = *b;
      return;
    }
    case FieldType::kDate: {
      std::string date;
      const DateResult r = parse_date_forms(trim(text), date);
      if (r == DateResult::kOk) {
        payload[f.name] = date;
      } else if (r == DateResult::kNotReal) {
        fail("bad_date", value + " is not a real date", quoted + " 不是真实存在的日期");
      } else if (all_digits(trim(text))) {
        fail("bad_date",
             value +
                 " looks like a spreadsheet date number; format the column as text, or write "
                 "YYYY-MM-DD",
             quoted + " 像是电子表格的日期序号，请将该列设为文本格式，或写作 YYYY-MM-DD");
      } else {
        fail("bad_date", value + " is not a date written YYYY-MM-DD, YYYY/M/D or YYYY年M月D日",
             quoted + " 不是日期，应写作 YYYY-MM-DD、YYYY/M/D 或 YYYY年M月D日");
      }
      return;
    }
    case FieldType::kInstant: {
      const std::string_view s = trim(text);
      if (shanghai_date_of_instant(s)) {
        payload[f.name] = std::string(s);
        return;
      }
      // Local (Asia/Shanghai) date and time as typed in a spreadsheet.
      std::string date, clock;
      std::string_view rest;
      if (parse_date_forms(s, date, &rest) == DateResult::kOk && !rest.empty() &&
          (rest[0] == ' ' || rest[0] == 'T') && parse_clock(trim(rest.substr(1)), clock)) {
        payload[f.name] = date + "T" + clock + "+08:00";
        return;
      }
      fail("bad_instant",
           value +
               " is not a time: write 2026-11-27 14:30 (Beijing time) or "
               "2026-11-27T14:30:00+08:00",
           quoted + " 不是时间，应写作 2026-11-27 14:30（北京时间）或 2026-11-27T14:30:00+08:00");
      return;
    }
    case FieldType::kEnum: {
      const std::string s(trim(text));
      const auto& values = schema_.enums().at(f.enum_name);
      for (const auto& [code, label] : values) {
        if (s == code || s == label) {
          payload[f.name] = code;
          return;
        }
      }
      payload[f.name] = s;  // the validator names the allowed values
      return;
    }
    case FieldType::kMoney:
      payload[f.name] = money_text(text);
      return;
    case FieldType::kValues: {
      CanonicalError error;
      auto parsed = parse_profile_json(trim(text), error, kMaxCsvCellBytes);
      if (!parsed) {
        fail("bad_json", "not a JSON object: " + error.message,
             "不是有效的 JSON 对象：" + error.message);
        return;
      }
      payload[f.name] = std::move(*parsed);
      return;
    }
    case FieldType::kArray: {
      const std::string_view s = trim(text);
      if (!s.empty() && s[0] == '[') {
        CanonicalError error;
        auto parsed = parse_profile_json(s, error, kMaxCsvCellBytes);
        if (!parsed) {
          fail("bad_json", "not a JSON array: " + error.message,
               "不是有效的 JSON 数组：" + error.message);
          return;
        }
        payload[f.name] = std::move(*parsed);
        return;
      }
      // item|measured|limit|standard[|unit[|microbiological]]; items separated by ; or lines.
      static const char* const kParts[] = {"item",     "measured", "limit",
                                           "standard", "unit",     "microbiological"};
      Json items = Json::array();
      std::size_t number = 0;
      for (const std::string_view entry : split_any(s, {";", "；", "\n"})) {
        if (is_blank(entry)) continue;
        ++number;
        const auto parts = split_any(entry, {"|", "｜"});
        if (parts.size() < 4 || parts.size() > 6) {
          fail("bad_failed_items",
               "entry " + std::to_string(number) + " has " + std::to_string(parts.size()) +
                   " parts; write item|measured|limit|standard[|unit[|microbiological]], entries "
                   "separated by ';'",
               "第 " + std::to_string(number) + " 项有 " + std::to_string(parts.size()) +
                   " 部分，应写作 "
                   "项目|检测值|标准限值|判定依据[|单位[|是否微生物项目]]，多项用“;”分隔");
          return;
        }
        Json item = Json::object();
        for (std::size_t k = 0; k < parts.size(); ++k) {
          const std::string_view part = trim(parts[k]);
          if (part.empty()) continue;  // absent: the validator reports required ones
          if (k == 5) {
            const auto b = parse_boolean(part);
            if (!b) {
              fail("bad_failed_items",
                   "entry " + std::to_string(number) + ": microbiological must be 是/否/true/false",
                   "第 " + std::to_string(number) + " 项：是否微生物项目应为 是 或 否");
              return;
            }
            item[kParts[k]] = *b;
          } else {
            item[kParts[k]] = std::string(part);
          }
        }
        items.push_back(std::move(item));
      }
      payload[f.name] = std::move(items);
      return;
    }
  }
}

// ---- The whole import ------------------------------------------------------------------------

ImportResult import_csv(Ledger& ledger, std::istream& in, const ImportOptions& options,
                        const EventSchema& schema) {
  const KindSpec* spec = schema.find(options.kind);
  if (spec == nullptr) throw std::invalid_argument("unknown event kind " + options.kind);
  if (is_account_event_kind(options.kind)) {
    throw std::invalid_argument(options.kind + " events come only from qledger user / token");
  }
  ImportReader reader(in, schema, *spec, options.actor, options.encoding);
  ImportResult result;
  result.encoding = reader.encoding();
  result.encoding_note = reader.encoding_note();
  std::vector<ImportProblem> problems;
  std::vector<std::uint64_t> bad_rows;
  const auto add = [&](ImportProblem p) {
    ++result.problem_count;
    if (bad_rows.empty() || bad_rows.back() != p.row) bad_rows.push_back(p.row);
    if (problems.size() < kMaxReportedImportProblems) problems.push_back(std::move(p));
  };
  if (!reader.file_problems().empty()) {
    for (const auto& p : reader.file_problems()) add(p);
    result.problems = std::move(problems);
    result.bad_rows = 0;
    return result;
  }

  struct RowRef {
    std::uint64_t row, line;
  };
  std::vector<RowRef> refs;  // per request handed to the ledger
  std::unordered_map<std::uint64_t, std::vector<std::string>> failed_fields;  // by request index
  bool conversion_failed = false;
  bool sentinel_sent = false;
  const RequestSource source = [&]() -> std::optional<AppendRequest> {
    for (;;) {
      std::optional<ImportRow> row = reader.next();
      if (!row) {
        if (conversion_failed && !sentinel_sent) {
          // Rows with conversion problems went to the ledger without their bad cells (so the
          // rest of them is still checked) and might be accepted. An empty kind is refused by
          // the ledger itself (check_leaf_fields), before any applier: the transaction then
          // commits nothing, whatever the ledger's applier. It is not reported.
          sentinel_sent = true;
          return AppendRequest{"", "", Json::object()};
        }
        return std::nullopt;
      }
      ++result.rows;
      if (row->blank) {
        ++result.blank_rows;
        continue;
      }
      if (!row->problems.empty()) conversion_failed = true;
      for (auto& p : row->problems) add(std::move(p));
      if (!row->request) continue;
      if (!row->failed_fields.empty()) failed_fields[refs.size()] = std::move(row->failed_fields);
      refs.push_back({row->row, row->line});
      return std::move(row->request);
    }
  };
  BulkResult bulk;
  {
    // Reading and converting the rows (a seventh of an import's time) runs on a thread of its own,
    // beside the writer that validates and writes them.
    ReadAhead ahead(source);
    bulk = ledger.append_all(ahead.source(), options.dry_run);
  }  // the reading thread is joined: what the source wrote (result, problems, bad_rows, refs,
     // failed_fields, sentinel_sent) is complete

  // The ledger's refusals, by request index, back to rows and columns. Problems with a cell
  // that already failed conversion (its field was left out, so "required") are not repeated.
  std::uint64_t unlisted = bulk.rejected_count - bulk.rejected.size();
  for (const auto& [index, field_problems] : bulk.rejected) {
    if (index >= refs.size()) continue;  // the sentinel
    const RowRef ref = refs[index];
    const auto failed = failed_fields.find(index);
    bool reported = false;
    for (const auto& fp : field_problems) {
      if (failed != failed_fields.end()) {
        const auto& fields = failed->second;
        if (std::find(fields.begin(), fields.end(), first_segment(fp.field)) != fields.end()) {
          continue;
        }
      }
      reported = true;
      add({ref.row, ref.line, reader.column_for(fp.field), fp.field, fp.code, fp.message_en,
           fp.message_zh.empty() ? fp.message_en : fp.message_zh});
    }
    if (!reported && failed == failed_fields.end()) {
      add({ref.row, ref.line, "", "", "rejected", "the row was refused", "该行被拒绝"});
    }
  }
  if (sentinel_sent && unlisted > 0) --unlisted;
  std::stable_sort(problems.begin(), problems.end(),
                   [](const ImportProblem& a, const ImportProblem& b) { return a.row < b.row; });
  std::sort(bad_rows.begin(), bad_rows.end());
  bad_rows.erase(std::unique(bad_rows.begin(), bad_rows.end()), bad_rows.end());
  result.bad_rows = bad_rows.size() + unlisted;
  result.problem_count += unlisted;
  result.problems = std::move(problems);
  result.requests = refs.size();
  result.committed = bulk.committed;
  result.valid = result.problem_count == 0 && bulk.rejected_count == 0;
  if (result.valid) {
    result.first_seq = bulk.first_seq;
    result.last_seq = bulk.last_seq;
  }
  result.head = bulk.head;
  return result;
}

}  // namespace qledger
