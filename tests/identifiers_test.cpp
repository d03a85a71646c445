// Identifier checks: USCC (GB 32100-2015), SC food licence numbers and special-equipment codes.
// Every expected check character below is worked out by hand in the comment above its test, from
// the alphabet values 0–9 = 0–9, A10 B11 C12 D13 E14 F15 G16 H17 J18 K19 L20 M21 N22 P23 Q24
// R25 T26 U27 W28 X29 Y30 and the weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28.
#include <doctest/doctest.h>

#include "qledger/identifiers.hpp"

#include <string>
#include <vector>

using namespace qledger;

namespace {

std::vector<std::string> codes(const FieldProblems& problems) {
  std::vector<std::string> out;
  for (const FieldProblem& p : problems) out.push_back(p.code);
  return out;
}

bool has_code(const FieldProblems& problems, const std::string& code) {
  for (const FieldProblem& p : problems) {
    if (p.code == code) return true;
  }
  return false;
}

const FieldProblem* find(const FieldProblems& problems, const std::string& code) {
  for (const FieldProblem& p : problems) {
    if (p.code == code) return &p;
  }
  return nullptr;
}

constexpr int kYear = 2026;

}  // namespace

TEST_SUITE("identifiers") {
  // ---- Unified social credit code: valid codes ----

  TEST_CASE("uscc: the published example 91350100M000100Y43 is valid") {
    // 9×1 + 1×3 + 3×9 + 5×27 + 0×19 + 1×26 + 0×16 + 0×17 + M(21)×20 + 0×29 + 0×25 + 0×13
    //   + 1×8 + 0×24 + 0×10 + Y(30)×30 + 4×28
    // = 9 + 3 + 27 + 135 + 0 + 26 + 0 + 0 + 420 + 0 + 0 + 0 + 8 + 0 + 0 + 900 + 112 = 1640
    // 1640 = 31×52 + 28 → 31 − 28 = 3 → check '3'.
    const auto r = check_uscc("91350100M000100Y43", "uscc");
    CHECK(r.valid);
    CHECK(r.parsed);
    CHECK(r.problems.empty());
    CHECK(r.text == "91350100M000100Y43");
    CHECK(r.registration_authority == '9');
    CHECK(r.entity_type == '1');
    CHECK(r.division_code == "350100");
    CHECK(r.organisation_code == "M000100Y4");
    CHECK(r.check_char == '3');
    CHECK(r.expected_check_char == '3');
    CHECK(uscc_check_char("91350100M000100Y4") == '3');
  }

  TEST_CASE("uscc: a Huoshan (341525) company code ending in U") {
    // 9×1 + 1×3 + 3×9 + 4×27 + 1×19 + 5×26 + 2×16 + 5×17 + M(21)×20 + A(10)×29 + 2×25
    //   + T(26)×13 + 4×8 + L(20)×24 + 8×10 + G(16)×30 + 2×28
    // = 9 + 3 + 27 + 108 + 19 + 130 + 32 + 85 + 420 + 290 + 50 + 338 + 32 + 480 + 80 + 480 + 56
    // = 2639 = 31×85 + 4 → 31 − 4 = 27 → 'U'.
    const auto r = check_uscc("91341525MA2T4L8G2U", "uscc");
    CHECK(r.valid);
    CHECK(r.division_code == "341525");
    CHECK(r.expected_check_char == 'U');
  }

  TEST_CASE("uscc: a remainder of 0 gives 31, written '0'") {
    // As above but position 17 is Q(24) instead of 2: 2639 − 2×28 + 24×28 = 2639 + 616 = 3255
    // = 31×105 + 0 → 31 − 0 = 31 → '0'.
    const auto r = check_uscc("91341525MA2T4L8GQ0", "uscc");
    CHECK(r.valid);
    CHECK(r.expected_check_char == '0');
    CHECK(uscc_check_char("91341525MA2T4L8GQ") == '0');
  }

  TEST_CASE("uscc: a public institution (1 2…) code ending in R") {
    // 1×1 + 2×3 + 3×9 + 4×27 + 1×19 + 5×26 + 2×16 + 5×17 + 4×20 + 8×29 + 5×25 + 0×13 + 0×8
    //   + 1×24 + 2×10 + 3×30 + 4×28
    // = 1 + 6 + 27 + 108 + 19 + 130 + 32 + 85 + 80 + 232 + 125 + 0 + 0 + 24 + 20 + 90 + 112
    // = 1091 = 31×35 + 6 → 31 − 6 = 25 → 'R'.
    const auto r = check_uscc("12341525485001234R", "uscc");
    CHECK(r.valid);
    CHECK(r.registration_authority == '1');
    CHECK(r.entity_type == '2');
  }

  TEST_CASE("uscc: an individual business (9 2…) and a social organisation (5 2…)") {
    // 92341525MA2N0K7W1U:
    // 9×1 + 2×3 + 3×9 + 4×27 + 1×19 + 5×26 + 2×16 + 5×17 + M(21)×20 + A(10)×29 + 2×25
    //   + N(22)×13 + 0×8 + K(19)×24 + 7×10 + W(28)×30 + 1×28
    // = 9 + 6 + 27 + 108 + 19 + 130 + 32 + 85 + 420 + 290 + 50 + 286 + 0 + 456 + 70 + 840 + 28
    // = 2856 = 31×92 + 4 → 27 → 'U'.
    CHECK(check_uscc("92341525MA2N0K7W1U", "uscc").valid);
    // 52341525MJB123456L:
    // 5×1 + 2×3 + 3×9 + 4×27 + 1×19 + 5×26 + 2×16 + 5×17 + M(21)×20 + J(18)×29 + B(11)×25
    //   + 1×13 + 2×8 + 3×24 + 4×10 + 5×30 + 6×28
    // = 5 + 6 + 27 + 108 + 19 + 130 + 32 + 85 + 420 + 522 + 275 + 13 + 16 + 72 + 40 + 150 + 168
    // = 2088 = 31×67 + 11 → 31 − 11 = 20 → 'L'.
    CHECK(check_uscc("52341525MJB123456L", "uscc").valid);
  }

  // ---- Unified social credit code: each failure ----

  TEST_CASE("uscc: a wrong check character is its own, overridable problem") {
    const auto r = check_uscc("91350100M000100Y44", "entity/uscc");
    CHECK_FALSE(r.valid);
    CHECK(r.parsed);  // parts are still there for the confirmation screen
    CHECK(r.division_code == "350100");
    CHECK(r.expected_check_char == '3');
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].code == "uscc_check_char");
    CHECK(r.problems[0].field == "entity/uscc");
    CHECK(r.problems[0].message_zh == "校验位（第 18 位）应为“3”，实际为“4”");
    CHECK(r.problems[0].message_en == "Check character (position 18) should be \"3\", not \"4\"");
    CHECK(r.only_check_char_wrong());
  }

  TEST_CASE("uscc: wrong length says the length") {
    const auto short_code = check_uscc("91350100M000100Y4", "uscc");
    REQUIRE(short_code.problems.size() == 1);
    CHECK(short_code.problems[0].code == "uscc_length");
    CHECK(short_code.problems[0].message_zh == "长度应为 18 位，实际为 17 位");
    CHECK(short_code.problems[0].message_en == "Must be 18 characters; got 17");
    CHECK_FALSE(short_code.parsed);
    CHECK_FALSE(short_code.only_check_char_wrong());

    const auto long_code = check_uscc("91350100M000100Y433", "uscc");
    CHECK(codes(long_code.problems) == std::vector<std::string>{"uscc_length"});
    CHECK(long_code.problems[0].message_zh == "长度应为 18 位，实际为 19 位");
  }

  TEST_CASE("uscc: empty is required") {
    const auto r = check_uscc("", "uscc");
    CHECK(codes(r.problems) == std::vector<std::string>{"required"});
  }

  TEST_CASE("uscc: forbidden letters are named with their position") {
    const auto r = check_uscc("9135I100M000100Y43", "uscc");
    CHECK_FALSE(r.valid);
    CHECK_FALSE(r.parsed);
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].code == "uscc_forbidden_char");
    CHECK(r.problems[0].message_zh ==
          "第 5 位字符“I”不允许使用（统一社会信用代码不使用 I、O、Z、S、V），是否应为数字“1”？");
    CHECK(r.problems[0].message_en ==
          "Position 5: \"I\" is not allowed (unified social credit codes do not use I, O, Z, S, "
          "V); did you mean the digit 1?");

    const auto o = check_uscc("91350100MO00100Y43", "uscc");
    REQUIRE(o.problems.size() == 1);
    CHECK(o.problems[0].message_zh.find("第 10 位字符“O”") == 0);

    // V has no look-alike digit: no hint.
    const auto v = check_uscc("91350100V000100Y43", "uscc");
    REQUIRE(v.problems.size() == 1);
    CHECK(v.problems[0].code == "uscc_forbidden_char");
    CHECK(v.problems[0].message_zh ==
          "第 9 位字符“V”不允许使用（统一社会信用代码不使用 I、O、Z、S、V）");

    // Lower-case forbidden letters are forbidden too.
    const auto s = check_uscc("91350100s000100Y43", "uscc");
    CHECK(codes(s.problems) == std::vector<std::string>{"uscc_forbidden_char"});
  }

  TEST_CASE("uscc: lower case is rejected with a hint") {
    const auto r = check_uscc("91350100m000100y43", "uscc");
    CHECK_FALSE(r.valid);
    CHECK(codes(r.problems) == std::vector<std::string>{"uscc_lowercase", "uscc_lowercase"});
    CHECK(r.problems[0].message_zh == "第 9 位字符“m”是小写字母，请使用大写字母");
    CHECK(r.problems[1].message_en ==
          "Position 16: \"y\" is a lower-case letter; use capital letters");
  }

  TEST_CASE("uscc: positions 3-8 must be digits") {
    // 9135A100M000100Y4Y: position 5 is A(10) instead of 0, so the sum is
    // 1640 − 0×19 + 10×19 = 1830 = 31×59 + 1 → 31 − 1 = 30 → 'Y': the check character is right
    // and the division code is the only problem.
    const auto r = check_uscc("9135A100M000100Y4Y", "uscc");
    CHECK_FALSE(r.valid);
    CHECK(r.parsed);
    CHECK(r.expected_check_char == 'Y');
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].code == "uscc_division_digits");
    CHECK(r.problems[0].message_zh ==
          "第 5 位字符“A”应为数字（第 3–8 位是登记管理机关行政区划码）");
    CHECK_FALSE(r.only_check_char_wrong());

    // With the old check character both problems show, and the override does not apply.
    const auto both = check_uscc("9135A100M000100Y43", "uscc");
    CHECK(codes(both.problems) ==
          std::vector<std::string>{"uscc_division_digits", "uscc_check_char"});
    CHECK_FALSE(both.only_check_char_wrong());
  }

  TEST_CASE("uscc: spaces, full-width, control and invalid bytes are described, not echoed") {
    const auto space = check_uscc("91350100M000100Y43 ", "uscc");
    CHECK(codes(space.problems) == std::vector<std::string>{"uscc_length", "uscc_invalid_char"});
    CHECK(space.problems[1].message_zh ==
          "第 19 位为空格，不是统一社会信用代码使用的字符，请删除空格");

    // "９" (U+FF19) counts as one character: the length is right.
    const auto wide = check_uscc(
        "\xEF\xBC\x99"
        "1350100M000100Y43",
        "uscc");
    CHECK(codes(wide.problems) == std::vector<std::string>{"uscc_invalid_char"});
    CHECK(wide.problems[0].message_zh ==
          "第 1 位为字符“９”，不是统一社会信用代码使用的字符，请使用半角字符");

    const auto control = check_uscc("91350100M000100Y4\x07", "uscc");
    REQUIRE(control.problems.size() == 1);
    CHECK(control.problems[0].message_en.find("invisible character U+0007") != std::string::npos);

    const auto bad_byte = check_uscc("91350100M000100Y4\xFF", "uscc");
    REQUIRE(bad_byte.problems.size() == 1);
    CHECK(bad_byte.problems[0].message_zh.find("无效字节 0xFF") != std::string::npos);
  }

  TEST_CASE("uscc: character problems are capped") {
    const auto r = check_uscc("!!!!!!!!!!!!!!!!!!!!!!!!", "uscc");
    CHECK(r.problems.size() == 1 + kMaxCharacterProblems);  // length + capped characters
    CHECK(r.problems[0].code == "uscc_length");
  }

  TEST_CASE("long hostile input: capped problems, the first ones, for every checker") {
    // 200,000 bad characters: every checker reports the length and the first
    // kMaxCharacterProblems characters (positions 1, 2, …), and builds no message beyond them.
    const std::string bad(200000, '!');
    const auto uscc = check_uscc(bad, "uscc");
    const auto food = check_food_licence("SC" + bad, "licence");
    const auto equipment = check_equipment_code(bad, "equipment", 2026);
    for (const FieldProblems* problems : {&uscc.problems, &food.problems, &equipment.problems}) {
      REQUIRE(problems->size() == 1 + kMaxCharacterProblems);
      for (std::size_t i = 1; i < problems->size(); ++i) {
        const std::string position =
            "Position " + std::to_string(i + (problems == &food.problems ? 2 : 0));
        CHECK_MESSAGE((*problems)[i].message_en.rfind(position + ":", 0) == 0,
                      (*problems)[i].message_en);
      }
    }
  }

  TEST_CASE("uscc_check_char needs exactly 17 characters of the alphabet") {
    CHECK_FALSE(uscc_check_char("91350100M000100Y").has_value());
    CHECK_FALSE(uscc_check_char("91350100M000100Y43").has_value());
    CHECK_FALSE(uscc_check_char("91350100m000100Y4").has_value());
    CHECK_FALSE(uscc_check_char("91350100I000100Y4").has_value());
  }

  // ---- Food production licence ----

  TEST_CASE("food licence: SC + 14 digits is valid and split into its parts") {
    const auto r = check_food_licence("SC10634152500018", "licence");
    CHECK(r.valid);
    CHECK(r.problems.empty());
    CHECK(r.text == "SC10634152500018");
    CHECK(r.food_category == "106");
    CHECK(r.province_code == "34");
    CHECK(r.city_code == "15");
    CHECK(r.county_code == "25");
    CHECK(r.sequence == "0001");
    CHECK(r.check_digit == '8');
  }

  TEST_CASE("food licence: missing, lower-case, full-width, other and QS prefixes") {
    const auto missing = check_food_licence("10634152500018", "licence");
    CHECK(codes(missing.problems) == std::vector<std::string>{"food_licence_prefix"});
    CHECK(missing.problems[0].message_zh == "缺少“SC”前缀（应为 SC 加 14 位数字）");

    const auto lower = check_food_licence("sc10634152500018", "licence");
    CHECK(codes(lower.problems) == std::vector<std::string>{"food_licence_prefix"});
    CHECK(lower.problems[0].message_zh == "应以大写“SC”开头，请使用大写字母");

    const auto wide = check_food_licence(
        "\xEF\xBC\xB3\xEF\xBC\xA3"
        "10634152500018",
        "licence");
    CHECK(codes(wide.problems) == std::vector<std::string>{"food_licence_prefix"});
    CHECK(wide.problems[0].message_en ==
          "Must start with capital \"SC\"; use half-width characters");

    const auto other = check_food_licence("XK10634152500018", "licence");
    CHECK(codes(other.problems) == std::vector<std::string>{"food_licence_prefix"});
    CHECK(other.problems[0].message_zh == "应以“SC”开头，实际为“XK”");

    const auto qs = check_food_licence("QS341501010001", "licence");
    CHECK(codes(qs.problems) == std::vector<std::string>{"food_licence_prefix"});
    CHECK(qs.problems[0].message_zh.find("旧版") != std::string::npos);
  }

  TEST_CASE("food licence: wrong length and non-digits") {
    const auto short_one = check_food_licence("SC1063415250001", "licence");
    CHECK(codes(short_one.problems) == std::vector<std::string>{"food_licence_length"});
    CHECK(short_one.problems[0].message_zh == "“SC”后应为 14 位数字，实际为 13 位");

    const auto long_one = check_food_licence("SC106341525000180", "licence");
    CHECK(codes(long_one.problems) == std::vector<std::string>{"food_licence_length"});

    const auto letter = check_food_licence("SC1063415250001A", "licence");
    CHECK(codes(letter.problems) == std::vector<std::string>{"food_licence_digit"});
    CHECK(letter.problems[0].message_zh == "第 16 位为字符“A”，应为数字");

    const auto only_prefix = check_food_licence("SC", "licence");
    CHECK(codes(only_prefix.problems) == std::vector<std::string>{"food_licence_length"});

    CHECK(codes(check_food_licence("", "licence").problems) ==
          std::vector<std::string>{"required"});
    CHECK(codes(check_food_licence("S", "licence").problems) ==
          std::vector<std::string>{"food_licence_prefix", "food_licence_length",
                                   "food_licence_digit"});
  }

  // ---- Special-equipment code ----

  TEST_CASE("equipment code: modern codes are split and the category derived") {
    // 3110 traction passenger lift, manufacturer 31010, made 2015, serial 00123.
    const auto lift = check_equipment_code("311031010201500123", "equipment_code", kYear);
    CHECK(lift.valid);
    CHECK_FALSE(lift.legacy);
    CHECK(lift.variety_code == "3110");
    CHECK(lift.category == EquipmentCategory::kLift);
    CHECK(lift.manufacturer_code == "31010");
    CHECK(lift.year == 2015);
    CHECK(lift.serial == "00123");

    // The worked example of the TSG numbering method: 2150 second-class vessel, manufacturer
    // 10890 (national licence, sequence 890), 2015, serial 98.
    const auto vessel = check_equipment_code("215010890201500098", "equipment_code", kYear);
    CHECK(vessel.valid);
    CHECK(vessel.category == EquipmentCategory::kPressureVessel);

    struct Case {
      const char* code;
      EquipmentCategory category;
    };
    for (const Case& c : {Case{"110034001201000001", EquipmentCategory::kBoiler},
                          Case{"4D0034001201800007", EquipmentCategory::kCrane},
                          Case{"511034001202000002", EquipmentCategory::kInPlantVehicle},
                          Case{"6D2034001201900015", EquipmentCategory::kLargeAmusementRide},
                          Case{"831034001201100003", EquipmentCategory::kPressurePiping},
                          Case{"911010001200800001", EquipmentCategory::kPassengerRopeway},
                          Case{"23T034001202600001", EquipmentCategory::kPressureVessel}}) {
      CAPTURE(c.code);
      const auto r = check_equipment_code(c.code, "equipment_code", kYear);
      CHECK(r.valid);
      CHECK(r.category == c.category);
    }
  }

  TEST_CASE("equipment code: letters are allowed in the serial past 99999") {
    CHECK(check_equipment_code("3110310102015A0000", "equipment_code", kYear).valid);
  }

  TEST_CASE("equipment code: legacy 20-character codes are accepted and flagged") {
    const auto r = check_equipment_code("21603101012006010101", "equipment_code", kYear);
    CHECK(r.valid);
    CHECK(r.legacy);
    CHECK(r.text == "21603101012006010101");
    CHECK_FALSE(r.category.has_value());
    CHECK(r.year == 0);

    // A piping registration sequence past 9999 starts with a letter.
    CHECK(check_equipment_code("8300370102200302A002", "equipment_code", kYear).valid);

    const auto bad = check_equipment_code("2160A101012006010101", "equipment_code", kYear);
    CHECK_FALSE(bad.valid);
    CHECK(bad.legacy);
    CHECK(codes(bad.problems) == std::vector<std::string>{"equipment_code_char"});
  }

  TEST_CASE("equipment code: wrong lengths") {
    for (const char* text : {"31103101020150012", "3110310102015001234", "311031010201500123456"}) {
      CAPTURE(text);
      const auto r = check_equipment_code(text, "equipment_code", kYear);
      CHECK_FALSE(r.valid);
      CHECK(codes(r.problems) == std::vector<std::string>{"equipment_code_length"});
    }
    const auto r = check_equipment_code("31103101020150012", "equipment_code", kYear);
    CHECK(r.problems[0].message_zh == "长度应为 18 位（旧式地方注册代码为 20 位），实际为 17 位");
    CHECK(codes(check_equipment_code("", "equipment_code", kYear).problems) ==
          std::vector<std::string>{"required"});
  }

  TEST_CASE("equipment code: variety codes that name no equipment") {
    const auto component = check_equipment_code("711034001201500001", "equipment_code", kYear);
    CHECK(codes(component.problems) == std::vector<std::string>{"equipment_code_variety"});
    CHECK(component.problems[0].message_zh.find("压力管道元件") != std::string::npos);

    const auto accessory = check_equipment_code("F22034001201500001", "equipment_code", kYear);
    CHECK(codes(accessory.problems) == std::vector<std::string>{"equipment_code_variety"});
    CHECK(accessory.problems[0].message_zh.find("安全附件") != std::string::npos);

    for (const char* text : {"011034001201500001", "A11034001201500001"}) {
      CAPTURE(text);
      const auto r = check_equipment_code(text, "equipment_code", kYear);
      CHECK(codes(r.problems) == std::vector<std::string>{"equipment_code_variety"});
    }
  }

  TEST_CASE("equipment code: the year must lie in 1950..current year") {
    CHECK(check_equipment_code("311031010202600123", "equipment_code", 2026).valid);
    CHECK(check_equipment_code("311031010195000123", "equipment_code", 2026).valid);

    const auto future = check_equipment_code("311031010202700123", "equipment_code", 2026);
    CHECK(codes(future.problems) == std::vector<std::string>{"equipment_code_year"});
    CHECK(future.problems[0].message_zh == "制造年份 2027 晚于当前年份（2026）");

    const auto old = check_equipment_code("311031010194900123", "equipment_code", 2026);
    CHECK(codes(old.problems) == std::vector<std::string>{"equipment_code_year"});
  }

  TEST_CASE("equipment code: characters are checked against their position's meaning") {
    const auto year_letter = check_equipment_code("31103101020A500123", "equipment_code", kYear);
    CHECK(codes(year_letter.problems) == std::vector<std::string>{"equipment_code_char"});
    CHECK(year_letter.problems[0].message_zh ==
          "第 12 位为字符“A”，应为数字（第 10–13 位是制造年份）");

    const auto lower = check_equipment_code("4d0034001201800007", "equipment_code", kYear);
    CHECK(codes(lower.problems) == std::vector<std::string>{"equipment_code_char"});
    CHECK(lower.problems[0].message_zh == "第 2 位字符“d”是小写字母，请使用大写字母");

    const auto dash = check_equipment_code("3110-3101201500123", "equipment_code", kYear);
    CHECK(codes(dash.problems) == std::vector<std::string>{"equipment_code_char"});
    CHECK(dash.problems[0].message_en ==
          "Position 5: \"-\" should be a digit or a capital letter (positions 5-9 are the "
          "manufacturer code)");
  }

  // ---- Categories ----

  TEST_CASE("equipment categories: codes, names and catalogue codes round-trip") {
    for (const EquipmentCategory c : kEquipmentCategories) {
      CAPTURE(to_code(c));
      CHECK(parse_equipment_category(to_code(c)) == c);
      CHECK(category_from_catalogue_char(catalogue_code(c).front()) == c);
      CHECK_FALSE(to_string_zh(c).empty());
      CHECK_FALSE(to_string_en(c).empty());
    }
    CHECK(catalogue_code(EquipmentCategory::kPassengerRopeway) == "9000");
    CHECK(catalogue_code(EquipmentCategory::kInPlantVehicle) == "5000");
    CHECK(to_string_zh(EquipmentCategory::kInPlantVehicle) == "场（厂）内专用机动车辆");
    CHECK_FALSE(category_from_catalogue_char('7').has_value());
    CHECK_FALSE(category_from_catalogue_char('F').has_value());
    CHECK_FALSE(category_from_catalogue_char('0').has_value());
    CHECK_FALSE(parse_equipment_category("Lift").has_value());
  }

  TEST_CASE("problems name the field they were given") {
    for (const FieldProblem& p : check_uscc("x", "a/b").problems) CHECK(p.field == "a/b");
    for (const FieldProblem& p : check_food_licence("x", "c").problems) CHECK(p.field == "c");
    for (const FieldProblem& p : check_equipment_code("x", "d", kYear).problems) {
      CHECK(p.field == "d");
    }
    CHECK(has_code(check_uscc("x", "a").problems, "uscc_length"));
    CHECK(find(check_uscc("x", "a").problems, "uscc_check_char") == nullptr);
  }
}
