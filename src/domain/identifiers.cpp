#include "qledger/identifiers.hpp"

#include "qledger/utf8.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace qledger {

namespace {

// ---- Reading the input as characters ----

// One character of the input: a code point, or a byte that is not part of valid UTF-8.
struct Unit {
  std::uint32_t code_point = 0;
  bool valid = true;
  unsigned char byte = 0;  // the offending byte when !valid
};

bool is_digit(const Unit& u) { return u.valid && u.code_point >= '0' && u.code_point <= '9'; }
bool is_upper(const Unit& u) { return u.valid && u.code_point >= 'A' && u.code_point <= 'Z'; }
bool is_lower(const Unit& u) { return u.valid && u.code_point >= 'a' && u.code_point <= 'z'; }
bool is_ascii(const Unit& u) { return u.valid && u.code_point < 0x80; }
char ascii(const Unit& u) { return static_cast<char>(u.code_point); }
// Full-width forms of printable ASCII (U+FF01..U+FF5E).
bool is_fullwidth(const Unit& u) {
  return u.valid && u.code_point >= 0xFF01 && u.code_point <= 0xFF5E;
}
// The ASCII character a full-width form stands for.
char halfwidth(const Unit& u) { return static_cast<char>(u.code_point - 0xFF01 + 0x21); }

// Strict UTF-8 decoding (no overlongs, surrogates or values past U+10FFFF); each byte that does
// not start a valid sequence becomes one invalid unit and decoding resumes at the next byte.
std::vector<Unit> decode(std::string_view text) {
  std::vector<Unit> units;
  units.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    std::uint32_t min = 0;
    if (b0 < 0x80) {
      len = 1;
      cp = b0;
    } else if ((b0 & 0xE0u) == 0xC0u) {
      len = 2;
      cp = b0 & 0x1Fu;
      min = 0x80;
    } else if ((b0 & 0xF0u) == 0xE0u) {
      len = 3;
      cp = b0 & 0x0Fu;
      min = 0x800;
    } else if ((b0 & 0xF8u) == 0xF0u) {
      len = 4;
      cp = b0 & 0x07u;
      min = 0x10000;
    }
    bool ok = len != 0 && len <= text.size() - i;
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if ((b & 0xC0u) != 0x80u) {
        ok = false;
      } else {
        cp = (cp << 6) | (b & 0x3Fu);
      }
    }
    if (ok && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
    if (ok) {
      units.push_back(Unit{cp, true, 0});
      i += len;
    } else {
      units.push_back(Unit{0, false, b0});
      ++i;
    }
  }
  return units;
}

std::string hex(std::uint32_t value, int digits) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out(static_cast<std::size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kHex[value & 0xF];
    value >>= 4;
  }
  return out;
}

// Characters that must not be echoed: controls, and invisible or direction-changing formats.
bool is_unprintable(std::uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0xA0) || cp == 0xAD || (cp >= 0x200B && cp <= 0x200F) ||
         (cp >= 0x2028 && cp <= 0x202F) || (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF ||
         (cp >= 0xFFF0 && cp <= 0xFFFF) || (cp >= 0xE000 && cp <= 0xF8FF) || cp >= 0xF0000;
}

// How a character is named in messages: the subject ("“I”", "空格") and an optional hint.
struct Described {
  std::string en;
  std::string zh;
  std::string hint_en;  // starts with "; " when set
  std::string hint_zh;  // starts with "，" when set
};

Described describe(const Unit& u) {
  Described d;
  if (!u.valid) {
    d.en = "invalid byte 0x" + hex(u.byte, 2);
    d.zh = "无效字节 0x" + hex(u.byte, 2);
    return d;
  }
  const std::uint32_t cp = u.code_point;
  if (cp == ' ') {
    d.en = "a space";
    d.zh = "空格";
    d.hint_en = "; remove spaces";
    d.hint_zh = "，请删除空格";
  } else if (cp == 0x3000) {
    d.en = "a full-width space";
    d.zh = "全角空格";
    d.hint_en = "; remove spaces";
    d.hint_zh = "，请删除空格";
  } else if (is_unprintable(cp)) {
    const std::string code = "U+" + hex(cp, cp > 0xFFFF ? 6 : 4);
    d.en = "the invisible character " + code;
    d.zh = "不可见字符 " + code;
    d.hint_en = "; retype the code";
    d.hint_zh = "，请重新输入";
  } else {
    std::string quoted;
    append_utf8(quoted, cp);
    d.en = "\"" + quoted + "\"";
    d.zh = "字符“" + quoted + "”";
    if (is_fullwidth(u)) {
      d.hint_en = "; use half-width characters";
      d.hint_zh = "，请使用半角字符";
    }
  }
  return d;
}

