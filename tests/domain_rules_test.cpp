// The domain rules end to end through a real ledger file: every rule refuses with its own code
// and writes nothing; lifecycles, corrections, voids, personal data and deadlines behave as
// docs/events.md says. Expected dates are worked out by hand from the 2026 State Council notice.
#include <doctest/doctest.h>

#include <SQLiteCpp/Statement.h>

#include "qledger/domain_ledger.hpp"
#include "qledger/identifiers.hpp"
#include "qledger/ledger_setup.hpp"
#include "qledger/overdue.hpp"
#include "qledger/verifier.hpp"
#include "test_support.hpp"

#include <set>
#include <string>

using namespace qledger;
using qledger::test::TempDir;

namespace {

const CivilDate kToday(2026, 11, 27);

// A credit code for township number n (check character computed by the library, whose own
// hand-worked vectors are in identifiers_test.cpp).
std::string uscc(int n) {
  char first17[18];
  std::snprintf(first17, sizeof first17, "91341525MA%07d", n);
  return std::string(first17) + *uscc_check_char(first17);
}

struct Bureau {
  TempDir dir;
  std::string db = dir.file("bureau.db");
  std::unique_ptr<Ledger> ledger;

  explicit Bureau(CivilDate today = kToday) {
    init_ledger(db, default_key_path(db), "qledger.test/bureau");
    ledger = open_domain_ledger(db, [today] { return today; });
  }

  Receipt ok(const std::string& kind, Json payload) {
    try {
      return ledger->append({kind, "inspector-1", std::move(payload)});
    } catch (const AppendRejected& e) {
      FAIL("unexpected rejection of " << kind << ": " << e.problems().front().field << " "
                                      << e.problems().front().code << " "
                                      << e.problems().front().message_en);
      throw;
    }
  }

  // Expects a rejection whose problems include (field, code); checks nothing was written.
  FieldProblems refused(const std::string& kind, Json payload, const std::string& field,
                        const std::string& code) {
    const auto before = ledger->head().size;
    try {
      ledger->append({kind, "inspector-1", std::move(payload)});
      FAIL("accepted " << kind << ", expected " << code);
    } catch (const AppendRejected& e) {
      bool found = false;
      for (const auto& p : e.problems()) {
        found |= p.field == field && p.code == code;
        CHECK_FALSE(p.message_en.empty());
        CHECK_FALSE(p.message_zh.empty());
      }
      CHECK_MESSAGE(found, "expected " << field << "/" << code << ", got "
                                       << e.problems().front().field << "/"
                                       << e.problems().front().code);
      CHECK(ledger->head().size == before);
      return e.problems();
    }
    return {};
  }

  std::string scalar(const std::string& sql) {
    std::string out;
    ledger->with_reader([&](SQLite::Database& conn) {
      SQLite::Statement q(conn, sql);
      if (q.executeStep()) out = q.getColumn(0).isNull() ? "NULL" : q.getColumn(0).getString();
    });
    return out;
  }

  void entity(int n, const std::string& township = "衡山镇") {
    ok("entity.registered", {{"uscc", uscc(n)},
                             {"name", "企业" + std::to_string(n)},
                             {"township", township},
                             {"industry", "ecological_food"}});
  }

  Receipt inspection(const std::string& no, int entity_n, const std::string& regime,
                     const std::string& conclusion, bool microbiological = false) {
    Json p = {{"sample_no", no},
              {"regime", regime},
              {"plan_level", "county"},
              {"category", "茶叶"},
              {"uscc", uscc(entity_n)},
              {"sampling_date", "2026-09-10"},
              {"result_date", "2026-09-22"},
              {"lab", "六安市检验检测中心"},
              {"conclusion", conclusion}};
    if (conclusion == "fail") {
      p["failed_items"] = Json::array({{{"item", microbiological ? "菌落总数" : "铅(以Pb计)"},
                                        {"measured", "6.1"},
                                        {"limit", "5.0"},
                                        {"unit", "mg/kg"},
                                        {"standard", "GB 2762-2022"},
                                        {"microbiological", microbiological}}});
      p["notified_on"] = "2026-09-24";
    }
    return ok("inspection.recorded", p);
  }
};

}  // namespace

