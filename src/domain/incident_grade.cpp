#include "qledger/incident_grade.hpp"

#include <algorithm>
#include <string>
#include <utility>

namespace qledger {

namespace {

constexpr std::int64_t kHour = 60;  // minutes

std::int64_t non_negative(std::int64_t value) { return value < 0 ? 0 : value; }

// 1234567 → "1,234,567".
std::string grouped(std::int64_t value) {
  const std::string digits = std::to_string(value);
  std::string out;
  const std::size_t first = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
  out += digits.substr(0, first);
  for (std::size_t i = first; i < digits.size(); i += 3) {
    out += ',';
    out += digits.substr(i, 3);
  }
  return out;
}

std::string duration_en(std::int64_t minutes) {
  const std::int64_t h = minutes / kHour;
  const std::int64_t m = minutes % kHour;
  if (h == 0) return std::to_string(m) + " min";
  if (m == 0) return grouped(h) + " h";
  return grouped(h) + " h " + std::to_string(m) + " min";
}

std::string duration_zh(std::int64_t minutes) {
  const std::int64_t h = minutes / kHour;
  const std::int64_t m = minutes % kHour;
  if (h == 0) return std::to_string(m) + " 分钟";
  if (m == 0) return grouped(h) + " 小时";
  return grouped(h) + " 小时 " + std::to_string(m) + " 分钟";
}

// The article of the regulation that defines a grade: 61 extraordinary … 64 general.
int article_of(IncidentGrade grade) {
  switch (grade) {
    case IncidentGrade::kExtraordinary:
      return 61;
    case IncidentGrade::kSerious:
      return 62;
    case IncidentGrade::kMajor:
      return 63;
    case IncidentGrade::kGeneral:
      return 64;
    case IncidentGrade::kNone:
      break;
  }
  return 0;
}

std::string article_en(IncidentGrade grade, int item) {
  return "Art. " + std::to_string(article_of(grade)) + "(" + std::to_string(item) + ")";
}

std::string article_zh(IncidentGrade grade, int item) {
  static constexpr std::array<std::string_view, 7> kNumerals = {"",   "一", "二", "三",
                                                                "四", "五", "六"};
  static constexpr std::array<std::string_view, 4> kArticles = {"六十一", "六十二", "六十三",
                                                                "六十四"};
  const int article = article_of(grade);
  if (article < 61 || item < 1 || item > 6) return "";
  return "第" + std::string(kArticles[static_cast<std::size_t>(article - 61)]) + "条第（" +
         std::string(kNumerals[static_cast<std::size_t>(item)]) + "）项";
}

// A band of a numeric criterion: values ≥ min give `grade` (bands are listed worst first).
struct Band {
  IncidentGrade grade;
  std::int64_t min;
  int item;  // the numbered item of the grade's article
  const char* range_en;
  const char* range_zh;
};

constexpr std::array<Band, 4> kDeathBands = {{
    {IncidentGrade::kExtraordinary, 30, 1, "30 or more deaths", "30 人以上死亡"},
    {IncidentGrade::kSerious, 10, 1, "10 to 29 deaths", "10 人以上 30 人以下死亡"},
    {IncidentGrade::kMajor, 3, 1, "3 to 9 deaths", "3 人以上 10 人以下死亡"},
    {IncidentGrade::kGeneral, 1, 1, "1 or 2 deaths", "3 人以下死亡"},
}};

constexpr std::array<Band, 4> kSeriousInjuryBands = {{
    {IncidentGrade::kExtraordinary, 100, 1, "100 or more serious injuries", "100 人以上重伤"},
    {IncidentGrade::kSerious, 50, 1, "50 to 99 serious injuries", "50 人以上 100 人以下重伤"},
    {IncidentGrade::kMajor, 10, 1, "10 to 49 serious injuries", "10 人以上 50 人以下重伤"},
    {IncidentGrade::kGeneral, 1, 1, "1 to 9 serious injuries", "10 人以下重伤"},
}};

constexpr std::array<Band, 4> kLossBands = {{
    {IncidentGrade::kExtraordinary, 100'000'000, 1, "100 million yuan or more",
     "1 亿元以上直接经济损失"},
    {IncidentGrade::kSerious, 50'000'000, 1, "50 million to under 100 million yuan",
     "5000 万元以上 1 亿元以下直接经济损失"},
    {IncidentGrade::kMajor, 10'000'000, 1, "10 million to under 50 million yuan",
     "1000 万元以上 5000 万元以下直接经济损失"},
    {IncidentGrade::kGeneral, 10'000, 1, "10,000 to under 10 million yuan",
     "1 万元以上 1000 万元以下直接经济损失"},
}};

constexpr std::array<Band, 4> kEvacuationBands = {{
    {IncidentGrade::kExtraordinary, 150'000, 3, "150,000 or more people moved",
     "有毒介质泄漏，造成 15 万人以上转移"},
    {IncidentGrade::kSerious, 50'000, 3, "50,000 to 149,999 people moved",
     "有毒介质泄漏，造成 5 万人以上 15 万人以下转移"},
    {IncidentGrade::kMajor, 10'000, 3, "10,000 to 49,999 people moved",
     "有毒介质泄漏，造成 1 万人以上 5 万人以下转移"},
    {IncidentGrade::kGeneral, 500, 2, "500 to 9,999 people moved",
     "有毒介质泄漏，造成 500 人以上 1 万人以下转移"},
}};

class Reasons {
 public:
  void add(IncidentGrade grade, int item, std::string code, const std::string& fact_en,
           const std::string& fact_zh, const std::string& rule_en, const std::string& rule_zh) {
    reasons_.push_back(GradeReason{grade, std::move(code),
                                   std::string(to_string_en(grade)) + ": " + fact_en + " (" +
                                       article_en(grade, item) + ": " + rule_en + ")",
                                   std::string(to_string_zh(grade)) + "：" + fact_zh + "（" +
                                       article_zh(grade, item) + "：" + rule_zh + "）"});
  }