std::string position_en(std::size_t index) { return "Position " + std::to_string(index + 1); }
std::string position_zh(std::size_t index) { return "第 " + std::to_string(index + 1) + " 位"; }

// Collects problems for one field, capping the character-level ones.
class Problems {
 public:
  explicit Problems(std::string_view field) : field_(field) {}

  void add(std::string code, std::string en, std::string zh) {
    problems_.push_back(FieldProblem{field_, std::move(code), std::move(en), std::move(zh)});
  }
  // A character-level problem; false once the cap is reached (the problem is then dropped).
  bool add_char(std::string code, std::string en, std::string zh) {
    if (char_problems_ >= kMaxCharacterProblems) return false;
    ++char_problems_;
    add(std::move(code), std::move(en), std::move(zh));
    return true;
  }
  // True once the cap is reached: callers skip building messages that would be dropped (on
  // long hostile input that is most of the work).
  bool char_full() const { return char_problems_ >= kMaxCharacterProblems; }
  bool empty() const { return problems_.empty(); }
  FieldProblems take() { return std::move(problems_); }

 private:
  std::string field_;
  FieldProblems problems_;
  std::size_t char_problems_ = 0;
};

std::string ascii_string(const std::vector<Unit>& units, std::size_t from, std::size_t count) {
  std::string out;
  for (std::size_t i = from; i < from + count && i < units.size(); ++i) out += ascii(units[i]);
  return out;
}

// ---- Unified social credit code ----

constexpr std::string_view kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr std::array<int, 17> kUsccWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                              29, 25, 13, 8,  24, 10, 30, 28};

