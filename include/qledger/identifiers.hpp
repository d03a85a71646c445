// Identifiers checked at the door: the unified social credit code of a market entity
// (统一社会信用代码, GB 32100-2015), the food production licence number (食品生产许可证编号) and
// the special-equipment code (设备代码), plus the eight special-equipment categories. Pure
// functions: no I/O, no clock, no locale.
//
// Every checker takes the text exactly as entered (no trimming, no case folding: a space, a
// lower-case letter or a full-width character is reported with a hint, never silently repaired)
// and the payload field name to put in its problems; it returns the parts it could read and all
// problems at once, each in English and Chinese. Positions in messages are 1-based and count
// characters (code points; an invalid UTF-8 byte counts as one). Messages quote only printable
// characters (others appear as U+XXXX or a byte value), so they are always valid UTF-8. At most
// kMaxCharacterProblems character-level problems are reported per call.
#pragma once

#include "qledger/field_problem.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace qledger {

inline constexpr std::size_t kMaxCharacterProblems = 5;

// ---- Special-equipment categories (特种设备安全法 Art. 2; 特种设备目录, 2014) ----

enum class EquipmentCategory {
  kBoiler,              // 锅炉, catalogue 1000
  kPressureVessel,      // 压力容器 (incl. 气瓶 gas cylinders), 2000
  kPressurePiping,      // 压力管道, 8000
  kLift,                // 电梯, 3000
  kCrane,               // 起重机械, 4000
  kPassengerRopeway,    // 客运索道, 9000
  kLargeAmusementRide,  // 大型游乐设施, 6000
  kInPlantVehicle,      // 场（厂）内专用机动车辆, 5000
};

inline constexpr std::array<EquipmentCategory, 8> kEquipmentCategories = {
    EquipmentCategory::kBoiler,
    EquipmentCategory::kPressureVessel,
    EquipmentCategory::kPressurePiping,
    EquipmentCategory::kLift,
    EquipmentCategory::kCrane,
    EquipmentCategory::kPassengerRopeway,
    EquipmentCategory::kLargeAmusementRide,
    EquipmentCategory::kInPlantVehicle};

// Stable machine code: "boiler", "pressure_vessel", "pressure_piping", "lift", "crane",
// "passenger_ropeway", "amusement_ride", "in_plant_vehicle".
std::string_view to_code(EquipmentCategory category);

// The category with machine code `code`; nullopt for anything else (exact, case-sensitive).
std::optional<EquipmentCategory> parse_equipment_category(std::string_view code);

// Display names, e.g. "电梯" / "lift".
std::string_view to_string_zh(EquipmentCategory category);
std::string_view to_string_en(EquipmentCategory category);

// The category's code in the 特种设备目录: "1000", "2000", "8000", "3000", "4000", "9000",
// "6000", "5000" (in enum order).
std::string_view catalogue_code(EquipmentCategory category);

// The category whose catalogue codes start with `leading`: '1'..'6', '8', '9'. Nullopt for every
// other character, including '7' (压力管道元件, pressure-piping components: parts, not equipment
// with an equipment code) and 'F' (安全附件, safety accessories).
std::optional<EquipmentCategory> category_from_catalogue_char(char leading);

// ---- Unified social credit code (统一社会信用代码, GB 32100-2015) ----
//
// 18 characters from "0123456789ABCDEFGHJKLMNPQRTUWXY" (values 0–30; no I, O, Z, S, V):
// position 1 registration authority, 2 entity type, 3–8 administrative division code (digits),
// 9–17 organisation code, 18 check character. Positions 1, 2 and 9–17 are checked against the
// alphabet only (the authority/type table grows; old organisation codes keep their own form).
// Lower case is rejected with the hint "use capital letters".
//
// Problem codes: "required" (empty), "uscc_length", "uscc_forbidden_char" (I O Z S V, either
// case), "uscc_lowercase", "uscc_invalid_char" (anything else outside the alphabet),
// "uscc_division_digits" (a letter in 3–8), "uscc_check_char" (its own code: the only failure a
// user may override by confirming the code "as printed on the licence").
struct UnifiedSocialCreditCode {
  bool valid = false;
  // True when the text is 18 characters of the alphabet; the parts below are then set, even if
  // positions 3–8 hold letters or the check character is wrong.
  bool parsed = false;
  std::string text;                    // the 18 characters, when parsed
  char registration_authority = '\0';  // position 1 (登记管理部门码), e.g. '9' market regulator
  char entity_type = '\0';             // position 2 (机构类别码)
  std::string division_code;           // positions 3–8 (登记管理机关行政区划码)
  std::string organisation_code;       // positions 9–17 (主体标识码)
  char check_char = '\0';              // position 18 as entered
  char expected_check_char = '\0';     // computed from positions 1–17, when parsed
  FieldProblems problems;              // empty iff valid