TEST_SUITE("domain") {
  TEST_CASE("entities: credit codes, duplicates, the 'as printed' confirmation") {
    Bureau b;
    b.entity(1);
    b.refused("entity.registered",
              {{"uscc", uscc(1)}, {"name", "x"}, {"township", "x"}, {"industry", "other"}}, "uscc",
              "duplicate");
    std::string wrong = uscc(2);
    wrong.back() = wrong.back() == '0' ? '1' : '0';
    const Json with_bad_check = {
        {"uscc", wrong}, {"name", "老字号"}, {"township", "佛子岭镇"}, {"industry", "other"}};
    b.refused("entity.registered", with_bad_check, "uscc", "uscc_check_char");
    Json confirmed = with_bad_check;
    confirmed["uscc_as_printed"] = true;
    b.ok("entity.registered", confirmed);
    CHECK(b.scalar("SELECT uscc_as_printed FROM entities WHERE uscc = '" + wrong + "'") == "1");
    // Once confirmed, the code may be referenced as printed; an unconfirmed wrong code may not.
    b.ok("entity.changed", {{"uscc", wrong}, {"address", "衡山镇迎驾大道1号"}});
    std::string unknown_wrong = uscc(3);
    unknown_wrong.back() = unknown_wrong.back() == '0' ? '1' : '0';
    b.refused("entity.changed", {{"uscc", unknown_wrong}, {"name", "x"}}, "uscc",
              "uscc_check_char");
    // The confirmation covers only the check character, not a forbidden letter.
    Json forbidden = confirmed;
    forbidden["uscc"] = "91341525MA0000I01X";
    b.refused("entity.registered", forbidden, "uscc", "uscc_forbidden_char");
    b.refused("entity.changed", {{"uscc", uscc(99)}, {"name", "x"}}, "uscc", "unknown_entity");
    b.refused("entity.changed", {{"uscc", uscc(1)}}, "", "nothing_changed");
    // The confirmation given as text (not true/false) is a field problem, not a crash, and does
    // not confirm (found by the long fuzzing run: the validator threw).
    Json as_text = with_bad_check;
    as_text["uscc_as_printed"] = "是";
    const auto problems = b.refused("entity.registered", as_text, "uscc_as_printed", "wrong_type");
    bool check_char_reported = false;
    for (const auto& p : problems) check_char_reported |= p.code == "uscc_check_char";
    CHECK(check_char_reported);
  }

  TEST_CASE("every field problem of a payload is reported at once") {
    Bureau b;
    const auto problems = b.refused("inspection.recorded",
                                    {{"sample_no", "bad no!"},
                                     {"regime", "medicine"},
                                     {"sampling_date", "2026-02-30"},
                                     {"result_date", "2027-01-01"},
                                     {"lab", std::string(101, 'x')},
                                     {"category", "茶\x01叶"},
                                     {"conclusion", "ok"},
                                     {"extra", 1}},
                                    "sample_no", "bad_code");
    std::set<std::string> codes;
    for (const auto& p : problems) codes.insert(p.field + "/" + p.code);
    for (const char* expected :
         {"regime/bad_enum", "plan_level/required", "uscc/required", "sampling_date/bad_date",
          "result_date/future_date", "lab/too_long", "category/control_character",
          "conclusion/bad_enum", "extra/unknown_field"}) {
      CHECK_MESSAGE(codes.count(expected) == 1, expected);
    }
  }

  TEST_CASE("inspections: references, date order, conclusion and failed items") {
    Bureau b;
    b.entity(1);
    Json p = {{"sample_no", "HS-1"},         {"regime", "food"}, {"plan_level", "county"},
              {"category", "茶叶"},          {"uscc", uscc(2)},  {"sampling_date", "2026-09-10"},
              {"result_date", "2026-09-22"}, {"lab", "lab"},     {"conclusion", "pass"}};
    b.refused("inspection.recorded", p, "uscc", "unknown_entity");
    p["uscc"] = uscc(1);
    p["sampling_date"] = "2026-09-23";
    b.refused("inspection.recorded", p, "sampling_date", "date_order");
    p["sampling_date"] = "2026-09-10";
    p["conclusion"] = "fail";
    b.refused("inspection.recorded", p, "failed_items", "required");
    p["conclusion"] = "pass";
    p["failed_items"] = Json::array(
        {{{"item", "铅"}, {"measured", "1"}, {"limit", "0.5"}, {"standard", "GB 2762"}}});
    b.refused("inspection.recorded", p, "failed_items", "not_allowed");
    p.erase("failed_items");
    b.ok("inspection.recorded", p);
    b.refused("inspection.recorded", p, "sample_no", "duplicate");
  }

  TEST_CASE("re-tests: windows by regime, microbiological bar, one final re-test") {
    Bureau b;
    b.entity(1);
    // Food: notified Thu 2026-09-24; working days after it: 09-28, 29, 30, 10-08, 09, 10 (make-up
    // Saturday), 12 → the window ends Monday 2026-10-12.
    b.inspection("F-1", 1, "food", "fail");
    b.refused("retest.applied", {{"sample_no", "F-1"}, {"applied_on", "2026-10-13"}}, "applied_on",
              "deadline_passed");
    CHECK(b.scalar("SELECT retest_window_end FROM batches WHERE sample_no = 'F-1'") ==
          "2026-10-12");
    b.ok("retest.applied", {{"sample_no", "F-1"}, {"applied_on", "2026-10-12"}});
    b.refused("retest.applied", {{"sample_no", "F-1"}, {"applied_on", "2026-10-12"}}, "sample_no",
              "already_applied");
    b.refused(
        "retest.result",
        {{"sample_no", "F-1"}, {"result_date", "2026-10-20"}, {"lab", "x"}, {"conclusion", "pass"}},
        "sample_no", "retest_not_accepted");
    b.ok("retest.decided",
         {{"sample_no", "F-1"}, {"decided_on", "2026-10-13"}, {"accepted", true}});
    b.ok("retest.result", {{"sample_no", "F-1"},
                           {"result_date", "2026-10-20"},
                           {"lab", "省所"},
                           {"conclusion", "pass"}});
    b.refused(
        "retest.result",
        {{"sample_no", "F-1"}, {"result_date", "2026-10-21"}, {"lab", "x"}, {"conclusion", "pass"}},
        "sample_no", "already_final");
    CHECK(b.scalar("SELECT retest_conclusion FROM batches WHERE sample_no = 'F-1'") == "pass");

    // Product: 15 calendar days from notification (2026-09-24 + 15 = 2026-10-09).
    b.inspection("P-1", 1, "product", "fail");
    CHECK(b.scalar("SELECT retest_window_end FROM batches WHERE sample_no = 'P-1'") ==
          "2026-10-09");
    // Microbiological failures may not be re-tested.
    b.inspection("M-1", 1, "food", "fail", true);
    b.refused("retest.applied", {{"sample_no", "M-1"}, {"applied_on", "2026-09-25"}}, "sample_no",
              "microbiological");
    b.refused("retest.applied", {{"sample_no", "NOPE"}, {"applied_on", "2026-09-25"}}, "sample_no",
              "unknown_batch");
  }

  TEST_CASE("a failed batch is pending while its re-test window is open") {
    Bureau b;
    b.entity(1);
    b.inspection("F-2", 1, "food", "fail");
    BatchState batch;
    b.ledger->with_reader(
        [&](SQLite::Database& conn) { batch = *LedgerRecords(conn).batch("F-2"); });
    CHECK(batch.conclusion_as_of(CivilDate(2026, 10, 12)) == "pending");
    CHECK(batch.conclusion_as_of(CivilDate(2026, 10, 13)) == "fail");
    b.inspection("F-3", 1, "food", "pass");
    b.ledger->with_reader(
        [&](SQLite::Database& conn) { batch = *LedgerRecords(conn).batch("F-3"); });
    CHECK(batch.conclusion_as_of(CivilDate(2026, 9, 22)) == "pass");
  }

  TEST_CASE("equipment and incidents: scrapped equipment, derived grades, related accidents") {
    Bureau b;
    b.entity(1);
    const Json lift = {{"equipment_code", "311034001201900012"},
                       {"registration_no", "梯11皖NS0001(19)"},
                       {"category", "lift"},
                       {"user_uscc", uscc(1)},
                       {"township", "衡山镇"},
                       {"registered_on", "2019-06-01"}};
    Json boiler_code_as_lift = lift;
    boiler_code_as_lift["equipment_code"] = "110034001201900012";
    b.refused("equipment.registered", boiler_code_as_lift, "category", "category_mismatch");
    b.ok("equipment.registered", lift);
    Json incident = {{"incident_no", "SG-2026-01"},
                     {"equipment_code", "311034001201900012"},
                     {"occurred_at", "2026-08-01T10:00:00+08:00"},
                     {"deaths", 3},
                     {"serious_injuries", 0},
                     {"minor_injuries", 2},
                     {"direct_loss_yuan", 50000},
                     {"special_equipment_accident", true}};
    b.ok("incident.reported", incident);
    CHECK(b.scalar("SELECT grade FROM incidents WHERE incident_no = 'SG-2026-01'") == "major");
    // A revision within 30 days re-derives the grade: 2 deaths → general.
    b.refused("incident.casualties_revised",
              {{"incident_no", "SG-2026-01"},
               {"revised_on", "2026-09-01"},
               {"deaths", 2},
               {"serious_injuries", 0},
               {"minor_injuries", 2}},
              "revised_on", "deadline_passed");
    b.ok("incident.casualties_revised", {{"incident_no", "SG-2026-01"},
                                         {"revised_on", "2026-08-20"},
                                         {"deaths", 2},
                                         {"serious_injuries", 0},
                                         {"minor_injuries", 2}});
    CHECK(b.scalar("SELECT grade FROM incidents WHERE incident_no = 'SG-2026-01'") == "general");

    Json related = incident;
    related["incident_no"] = "SG-2026-02";
    related["special_equipment_accident"] = false;
    b.refused("incident.reported", related, "non_accident_ground", "required");
    related["non_accident_ground"] = "traffic_or_fire";
    b.ok("incident.reported", related);
    CHECK(b.scalar("SELECT grade FROM incidents WHERE incident_no = 'SG-2026-02'") == "none");

    b.ok("equipment.status_changed", {{"equipment_code", "311034001201900012"},
                                      {"status", "scrapped"},
                                      {"effective_on", "2026-09-01"}});
    Json after_scrap = incident;
    after_scrap["incident_no"] = "SG-2026-03";
    b.refused("incident.reported", after_scrap, "equipment_code", "scrapped");
    b.refused("equipment.status_changed",
              {{"equipment_code", "311034001201900012"},
               {"status", "in_use"},
               {"effective_on", "2026-09-02"}},
              "equipment_code", "scrapped");
  }

  TEST_CASE("complaints: lifecycle, deadlines, personal data kept apart and erasable") {
    Bureau b;
    const Json received = {{"complaint_no", "TS-1"},
                           {"received_on", "2026-10-09"},
                           {"channel", "hotline_12315"},
                           {"respondent_name", "某超市"},
                           {"category", "goods"},
                           {"amount_yuan", "128.50"},
                           {"complainant", {{"name", "王某某"}, {"phone", "139 0000 0000"}}}};
    b.ok("complaint.received", received);
    b.refused("complaint.closed",
              {{"complaint_no", "TS-1"}, {"closed_on", "2026-10-20"}, {"recovered_yuan", "0"}},
              "complaint_no", "wrong_state");
    // Received Fri 2026-10-09: 10-10 (make-up Saturday), 12, 13, 14, 15, 16, 19 → due 10-19.
    CHECK(b.scalar("SELECT accept_due FROM complaints WHERE complaint_no = 'TS-1'") ==
          "2026-10-19");
    std::vector<OverdueItem> overdue;
    b.ledger->with_reader(
        [&](SQLite::Database& conn) { overdue = list_overdue(conn, CivilDate(2026, 10, 20)); });
    REQUIRE(overdue.size() == 1);
    CHECK(overdue[0].what == "acceptance_decision");
    CHECK(overdue[0].days_late == 1);

    // The leaf holds a commitment, not the name or phone.
    const auto leaf = b.ledger->event(1)->leaf;
    CHECK(leaf.find("王某某") == std::string::npos);
    // (The whole number: "139" alone also turns up in the hex commitment or the milliseconds.)
    CHECK(leaf.find("139 0000 0000") == std::string::npos);
    CHECK(leaf.find("0000 0000") == std::string::npos);
    CHECK(leaf.find("complainant_commitment") != std::string::npos);
    CHECK(b.scalar("SELECT name FROM personal_data WHERE complaint_no = 'TS-1'") == "王某某");

    b.ok("complaint.accepted", {{"complaint_no", "TS-1"}, {"decided_on", "2026-10-12"}});
    b.ok("complaint.mediation_succeeded", {{"complaint_no", "TS-1"}, {"ended_on", "2026-10-30"}});
    b.ok("complaint.closed",
         {{"complaint_no", "TS-1"}, {"closed_on", "2026-11-02"}, {"recovered_yuan", "128.50"}});
    b.ok("complaint.personal_data_erased", {{"complaint_no", "TS-1"}, {"reason", "本人申请删除"}});
    CHECK(b.scalar("SELECT COUNT(*) FROM personal_data") == "0");
    CHECK(verify_ledger(b.db, {}).intact());
    // Erased once: nothing left to erase.
    b.refused("complaint.personal_data_erased", {{"complaint_no", "TS-1"}, {"reason", "重复"}},
              "complaint_no", "no_personal_data");

    // A voided complaint: no record any more, but its complainant's data can still be erased.
    Json voided = received;
    voided["complaint_no"] = "TS-9";
    const Receipt r9 = b.ok("complaint.received", voided);
    CHECK(b.scalar("SELECT COUNT(*) FROM personal_data WHERE complaint_no = 'TS-9'") == "1");
    b.ok("void",
         {{"target_seq", r9.seq}, {"target_kind", "complaint.received"}, {"reason", "重复登记"}});
    b.ok("complaint.personal_data_erased", {{"complaint_no", "TS-9"}, {"reason", "本人申请删除"}});
    CHECK(b.scalar("SELECT COUNT(*) FROM personal_data WHERE complaint_no = 'TS-9'") == "0");
    b.refused("complaint.personal_data_erased", {{"complaint_no", "TS-9"}, {"reason", "重复"}},
              "complaint_no", "unknown_complaint");
    CHECK(verify_ledger(b.db, {}).intact());

    Json rejected = received;
    rejected["complaint_no"] = "TS-2";
    b.ok("complaint.received", rejected);
    b.ok("complaint.not_accepted",
         {{"complaint_no", "TS-2"}, {"decided_on", "2026-10-10"}, {"ground", "不属于本部门管辖"}});
    b.refused("complaint.closed",
              {{"complaint_no", "TS-2"}, {"closed_on", "2026-10-20"}, {"recovered_yuan", "0"}},
              "complaint_no", "wrong_state");
    b.refused("complaint.received",
              {{"complaint_no", "TS-3"},
               {"received_on", "2026-10-09"},
               {"channel", "letter"},
               {"respondent_name", "x"},
               {"category", "goods"},
               {"amount_yuan", "-1"}},
              "amount_yuan", "bad_money");
  }

  TEST_CASE("corrections and voids") {
    Bureau b;
    b.entity(1);
    const std::uint64_t registered = b.ledger->head().size;
    b.refused("void", {{"target_seq", 999}, {"target_kind", "entity.registered"}, {"reason", "x"}},
              "target_seq", "unknown_event");
    b.refused("void",
              {{"target_seq", registered}, {"target_kind", "inspection.recorded"}, {"reason", "x"}},
              "target_kind", "kind_mismatch");
    b.refused("correction",
              {{"target_seq", registered},
               {"target_kind", "entity.registered"},
               {"values", {{"uscc", uscc(5)}}},
               {"reason", "x"}},
              "values/uscc", "not_correctable");
    b.refused("correction",
              {{"target_seq", registered},
               {"target_kind", "entity.registered"},
               {"values", {{"industry", "steel"}}},
               {"reason", "x"}},
              "values/industry", "bad_enum");
    const auto fix = b.ok("correction", {{"target_seq", registered},
                                         {"target_kind", "entity.registered"},
                                         {"values", {{"township", "佛子岭镇"}}},
                                         {"reason", "乡镇录入错误"}});
    CHECK(b.scalar("SELECT township FROM entities") == "佛子岭镇");
    b.refused("correction",
              {{"target_seq", fix.seq},
               {"target_kind", "correction"},
               {"values", {{"reason", "y"}}},
               {"reason", "x"}},
              "target_seq", "not_amendable");

    // Voiding the correction restores the original value.
    b.ok("void", {{"target_seq", fix.seq}, {"target_kind", "correction"}, {"reason", "更正有误"}});
    CHECK(b.scalar("SELECT township FROM entities") == "衡山镇");

    // A record's creating event cannot be voided while later events of it count.
    const auto batch = b.inspection("F-9", 1, "food", "fail");
    const auto applied =
        b.ok("retest.applied", {{"sample_no", "F-9"}, {"applied_on", "2026-09-28"}});
    b.refused("void",
              {{"target_seq", batch.seq}, {"target_kind", "inspection.recorded"}, {"reason", "x"}},
              "target_seq", "has_dependents");
    b.ok("void",
         {{"target_seq", applied.seq}, {"target_kind", "retest.applied"}, {"reason", "误录"}});
    CHECK(b.scalar("SELECT retest_state FROM batches WHERE sample_no = 'F-9'") == "window_open");
    b.refused("void",
              {{"target_seq", applied.seq}, {"target_kind", "retest.applied"}, {"reason", "x"}},
              "target_seq", "already_voided");
    b.ok("void",
         {{"target_seq", batch.seq}, {"target_kind", "inspection.recorded"}, {"reason", "误录"}});
    CHECK(b.scalar("SELECT COUNT(*) FROM batches") == "0");
    // The voided sample number stays taken? No: the record no longer exists, so it may be
    // recorded again with the right values.
    b.inspection("F-9", 1, "food", "pass");
    CHECK(b.scalar("SELECT first_conclusion FROM batches WHERE sample_no = 'F-9'") == "pass");
  }

  TEST_CASE("calendar years: a deadline in an uncovered year is explicit, loading one fixes it") {
    Bureau b(CivilDate(2026, 12, 31));
    b.ok("complaint.received", {{"complaint_no", "TS-9"},
                                {"received_on", "2026-12-28"},
                                {"channel", "platform"},
                                {"respondent_name", "x"},
                                {"category", "services"}});
    // 2026-12-28 + 7 working days reaches into 2027, which the built-in calendar lacks.
    CHECK(b.scalar("SELECT accept_due FROM complaints") == "NULL");
    std::vector<OverdueItem> overdue;
    b.ledger->with_reader(
        [&](SQLite::Database& conn) { overdue = list_overdue(conn, CivilDate(2026, 12, 31)); });
    REQUIRE(overdue.size() == 1);
    CHECK_FALSE(overdue[0].due);
    b.refused("calendar.year_loaded",
              {{"year", 2027}, {"csv", "date,kind,name\n2026-13-01,holiday,x\n"}, {"source", "x"}},
              "csv/line/2/date", "date");
    // 2027: New Year's Day Friday 01-01 a holiday (illustrative data for the test).
    b.ok(
        "calendar.year_loaded",
        {{"year", 2027}, {"csv", "date,kind,name\n2027-01-01,holiday,元旦\n"}, {"source", "test"}});
    // Mon 12-28: 29, 30, 31, (01-01 holiday), 04, 05, 06, 07 → 2027-01-07.
    CHECK(b.scalar("SELECT accept_due FROM complaints") == "2027-01-07");
  }
}

TEST_SUITE("domain") {
  TEST_CASE("the compiled-in schema and the code agree on every kind") {
    const auto& schema = EventSchema::builtin();
    CHECK(schema.kinds().size() == 34);
    for (const auto& [kind, spec] : schema.kinds()) {
      INFO(kind);
      CHECK(spec.field(spec.aggregate_field) != nullptr);
      const bool amendment = kind == "correction" || kind == "void";
      CHECK(record_type_of(kind).empty() == amendment);
      for (const auto& f : spec.fields) {
        CHECK_FALSE(f.zh.empty());
        CHECK_FALSE(f.en.empty());
        if (f.type == FieldType::kEnum) CHECK(schema.enums().count(f.enum_name) == 1);
      }
    }
  }
}