int uscc_value(char c) {
  const auto at = kUsccAlphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

bool in_uscc_alphabet(const Unit& u) { return is_ascii(u) && uscc_value(ascii(u)) >= 0; }

// I O Z S V (either case): letters GB 32100 leaves out because they look like 1 0 2 5 U.
bool is_uscc_forbidden(const Unit& u) {
  if (!is_ascii(u)) return false;
  switch (ascii(u)) {
    case 'I':
    case 'O':
    case 'Z':
    case 'S':
    case 'V':
    case 'i':
    case 'o':
    case 'z':
    case 's':
    case 'v':
      return true;
    default:
      return false;
  }
}

// The digit a forbidden letter is most likely a mistyping of, or '\0'.
char uscc_lookalike(char c) {
  switch (c) {
    case 'I':
    case 'i':
      return '1';
    case 'O':
    case 'o':
      return '0';
    case 'Z':
    case 'z':
      return '2';
    case 'S':
    case 's':
      return '5';
    default:
      return '\0';
  }
}

void uscc_char_problem(Problems& problems, const Unit& u, std::size_t index) {
  if (problems.char_full()) return;
  const Described d = describe(u);
  if (is_uscc_forbidden(u)) {
    std::string en = position_en(index) + ": " + d.en +
                     " is not allowed (unified social credit codes do not use I, O, Z, S, V)";
    std::string zh =
        position_zh(index) + d.zh + "不允许使用（统一社会信用代码不使用 I、O、Z、S、V）";
    if (const char digit = uscc_lookalike(ascii(u)); digit != '\0') {
      en += "; did you mean the digit " + std::string(1, digit) + "?";
      zh += "，是否应为数字“" + std::string(1, digit) + "”？";
    }
    problems.add_char("uscc_forbidden_char", std::move(en), std::move(zh));
  } else if (is_lower(u)) {
    problems.add_char(
        "uscc_lowercase",
        position_en(index) + ": " + d.en + " is a lower-case letter; use capital letters",
        position_zh(index) + d.zh + "是小写字母，请使用大写字母");
  } else {
    problems.add_char(
        "uscc_invalid_char",
        position_en(index) + ": " + d.en + " is not used in unified social credit codes" +
            d.hint_en,
        position_zh(index) + "为" + d.zh + "，不是统一社会信用代码使用的字符" + d.hint_zh);
  }
}

// ---- Food licence ----

// True if the unit reads as `letter` (an upper-case ASCII letter) in any case or width.
bool reads_as(const Unit& u, char letter) {
  if (!u.valid) return false;
  if (is_fullwidth(u)) {
    const char h = halfwidth(u);
    return h == letter || h == letter - 'A' + 'a';
  }
  return u.code_point == static_cast<std::uint32_t>(letter) ||
         u.code_point == static_cast<std::uint32_t>(letter - 'A' + 'a');
}

bool is_ascii_letter(const Unit& u) { return is_upper(u) || is_lower(u); }

// ---- Equipment code ----

constexpr std::size_t kModernLength = 18;
constexpr std::size_t kLegacyLength = 20;

struct Segment {
  std::size_t first;  // 0-based
  std::size_t last;   // inclusive
  bool digits_only;
  const char* name_en;
  const char* name_zh;
};

constexpr std::array<Segment, 4> kModernSegments = {{
    {0, 3, false, "the variety code", "品种代码"},
    {4, 8, false, "the manufacturer code", "制造单位代号"},
    {9, 12, true, "the year of manufacture", "制造年份"},
    {13, 17, false, "the serial number", "制造顺序号"},
}};

constexpr std::array<Segment, 2> kLegacySegments = {{
    {0, 15, true, "digits in a 20-character local code", "旧式 20 位注册代码的数字部分"},
    {16, 19, false, "the sequence of a 20-character local code", "旧式 20 位注册代码的顺序号"},
}};

std::string range_text(const Segment& s, const char* dash) {
  return std::to_string(s.first + 1) + dash + std::to_string(s.last + 1);
}

void equipment_char_problem(Problems& problems, const Unit& u, std::size_t index,
                            const Segment& s) {
  if (problems.char_full()) return;
  const Described d = describe(u);
  if (!s.digits_only && is_lower(u)) {
    problems.add_char(
        "equipment_code_char",
        position_en(index) + ": " + d.en + " is a lower-case letter; use capital letters",
        position_zh(index) + d.zh + "是小写字母，请使用大写字母");
    return;
  }
  const std::string expected_en = s.digits_only ? "a digit" : "a digit or a capital letter";
  const std::string expected_zh = s.digits_only ? "数字" : "数字或大写字母";
  problems.add_char("equipment_code_char",
                    position_en(index) + ": " + d.en + " should be " + expected_en +
                        " (positions " + range_text(s, "-") + " are " + s.name_en + ")" + d.hint_en,
                    position_zh(index) + "为" + d.zh + "，应为" + expected_zh + "（第 " +
                        range_text(s, "–") + " 位是" + s.name_zh + "）" + d.hint_zh);
}

bool segment_allows(const Segment& s, const Unit& u) {
  return is_digit(u) || (!s.digits_only && is_upper(u));
}

// Checks every character against its segment; true if all are allowed.
template <std::size_t N>
bool check_segments(Problems& problems, const std::vector<Unit>& units,
                    const std::array<Segment, N>& segments) {
  bool ok = true;
  for (const Segment& s : segments) {
    for (std::size_t i = s.first; i <= s.last; ++i) {
      if (!segment_allows(s, units[i])) {
        ok = false;
        equipment_char_problem(problems, units[i], i, s);
      }
    }
  }
  return ok;
}

}  // namespace

// ---- Categories ----

std::string_view to_code(EquipmentCategory category) {
  switch (category) {
    case EquipmentCategory::kBoiler:
      return "boiler";
    case EquipmentCategory::kPressureVessel:
      return "pressure_vessel";
    case EquipmentCategory::kPressurePiping:
      return "pressure_piping";
    case EquipmentCategory::kLift:
      return "lift";
    case EquipmentCategory::kCrane:
      return "crane";
    case EquipmentCategory::kPassengerRopeway:
      return "passenger_ropeway";
    case EquipmentCategory::kLargeAmusementRide:
      return "amusement_ride";
    case EquipmentCategory::kInPlantVehicle:
      return "in_plant_vehicle";
  }
  return "";
}

std::optional<EquipmentCategory> parse_equipment_category(std::string_view code) {
  for (const EquipmentCategory category : kEquipmentCategories) {
    if (to_code(category) == code) return category;
  }
  return std::nullopt;
}