  template <std::size_t N>
  void add_banded(const std::array<Band, N>& bands, std::int64_t value, std::string code,
                  const std::string& fact_en, const std::string& fact_zh) {
    for (const Band& band : bands) {
      if (value >= band.min) {
        add(band.grade, band.item, std::move(code), fact_en, fact_zh, band.range_en, band.range_zh);
        return;
      }
    }
  }

  std::vector<GradeReason> take() { return std::move(reasons_); }

 private:
  std::vector<GradeReason> reasons_;
};

bool is_explosion_category(EquipmentCategory c) {
  return c == EquipmentCategory::kBoiler || c == EquipmentCategory::kPressureVessel ||
         c == EquipmentCategory::kPressurePiping;
}

bool is_toxic_leak_category(EquipmentCategory c) {
  return c == EquipmentCategory::kPressureVessel || c == EquipmentCategory::kPressurePiping;
}

bool is_stranding_category(EquipmentCategory c) {
  return c == EquipmentCategory::kPassengerRopeway || c == EquipmentCategory::kLargeAmusementRide;
}

bool is_trapping_category(EquipmentCategory c) {
  return c == EquipmentCategory::kLift || is_stranding_category(c);
}

void add_stranding(Reasons& reasons, EquipmentCategory category, std::int64_t people,
                   std::int64_t minutes) {
  const bool ropeway = category == EquipmentCategory::kPassengerRopeway;
  const std::string who_en = people > 0 ? grouped(people) + " people" : "people";
  const std::string where_en = ropeway ? "a passenger ropeway" : "a large amusement ride";
  const std::string fact_en =
      who_en + " stranded high up on " + where_en + " for " + duration_en(minutes);
  const std::string fact_zh = std::string(to_string_zh(category)) + "高空滞留" +
                              (people > 0 ? " " + grouped(people) + " 人" : std::string("人员")) +
                              "，" + duration_zh(minutes);
  if (people >= 100 && minutes >= 48 * kHour) {
    reasons.add(IncidentGrade::kExtraordinary, 4, "stranded", fact_en, fact_zh,
                "100 or more people for 48 h or more",
                "客运索道、大型游乐设施高空滞留 100 人以上并且时间在 48 小时以上");
  } else if (people >= 100 && minutes >= 24 * kHour) {
    reasons.add(IncidentGrade::kSerious, 4, "stranded", fact_en, fact_zh,
                "100 or more people for 24 h to under 48 h",
                "客运索道、大型游乐设施高空滞留 100 人以上并且时间在 24 小时以上 48 小时以下");
  } else if (minutes >= 12 * kHour) {
    reasons.add(IncidentGrade::kMajor, 5, "stranded", fact_en, fact_zh, "12 h or more",
                "客运索道、大型游乐设施高空滞留人员 12 小时以上");
  } else if (ropeway && minutes >= 3 * kHour + 30) {
    reasons.add(IncidentGrade::kGeneral, 5, "stranded", fact_en, fact_zh,
                "passenger ropeway, 3.5 h to under 12 h",
                "客运索道高空滞留人员 3.5 小时以上 12 小时以下");
  } else if (!ropeway && minutes >= kHour) {
    reasons.add(IncidentGrade::kGeneral, 6, "stranded", fact_en, fact_zh,
                "large amusement ride, 1 h to under 12 h",
                "大型游乐设施高空滞留人员 1 小时以上 12 小时以下");
  }
}

}  // namespace

std::string_view to_code(IncidentGrade grade) {
  switch (grade) {
    case IncidentGrade::kNone:
      return "none";
    case IncidentGrade::kGeneral:
      return "general";
    case IncidentGrade::kMajor:
      return "major";
    case IncidentGrade::kSerious:
      return "serious";
    case IncidentGrade::kExtraordinary:
      return "extraordinary";
  }
  return "";
}

std::optional<IncidentGrade> parse_incident_grade(std::string_view code) {
  for (const IncidentGrade grade : kIncidentGrades) {
    if (to_code(grade) == code) return grade;
  }
  return std::nullopt;
}

std::string_view to_string_zh(IncidentGrade grade) {
  switch (grade) {
    case IncidentGrade::kNone:
      return "未达一般事故";
    case IncidentGrade::kGeneral:
      return "一般事故";
    case IncidentGrade::kMajor:
      return "较大事故";
    case IncidentGrade::kSerious:
      return "重大事故";
    case IncidentGrade::kExtraordinary:
      return "特别重大事故";
  }
  return "";
}

std::string_view to_string_en(IncidentGrade grade) {
  switch (grade) {
    case IncidentGrade::kNone:
      return "below general (no grade)";
    case IncidentGrade::kGeneral:
      return "general accident";
    case IncidentGrade::kMajor:
      return "major accident";
    case IncidentGrade::kSerious:
      return "serious accident";
    case IncidentGrade::kExtraordinary:
      return "extraordinarily serious accident";
  }
  return "";
}

IncidentGrading grade_incident(const IncidentFacts& facts) {
  IncidentGrading result;
  if (!facts.is_special_equipment_accident) {
    result.reasons.push_back(
        GradeReason{IncidentGrade::kNone, "related_accident",
                    "Not a special-equipment accident (related accident only): no grade",
                    "不属于特种设备事故（仅为相关事故），不定事故等级"});
    return result;
  }
  const EquipmentCategory category = facts.category;
  Reasons reasons;

  // Item (1) of each article: casualties and direct loss, for every category.
  const std::int64_t deaths = non_negative(facts.deaths);
  reasons.add_banded(kDeathBands, deaths, "deaths",
                     grouped(deaths) + (deaths == 1 ? " death" : " deaths"),
                     "死亡 " + grouped(deaths) + " 人");
  const std::int64_t injuries = non_negative(facts.serious_injuries);
  reasons.add_banded(kSeriousInjuryBands, injuries, "serious_injuries",
                     grouped(injuries) + (injuries == 1 ? " serious injury" : " serious injuries"),
                     "重伤 " + grouped(injuries) + " 人");
  const std::int64_t loss = non_negative(facts.direct_loss_yuan);
  reasons.add_banded(kLossBands, loss, "direct_loss", "direct loss " + grouped(loss) + " yuan",
                     "直接经济损失 " + grouped(loss) + " 元");

  // Toxic medium leak from a pressure vessel or pressure piping, by people moved away.
  if (facts.toxic_medium_leak && is_toxic_leak_category(category)) {
    const std::int64_t moved = non_negative(facts.evacuated);
    reasons.add_banded(
        kEvacuationBands, moved, "toxic_leak_evacuation",
        grouped(moved) + " people moved after a toxic medium leak from " +
            std::string(to_string_en(category)),
        std::string(to_string_zh(category)) + "有毒介质泄漏，转移 " + grouped(moved) + " 人");
  }

  // Explosions; boilers of 600 MW or more.
  const std::int64_t capacity = non_negative(facts.boiler_capacity_mw);
  const bool big_boiler = category == EquipmentCategory::kBoiler && capacity >= 600;
  if (facts.explosion && is_explosion_category(category)) {
    if (big_boiler) {
      reasons.add(IncidentGrade::kExtraordinary, 2, "boiler_explosion_600mw",
                  "explosion of a " + grouped(capacity) + " MW boiler",
                  grouped(capacity) + " 兆瓦锅炉爆炸", "boiler of 600 MW or more exploded",
                  "600 兆瓦以上锅炉爆炸");
    } else {
      reasons.add(
          IncidentGrade::kMajor, 2, "explosion", std::string(to_string_en(category)) + " explosion",
          std::string(to_string_zh(category)) + "爆炸",
          "boiler, pressure vessel or pressure piping exploded", "锅炉、压力容器、压力管道爆炸");
    }
  }
  const std::int64_t outage = non_negative(facts.boiler_outage_minutes);
  if (big_boiler && outage >= 240 * kHour) {
    reasons.add(IncidentGrade::kSerious, 2, "boiler_outage_600mw",
                "a " + grouped(capacity) + " MW boiler out of operation for " +
                    duration_en(outage) + " after a safety fault",
                grouped(capacity) + " 兆瓦锅炉因安全故障中断运行 " + duration_zh(outage),
                "boiler of 600 MW or more out of operation for 240 h or more",
                "600 兆瓦以上锅炉因安全故障中断运行 240 小时以上");
  }

  // People trapped or stranded.
  const std::int64_t minutes = non_negative(facts.minutes_trapped);
  if (is_stranding_category(category)) {
    add_stranding(reasons, category, non_negative(facts.people_trapped), minutes);
  }
  if (category == EquipmentCategory::kLift && minutes >= 2 * kHour) {
    reasons.add(IncidentGrade::kGeneral, 3, "lift_trapped",
                "people trapped in the lift car for " + duration_en(minutes),
                "电梯轿厢滞留人员 " + duration_zh(minutes), "2 h or more",
                "电梯轿厢滞留人员 2 小时以上");
  }

  // Cranes.
  if (category == EquipmentCategory::kCrane && facts.crane_overturned) {
    reasons.add(IncidentGrade::kMajor, 4, "crane_overturned", "crane overturned as a whole",
                "起重机械整体倾覆", "crane overturned as a whole", "起重机械整体倾覆");
  }
  if (category == EquipmentCategory::kCrane && facts.crane_structure_failed) {
    reasons.add(IncidentGrade::kGeneral, 4, "crane_structure_failed",
                "main load-bearing member broke or hoisting mechanism fell",
                "起重机械主要受力结构件折断或者起升机构坠落",
                "main load-bearing member broken or hoisting mechanism fallen",
                "起重机械主要受力结构件折断或者起升机构坠落");
  }

  result.reasons = reasons.take();
  std::stable_sort(result.reasons.begin(), result.reasons.end(),
                   [](const GradeReason& a, const GradeReason& b) { return a.grade > b.grade; });
  if (result.reasons.empty()) {
    result.reasons.push_back(
        GradeReason{IncidentGrade::kNone, "below_general",
                    "No grading criterion of Arts. 61-64 is met (below a general accident)",
                    "未达到条例第六十一条至第六十四条规定的任何事故等级标准（未达一般事故）"});
  } else {
    result.grade = result.reasons.front().grade;
  }
  return result;
}

FieldProblems check_incident_facts(const IncidentFacts& facts, std::string_view field_prefix) {
  FieldProblems problems;
  const std::string prefix(field_prefix);
  const std::string category_en(to_string_en(facts.category));
  const std::string category_zh(to_string_zh(facts.category));

  struct Count {
    const char* member;
    std::int64_t value;
    const char* name_en;
    const char* name_zh;
  };
  const std::array<Count, 9> counts = {{
      {"deaths", facts.deaths, "Deaths", "死亡人数"},
      {"serious_injuries", facts.serious_injuries, "Serious injuries", "重伤人数"},
      {"minor_injuries", facts.minor_injuries, "Minor injuries", "轻伤人数"},
      {"direct_loss_yuan", facts.direct_loss_yuan, "Direct loss", "直接经济损失"},
      {"evacuated", facts.evacuated, "People moved", "转移人数"},
      {"people_trapped", facts.people_trapped, "People trapped", "滞留人数"},
      {"minutes_trapped", facts.minutes_trapped, "Time trapped", "滞留时间"},
      {"boiler_capacity_mw", facts.boiler_capacity_mw, "Boiler capacity", "锅炉功率"},
      {"boiler_outage_minutes", facts.boiler_outage_minutes, "Boiler outage", "锅炉中断运行时间"},
  }};
  for (const Count& c : counts) {
    if (c.value < 0) {
      problems.push_back(FieldProblem{prefix + c.member, "negative",
                                      std::string(c.name_en) + " must not be negative",
                                      std::string(c.name_zh) + "不能为负数"});
    }
  }

  const auto not_applicable = [&](const char* member, const char* what_en, const char* what_zh,
                                  const char* applies_en, const char* applies_zh) {
    problems.push_back(FieldProblem{
        prefix + member, "not_applicable",
        std::string(what_en) + " applies only to " + applies_en +
            " (equipment category: " + category_en + ")",
        std::string(what_zh) + "仅适用于" + applies_zh + "，本事故设备为" + category_zh});
  };
  const EquipmentCategory c = facts.category;
  if (facts.toxic_medium_leak && !is_toxic_leak_category(c)) {
    not_applicable("toxic_medium_leak", "A toxic medium leak", "有毒介质泄漏",
                   "pressure vessels and pressure piping", "压力容器、压力管道");
  }
  if (facts.explosion && !is_explosion_category(c)) {
    not_applicable("explosion", "An explosion", "爆炸",
                   "boilers, pressure vessels and pressure piping", "锅炉、压力容器、压力管道");
  }
  if (facts.boiler_capacity_mw > 0 && c != EquipmentCategory::kBoiler) {
    not_applicable("boiler_capacity_mw", "Boiler capacity", "锅炉功率", "boilers", "锅炉");
  }
  if (facts.boiler_outage_minutes > 0 && c != EquipmentCategory::kBoiler) {
    not_applicable("boiler_outage_minutes", "Boiler outage", "锅炉中断运行", "boilers", "锅炉");
  }
  if (facts.people_trapped > 0 && !is_trapping_category(c)) {
    not_applicable("people_trapped", "People trapped", "人员滞留",
                   "lifts, passenger ropeways and large amusement rides",
                   "电梯、客运索道、大型游乐设施");
  }
  if (facts.minutes_trapped > 0 && !is_trapping_category(c)) {
    not_applicable("minutes_trapped", "Time trapped", "滞留时间",
                   "lifts, passenger ropeways and large amusement rides",
                   "电梯、客运索道、大型游乐设施");
  }
  if (facts.crane_overturned && c != EquipmentCategory::kCrane) {
    not_applicable("crane_overturned", "Overturning", "整体倾覆", "cranes", "起重机械");
  }
  if (facts.crane_structure_failed && c != EquipmentCategory::kCrane) {
    not_applicable("crane_structure_failed", "Structural failure", "结构件折断或起升机构坠落",
                   "cranes", "起重机械");
  }
  return problems;
}

}  // namespace qledger
