// Accident grades by 特种设备安全监察条例 Arts. 61–64: every threshold on both sides, worst-of
// combinations, the non-numeric triggers and related accidents.
#include <doctest/doctest.h>

#include "qledger/incident_grade.hpp"

#include <string>
#include <vector>

using namespace qledger;

namespace {

using G = IncidentGrade;
using C = EquipmentCategory;

IncidentFacts facts(C category = C::kLift) {
  IncidentFacts f;
  f.category = category;
  return f;
}

G grade(const IncidentFacts& f) { return grade_incident(f).grade; }

std::vector<std::string> reason_codes(const IncidentGrading& g) {
  std::vector<std::string> out;
  for (const GradeReason& r : g.reasons) out.push_back(r.code);
  return out;
}

std::vector<std::string> problem_codes(const FieldProblems& problems) {
  std::vector<std::string> out;
  for (const FieldProblem& p : problems) out.push_back(p.field + ":" + p.code);
  return out;
}

}  // namespace

TEST_SUITE("incident_grade") {
  TEST_CASE("deaths: 1-2 general, 3-9 major, 10-29 serious, 30+ extraordinary") {
    struct Case {
      std::int64_t deaths;
      G want;
    };
    for (const Case& c :
         {Case{0, G::kNone}, Case{1, G::kGeneral}, Case{2, G::kGeneral}, Case{3, G::kMajor},
          Case{9, G::kMajor}, Case{10, G::kSerious}, Case{29, G::kSerious},
          Case{30, G::kExtraordinary}, Case{1000, G::kExtraordinary}}) {
      CAPTURE(c.deaths);
      auto f = facts();
      f.deaths = c.deaths;
      CHECK(grade(f) == c.want);
    }
  }

  TEST_CASE("serious injuries: 1-9 general, 10-49 major, 50-99 serious, 100+ extraordinary") {
    struct Case {
      std::int64_t injuries;
      G want;
    };
    for (const Case& c : {Case{0, G::kNone}, Case{1, G::kGeneral}, Case{9, G::kGeneral},
                          Case{10, G::kMajor}, Case{49, G::kMajor}, Case{50, G::kSerious},
                          Case{99, G::kSerious}, Case{100, G::kExtraordinary}}) {
      CAPTURE(c.injuries);
      auto f = facts();
      f.serious_injuries = c.injuries;
      CHECK(grade(f) == c.want);
    }
  }

  TEST_CASE("direct loss in yuan: 1万 general, 1000万 major, 5000万 serious, 1亿 extraordinary") {
    struct Case {
      std::int64_t yuan;
      G want;
    };
    for (const Case& c : {Case{0, G::kNone}, Case{9'999, G::kNone}, Case{10'000, G::kGeneral},
                          Case{9'999'999, G::kGeneral}, Case{10'000'000, G::kMajor},
                          Case{49'999'999, G::kMajor}, Case{50'000'000, G::kSerious},
                          Case{99'999'999, G::kSerious}, Case{100'000'000, G::kExtraordinary}}) {
      CAPTURE(c.yuan);
      auto f = facts();
      f.direct_loss_yuan = c.yuan;
      CHECK(grade(f) == c.want);
    }
  }

  TEST_CASE("minor injuries alone give no grade") {
    auto f = facts();
    f.minor_injuries = 500;
    const auto g = grade_incident(f);
    CHECK(g.grade == G::kNone);
    CHECK(reason_codes(g) == std::vector<std::string>{"below_general"});
  }

  TEST_CASE("the reason says which criterion and why, in both languages") {
    auto f = facts();
    f.deaths = 3;
    const auto g = grade_incident(f);
    REQUIRE(g.reasons.size() == 1);
    CHECK(g.reasons[0].grade == G::kMajor);
    CHECK(g.reasons[0].code == "deaths");
    CHECK(g.reasons[0].message_en == "major accident: 3 deaths (Art. 63(1): 3 to 9 deaths)");
    CHECK(g.reasons[0].message_zh ==
          "较大事故：死亡 3 人（第六十三条第（一）项：3 人以上 10 人以下死亡）");

    auto money = facts();
    money.direct_loss_yuan = 12'345'678;
    CHECK(grade_incident(money).reasons[0].message_zh ==
          "较大事故：直接经济损失 12,345,678 元（第六十三条第（一）项：1000 万元以上 5000 "
          "万元以下直接经济损失）");
  }

  TEST_CASE("worst of: the grade is the worst criterion, every criterion is listed worst first") {
    auto f = facts();
    f.deaths = 2;                     // general
    f.serious_injuries = 12;          // major
    f.direct_loss_yuan = 60'000'000;  // serious
    const auto g = grade_incident(f);
    CHECK(g.grade == G::kSerious);
    CHECK(reason_codes(g) == std::vector<std::string>{"direct_loss", "serious_injuries", "deaths"});
    CHECK(g.reasons[0].grade == G::kSerious);
    CHECK(g.reasons[1].grade == G::kMajor);
    CHECK(g.reasons[2].grade == G::kGeneral);

    // Equal grades keep the order deaths, injuries, loss.
    auto tie = facts();
    tie.deaths = 3;
    tie.serious_injuries = 10;
    CHECK(reason_codes(grade_incident(tie)) ==
          std::vector<std::string>{"deaths", "serious_injuries"});
  }

  TEST_CASE("toxic medium leak: people moved 500 / 1万 / 5万 / 15万, vessels and piping only") {
    struct Case {
      std::int64_t moved;
      G want;
    };
    for (const C category : {C::kPressureVessel, C::kPressurePiping}) {
      for (const Case& c :
           {Case{499, G::kNone}, Case{500, G::kGeneral}, Case{9'999, G::kGeneral},
            Case{10'000, G::kMajor}, Case{49'999, G::kMajor}, Case{50'000, G::kSerious},
            Case{149'999, G::kSerious}, Case{150'000, G::kExtraordinary}}) {
        CAPTURE(c.moved);
        auto f = facts(category);
        f.toxic_medium_leak = true;
        f.evacuated = c.moved;
        CHECK(grade(f) == c.want);
      }
    }
    // Without a toxic leak, or from other equipment, moving people grades nothing.
    auto no_leak = facts(C::kPressureVessel);
    no_leak.evacuated = 200'000;
    CHECK(grade(no_leak) == G::kNone);
    auto boiler = facts(C::kBoiler);
    boiler.toxic_medium_leak = true;
    boiler.evacuated = 200'000;
    CHECK(grade(boiler) == G::kNone);
    // The general band is item (2) of Art. 64, the others item (3).
    auto general = facts(C::kPressurePiping);
    general.toxic_medium_leak = true;
    general.evacuated = 600;
    CHECK(grade_incident(general).reasons[0].message_en.find("Art. 64(2)") != std::string::npos);
  }

  TEST_CASE("explosion: boiler, vessel or piping is at least major; 600 MW boiler extraordinary") {
    for (const C category : {C::kBoiler, C::kPressureVessel, C::kPressurePiping}) {
      auto f = facts(category);
      f.explosion = true;
      const auto g = grade_incident(f);
      CHECK(g.grade == G::kMajor);
      CHECK(reason_codes(g) == std::vector<std::string>{"explosion"});
    }
    auto lift = facts(C::kLift);
    lift.explosion = true;
    CHECK(grade(lift) == G::kNone);

    auto big = facts(C::kBoiler);
    big.explosion = true;
    big.boiler_capacity_mw = 600;
    CHECK(reason_codes(grade_incident(big)) == std::vector<std::string>{"boiler_explosion_600mw"});
    CHECK(grade(big) == G::kExtraordinary);
    big.boiler_capacity_mw = 599;
    CHECK(grade(big) == G::kMajor);

    // Explosion with deaths: the worse of the two.
    auto deadly = facts(C::kPressureVessel);
    deadly.explosion = true;
    deadly.deaths = 12;
    CHECK(grade(deadly) == G::kSerious);
    CHECK(reason_codes(grade_incident(deadly)) == std::vector<std::string>{"deaths", "explosion"});
  }

  TEST_CASE("600 MW boiler out of operation 240 h after a safety fault is serious") {
    auto f = facts(C::kBoiler);
    f.boiler_capacity_mw = 660;
    f.boiler_outage_minutes = 240 * 60 - 1;
    CHECK(grade(f) == G::kNone);
    f.boiler_outage_minutes = 240 * 60;
    CHECK(grade(f) == G::kSerious);
    CHECK(reason_codes(grade_incident(f)) == std::vector<std::string>{"boiler_outage_600mw"});
    f.boiler_capacity_mw = 300;
    CHECK(grade(f) == G::kNone);
  }

  TEST_CASE("passenger ropeway stranding: 3.5 h general, 12 h major, 100 people 24 h / 48 h") {
    struct Case {
      std::int64_t people;
      std::int64_t minutes;
      G want;
    };
    for (const Case& c : {
             Case{50, 209, G::kNone},              // 3 h 29 min
             Case{50, 210, G::kGeneral},           // 3.5 h
             Case{50, 719, G::kGeneral},           // 11 h 59 min
             Case{50, 720, G::kMajor},             // 12 h
             Case{99, 49 * 60, G::kMajor},         // fewer than 100 people: never above major
             Case{100, 24 * 60 - 1, G::kMajor},    // 100 people, under 24 h
             Case{100, 24 * 60, G::kSerious},      // 100 people, 24 h
             Case{100, 48 * 60 - 1, G::kSerious},  // 100 people, under 48 h
             Case{100, 48 * 60, G::kExtraordinary},
             Case{0, 210, G::kGeneral},  // count unknown: the time still grades
         }) {
      CAPTURE(c.people);
      CAPTURE(c.minutes);
      auto f = facts(C::kPassengerRopeway);
      f.people_trapped = c.people;
      f.minutes_trapped = c.minutes;
      CHECK(grade(f) == c.want);
    }
  }

  TEST_CASE("large amusement ride stranding: 1 h general, 12 h major, 100 people 24 h / 48 h") {
    struct Case {
      std::int64_t people;
      std::int64_t minutes;
      G want;
    };
    for (const Case& c : {Case{20, 59, G::kNone}, Case{20, 60, G::kGeneral},
                          Case{20, 719, G::kGeneral}, Case{20, 720, G::kMajor},
                          Case{120, 24 * 60, G::kSerious}, Case{120, 48 * 60, G::kExtraordinary}}) {
      CAPTURE(c.people);
      CAPTURE(c.minutes);
      auto f = facts(C::kLargeAmusementRide);
      f.people_trapped = c.people;
      f.minutes_trapped = c.minutes;
      CHECK(grade(f) == c.want);
    }
    auto f = facts(C::kLargeAmusementRide);
    f.people_trapped = 8;
    f.minutes_trapped = 90;
    const auto g = grade_incident(f);
    REQUIRE(g.reasons.size() == 1);
    CHECK(g.reasons[0].code == "stranded");
    CHECK(g.reasons[0].message_zh ==
          "一般事故：大型游乐设施高空滞留 8 人，1 小时 30 分钟（第六十四条第（六）项：大型游乐设施"
          "高空滞留人员 1 小时以上 12 小时以下）");
  }

  TEST_CASE("lift: people trapped in the car 2 h or more is general") {
    auto f = facts(C::kLift);
    f.minutes_trapped = 119;
    CHECK(grade(f) == G::kNone);
    f.minutes_trapped = 120;
    CHECK(grade(f) == G::kGeneral);
    CHECK(reason_codes(grade_incident(f)) == std::vector<std::string>{"lift_trapped"});
    // Hours in a lift never reach major: that band is for ropeways and rides.
    f.minutes_trapped = 13 * 60;
    CHECK(grade(f) == G::kGeneral);
    // Trapping on other equipment is not graded.
    auto crane = facts(C::kCrane);
    crane.minutes_trapped = 600;
    CHECK(grade(crane) == G::kNone);
  }

  TEST_CASE("crane: overturned as a whole is major, structural failure general") {
    auto f = facts(C::kCrane);
    f.crane_overturned = true;
    CHECK(grade(f) == G::kMajor);
    auto g = facts(C::kCrane);
    g.crane_structure_failed = true;
    CHECK(grade(g) == G::kGeneral);
    f.crane_structure_failed = true;
    CHECK(reason_codes(grade_incident(f)) ==
          std::vector<std::string>{"crane_overturned", "crane_structure_failed"});
    auto lift = facts(C::kLift);
    lift.crane_overturned = true;
    CHECK(grade(lift) == G::kNone);
  }

  TEST_CASE("related accident only: no grade whatever the casualties") {
    auto f = facts(C::kLift);
    f.is_special_equipment_accident = false;
    f.deaths = 40;
    f.direct_loss_yuan = 200'000'000;
    const auto g = grade_incident(f);
    CHECK(g.grade == G::kNone);
    CHECK(reason_codes(g) == std::vector<std::string>{"related_accident"});
    CHECK(g.reasons[0].message_zh == "不属于特种设备事故（仅为相关事故），不定事故等级");
  }

  TEST_CASE("negative numbers count as zero") {
    auto f = facts();
    f.deaths = -5;
    f.direct_loss_yuan = -100'000'000;
    f.minutes_trapped = -600;
    CHECK(grade(f) == G::kNone);
  }

  TEST_CASE("check_incident_facts: negatives and facts that do not fit the category") {
    auto f = facts(C::kLift);
    CHECK(check_incident_facts(f, "incident/").empty());
    f.deaths = -1;
    f.explosion = true;
    f.toxic_medium_leak = true;
    f.crane_overturned = true;
    f.boiler_capacity_mw = 10;
    f.minutes_trapped = 30;  // fine for a lift
    CHECK(problem_codes(check_incident_facts(f, "incident/")) ==
          std::vector<std::string>{
              "incident/deaths:negative", "incident/toxic_medium_leak:not_applicable",
              "incident/explosion:not_applicable", "incident/boiler_capacity_mw:not_applicable",
              "incident/crane_overturned:not_applicable"});
    auto boiler = facts(C::kBoiler);
    boiler.minutes_trapped = 30;
    const auto problems = check_incident_facts(boiler, "");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].field == "minutes_trapped");
    CHECK(problems[0].message_zh ==
          "滞留时间仅适用于电梯、客运索道、大型游乐设施，本事故设备为锅炉");
  }

  TEST_CASE("grade codes and names") {
    for (const G g : kIncidentGrades) {
      CAPTURE(to_code(g));
      CHECK(parse_incident_grade(to_code(g)) == g);
      CHECK_FALSE(to_string_zh(g).empty());
      CHECK_FALSE(to_string_en(g).empty());
    }
    CHECK(to_code(G::kExtraordinary) == "extraordinary");
    CHECK(to_code(G::kSerious) == "serious");
    CHECK(to_code(G::kMajor) == "major");
    CHECK(to_code(G::kGeneral) == "general");
    CHECK(to_code(G::kNone) == "none");
    CHECK(to_string_zh(G::kMajor) == "较大事故");
    CHECK(to_string_zh(G::kExtraordinary) == "特别重大事故");
    CHECK_FALSE(parse_incident_grade("Major").has_value());
    CHECK(G::kExtraordinary > G::kSerious);
    CHECK(G::kGeneral > G::kNone);
  }
}