std::string_view to_string_zh(EquipmentCategory category) {
  switch (category) {
    case EquipmentCategory::kBoiler:
      return "锅炉";
    case EquipmentCategory::kPressureVessel:
      return "压力容器";
    case EquipmentCategory::kPressurePiping:
      return "压力管道";
    case EquipmentCategory::kLift:
      return "电梯";
    case EquipmentCategory::kCrane:
      return "起重机械";
    case EquipmentCategory::kPassengerRopeway:
      return "客运索道";
    case EquipmentCategory::kLargeAmusementRide:
      return "大型游乐设施";
    case EquipmentCategory::kInPlantVehicle:
      return "场（厂）内专用机动车辆";
  }
  return "";
}

std::string_view to_string_en(EquipmentCategory category) {
  switch (category) {
    case EquipmentCategory::kBoiler:
      return "boiler";
    case EquipmentCategory::kPressureVessel:
      return "pressure vessel";
    case EquipmentCategory::kPressurePiping:
      return "pressure piping";
    case EquipmentCategory::kLift:
      return "lift";
    case EquipmentCategory::kCrane:
      return "crane";
    case EquipmentCategory::kPassengerRopeway:
      return "passenger ropeway";
    case EquipmentCategory::kLargeAmusementRide:
      return "large amusement ride";
    case EquipmentCategory::kInPlantVehicle:
      return "in-plant motor vehicle";
  }
  return "";
}

std::string_view catalogue_code(EquipmentCategory category) {
  switch (category) {
    case EquipmentCategory::kBoiler:
      return "1000";
    case EquipmentCategory::kPressureVessel:
      return "2000";
    case EquipmentCategory::kPressurePiping:
      return "8000";
    case EquipmentCategory::kLift:
      return "3000";
    case EquipmentCategory::kCrane:
      return "4000";
    case EquipmentCategory::kPassengerRopeway:
      return "9000";
    case EquipmentCategory::kLargeAmusementRide:
      return "6000";
    case EquipmentCategory::kInPlantVehicle:
      return "5000";
  }
  return "";
}

std::optional<EquipmentCategory> category_from_catalogue_char(char leading) {
  for (const EquipmentCategory category : kEquipmentCategories) {
    if (catalogue_code(category).front() == leading) return category;
  }
  return std::nullopt;
}

// ---- Unified social credit code ----

bool UnifiedSocialCreditCode::only_check_char_wrong() const {
  return problems.size() == 1 && problems.front().code == "uscc_check_char";
}

std::optional<char> uscc_check_char(std::string_view first17) {
  if (first17.size() != kUsccWeights.size()) return std::nullopt;
  int sum = 0;
  for (std::size_t i = 0; i < first17.size(); ++i) {
    const int value = uscc_value(first17[i]);
    if (value < 0) return std::nullopt;
    sum += value * kUsccWeights[i];
  }
  const int check = 31 - sum % 31;  // 1..31
  return check == 31 ? '0' : kUsccAlphabet[static_cast<std::size_t>(check)];
}

UnifiedSocialCreditCode check_uscc(std::string_view text, std::string_view field) {
  UnifiedSocialCreditCode result;
  Problems problems(field);
  if (text.empty()) {
    problems.add("required", "Enter the unified social credit code", "请填写统一社会信用代码");
    result.problems = problems.take();
    return result;
  }
  const std::vector<Unit> units = decode(text);
  if (units.size() != 18) {
    problems.add("uscc_length", "Must be 18 characters; got " + std::to_string(units.size()),
                 "长度应为 18 位，实际为 " + std::to_string(units.size()) + " 位");
  }
  bool all_in_alphabet = true;
  for (std::size_t i = 0; i < units.size(); ++i) {
    const Unit& u = units[i];
    if (!in_uscc_alphabet(u)) {
      all_in_alphabet = false;
      uscc_char_problem(problems, u, i);
    } else if (i >= 2 && i <= 7 && !is_digit(u) && !problems.char_full()) {
      problems.add_char("uscc_division_digits",
                        position_en(i) + ": \"" + std::string(1, ascii(u)) +
                            "\" should be a digit (positions 3-8 are the administrative "
                            "division code)",
                        position_zh(i) + "字符“" + std::string(1, ascii(u)) +
                            "”应为数字（第 3–8 位是登记管理机关行政区划码）");
    }
  }
  if (units.size() == 18 && all_in_alphabet) {
    result.parsed = true;
    result.text = ascii_string(units, 0, 18);
    result.registration_authority = result.text[0];
    result.entity_type = result.text[1];
    result.division_code = result.text.substr(2, 6);
    result.organisation_code = result.text.substr(8, 9);
    result.check_char = result.text[17];
    result.expected_check_char = *uscc_check_char(std::string_view(result.text).substr(0, 17));
    if (result.check_char != result.expected_check_char) {
      const std::string expected(1, result.expected_check_char);
      const std::string actual(1, result.check_char);
      problems.add(
          "uscc_check_char",
          "Check character (position 18) should be \"" + expected + "\", not \"" + actual + "\"",
          "校验位（第 18 位）应为“" + expected + "”，实际为“" + actual + "”");
    }
  }
  result.valid = problems.empty();
  result.problems = problems.take();
  return result;
}

