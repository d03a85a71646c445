// business_date_set_by: the dates the report index keeps (docs/figures.md, "Finding the period's
// records"). The whole-ledger comparison with the SQL the index was first kept by is in
// demo_history_test.cpp.
#include <doctest/doctest.h>

#include "qledger/report_dates.hpp"

using namespace qledger;

TEST_SUITE("report_dates") {
  TEST_CASE("creating events give their own date field") {
    CHECK(business_date_set_by("inspection.recorded", Json{{"sampling_date", "2025-03-04"}}) ==
          "2025-03-04");
    CHECK(business_date_set_by("complaint.received", Json{{"received_on", "2025-05-06"}}) ==
          "2025-05-06");
    CHECK(business_date_set_by("incident.reported",
                               Json{{"occurred_at", "2025-07-08T23:30:00+08:00"}}) == "2025-07-08");
    // Another kind's field does not count.
    CHECK_FALSE(business_date_set_by("inspection.recorded", Json{{"received_on", "2025-05-06"}}));
  }

  TEST_CASE("other kinds set none") {
    for (const char* kind : {"void", "retest.applied", "complaint.accepted", "entity.registered",
                             "equipment.registered", "incident.closed"}) {
      CAPTURE(kind);
      CHECK_FALSE(business_date_set_by(kind, Json{{"sampling_date", "2025-03-04"},
                                                  {"received_on", "2025-03-04"},
                                                  {"values", {{"sampling_date", "2025-03-04"}}}}));
    }
  }

  TEST_CASE("a correction gives the first present of its values' date fields") {
    const auto correction = [](Json values) {
      return business_date_set_by("correction", Json{{"target_seq", 9}, {"values", values}});
    };
    CHECK(correction({{"sampling_date", "2025-01-02"}, {"received_on", "2025-03-04"}}) ==
          "2025-01-02");
    CHECK(correction({{"received_on", "2025-03-04"}, {"occurred_at", "2025-05-06T01:00:00Z"}}) ==
          "2025-03-04");
    CHECK(correction({{"occurred_at", "2025-05-06T01:00:00Z"}}) == "2025-05-06");
    CHECK_FALSE(correction({{"lab", "x"}}));
    CHECK_FALSE(correction(Json::object()));
    CHECK_FALSE(business_date_set_by("correction", Json{{"target_seq", 9}}));
    // A non-string value is skipped (SQL's COALESCE would only skip null).
    CHECK(correction({{"sampling_date", nullptr}, {"received_on", "2025-03-04"}}) == "2025-03-04");
    CHECK(correction({{"sampling_date", 20250102}, {"received_on", "2025-03-04"}}) == "2025-03-04");
  }

  TEST_CASE("the occurred_at prefix counts characters, as SQL substr does") {
    CHECK(business_date_set_by("incident.reported",
                               Json{{"occurred_at", "二〇二五年七月八日晚上"}}) ==
          "二〇二五年七月八日晚");
    CHECK(business_date_set_by("incident.reported", Json{{"occurred_at", "short"}}) == "short");
    CHECK(business_date_set_by("incident.reported", Json{{"occurred_at", ""}}) == "");
    CHECK_FALSE(business_date_set_by("incident.reported", Json{{"occurred_at", 5}}));
  }
}
