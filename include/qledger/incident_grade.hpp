// The grade of a special-equipment accident (事故等级), derived from recorded facts — never typed
// in — by 特种设备安全监察条例 (State Council Order 549, 2009) Arts. 61–64. The grade is the worst
// criterion met; every criterion met is listed as a reason with its own grade.
//
// "N 以上" includes N and "N 以下" excludes it, which gives the half-open bands below (the reading
// 生产安全事故报告和调查处理条例 Art. 3 states outright, and the only one under which the
// regulation's bands meet without gap or overlap).
//
//   criterion (applies to)                 特别重大 (61)  重大 (62)   较大 (63)    一般 (64)
//   deaths (all)                           ≥ 30          10–29       3–9          1–2
//   serious injuries, incl. acute          ≥ 100         50–99       10–49        1–9
//     industrial poisoning (all)
//   direct loss, yuan (all)                ≥ 1亿         5000万–     1000万–      1万–
//                                                        <1亿        <5000万      <1000万
//   people moved away after a toxic        ≥ 150,000     50,000–     10,000–      500–9,999
//     medium leak (pressure vessel, piping)              149,999     49,999
//   explosion (boiler, pressure vessel,    boiler of                 any
//     pressure piping)                     ≥ 600 MW
//   boiler of ≥ 600 MW out of operation                  ≥ 240 h
//     after a safety fault (boiler)
//   stranded high up (passenger ropeway,   ≥ 100 people  ≥ 100 peo-  ≥ 12 h       ropeway
//     large amusement ride)                and ≥ 48 h    ple and                  3.5–12 h,
//                                                        24–48 h                  ride 1–12 h
//   crane overturned as a whole (crane)                              yes
//   main load-bearing structure broken                                            yes
//     or hoisting mechanism fell (crane)
//   people trapped in the car ≥ 2 h (lift)                                        yes
//
// Facts that do not apply to the category are ignored by grade_incident (and reported by
// check_incident_facts). Negative numbers count as 0. Durations are whole minutes. Not covered:
// general-accident cases the State Council department may add under Art. 64 para. 2.
#pragma once

#include "qledger/field_problem.hpp"
#include "qledger/identifiers.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qledger {

// Ordered: a larger value is a worse grade.
enum class IncidentGrade {
  kNone = 0,           // no criterion met, or not a special-equipment accident
  kGeneral = 1,        // 一般事故
  kMajor = 2,          // 较大事故
  kSerious = 3,        // 重大事故
  kExtraordinary = 4,  // 特别重大事故
};

inline constexpr std::array<IncidentGrade, 5> kIncidentGrades = {
    IncidentGrade::kNone, IncidentGrade::kGeneral, IncidentGrade::kMajor, IncidentGrade::kSerious,
    IncidentGrade::kExtraordinary};

// Stable machine code: "none", "general", "major", "serious", "extraordinary".
std::string_view to_code(IncidentGrade grade);

// The grade with machine code `code`; nullopt for anything else.
std::optional<IncidentGrade> parse_incident_grade(std::string_view code);

// Display names: "特别重大事故" / "extraordinarily serious accident", …, and for kNone
// "未达一般事故" / "below general (no grade)".
std::string_view to_string_zh(IncidentGrade grade);
std::string_view to_string_en(IncidentGrade grade);

// The facts recorded on an incident, as far as grading needs them.
struct IncidentFacts {
  EquipmentCategory category = EquipmentCategory::kBoiler;
  // False for a related accident only (SAMR Order 50 Art. 3: natural disaster, traffic or fire
  // accident, deliberate damage, equipment not in working state…): then there is no grade.
  bool is_special_equipment_accident = true;
  std::int64_t deaths = 0;
  std::int64_t serious_injuries = 0;  // including acute industrial poisoning
  std::int64_t minor_injuries = 0;    // recorded, but no grading criterion uses it
  std::int64_t direct_loss_yuan = 0;
  std::int64_t evacuated = 0;       // people moved away (转移)
  bool toxic_medium_leak = false;   // a toxic medium leaked (pressure vessel or piping)
  std::int64_t people_trapped = 0;  // people trapped or stranded (only compared with 100)
  // How long people were trapped in a lift car or stranded high up on a ropeway or ride. A
  // non-zero time implies at least one person, whatever people_trapped says.
  std::int64_t minutes_trapped = 0;
  bool explosion = false;                  // boiler, pressure vessel or pressure piping exploded
  std::int64_t boiler_capacity_mw = 0;     // boiler rating in MW (0: unknown or small)
  std::int64_t boiler_outage_minutes = 0;  // operation interrupted by a safety fault
  bool crane_overturned = false;           // 起重机械整体倾覆
  bool crane_structure_failed = false;     // 主要受力结构件折断或者起升机构坠落
};

// One criterion met: the grade it alone gives and why, e.g. {kMajor, "deaths",
// "major accident: 3 deaths (Art. 63(1): 3 to 9)", "较大事故：死亡 3
// 人（第六十三条第（一）项：…）"}.
struct GradeReason {
  IncidentGrade grade = IncidentGrade::kNone;
  // "deaths", "serious_injuries", "direct_loss", "toxic_leak_evacuation", "explosion",
  // "boiler_explosion_600mw", "boiler_outage_600mw", "stranded", "lift_trapped",
  // "crane_overturned", "crane_structure_failed"; with kNone only: "below_general" (no
  // criterion met) or "related_accident" (not a special-equipment accident).
  std::string code;
  std::string message_en;
  std::string message_zh;
};

struct IncidentGrading {
  IncidentGrade grade = IncidentGrade::kNone;
  // Every criterion met, worst first (the first ones gave the grade); a single kNone reason
  // ("below_general" or "related_accident") when none is.
  std::vector<GradeReason> reasons;
};

IncidentGrading grade_incident(const IncidentFacts& facts);

// Problems with the facts themselves, each naming `field_prefix` + the member name (e.g.
// "incident/deaths"): "negative" for a negative number, "not_applicable" for a fact that does
// not apply to the category (an explosion of a lift, a toxic leak from a crane…). Grading does
// not need these to be fixed first.
FieldProblems check_incident_facts(const IncidentFacts& facts, std::string_view field_prefix);

}  // namespace qledger