// ---- Food licence ----

FoodLicenceNumber check_food_licence(std::string_view text, std::string_view field) {
  FoodLicenceNumber result;
  Problems problems(field);
  if (text.empty()) {
    problems.add("required", "Enter the food production licence number",
                 "请填写食品生产许可证编号");
    result.problems = problems.take();
    return result;
  }
  const std::vector<Unit> units = decode(text);
  std::size_t body = 0;  // index of the first digit after the prefix
  const bool two = units.size() >= 2;
  if (two && is_upper(units[0]) && ascii(units[0]) == 'S' && is_upper(units[1]) &&
      ascii(units[1]) == 'C') {
    body = 2;
  } else if (two && reads_as(units[0], 'Q') && reads_as(units[1], 'S')) {
    problems.add("food_licence_prefix",
                 "\"QS\" numbers belong to the former licence system; enter the licence number "
                 "that starts with \"SC\"",
                 "“QS”编号是旧版食品生产许可证编号，请填写以“SC”开头的食品生产许可证编号");
    result.problems = problems.take();
    return result;
  } else if (two && reads_as(units[0], 'S') && reads_as(units[1], 'C')) {
    const bool wide = is_fullwidth(units[0]) || is_fullwidth(units[1]);
    problems.add("food_licence_prefix",
                 std::string("Must start with capital \"SC\"; ") +
                     (wide ? "use half-width characters" : "use capital letters"),
                 std::string("应以大写“SC”开头，") + (wide ? "请使用半角字符" : "请使用大写字母"));
    body = 2;
  } else if (two && is_ascii_letter(units[0]) && is_ascii_letter(units[1])) {
    const std::string found = ascii_string(units, 0, 2);
    problems.add("food_licence_prefix", "Must start with \"SC\", not \"" + found + "\"",
                 "应以“SC”开头，实际为“" + found + "”");
    body = 2;
  } else {
    problems.add("food_licence_prefix", "Missing the \"SC\" prefix (SC + 14 digits)",
                 "缺少“SC”前缀（应为 SC 加 14 位数字）");
  }
  const std::size_t digits = units.size() - body;
  if (digits != 14) {
    problems.add("food_licence_length",
                 "Must have 14 digits after \"SC\"; got " + std::to_string(digits) + " characters",
                 "“SC”后应为 14 位数字，实际为 " + std::to_string(digits) + " 位");
  }
  for (std::size_t i = body; i < units.size(); ++i) {
    if (is_digit(units[i])) continue;
    if (problems.char_full()) break;
    const Described d = describe(units[i]);
    problems.add_char("food_licence_digit",
                      position_en(i) + ": " + d.en + " should be a digit" + d.hint_en,
                      position_zh(i) + "为" + d.zh + "，应为数字" + d.hint_zh);
  }
  if (problems.empty()) {
    result.valid = true;
    result.text = ascii_string(units, 0, units.size());
    const std::string digits_text = result.text.substr(2);
    result.food_category = digits_text.substr(0, 3);
    result.province_code = digits_text.substr(3, 2);
    result.city_code = digits_text.substr(5, 2);
    result.county_code = digits_text.substr(7, 2);
    result.sequence = digits_text.substr(9, 4);
    result.check_digit = digits_text[13];
  }
  result.problems = problems.take();
  return result;
}

// ---- Equipment code ----

