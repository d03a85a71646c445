// libFuzzer target for the identifier checks. On any bytes every checker must return without
// crashing and keep its contract: valid iff no problems; every problem names the field, has a
// known code and valid UTF-8 messages in both languages; what is accepted is canonical (the
// parts re-assemble the text, the check character recomputes); a wrong check character alone
// is reported as exactly that. Any violation aborts.
#include "qledger/identifiers.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = b < 0x80             ? 1
                      : (b & 0xE0) == 0xC0 ? 2
                      : (b & 0xF0) == 0xE0 ? 3
                      : (b & 0xF8) == 0xF0 ? 4
                                           : 0;
    if (len == 0 || len > s.size() - i) return false;
    std::uint32_t cp = len == 1 ? b : len == 2 ? (b & 0x1Fu) : len == 3 ? (b & 0x0Fu) : (b & 0x07u);
    for (std::size_t k = 1; k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    const std::uint32_t min = len == 1 ? 0 : len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

void require_problems(const qledger::FieldProblems& problems, std::string_view field,
                      std::initializer_list<std::string_view> known) {
  for (const qledger::FieldProblem& p : problems) {
    require(p.field == field);
    bool ok = false;
    for (const std::string_view k : known) ok = ok || p.code == k;
    require(ok);
    require(!p.message_en.empty() && !p.message_zh.empty());
    require(valid_utf8(p.message_en) && valid_utf8(p.message_zh));
  }
  // Character-level problems are capped; the rest are at most a few per field.
  require(problems.size() <= qledger::kMaxCharacterProblems + 4);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const auto uscc = qledger::check_uscc(text, "uscc");
  require(uscc.valid == uscc.problems.empty());
  require_problems(uscc.problems, "uscc",
                   {"required", "uscc_length", "uscc_forbidden_char", "uscc_lowercase",
                    "uscc_invalid_char", "uscc_division_digits", "uscc_check_char"});
  if (uscc.parsed) {
    require(uscc.text == text);
    require(std::string(1, uscc.registration_authority) + std::string(1, uscc.entity_type) +
                uscc.division_code + uscc.organisation_code + std::string(1, uscc.check_char) ==
            text);
    require(qledger::uscc_check_char(text.substr(0, 17)) == uscc.expected_check_char);
    // Fixing the check character leaves only the problems that are not about it.
    std::string fixed(text);
    fixed[17] = uscc.expected_check_char;
    const auto refixed = qledger::check_uscc(fixed, "uscc");
    require(refixed.expected_check_char == uscc.expected_check_char);
    require(refixed.problems.size() ==
            uscc.problems.size() - (uscc.check_char != uscc.expected_check_char ? 1 : 0));
  }
  if (uscc.valid) require(uscc.parsed && uscc.check_char == uscc.expected_check_char);
  if (uscc.only_check_char_wrong()) require(uscc.parsed && !uscc.valid);

  const auto food = qledger::check_food_licence(text, "licence");
  require(food.valid == food.problems.empty());
  require_problems(
      food.problems, "licence",
      {"required", "food_licence_prefix", "food_licence_length", "food_licence_digit"});
  if (food.valid) {
    require(food.text == text && text.size() == 16);
    require("SC" + food.food_category + food.province_code + food.city_code + food.county_code +
                food.sequence + std::string(1, food.check_digit) ==
            text);
  }

  // The current year comes from the input too, within plausible bounds.
  const int current_year = 2000 + (size > 0 ? data[0] % 60 : 26);
  const auto equipment = qledger::check_equipment_code(text, "equipment", current_year);
  require(equipment.valid == equipment.problems.empty());
  require_problems(equipment.problems, "equipment",
                   {"required", "equipment_code_length", "equipment_code_char",
                    "equipment_code_variety", "equipment_code_year"});
  if (equipment.valid) {
    require(equipment.text == text);
    if (equipment.legacy) {
      require(text.size() == 20 && !equipment.category);
    } else {
      require(text.size() == 18 && equipment.category.has_value());
      require(equipment.year >= qledger::kEarliestEquipmentYear && equipment.year <= current_year);
      require(equipment.variety_code + equipment.manufacturer_code +
                  std::to_string(equipment.year) + equipment.serial ==
              text);
    }
  }
  return 0;
}
