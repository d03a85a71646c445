// CivilDate, Asia/Shanghai local dates and report periods. Expected values are worked out by hand
// in the comments (and, where marked, cross-checked against <chrono>'s own calendar).
#include <doctest/doctest.h>

#include "qledger/civil_date.hpp"

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

using namespace qledger;

namespace {
CivilDate d(const char* text) {
  const auto date = CivilDate::parse(text);
  REQUIRE_MESSAGE(date, text);
  return *date;
}
}  // namespace

TEST_SUITE("calendar") {
  TEST_CASE("parse accepts exactly YYYY-MM-DD of a real date") {
    CHECK(d("2026-01-01") == CivilDate(2026, 1, 1));
    CHECK(d("2024-02-29") == CivilDate(2024, 2, 29));  // 2024 divisible by 4
    CHECK(d("2000-02-29") == CivilDate(2000, 2, 29));  // century divisible by 400
    CHECK(d("0001-01-01") == CivilDate(1, 1, 1));
    CHECK(d("9999-12-31") == CivilDate(9999, 12, 31));
    for (const char* bad :
         {"2026-02-29",  "1900-02-29",    "2100-02-29", "2026-04-31",  "2026-13-01", "2026-00-10",
          "2026-01-00",  "2026-01-32",    "0000-01-01", "2026-1-01",   "2026-01-1",  " 2026-01-01",
          "2026-01-01 ", "2026/01/01",    "+026-01-01", "2026-01-01T", "20260101",   "",
          "2026-0a-01",  "２０２６-01-01"}) {
      CHECK_MESSAGE(!CivilDate::parse(bad), bad);
    }
  }

  TEST_CASE("constructor rejects what is not a date") {
    CHECK_THROWS_AS(CivilDate(2026, 2, 29), std::invalid_argument);
    CHECK_THROWS_AS(CivilDate(0, 1, 1), std::invalid_argument);
    CHECK_THROWS_AS(CivilDate(10000, 1, 1), std::invalid_argument);
    CHECK_FALSE(CivilDate::is_valid(2026, 6, 31));
    CHECK(CivilDate::is_valid(2026, 7, 31));
    CHECK(CivilDate() == CivilDate(1970, 1, 1));
  }

  TEST_CASE("format pads with zeros and round-trips") {
    CHECK(CivilDate(9, 1, 5).to_string() == "0009-01-05");
    CHECK(CivilDate(2026, 11, 30).to_string() == "2026-11-30");
    for (const char* text : {"2026-01-01", "2024-02-29", "1969-12-31", "9999-12-31"}) {
      CHECK(d(text).to_string() == text);
    }
  }

  TEST_CASE("leap years and month lengths") {
    CHECK(is_leap_year(2024));
    CHECK(is_leap_year(2000));
    CHECK_FALSE(is_leap_year(1900));
    CHECK_FALSE(is_leap_year(2026));
    CHECK(days_in_month(2026, 2) == 28);
    CHECK(days_in_month(2024, 2) == 29);
    CHECK(days_in_month(2026, 4) == 30);
    CHECK(days_in_month(2026, 12) == 31);
    CHECK(days_in_month(2026, 13) == 0);
  }

  TEST_CASE("days since the Unix epoch") {
    CHECK(d("1970-01-01").days_since_epoch() == 0);
    CHECK(d("1969-12-31").days_since_epoch() == -1);
    // 946684800 s (2000-01-01T00:00:00Z) / 86400 = 10957.
    CHECK(d("2000-01-01").days_since_epoch() == 10957);
    // 56 years 1970..2025 × 365 + 14 leap days (1972, 1976, …, 2024) = 20454.
    CHECK(d("2026-01-01").days_since_epoch() == 20454);
    CHECK(CivilDate::from_days_since_epoch(20454) == d("2026-01-01"));
    CHECK(CivilDate::from_days_since_epoch(-1) == d("1969-12-31"));
    CHECK_THROWS_AS(CivilDate::from_days_since_epoch(d("0001-01-01").days_since_epoch() - 1),
                    std::out_of_range);
    CHECK_THROWS_AS(CivilDate::from_days_since_epoch(d("9999-12-31").days_since_epoch() + 1),
                    std::out_of_range);
  }

  TEST_CASE("day of week") {
    // 2025-01-01 was a Wednesday and 2025 has 365 days (52 weeks + 1), so 2026-01-01 is a Thursday.
    CHECK(d("2026-01-01").weekday() == Weekday::kThursday);
    CHECK(d("1970-01-01").weekday() == Weekday::kThursday);
    CHECK(d("1969-12-31").weekday() == Weekday::kWednesday);
    // 2026-10-01 is 273 = 39 × 7 days after 2026-01-01: also a Thursday.
    CHECK(d("2026-10-01").weekday() == Weekday::kThursday);
    // Six days earlier: Friday 2026-09-25 (Mid-Autumn Festival).
    CHECK(d("2026-09-25").weekday() == Weekday::kFriday);
    // 2026-02-17 (Spring Festival day) is 47 = 6 × 7 + 5 days after a Thursday: a Tuesday.
    CHECK(d("2026-02-17").weekday() == Weekday::kTuesday);
    CHECK(d("2026-01-04").weekday() == Weekday::kSunday);
    CHECK(d("2026-01-04").is_weekend());
    CHECK(d("2026-01-03").is_weekend());
    CHECK_FALSE(d("2026-01-02").is_weekend());
    CHECK(d("0001-01-01").weekday() == Weekday::kMonday);
    CHECK(d("9999-12-31").weekday() == Weekday::kFriday);
  }

  TEST_CASE("adding days and days between") {
    CHECK(d("2026-02-28").plus_days(1) == d("2026-03-01"));
    CHECK(d("2024-02-28").plus_days(1) == d("2024-02-29"));
    CHECK(d("2026-12-31").plus_days(1) == d("2027-01-01"));
    CHECK(d("2026-03-01").plus_days(-1) == d("2026-02-28"));
    CHECK(d("2026-01-01").plus_days(365) == d("2027-01-01"));
    CHECK(d("2026-01-01").plus_days(0) == d("2026-01-01"));
    CHECK(days_between(d("2026-01-01"), d("2027-01-01")) == 365);
    CHECK(days_between(d("2024-01-01"), d("2025-01-01")) == 366);
    CHECK(days_between(d("2027-01-01"), d("2026-01-01")) == -365);
    // Jan 31 + Feb 28 + … + Aug 31 = 243 days from 2026-01-01 to 2026-09-01.
    CHECK(days_between(d("2026-01-01"), d("2026-09-01")) == 243);
    CHECK_THROWS_AS(d("9999-12-31").plus_days(1), std::out_of_range);
    CHECK_THROWS_AS(d("2026-01-01").plus_days(INT64_MAX), std::out_of_range);
    CHECK_THROWS_AS(d("2026-01-01").plus_days(INT64_MIN), std::out_of_range);
  }

  TEST_CASE("ordering is chronological") {
    CHECK(d("2026-01-31") < d("2026-02-01"));
    CHECK(d("2025-12-31") < d("2026-01-01"));
    CHECK(d("2026-10-01") > d("2026-09-30"));
    CHECK(d("2026-10-01") <= d("2026-10-01"));
  }

  TEST_CASE("agrees with <chrono> for every day of 1900..2100") {
    // Independent oracle: the standard library's own civil calendar.
    using namespace std::chrono;
    const sys_days first = sys_days{year{1900} / 1 / 1};
    const sys_days last = sys_days{year{2100} / 12 / 31};
    CivilDate date(1900, 1, 1);
    int mismatches = 0;
    for (sys_days day = first; day <= last; day += days{1}) {
      const year_month_day ymd{day};
      const CivilDate want(static_cast<int>(ymd.year()), static_cast<int>(unsigned(ymd.month())),
                           static_cast<int>(unsigned(ymd.day())));
      const auto iso = weekday{day}.iso_encoding();
      if (date != want || date.days_since_epoch() != day.time_since_epoch().count() ||
          CivilDate::from_days_since_epoch(day.time_since_epoch().count()) != want ||
          static_cast<unsigned>(date.weekday()) != iso) {
        ++mismatches;
      }
      date = date.plus_days(1);
    }
    CHECK(mismatches == 0);
  }

  TEST_CASE("Asia/Shanghai date of a UTC instant") {
    auto local = [](const char* instant) {
      const auto date = shanghai_date_of_instant(instant);
      REQUIRE_MESSAGE(date, instant);
      return *date;
    };
    // 16:30Z + 8 h = 00:30 next day.
    CHECK(local("2026-11-30T16:30:00Z") == d("2026-12-01"));
    // 15:59:59.999Z + 8 h = 23:59:59.999 the same day.
    CHECK(local("2026-11-30T15:59:59.999Z") == d("2026-11-30"));
    // 16:00:00.000Z is local midnight exactly: the next day.
    CHECK(local("2026-11-30T16:00:00.000Z") == d("2026-12-01"));
    CHECK(local("2026-11-30T16:00:00Z") == d("2026-12-01"));
    // Year and leap-day boundaries.
    CHECK(local("2026-12-31T16:00:00Z") == d("2027-01-01"));
    CHECK(local("2026-12-31T15:59:59Z") == d("2026-12-31"));
    CHECK(local("2024-02-28T16:00:00Z") == d("2024-02-29"));
    CHECK(local("1969-12-31T16:00:00Z") == d("1970-01-01"));
    CHECK(local("1969-12-31T15:59:59Z") == d("1969-12-31"));
    // Fractions of 1..9 digits.
    CHECK(local("2026-11-30T15:59:59.1Z") == d("2026-11-30"));
    CHECK(local("2026-11-30T15:59:59.123456789Z") == d("2026-11-30"));
    // Leap second 2016-12-31T23:59:60Z is 2017-01-01T07:59:60 local.
    CHECK(local("2016-12-31T23:59:60Z") == d("2017-01-01"));
  }

  TEST_CASE("Asia/Shanghai date of an RFC 3339 instant with an offset") {
    auto local = [](const char* instant) {
      const auto date = shanghai_date_of_instant(instant);
      REQUIRE_MESSAGE(date, instant);
      return *date;
    };
    // docs/domain.md: 2026-11-30T23:30+08:00 belongs to November.
    CHECK(local("2026-11-30T23:30:00+08:00") == d("2026-11-30"));
    CHECK(local("2026-12-01T00:00:00+08:00") == d("2026-12-01"));
    // 10:00−06:00 = 16:00Z = 00:00 local on Dec 1.
    CHECK(local("2026-11-30T10:00:00-06:00") == d("2026-12-01"));
    // 09:59:59−06:00 = 15:59:59Z = 23:59:59 local on Nov 30.
    CHECK(local("2026-11-30T09:59:59-06:00") == d("2026-11-30"));
    // 00:30+09:00 on Dec 1 = 15:30Z Nov 30 = 23:30 local Nov 30.
    CHECK(local("2026-12-01T00:30:00+09:00") == d("2026-11-30"));
    // 23:59:59−08:00 on Feb 28 = 07:59:59Z Mar 1 = 15:59:59 local Mar 1.
    CHECK(local("2026-02-28T23:59:59-08:00") == d("2026-03-01"));
    // +05:45 (Nepal): 02:14+05:45 = 20:29Z the day before = 04:29 local the same day.
    CHECK(local("2026-06-10T02:14:00+05:45") == d("2026-06-10"));
    // −00:00 is UTC.
    CHECK(local("2026-11-30T16:30:00-00:00") == d("2026-12-01"));
  }

  TEST_CASE("instant parsing is strict") {
    for (const char* bad : {"2026-11-30t16:30:00Z",
                            "2026-11-30T16:30:00z",
                            "2026-11-30T16:30:00",
                            "2026-11-30 16:30:00Z",
                            "2026-11-30T16:30Z",
                            "2026-11-30T16:30:00+0800",
                            "2026-11-30T16:30:00+08",
                            "2026-11-30T16:30:00+24:00",
                            "2026-11-30T16:30:00+08:60",
                            "2026-11-30T24:00:00Z",
                            "2026-11-30T23:60:00Z",
                            "2026-11-30T23:59:61Z",
                            "2026-02-29T00:00:00Z",
                            "2026-11-30T16:30:00.Z",
                            "2026-11-30T16:30:00.1234567890Z",
                            "2026-11-30T16:30:00ZZ",
                            "2026-11-30T16:30:00Z ",
                            "2026-11-30T6:30:00Z",
                            "",
                            "Z",
                            "0001-01-01T00:00:00+08:01",
                            "9999-12-31T16:00:00Z"}) {
      CHECK_MESSAGE(!shanghai_date_of_instant(bad), bad);
    }
    // The edges of the supported range that do stay inside it.
    CHECK(shanghai_date_of_instant("0001-01-01T00:00:00+08:00") == d("0001-01-01"));
    CHECK(shanghai_date_of_instant("9999-12-31T15:59:59Z") == d("9999-12-31"));
  }

  TEST_CASE("Asia/Shanghai date at an injected clock reading") {
    using namespace std::chrono;
    const sys_days nov30{year{2026} / 11 / 30};
    CHECK(shanghai_date_at(nov30 + hours{16} + minutes{30}) == d("2026-12-01"));
    CHECK(shanghai_date_at(nov30 + hours{15} + minutes{59} + seconds{59} + milliseconds{999}) ==
          d("2026-11-30"));
    CHECK(shanghai_date_at(nov30 + hours{16}) == d("2026-12-01"));
    // Before 1970 the clock count is negative; floor division keeps it right.
    const sys_days dec31_1969{year{1969} / 12 / 31};
    CHECK(shanghai_date_at(dec31_1969 + hours{15} + minutes{59}) == d("1969-12-31"));
    CHECK(shanghai_date_at(dec31_1969 + hours{16}) == d("1970-01-01"));
    CHECK(shanghai_date_at(dec31_1969 + hours{15} + minutes{59} + seconds{59} +
                           nanoseconds{999'999'999}) == d("1969-12-31"));
  }

  TEST_CASE("today reads the system clock") {
    const CivilDate before = shanghai_date_at(std::chrono::system_clock::now());
    const CivilDate today = shanghai_today();
    const CivilDate after = shanghai_date_at(std::chrono::system_clock::now());
    CHECK(before <= today);
    CHECK(today <= after);
  }

  TEST_CASE("the period a date belongs to") {
    CHECK(Period::quarter_of(d("2026-10-01")).to_string() == "2026-Q4");
    CHECK(Period::quarter_of(d("2026-09-30")).to_string() == "2026-Q3");
    CHECK(Period::quarter_of(d("2026-01-01")).to_string() == "2026-Q1");
    CHECK(Period::quarter_of(d("2026-04-01")).to_string() == "2026-Q2");
    CHECK(Period::quarter_of(d("2026-12-31")).to_string() == "2026-Q4");
    CHECK(Period::month_of(d("2026-11-30")).to_string() == "2026-11");
    CHECK(Period::month_of(d("2026-01-15")).to_string() == "2026-01");
    CHECK(Period::year_of(d("2026-11-30")).to_string() == "2026");
    CHECK(Period::of(PeriodKind::kMonth, d("2026-03-05")) == Period::month_of(d("2026-03-31")));
    const Period q4 = Period::quarter_of(d("2026-11-30"));
    CHECK(q4.kind() == PeriodKind::kQuarter);
    CHECK(q4.year() == 2026);
    CHECK(q4.index() == 4);
    // docs/domain.md: an event at 2026-11-30T23:30+08:00 (15:30Z) belongs to November.
    const auto local = shanghai_date_of_instant("2026-11-30T15:30:00.000Z");
    REQUIRE(local);
    CHECK(Period::month_of(*local).to_string() == "2026-11");
    const auto next_day = shanghai_date_of_instant("2026-11-30T16:30:00.000Z");
    REQUIRE(next_day);
    CHECK(Period::month_of(*next_day).to_string() == "2026-12");
  }

  TEST_CASE("first and last day of a period") {
    auto span = [](const char* text) {
      const auto period = Period::parse(text);
      REQUIRE_MESSAGE(period, text);
      return period->first_day().to_string() + ".." + period->last_day().to_string();
    };
    CHECK(span("2026-02") == "2026-02-01..2026-02-28");
    CHECK(span("2024-02") == "2024-02-01..2024-02-29");
    CHECK(span("2026-11") == "2026-11-01..2026-11-30");
    CHECK(span("2026-12") == "2026-12-01..2026-12-31");
    CHECK(span("2026-Q1") == "2026-01-01..2026-03-31");
    CHECK(span("2026-Q2") == "2026-04-01..2026-06-30");
    CHECK(span("2026-Q3") == "2026-07-01..2026-09-30");
    CHECK(span("2026-Q4") == "2026-10-01..2026-12-31");
    CHECK(span("2026") == "2026-01-01..2026-12-31");
    const auto q4 = Period::parse("2026-Q4");
    REQUIRE(q4);
    CHECK(q4->contains(d("2026-10-01")));
    CHECK(q4->contains(d("2026-12-31")));
    CHECK_FALSE(q4->contains(d("2026-09-30")));
    CHECK_FALSE(q4->contains(d("2027-01-01")));
  }

  TEST_CASE("period parsing and the next period") {
    for (const char* text : {"2026-11", "2026-01", "2026-Q4", "2026-Q1", "2026", "0001", "9999"}) {
      const auto period = Period::parse(text);
      REQUIRE_MESSAGE(period, text);
      CHECK(period->to_string() == text);
    }
    for (const char* bad :
         {"2026-13", "2026-00", "2026-Q5", "2026-Q0", "2026-q4", "26-11", "2026-1", "2026-11-01",
          "0000", "", "2026-", "2026Q4", " 2026", "2026-Q4 ", "2026-1a"}) {
      CHECK_MESSAGE(!Period::parse(bad), bad);
    }
    CHECK(Period::parse("2026-12")->next().to_string() == "2027-01");
    CHECK(Period::parse("2026-11")->next().to_string() == "2026-12");
    CHECK(Period::parse("2026-Q4")->next().to_string() == "2027-Q1");
    CHECK(Period::parse("2026-Q1")->next().to_string() == "2026-Q2");
    CHECK(Period::parse("2026")->next().to_string() == "2027");
    CHECK_THROWS_AS(Period::parse("9999")->next(), std::out_of_range);
    CHECK_THROWS_AS(Period::parse("9999-Q4")->next(), std::out_of_range);
  }
}
