// WorkingDayCalendar: working days, deadlines across official holidays and make-up working days,
// refusal on uncovered years, CSV validation. Every expected date is counted by hand in the
// comments from data/cn-holiday-calendar-2025-2026.csv (weekdays from 2025-01-01 = Wednesday and
// 2026-01-01 = Thursday). Rows for 2027 in these tests are made up, not an official schedule.
#include <doctest/doctest.h>

#include "qledger/working_day_calendar.hpp"

#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

using namespace qledger;

namespace {
CivilDate d(const char* text) {
  const auto date = CivilDate::parse(text);
  REQUIRE_MESSAGE(date, text);
  return *date;
}

// The year carried by the CalendarYearMissing that `f` throws, or 0 if it throws nothing.
template <typename F>
int missing_year(F f) {
  try {
    f();
  } catch (const CalendarYearMissing& e) {
    return e.year();
  }
  return 0;
}

std::string codes(const FieldProblems& problems) {
  std::string out;
  for (const auto& p : problems) out += p.field + ":" + p.code + " ";
  return out;
}

// A made-up 2027 schedule for the tests: New Year's Day, Friday 2027-01-01, only.
constexpr std::string_view kTest2027 = "date,kind,name\n2027-01-01,holiday,元旦\n";
}  // namespace

TEST_SUITE("calendar") {
  TEST_CASE("the compiled-in calendar is the data file, byte for byte") {
    std::ifstream in(QLEDGER_TEST_DATA "/../../data/cn-holiday-calendar-2025-2026.csv",
                     std::ios::binary);
    REQUIRE(in);
    const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(file.size() == default_calendar_csv().size());
    CHECK(file == default_calendar_csv());
  }

  TEST_CASE("the built-in calendar covers 2025 and 2026 only") {
    const auto calendar = WorkingDayCalendar::built_in();
    CHECK(calendar.covered_years() == std::vector<int>{2025, 2026});
    CHECK(calendar.covers(2026));
    CHECK_FALSE(calendar.covers(2024));
    CHECK_FALSE(calendar.covers(2027));
    const auto entries = calendar.entries();
    // The data file has 72 rows. 2025: 1 + 1 + 8 + 1 (Jan–Feb) + 3 + 1 + 5 + 3 (Apr–Jun) + 1 + 8 +
    // 1 (Sep–Oct) = 33. 2026: 3 + 1 + 1 + 9 + 1 + 3 + 5 + 1 + 3 + 1 + 3 + 7 + 1 = 39.
    CHECK(entries.size() == 72);
    CHECK(entries.front() == CalendarEntry{d("2025-01-01"), CalendarDayKind::kHoliday, "元旦"});
    CHECK(entries.back() ==
          CalendarEntry{d("2026-10-10"), CalendarDayKind::kWorkday, "国庆节调休上班"});
  }

  TEST_CASE("working days: weekends, holidays and make-up working days") {
    const auto cal = WorkingDayCalendar::built_in();
    CHECK_FALSE(cal.is_working_day(d("2026-01-01")));  // Thursday, 元旦
    CHECK_FALSE(cal.is_working_day(d("2026-01-02")));  // Friday, 元旦
    CHECK(cal.is_working_day(d("2026-01-04")));        // Sunday, 元旦调休上班
    CHECK(cal.is_working_day(d("2026-01-05")));        // ordinary Monday
    CHECK_FALSE(cal.is_working_day(d("2026-01-10")));  // ordinary Saturday
    CHECK_FALSE(cal.is_working_day(d("2026-01-11")));  // ordinary Sunday
    CHECK(cal.is_working_day(d("2026-02-14")));        // Saturday, 春节调休上班
    CHECK_FALSE(cal.is_working_day(d("2026-02-17")));  // Tuesday, 春节
    CHECK_FALSE(cal.is_working_day(d("2026-02-23")));  // Monday, last day of 春节
    CHECK(cal.is_working_day(d("2026-02-24")));        // Tuesday
    CHECK(cal.is_working_day(d("2026-09-20")));        // Sunday, 国庆节调休上班
    CHECK_FALSE(cal.is_working_day(d("2026-09-25")));  // Friday, 中秋节
    CHECK(cal.is_working_day(d("2026-10-10")));        // Saturday, 国庆节调休上班
    CHECK_FALSE(cal.is_working_day(d("2026-10-11")));  // Sunday
    CHECK_FALSE(cal.is_working_day(d("2025-10-08")));  // Wednesday, 8th day of 2025 国庆节、中秋节
    CHECK(cal.is_working_day(d("2025-10-09")));        // Thursday
    CHECK(cal.is_working_day(d("2025-10-11")));        // Saturday, 国庆节调休上班
  }

  TEST_CASE("a date in an uncovered year is an error, never a guess") {
    const auto cal = WorkingDayCalendar::built_in();
    CHECK(missing_year([&] { (void)cal.is_working_day(d("2027-01-04")); }) == 2027);
    CHECK(missing_year([&] { (void)cal.is_working_day(d("2024-12-31")); }) == 2024);
    const WorkingDayCalendar empty;
    CHECK(empty.covered_years().empty());
    CHECK(missing_year([&] { (void)empty.is_working_day(d("2026-01-05")); }) == 2026);
    try {
      (void)cal.is_working_day(d("2027-03-01"));
      FAIL("no exception");
    } catch (const CalendarYearMissing& e) {
      CHECK(e.message_en().find("2027") != std::string::npos);
      CHECK(e.message_zh().find("2027年") != std::string::npos);
      CHECK(std::string(e.what()) == e.message_en());
    }
  }

  TEST_CASE("deadline across the 2026 Mid-Autumn and National Day holidays") {
    const auto cal = WorkingDayCalendar::built_in();
    // Complaint received Friday 2026-09-25 (itself 中秋节; day 1 is the first working day after):
    // Sat 26, Sun 27 holiday; Mon 28 (1), Tue 29 (2), Wed 30 (3); Oct 1–7 国庆节; Thu 8 (4),
    // Fri 9 (5), Sat 10 make-up (6), Sun 11 no, Mon 12 (7).
    CHECK(cal.add_working_days(d("2026-09-25"), 7) == d("2026-10-12"));
    // Received Friday 2026-09-18: Sat 19 no, Sun 20 make-up (1), Mon 21 – Thu 24 (2–5),
    // Fri 25 – Sun 27 中秋节, Mon 28 (6), Tue 29 (7).
    CHECK(cal.add_working_days(d("2026-09-18"), 7) == d("2026-09-29"));
    // Received Wednesday 2026-09-30: Oct 1–7 holiday, Thu 8 (1), Fri 9 (2), Sat 10 (3),
    // Mon 12 – Thu 15 (4–7).
    CHECK(cal.add_working_days(d("2026-09-30"), 7) == d("2026-10-15"));
  }

  TEST_CASE("deadline across Spring Festival with make-up Saturdays") {
    const auto cal = WorkingDayCalendar::built_in();
    // 2026: received Thursday 02-12: Fri 13 (1), Sat 14 make-up (2), 15–23 春节, Tue 24 (3),
    // Wed 25 (4), Thu 26 (5), Fri 27 (6), Sat 28 make-up (7).
    CHECK(cal.add_working_days(d("2026-02-12"), 7) == d("2026-02-28"));
    // 2025: received Friday 01-24: Sat 25 no, Sun 26 make-up (1), Mon 27 (2), Jan 28 – Feb 4
    // 春节, Wed 5 (3), Thu 6 (4), Fri 7 (5), Sat 8 make-up (6), Sun 9 no, Mon 10 (7).
    CHECK(cal.add_working_days(d("2025-01-24"), 7) == d("2025-02-10"));
  }

  TEST_CASE("deadline across New Year 2025/2026") {
    const auto cal = WorkingDayCalendar::built_in();
    // Received Friday 2025-12-26: Mon 29 (1), Tue 30 (2), Wed 31 (3), Jan 1–3 元旦,
    // Sun 4 make-up (4), Mon 5 (5), Tue 6 (6), Wed 7 (7).
    CHECK(cal.add_working_days(d("2025-12-26"), 7) == d("2026-01-07"));
  }

  TEST_CASE("45 working days of mediation") {
    const auto cal = WorkingDayCalendar::built_in();
    // Accepted Tuesday 2026-09-01. Sep 2–4 (3), Sep 7–11 (8), Sep 14–18 (13), Sun 20 make-up (14),
    // Sep 21–24 (18), Sep 25 中秋节, Sep 28–30 (21), Oct 1–7 国庆节, Oct 8–9 (23),
    // Sat Oct 10 make-up (24), Oct 12–16 (29), Oct 19–23 (34), Oct 26–30 (39), Nov 2–6 (44),
    // Mon Nov 9 (45).
    CHECK(cal.add_working_days(d("2026-09-01"), 45) == d("2026-11-09"));
  }

  TEST_CASE("day counting conventions") {
    const auto cal = WorkingDayCalendar::built_in();
    CHECK(cal.add_working_days(d("2026-01-09"), 1) == d("2026-01-12"));  // Friday → Monday
    CHECK(cal.add_working_days(d("2026-01-12"), 1) == d("2026-01-13"));  // Monday → Tuesday
    CHECK(cal.add_working_days(d("2026-01-10"), 1) == d("2026-01-12"));  // Saturday → Monday
    CHECK(cal.add_working_days(d("2026-01-12"), 0) == d("2026-01-12"));
    // n = 0 consults no date at all, so even an uncovered year is fine.
    CHECK(cal.add_working_days(d("2027-03-01"), 0) == d("2027-03-01"));
    // Only dates after the start are consulted: 2024-12-31 (uncovered) + 1 = Thursday 2025-01-02.
    CHECK(cal.add_working_days(d("2024-12-31"), 1) == d("2025-01-02"));
    CHECK_THROWS_AS(cal.add_working_days(d("2026-01-12"), -1), std::invalid_argument);
  }

  TEST_CASE("a deadline that would fall into 2027 throws until 2027 is loaded") {
    auto cal = WorkingDayCalendar::built_in();
    // Monday 2026-12-28: Tue 29 (1), Wed 30 (2), Thu 31 (3) are answerable …
    CHECK(cal.add_working_days(d("2026-12-28"), 3) == d("2026-12-31"));
    // … but day 4 needs 2027-01-01.
    CHECK(missing_year([&] { (void)cal.add_working_days(d("2026-12-28"), 7); }) == 2027);
    CHECK_THROWS_AS((void)cal.add_working_days(d("2026-12-28"), 7), CalendarYearMissing);

    REQUIRE(cal.load_year(kTest2027).empty());
    CHECK(cal.covered_years() == std::vector<int>{2025, 2026, 2027});
    // 2027-01-01 is a Friday (2026 has 365 = 52 × 7 + 1 days). Fri 1 holiday, Sat 2, Sun 3,
    // Mon 4 (4), Tue 5 (5), Wed 6 (6), Thu 7 (7).
    CHECK(cal.add_working_days(d("2026-12-28"), 7) == d("2027-01-07"));
    // The years already loaded are untouched.
    CHECK(cal.add_working_days(d("2026-09-25"), 7) == d("2026-10-12"));
  }

  TEST_CASE("working days between two dates") {
    const auto cal = WorkingDayCalendar::built_in();
    CHECK(cal.working_days_between(d("2026-09-25"), d("2026-10-12")) == 7);
    CHECK(cal.working_days_between(d("2026-10-12"), d("2026-09-25")) == -7);
    CHECK(cal.working_days_between(d("2026-10-12"), d("2026-10-12")) == 0);
    // (Sep 25, Oct 11]: the 7th working day is Oct 12, so only 6.
    CHECK(cal.working_days_between(d("2026-09-25"), d("2026-10-11")) == 6);
    // Whole of 2026: 365 days from a Thursday = 52 weeks + Thursday Dec 31 = 261 weekdays.
    // Listed holidays on weekdays: Jan 1–2 (2); Feb 16–20, 23 (6); Apr 6 (1); May 1, 4, 5 (3);
    // Jun 19 (1); Sep 25 (1); Oct 1, 2, 5, 6, 7 (5) = 19. Make-up weekend days: Jan 4, Feb 14,
    // Feb 28, May 9, Sep 20, Oct 10 = 6. 261 − 19 + 6 = 248.
    CHECK(cal.working_days_between(d("2025-12-31"), d("2026-12-31")) == 248);
    // Whole of 2025: 365 days from a Wednesday = 261 weekdays. Holidays on weekdays: Jan 1 (1);
    // Jan 28–31, Feb 3–4 (6); Apr 4 (1); May 1, 2, 5 (3); Jun 2 (1); Oct 1–3, 6–8 (6) = 18.
    // Make-up: Jan 26, Feb 8, Apr 27, Sep 28, Oct 11 = 5. 261 − 18 + 5 = 248.
    CHECK(cal.working_days_between(d("2024-12-31"), d("2025-12-31")) == 248);
    // Any uncovered year inside the range is refused.
    CHECK(missing_year([&] { (void)cal.working_days_between(d("2026-12-01"), d("2027-01-05")); }) ==
          2027);
    CHECK(missing_year([&] { (void)cal.working_days_between(d("2024-12-30"), d("2025-01-03")); }) ==
          2024);
    CHECK(missing_year([&] { (void)cal.working_days_between(d("2025-01-03"), d("2024-12-30")); }) ==
          2024);
  }

  TEST_CASE("on-time check: working_days_between inverts add_working_days") {
    const auto cal = WorkingDayCalendar::built_in();
    int failures = 0;
    for (CivilDate start = d("2025-01-01"); start <= d("2026-10-31"); start = start.plus_days(1)) {
      for (int n = 0; n <= 30; ++n) {
        const CivilDate deadline = cal.add_working_days(start, n);
        if (cal.working_days_between(start, deadline) != n) ++failures;
        if (n > 0 && !cal.is_working_day(deadline)) ++failures;  // a deadline is a working day
        if (n > 0 && cal.working_days_between(start, deadline.plus_days(-1)) != n - 1) ++failures;
      }
    }
    CHECK(failures == 0);
  }

  TEST_CASE("loading a year replaces that year wholesale and leaves the others") {
    auto cal = WorkingDayCalendar::built_in();
    // A (made-up) correction of 2026 listing only Monday 2026-03-02.
    REQUIRE(cal.load_year("date,kind,name\n2026-03-02,holiday,测试\n").empty());
    CHECK(cal.covered_years() == std::vector<int>{2025, 2026});
    CHECK_FALSE(cal.is_working_day(d("2026-03-02")));
    CHECK(cal.is_working_day(d("2026-10-01")));        // no longer listed: an ordinary Thursday
    CHECK_FALSE(cal.is_working_day(d("2026-10-10")));  // no longer a make-up day: a Saturday
    CHECK_FALSE(cal.is_working_day(d("2025-10-01")));  // 2025 unchanged
    CHECK(cal.entries().size() == 33 + 1);
    // Loading the official text again restores 2026.
    REQUIRE(cal.load_year(default_calendar_csv()).empty());
    CHECK(cal.entries().size() == 72);
  }

  TEST_CASE("any date may carry either kind") {
    WorkingDayCalendar cal;
    REQUIRE(cal.load_year("date,kind,name\n"
                          "2027-01-03,holiday,周日放假\n"   // a Sunday listed as holiday
                          "2027-01-06,workday,周三上班\n"   // a Wednesday listed as workday
                          "2027-01-09,workday,周六上班\n")  // a Saturday make-up day
                .empty());
    CHECK_FALSE(cal.is_working_day(d("2027-01-03")));
    CHECK(cal.is_working_day(d("2027-01-06")));
    CHECK(cal.is_working_day(d("2027-01-09")));
  }

  TEST_CASE("CSV comments, blank lines, CRLF, BOM and row order") {
    WorkingDayCalendar cal;
    const FieldProblems problems = cal.load_year(
        "\xEF\xBB\xBF# comment\r\n\r\ndate,kind,name\r\n2027-10-01,holiday,国庆节\r\n"
        "# another comment\r\n\r\n2027-01-01,holiday,元旦\r\n2027-09-26,workday,国庆节调休上班");
    CHECK(codes(problems) == "");
    CHECK(cal.covered_years() == std::vector<int>{2027});
    CHECK(cal.entries().size() == 3);
    CHECK(cal.entries().front().date == d("2027-01-01"));
    CHECK(cal.is_working_day(d("2027-09-26")));  // the last line has no line end
  }

  TEST_CASE("CSV problems are all reported, with line numbers, and nothing is loaded") {
    auto cal = WorkingDayCalendar::built_in();
    const FieldProblems problems = cal.load_year(
        "# test\n"                         // 1
        "date,kind,name\n"                 // 2
        "2027-01-01,holiday,元旦\n"        // 3
        "2027-02-30,holiday,坏日期\n"      // 4 no such date
        "2027-01-02,vacation,假\n"         // 5 bad kind
        "2027-01-01,workday,重复\n"        // 6 duplicate of line 3
        "2027-01-03,holiday\n"             // 7 two columns
        "2027-01-04,holiday,\"引号\"\n"    // 8 quoted
        "2027-01-05,holiday,\n"            // 9 empty name
        "2027/01/06,Holiday,x,y\n"         // 10 four columns
        "2027-01-07,holiday, 空格\n"       // 11 leading space in name
        "2027-01-08,holiday,\xff\n"        // 12 not UTF-8
        "2027-01-09,holiday,a\tb\n"        // 13 control character
        "2027-01-10 ,holiday,x\n"          // 14 space after the date
        "2027-13-01,workday,\xc0\xaf\n");  // 15 bad date and overlong UTF-8
    CHECK(codes(problems) ==
          "line/4/date:date line/5/kind:kind line/6/date:duplicate_date line/7:columns "
          "line/8/name:name line/9/name:name line/10:columns line/11/name:name line/12/name:name "
          "line/13/name:name line/14/date:date line/15/date:date line/15/name:name ");
    for (const auto& p : problems) {
      CHECK(!p.message_en.empty());
      CHECK(!p.message_zh.empty());
    }
    REQUIRE(problems.size() >= 3);
    CHECK(problems[0].message_en.find("line 4") != std::string::npos);
    CHECK(problems[0].message_zh.find("第4行") != std::string::npos);
    CHECK(problems[2].message_en.find("line 3") != std::string::npos);  // names the first line
    CHECK(problems[2].message_zh.find("第3行") != std::string::npos);
    // A quoted bad value shows printable ASCII only, so messages stay valid UTF-8.
    CHECK(problems[1].message_en.find("\"vacation\"") != std::string::npos);
    // Nothing changed: 2027 is still missing and 2026 is intact.
    CHECK_FALSE(cal.covers(2027));
    CHECK(cal.entries().size() == 72);
  }

  TEST_CASE("CSV header and emptiness") {
    WorkingDayCalendar cal;
    CHECK(codes(cal.load_year("")) == "csv:header_missing ");
    CHECK(codes(cal.load_year("# only a comment\n\n")) == "csv:header_missing ");
    CHECK(codes(cal.load_year("date,kind,name\n")) == "csv:no_rows ");
    CHECK(codes(cal.load_year("date,kind,name\n# nothing\n")) == "csv:no_rows ");
    // Without a header the first row is taken for one, and rejected.
    CHECK(codes(cal.load_year("2027-01-01,holiday,元旦\n")) == "line/1:header ");
    const FieldProblems garbled = cal.load_year("日期,类型,名称\n2027-01-01,holiday,元旦\n");
    REQUIRE(garbled.size() == 1);
    CHECK(garbled[0].message_en.find("found \"??????,??????,??????\"") != std::string::npos);
    CHECK(codes(cal.load_year("Date,Kind,Name\n2027-01-01,holiday,元旦\n")) == "line/1:header ");
    CHECK(codes(cal.load_year("date,kind,name,extra\n2027-01-01,holiday,元旦\n")) ==
          "line/1:header ");
    // A duplicated header is just a malformed row.
    CHECK(codes(cal.load_year("date,kind,name\ndate,kind,name\n2027-01-01,holiday,元旦\n")) ==
          "line/2/date:date line/2/kind:kind ");
    CHECK(cal.covered_years().empty());
  }

  TEST_CASE("a flood of bad lines is cut short") {
    std::string csv = "date,kind,name\n";
    for (int i = 0; i < 200; ++i) csv += "garbage\n";
    WorkingDayCalendar cal;
    const FieldProblems problems = cal.load_year(csv);
    REQUIRE(problems.size() == 51);
    CHECK(problems[49].field == "line/51");
    CHECK(problems[50].code == "too_many_problems");
  }

  TEST_CASE("deadlines agree with a day-by-day count from the listed rows, at every start day") {
    // The calendar answers from per-year tables; this reference walks dates one by one from
    // entries() and the weekday, the definition in the header.
    auto cal = WorkingDayCalendar::built_in();
    REQUIRE(cal.load_year(kTest2027).empty());
    // A made-up leap year after a gap (2027 → 2028 crossing, 29 February, 31 December).
    REQUIRE(cal.load_year("date,kind,name\n2028-02-29,holiday,测试\n2028-12-30,workday,测试\n")
                .empty());
    std::map<CivilDate, bool> listed;
    for (const auto& e : cal.entries()) listed[e.date] = e.kind == CalendarDayKind::kWorkday;
    auto working = [&](CivilDate day) {
      const auto it = listed.find(day);
      return it != listed.end() ? it->second : !day.is_weekend();
    };
    int uncovered = 0;  // the first uncovered year the reference reached
    auto reference = [&](CivilDate start, int n) -> std::optional<CivilDate> {
      CivilDate day = start;
      for (int counted = 0; counted < n;) {
        day = day.plus_days(1);
        if (!cal.covers(day.year())) {
          uncovered = day.year();
          return std::nullopt;
        }
        if (working(day)) ++counted;
      }
      return day;
    };
    int compared = 0, refused = 0;
    for (CivilDate start = d("2024-12-25"); start <= d("2028-12-31"); start = start.plus_days(1)) {
      if (cal.covers(start.year())) CHECK(cal.is_working_day(start) == working(start));
      for (const int n : {0, 1, 2, 5, 7, 15, 45, 250, 300}) {
        const auto expected = reference(start, n);
        if (expected) {
          REQUIRE_MESSAGE(cal.add_working_days(start, n) == *expected, start << " + " << n);
          CHECK(cal.working_days_between(start, *expected) == n);
          ++compared;
        } else {
          CHECK(missing_year([&] { cal.add_working_days(start, n); }) == uncovered);
          ++refused;
        }
      }
    }
    CHECK(compared > 9000);
    CHECK(refused > 100);
    // A start before the first covered year: the first day counted is in 2024, not covered.
    CHECK_FALSE(cal.is_working_day(d("2028-02-29")));
    CHECK(cal.is_working_day(d("2028-12-30")));  // a listed Saturday
    CHECK(missing_year([&] { cal.add_working_days(d("2024-12-30"), 1); }) == 2024);
    CHECK(missing_year([&] { cal.add_working_days(d("2024-12-31"), 1); }) == 0);
  }

  TEST_CASE("deadlines stop at the last representable day") {
    WorkingDayCalendar cal;
    REQUIRE(cal.load_year("date,kind,name\n9999-12-30,holiday,测试\n").empty());
    CHECK(cal.add_working_days(d("9999-12-28"), 1) == d("9999-12-29"));  // a Wednesday
    CHECK(cal.add_working_days(d("9999-12-29"), 1) == d("9999-12-31"));  // past the holiday
    CHECK_THROWS_AS(cal.add_working_days(d("9999-12-29"), 2), std::out_of_range);
    CHECK(cal.working_days_between(d("9999-12-28"), d("9999-12-31")) == 2);
  }

  TEST_CASE("built_in returns independent copies") {
    auto a = WorkingDayCalendar::built_in();
    REQUIRE(a.load_year(kTest2027).empty());
    CHECK_FALSE(WorkingDayCalendar::built_in().covers(2027));
  }
}