EquipmentCode check_equipment_code(std::string_view text, std::string_view field,
                                   int current_year) {
  EquipmentCode result;
  Problems problems(field);
  if (text.empty()) {
    problems.add("required", "Enter the equipment code", "请填写设备代码");
    result.problems = problems.take();
    return result;
  }
  const std::vector<Unit> units = decode(text);

  if (units.size() == kLegacyLength) {
    result.legacy = true;
    if (check_segments(problems, units, kLegacySegments)) {
      result.valid = true;
      result.text = ascii_string(units, 0, units.size());
    }
    result.problems = problems.take();
    return result;
  }

  if (units.size() != kModernLength) {
    problems.add(
        "equipment_code_length",
        "Must be 18 characters (20 for a legacy local code); got " + std::to_string(units.size()),
        "长度应为 18 位（旧式地方注册代码为 20 位），实际为 " + std::to_string(units.size()) +
            " 位");
    for (std::size_t i = 0; i < units.size(); ++i) {
      const Unit& u = units[i];
      if (is_digit(u) || is_upper(u)) continue;
      if (problems.char_full()) break;
      const Described d = describe(u);
      const bool lower = is_lower(u);
      problems.add_char(
          "equipment_code_char",
          position_en(i) + ": " + d.en +
              (lower ? " is a lower-case letter; use capital letters"
                     : " is not used in equipment codes (digits and capital letters only)" +
                           d.hint_en),
          position_zh(i) + (lower ? d.zh + "是小写字母，请使用大写字母"
                                  : "为" + d.zh + "，设备代码只使用数字和大写字母" + d.hint_zh));
    }
    result.problems = problems.take();
    return result;
  }

  const bool chars_ok = check_segments(problems, units, kModernSegments);

  // The variety code's first character names the category.
  const Unit& lead = units[0];
  if (is_digit(lead) || is_upper(lead)) {
    const char c = ascii(lead);
    if (!category_from_catalogue_char(c)) {
      // Quote the whole variety code only if it is readable; its own problems are reported above.
      bool readable = true;
      for (std::size_t i = 0; i < 4; ++i)
        readable = readable && (is_digit(units[i]) || is_upper(units[i]));
      const std::string variety = ascii_string(units, 0, readable ? 4 : 1);
      std::string en = "Variety code \"" + variety + (readable ? "\" " : "…\" ");
      std::string zh = "品种代码“" + variety + (readable ? "”" : "…”");
      if (c == '7') {
        en += "is a pressure-piping component (7000), not equipment with an equipment code";
        zh += "属于压力管道元件（7000），元件不是使用登记的设备，没有设备代码";
      } else if (c == 'F') {
        en += "is a safety accessory (F000), not equipment with an equipment code";
        zh += "属于安全附件（F000），没有设备代码";
      } else {
        en +=
            "names no special-equipment category (first character 1 boiler, 2 pressure "
            "vessel, 3 lift, 4 crane, 5 in-plant vehicle, 6 amusement ride, 8 pressure "
            "piping, 9 passenger ropeway)";
        zh +=
            "的首位不对应任何特种设备种类（1 锅炉、2 压力容器、3 电梯、4 起重机械、"
            "5 场（厂）内专用机动车辆、6 大型游乐设施、8 压力管道、9 客运索道）";
      }
      problems.add("equipment_code_variety", std::move(en), std::move(zh));
    }
  }

  // Year of manufacture, when its four characters are digits.
  bool year_digits = true;
  int year = 0;
  for (std::size_t i = 9; i <= 12; ++i) {
    if (!is_digit(units[i])) {
      year_digits = false;
      break;
    }
    year = year * 10 + static_cast<int>(units[i].code_point - '0');
  }
  if (year_digits && year > current_year) {
    problems.add("equipment_code_year",
                 "Year of manufacture " + std::to_string(year) + " is after the current year (" +
                     std::to_string(current_year) + ")",
                 "制造年份 " + std::to_string(year) + " 晚于当前年份（" +
                     std::to_string(current_year) + "）");
  } else if (year_digits && year < kEarliestEquipmentYear) {
    problems.add("equipment_code_year",
                 "Year of manufacture " + std::to_string(year) + " is before " +
                     std::to_string(kEarliestEquipmentYear) + "; check the code",
                 "制造年份 " + std::to_string(year) + " 早于 " +
                     std::to_string(kEarliestEquipmentYear) + " 年，请核对");
  }

  if (chars_ok && problems.empty()) {
    result.valid = true;
    result.text = ascii_string(units, 0, units.size());
    result.variety_code = result.text.substr(0, 4);
    result.category = category_from_catalogue_char(result.text[0]);
    result.manufacturer_code = result.text.substr(4, 5);
    result.year = year;
    result.serial = result.text.substr(13, 5);
  }
  result.problems = problems.take();
  return result;
}

}  // namespace qledger
