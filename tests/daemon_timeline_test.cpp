// Timelines (/timeline/<type>/<key> and /api/v1/timelines/<type>/<key>): the state is the
// library's fold of the record (compared here with LedgerRecords read directly), the events are
// every raw event of the record in seq order with voids and corrections marked, and unknown
// records, bad types and hostile keys are handled.
#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>

#include "daemon_fixture.hpp"
#include "qledger/domain_ledger.hpp"
#include "qledger/record_state.hpp"

using namespace qledger;
using namespace qledger::test;

namespace {

struct Seeder {
  DaemonFixture& d;
  std::uint64_t post(const std::string& kind, const Json& payload, const Login* who = nullptr) {
    const auto res =
        d.post_json("/api/v1/events", Json{{"kind", kind}, {"payload", payload}}.dump(),
                    who != nullptr ? who : &d.inspector);
    REQUIRE_MESSAGE(status(res) == 201, res.body());
    return Json::parse(res.body())["seq"].get<std::uint64_t>();
  }
};

Json api(DaemonFixture& d, const std::string& path, unsigned expect = 200) {
  const auto res = d.get(path, &d.analyst, true);
  REQUIRE_MESSAGE(status(res) == expect, res.body());
  return Json::parse(res.body());
}

std::vector<std::uint64_t> seqs_of(const Json& doc) {
  std::vector<std::uint64_t> out;
  for (const auto& e : doc["events"]) out.push_back(e["seq"].get<std::uint64_t>());
  return out;
}

// The position of `part` in `body` (npos-checked), to compare the order of rows.
std::size_t at(const std::string& body, const std::string& part) {
  const auto pos = body.find(part);
  REQUIRE_MESSAGE(pos != std::string::npos, part);
  return pos;
}

}  // namespace

