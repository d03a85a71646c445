// Reports in qledgerd: the page, the downloads and /api/v1/figures give the report library's
// figures (checked here against counts of the batches recorded), state the tree size they were
// computed at, and reproduce byte for byte at that size after more events arrive.
#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>

#include "daemon_fixture.hpp"
#include "qledger/report.hpp"
#include "qledger/report_formats.hpp"

using namespace qledger;
using namespace qledger::test;

namespace {

void record_batch(DaemonFixture& d, const std::string& no, bool pass) {
  const auto res = d.post_json(
      "/api/v1/events",
      Json{{"kind", "inspection.recorded"}, {"payload", inspection_payload(no, pass)}}.dump(),
      &d.inspector);
  REQUIRE_MESSAGE(status(res) == 201, res.body());
}

const Json& figure(const Json& doc, const std::string& id) {
  for (const Json& f : doc["figures"]) {
    if (f["id"] == id) return f;
  }
  FAIL("no figure " << id);
  return doc;
}

}  // namespace

TEST_SUITE("report_pages") {
  TEST_CASE("figures API: the recorded counts, the stated tree size, byte-identical later") {
    DaemonFixture d;
    REQUIRE(status(d.post_json("/api/v1/events", entity_json(1), &d.inspector)) == 201);
    record_batch(d, "P-1", true);
    record_batch(d, "P-2", true);
    record_batch(d, "P-3", false);
    const std::uint64_t size = d.ctx->ledger->head().size;

    const auto res = d.get("/api/v1/figures?period=2026-11", &d.analyst, true);
    REQUIRE_MESSAGE(status(res) == 200, res.body());
    const Json doc = Json::parse(res.body());
    const Json& product = figure(doc, "product_pass_rate");
    CHECK(product["numerator"] == 2);    // two passing batches
    CHECK(product["denominator"] == 3);  // of three concluded
    CHECK(res.body().find(std::to_string(size)) != std::string::npos);
    // The same document the library gives at that size: unsigned for an analyst; signed with
    // the daemon's key for a supervisor, the role that may download signed checkpoints.
    REQUIRE(d.ctx->signing_key);
    CHECK(doc == report_to_json(build_report(*d.ctx->ledger, *Period::parse("2026-11"), size,
                                             ReportConfig::defaults(), nullptr)));
    CHECK(doc["checkpoint"].is_null());  // unsigned
    const Report expected = build_report(*d.ctx->ledger, *Period::parse("2026-11"), size,
                                         ReportConfig::defaults(), &*d.ctx->signing_key);
    const auto signed_doc = d.get("/api/v1/figures?period=2026-11", &d.supervisor, true);
    REQUIRE(status(signed_doc) == 200);
    CHECK(Json::parse(signed_doc.body()) == report_to_json(expected));
    CHECK(Json::parse(signed_doc.body())["checkpoint"].is_string());

    // More events, then the same tree size again: identical bytes; the current size differs.
    record_batch(d, "P-4", false);
    const auto again =
        d.get("/api/v1/figures?period=2026-11&at_size=" + std::to_string(size), &d.analyst, true);
    REQUIRE(status(again) == 200);
    CHECK(again.body() ==
          d.get("/api/v1/figures?period=2026-11&at_size=" + std::to_string(size), &d.analyst, true)
              .body());
    CHECK(Json::parse(again.body()) == doc);
    const Json now = Json::parse(d.get("/api/v1/figures?period=2026-11", &d.analyst, true).body());
    CHECK(figure(now, "product_pass_rate")["denominator"] == 4);

    // Bad parameters: the standard error shape.
    const auto bad = d.get("/api/v1/figures?period=2026-13", &d.analyst, true);
    CHECK(status(bad) == 400);
    CHECK(Json::parse(bad.body())["errors"][0]["field"] == "period");
    const auto beyond = d.get("/api/v1/figures?period=2026-11&at_size=999999", &d.analyst, true);
    CHECK(status(beyond) == 400);
    CHECK(Json::parse(beyond.body())["errors"][0]["code"] == "bad_tree_size");
  }

  TEST_CASE("reports page and downloads in every format") {
    DaemonFixture d;
    REQUIRE(status(d.post_json("/api/v1/events", entity_json(1), &d.inspector)) == 201);
    record_batch(d, "P-1", true);
    record_batch(d, "P-2", false);
    const std::uint64_t size = d.ctx->ledger->head().size;
    const std::string q = "period=2026-11&at_size=" + std::to_string(size);

    const auto page = d.get("/reports?period=2026-11", &d.analyst);
    REQUIRE(status(page) == 200);
    CHECK(has(page.body(), "<tr id=\"fig-product_pass_rate\">"));
    CHECK(has(page.body(), "--at-size " + std::to_string(size)));
    for (const char* f : {"html", "xlsx", "csv", "json"}) {
      CHECK(has(page.body(), "/reports/download?period=2026-11&amp;at_size=" +
                                 std::to_string(size) + "&amp;format=" + f));
    }
    CHECK(has(d.get("/reports?period=2026-11&lang=en", &d.analyst).body(), "Reports"));
    CHECK(status(d.get("/reports?period=nope", &d.analyst)) == 400);

    const auto json = d.get("/reports/download?" + q + "&format=json", &d.analyst);
    REQUIRE(status(json) == 200);
    CHECK(json[daemon::http::field::content_disposition] ==
          "attachment; filename=\"qledger-report-2026-11-at-" + std::to_string(size) + ".json\"");
    const Report expected = build_report(*d.ctx->ledger, *Period::parse("2026-11"), size,
                                         ReportConfig::defaults(), nullptr);
    CHECK(json.body() == render_report_json(expected));
    // A supervisor's download carries the signed checkpoint.
    const auto signed_json = d.get("/reports/download?" + q + "&format=json", &d.supervisor);
    REQUIRE(status(signed_json) == 200);
    CHECK(signed_json.body() ==
          render_report_json(build_report(*d.ctx->ledger, *Period::parse("2026-11"), size,
                                          ReportConfig::defaults(), &*d.ctx->signing_key)));
    const auto csv = d.get("/reports/download?" + q + "&format=csv", &d.analyst);
    REQUIRE(status(csv) == 200);
    CHECK(csv.body() == render_report_csv(expected));
    CHECK(csv.body().rfind("\xEF\xBB\xBF", 0) == 0);  // BOM for Excel/WPS
    const auto html = d.get("/reports/download?" + q + "&format=html", &d.analyst);
    REQUIRE(status(html) == 200);
    CHECK(html.body() == render_report_html(expected));
    const auto xlsx = d.get("/reports/download?" + q + "&format=xlsx", &d.analyst);
    REQUIRE(status(xlsx) == 200);
    CHECK(xlsx.body().rfind("PK\x03\x04", 0) == 0);  // a zip container
    CHECK(has(xlsx.body(), "xl/worksheets/sheet1.xml"));
    CHECK(status(d.get("/reports/download?" + q + "&format=pdf", &d.analyst)) == 400);
  }

  TEST_CASE("a report is signed only after the ledger verified, as /checkpoint signs") {
    DaemonFixture d;
    REQUIRE(status(d.post_json("/api/v1/events", entity_json(1), &d.inspector)) == 201);
    record_batch(d, "P-1", true);
    const auto before = d.get("/api/v1/figures?period=2026-11", &d.supervisor, true);
    REQUIRE(status(before) == 200);
    CHECK(Json::parse(before.body())["checkpoint"].is_string());
    {
      // Someone with the file edits a leaf (and lifts the guard trigger to do so).
      SQLite::Database db(d.db, SQLite::OPEN_READWRITE);
      db.exec("DROP TRIGGER events_no_update");
      db.exec(
          "UPDATE events SET leaf = CAST(replace(CAST(leaf AS TEXT), 'Huoshan', 'Hackers') AS "
          "BLOB) WHERE seq = 1");
    }
    CHECK(status(d.get("/api/v1/checkpoint", &d.supervisor, true)) == 503);
    const auto after = d.get("/api/v1/figures?period=2026-11", &d.supervisor, true);
    REQUIRE(status(after) == 200);
    CHECK(Json::parse(after.body())["checkpoint"].is_null());
    const auto download = d.get("/reports/download?period=2026-11&format=json", &d.supervisor);
    REQUIRE(status(download) == 200);
    CHECK(Json::parse(download.body())["checkpoint"].is_null());
  }
}