  // True if a wrong check character is the only problem (the case a user may confirm).
  bool only_check_char_wrong() const;
};

UnifiedSocialCreditCode check_uscc(std::string_view text, std::string_view field);

// The check character for the first 17 characters of a code: weights
// 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28, check = 31 − (Σ value×weight mod 31), 31 → '0'.
// Nullopt unless `first17` is exactly 17 characters of the alphabet.
std::optional<char> uscc_check_char(std::string_view first17);

// ---- Food production licence number (食品生产许可证编号, 食品生产许可管理办法) ----
//
// "SC" + 14 digits: 3 food category (first digit 1 food, 2 food additive; not enforced),
// 2 province, 2 city, 2 county, 4 sequence, 1 check digit. The check algorithm is unpublished:
// only the format is checked. A former "QS" number gets a hint that it is not an SC number.
//
// Problem codes: "required", "food_licence_prefix" (missing, lower-case or other prefix),
// "food_licence_length" (not 14 characters after the prefix), "food_licence_digit" (a non-digit
// after the prefix).
struct FoodLicenceNumber {
  bool valid = false;
  std::string text;           // "SC" + 14 digits, when valid
  std::string food_category;  // digits 1–3 (食品类别编码), when valid; likewise below
  std::string province_code;  // digits 4–5
  std::string city_code;      // digits 6–7
  std::string county_code;    // digits 8–9
  std::string sequence;       // digits 10–13
  char check_digit = '\0';    // digit 14, not verified
  FieldProblems problems;     // empty iff valid
};

FoodLicenceNumber check_food_licence(std::string_view text, std::string_view field);

// ---- Special-equipment code (设备代码, TSG 08-2017 特种设备代码编号方法) ----
//
// Modern form, 18 characters: variety code (1–4, the 品种 code from the 特种设备目录, e.g.
// "3110" traction passenger lift; its first character names the category, see
// category_from_catalogue_char; positions 2–4 may be capital letters, as in the catalogue's
// "4D00" parking equipment, "6D20" water slides, "23T0" special cylinders) + manufacturer code
// (5–9: 2-digit licensing-authority region + 3-digit licence sequence; capital letters are
// accepted too, see below) + year of manufacture (10–13, digits, kEarliestEquipmentYear ..
// current_year) + serial (14–18; the method lets letters replace digits past 99999).
// TSG describes the manufacturer code as digits, but it describes the variety code as digits
// too while the catalogue itself has lettered codes, so capital letters are accepted in the
// variety (2–4), manufacturer and serial positions rather than turn away a code as plated.
//
// Legacy form, 20 characters: local registration codes from before the national scheme
// (e.g. class code + division + registration year-month + sequence; positions 1–16 digits,
// 17–20 digits or capital letters). Accepted with legacy = true and not parsed: the local class
// codes do not follow the catalogue (one city's "5" meant amusement rides), so no category is
// derived from them.
//
// Problem codes: "required", "equipment_code_length", "equipment_code_char" (a character not
// allowed at its position, with the position's meaning), "equipment_code_variety" (first
// character names no equipment category: '7' components and 'F' safety accessories included),
// "equipment_code_year" (outside kEarliestEquipmentYear..current_year).
inline constexpr int kEarliestEquipmentYear = 1950;

struct EquipmentCode {
  bool valid = false;
  bool legacy = false;                        // the 20-character local form (valid or not)
  std::string text;                           // the code, when valid
  std::string variety_code;                   // positions 1–4, when valid and not legacy
  std::optional<EquipmentCategory> category;  // from the variety code, likewise
  std::string manufacturer_code;              // positions 5–9
  int year = 0;                               // positions 10–13
  std::string serial;                         // positions 14–18
  FieldProblems problems;                     // empty iff valid
};

// `current_year` is the calendar year of the recording instant (Asia/Shanghai), supplied by the
// caller so the check stays pure.
EquipmentCode check_equipment_code(std::string_view text, std::string_view field, int current_year);

}  // namespace qledger