TEST_SUITE("daemon_timeline") {
  TEST_CASE("a batch: sampling, failing result, re-test applied, decided, result; a correction") {
    DaemonFixture d;  // today 2026-11-27
    Seeder s{d};
    s.post("entity.registered",
           Json::parse(entity_json(1))["payload"]);  // the batch's entity
    const auto sampled = s.post("inspection.recorded",
                                {{"sample_no", "F-1"},
                                 {"regime", "food"},
                                 {"plan_level", "county"},
                                 {"category", "茶叶"},
                                 {"uscc", test_uscc(1)},
                                 {"sampling_date", "2026-11-02"},
                                 {"result_date", "2026-11-05"},
                                 {"lab", "六安市检验检测中心"},
                                 {"conclusion", "fail"},
                                 {"notified_on", "2026-11-05"},
                                 {"failed_items", Json::array({{{"item", "铅(以Pb计)"},
                                                                {"measured", "6.1"},
                                                                {"limit", "5.0"},
                                                                {"standard", "GB 2762-2022"}}})}});
    const auto applied =
        s.post("retest.applied", {{"sample_no", "F-1"}, {"applied_on", "2026-11-09"}});

    // Before the decision the batch is pending.
    Json doc = api(d, "/api/v1/timelines/batch/F-1");
    CHECK(doc["type"] == "batch");
    CHECK(doc["key"] == "F-1");
    CHECK(doc["state"]["first_conclusion"] == "fail");
    CHECK(doc["state"]["conclusion"] == "pending");
    CHECK(doc["state"]["retest_state"] == "applied");
    CHECK(seqs_of(doc) == std::vector<std::uint64_t>{sampled, applied});

    const auto decided = s.post(
        "retest.decided", {{"sample_no", "F-1"}, {"decided_on", "2026-11-10"}, {"accepted", true}});
    const auto result = s.post("retest.result", {{"sample_no", "F-1"},
                                                 {"result_date", "2026-11-20"},
                                                 {"lab", "安徽省食品药品检验研究院"},
                                                 {"conclusion", "pass"}});
    const auto fix = s.post("correction",
                            {{"target_seq", sampled},
                             {"target_kind", "inspection.recorded"},
                             {"values", {{"lab", "霍山县检验检测中心"}}},
                             {"reason", "检验机构录入错误"}},
                            &d.supervisor);

    doc = api(d, "/api/v1/timelines/batch/F-1");
    // The state equals the library's fold read directly.
    BatchState expected;
    d.ctx->ledger->with_reader(
        [&](SQLite::Database& db) { expected = *LedgerRecords(db).batch("F-1"); });
    CHECK(expected.lab == "霍山县检验检测中心");
    CHECK(doc["state"]["lab"] == expected.lab);
    CHECK(doc["state"]["conclusion"] == expected.conclusion_as_of(kDaemonToday));
    CHECK(doc["state"]["conclusion"] == "pass");  // the re-test result is final
    CHECK(doc["state"]["retest_conclusion"] == "pass");
    CHECK(doc["state"]["retest_state"] == expected.retest_state());
    CHECK(doc["state"]["final_seq"] == expected.final_seq);
    CHECK(doc["state"]["final_seq"] == result);
    CHECK(seqs_of(doc) == std::vector<std::uint64_t>{sampled, applied, decided, result, fix});
    CHECK(doc["events"][0]["kind"] == "inspection.recorded");
    CHECK(doc["events"][0]["actor"] == "insp");
    CHECK(doc["events"][0]["voided"] == false);
    CHECK(doc["events"][0]["corrected_by"] == Json::array({fix}));
    CHECK(doc["events"][4]["kind"] == "correction");
    CHECK(doc["events"][4]["actor"] == "sup");
    CHECK(doc["events"][4]["target_seq"] == sampled);
    CHECK(doc["events"][4]["values"]["lab"] == "霍山县检验检测中心");
    CHECK(doc["events"][3]["recorded_at"].get<std::string>().size() > 0);

    // The page: state and every event, in order, linked; zh-CN first, English on request.
    const auto page = d.get("/timeline/batch/F-1", &d.analyst);
    REQUIRE(status(page) == 200);
    const std::string& body = page.body();
    CHECK(has(body, "抽检批次 F-1"));
    CHECK(has(body, "霍山县检验检测中心"));
    std::size_t last = 0;
    for (const auto seq : {sampled, applied, decided, result, fix}) {
      const auto pos = at(body, "<td><a href=\"/events/" + std::to_string(seq) + "\">");
      CHECK(pos > last);
      last = pos;
    }
    CHECK(has(body, "已被更正：<a href=\"/events/" + std::to_string(fix) + "\">"));
    const auto en = d.get("/timeline/batch/F-1?lang=en", &d.analyst);
    CHECK(has(en.body(), "Sample batch F-1"));
    CHECK(has(en.body(), "Re-test result (final)"));

    // The event page links to the timeline, for the batch's events and for its correction.
    for (const auto seq : {sampled, fix}) {
      CHECK(has(d.get("/events/" + std::to_string(seq), &d.inspector).body(),
                "<a href=\"/timeline/batch/F-1\">"));
    }
    // An entity event has no timeline link.
    CHECK_FALSE(has(d.get("/events/1", &d.inspector).body(), "/timeline/"));
  }

  TEST_CASE("an incident with a voided revision, and a complaint through to closing") {
    DaemonFixture d;
    Seeder s{d};
    s.post("entity.registered", Json::parse(entity_json(1))["payload"]);
    s.post("equipment.registered", {{"equipment_code", "311034001201900012"},
                                    {"registration_no", "梯11皖NS0001(19)"},
                                    {"category", "lift"},
                                    {"user_uscc", test_uscc(1)},
                                    {"township", "衡山镇"},
                                    {"registered_on", "2019-06-01"}});
    const auto reported = s.post("incident.reported", {{"incident_no", "SG-1"},
                                                       {"equipment_code", "311034001201900012"},
                                                       {"occurred_at", "2026-11-20T10:00:00+08:00"},
                                                       {"deaths", 0},
                                                       {"serious_injuries", 0},
                                                       {"minor_injuries", 1},
                                                       {"direct_loss_yuan", 5000},
                                                       {"special_equipment_accident", true}});
    const auto revised = s.post("incident.casualties_revised", {{"incident_no", "SG-1"},
                                                                {"revised_on", "2026-11-25"},
                                                                {"deaths", 0},
                                                                {"serious_injuries", 0},
                                                                {"minor_injuries", 3}});
    Json doc = api(d, "/api/v1/timelines/incident/SG-1");
    CHECK(doc["state"]["minor_injuries"] == 3);
    const auto voided = s.post("void",
                               {{"target_seq", revised},
                                {"target_kind", "incident.casualties_revised"},
                                {"reason", "重复录入"}},
                               &d.supervisor);
    doc = api(d, "/api/v1/timelines/incident/SG-1");
    CHECK(doc["state"]["minor_injuries"] == 1);  // the voided revision no longer counts
    CHECK(doc["state"]["closed_on"].is_null());
    CHECK(seqs_of(doc) == std::vector<std::uint64_t>{reported, revised, voided});
    CHECK(doc["events"][0]["voided"] == false);
    CHECK(doc["events"][1]["voided"] == true);
    CHECK(doc["events"][1]["voided_by"] == voided);
    CHECK(doc["events"][2]["target_seq"] == revised);
    const std::string page = d.get("/timeline/incident/SG-1", &d.supervisor).body();
    CHECK(has(page, "<tr class=\"voided\"><td><a href=\"/events/" + std::to_string(revised)));
    CHECK(has(page, "特种设备事故 SG-1"));

    const auto received = s.post(
        "complaint.received", {{"complaint_no", "TS-1"},
                               {"received_on", "2026-11-02"},
                               {"channel", "hotline_12315"},
                               {"respondent_name", "某超市"},
                               {"category", "goods"},
                               {"amount_yuan", "128.50"},
                               {"complainant", {{"name", "王某某"}, {"phone", "139 0000 0000"}}}});
    const auto accepted =
        s.post("complaint.accepted", {{"complaint_no", "TS-1"}, {"decided_on", "2026-11-04"}});
    Json c = api(d, "/api/v1/timelines/complaint/TS-1");
    CHECK(c["state"]["state"] == "accepted");
    const auto mediated = s.post("complaint.mediation_succeeded",
                                 {{"complaint_no", "TS-1"}, {"ended_on", "2026-11-20"}});
    const auto closed = s.post(
        "complaint.closed",
        {{"complaint_no", "TS-1"}, {"closed_on", "2026-11-24"}, {"recovered_yuan", "128.50"}});
    c = api(d, "/api/v1/timelines/complaint/TS-1");
    ComplaintState expected;
    d.ctx->ledger->with_reader(
        [&](SQLite::Database& db) { expected = *LedgerRecords(db).complaint("TS-1"); });
    CHECK(c["state"]["state"] == expected.state);
    CHECK(c["state"]["state"] == "closed");
    CHECK(c["state"]["recovered_yuan"] == "128.50");
    CHECK(c["state"]["closed_on"] == "2026-11-24");
    CHECK(seqs_of(c) == std::vector<std::uint64_t>{received, accepted, mediated, closed});
    // Personal data is kept apart and never shown.
    const auto cpage = d.get("/timeline/complaint/TS-1", &d.analyst);
    REQUIRE(status(cpage) == 200);
    CHECK_FALSE(has(cpage.body(), "王某某"));
    CHECK_FALSE(has(c.dump(), "王某某"));
    CHECK(has(d.get("/events/" + std::to_string(closed), &d.analyst).body(),
              "<a href=\"/timeline/complaint/TS-1\">"));
  }

  TEST_CASE("unknown records, bad types, hostile keys, methods and logins") {
    DaemonFixture d;
    CHECK(status(d.get("/timeline/batch/NONE", &d.analyst)) == 404);
    CHECK(status(d.get("/timeline/entity/x", &d.analyst)) == 404);
    CHECK(status(d.get("/timeline/batch/", &d.analyst)) == 404);
    CHECK(status(d.get("/timeline/batch/NONE", nullptr)) == 303);  // to the login page
    Json err = api(d, "/api/v1/timelines/batch/NONE", 404);
    REQUIRE(err["errors"].size() == 1);
    CHECK(err["errors"][0]["code"] == "not_found");
    CHECK(err["errors"][0]["field"] == "key");
    err = api(d, "/api/v1/timelines/entity/x", 400);
    CHECK(err["errors"][0]["code"] == "bad_parameter");
    CHECK(err["errors"][0]["field"] == "type");
    CHECK(status(d.get("/api/v1/timelines/batch/NONE", nullptr, true)) == 401);
    CHECK(status(d.post_json("/api/v1/timelines/batch/NONE", "{}", &d.analyst)) == 405);

    // A key with markup is rendered inert on the 404 page and in a real record's page.
    const std::string evil = "%3Cscript%3Ealert(1)%3C%2Fscript%3E";
    const auto missing = d.get("/timeline/batch/" + evil, &d.analyst);
    CHECK(status(missing) == 404);
    CHECK_FALSE(has(missing.body(), "<script>"));
    // Keys are codes (letters, digits, - _ / .), so markup reaches a page only through values;
    // a key with '/' still names its record, and its event page links there.
    Seeder s{d};
    const auto seq = s.post("complaint.received", {{"complaint_no", "TS/2026.1"},
                                                   {"received_on", "2026-11-02"},
                                                   {"channel", "hotline_12315"},
                                                   {"respondent_name", "<script>alert(1)</script>"},
                                                   {"category", "goods"}});
    const auto page = d.get("/timeline/complaint/TS/2026.1", &d.analyst);
    REQUIRE(status(page) == 200);
    CHECK_FALSE(has(page.body(), "<script>"));
    CHECK(has(page.body(), "&lt;script&gt;alert(1)&lt;/script&gt;"));
    CHECK(api(d, "/api/v1/timelines/complaint/TS%2F2026.1")["state"]["respondent_name"] ==
          "<script>alert(1)</script>");
    CHECK(has(d.get("/events/" + std::to_string(seq), &d.analyst).body(),
              "<a href=\"/timeline/complaint/TS%2F2026.1\">"));
    CHECK(status(d.get("/timeline/complaint/TS%2F2026.1", &d.analyst)) == 200);
  }
}
