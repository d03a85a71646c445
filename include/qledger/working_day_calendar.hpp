// Working days (工作日) of mainland China: weekends, official holidays and make-up working days
// (调休上班), as announced yearly by the State Council General Office.
//
// The calendar is data, loaded from CSV text in the format of
// data/cn-holiday-calendar-2025-2026.csv:
//   - lines starting with '#' are comments, empty lines are ignored (anywhere);
//   - the first other line is the header, exactly "date,kind,name";
//   - every further line is "YYYY-MM-DD,KIND,NAME": KIND is "holiday" (not a working day, even
//     Monday–Friday) or "workday" (a working day, even Saturday–Sunday); NAME is 1..100 bytes of
//     UTF-8 without control characters, commas or double quotes (no CSV quoting);
//   - a date appears at most once; rows may come in any order; any date may carry either kind;
//   - "\r\n" line ends and a leading UTF-8 byte-order mark are accepted (files saved on Windows).
// A date that is not listed is a working day Monday–Friday and not one Saturday–Sunday.
//
// COVERED YEARS. A year is covered when the loaded CSV has at least one row dated in it (every
// real year has official holidays, so a year's schedule always has rows). Asking anything about a
// date of an uncovered year throws CalendarYearMissing — the calendar never guesses. A State
// Council notice can list days of the previous December (the 2019 notice made 2018-12-29 a
// workday); such rows belong with the complete rows of that previous year, because loading a
// year replaces it wholesale (see load_year).
//
// Not synchronized: concurrent const calls are safe; load_year needs exclusive access.
#pragma once

#include "qledger/civil_date.hpp"
#include "qledger/field_problem.hpp"

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace qledger {

// The compiled-in calendar: the exact bytes of data/cn-holiday-calendar-2025-2026.csv (a test
// checks that), so an installed binary needs no data file.
std::string_view default_calendar_csv();

// Thrown when a question needs a year the calendar does not cover. what() is message_en().
class CalendarYearMissing : public std::runtime_error {
 public:
  explicit CalendarYearMissing(int year);

  int year() const { return year_; }
  std::string message_en() const { return what(); }
  const std::string& message_zh() const { return message_zh_; }

 private:
  int year_;
  std::string message_zh_;
};

enum class CalendarDayKind { kHoliday, kWorkday };

// One row of the calendar CSV.
struct CalendarEntry {
  CivilDate date;
  CalendarDayKind kind = CalendarDayKind::kHoliday;
  std::string name;  // e.g. "国庆节", "春节调休上班"

  friend bool operator==(const CalendarEntry&, const CalendarEntry&) = default;
};

class WorkingDayCalendar {
 public:
  // Covers no year: every question throws CalendarYearMissing until load_year succeeds.
  WorkingDayCalendar() = default;

  // The calendar of default_calendar_csv() (2025 and 2026). Throws std::logic_error if the
  // compiled-in text were invalid (a test guarantees it is not).
  static WorkingDayCalendar built_in();

  // Validates `csv` (format above) and, only if it has no problem at all, replaces every year the
  // CSV covers with the CSV's rows for that year; other years stay as they are. An administrator
  // adds 2027 this way, or corrects 2026 by loading all of 2026 again. Returns every problem
  // found (empty on success; nothing changes otherwise), each with field "line/N" or
  // "line/N/date|kind|name" (N is the 1-based physical line, comments counted) or "csv" for the
  // text as a whole, and a message in English and Chinese. At most 50 problems are reported.
  FieldProblems load_year(std::string_view csv);

  bool covers(int year) const { return tables_.count(year) != 0; }

  // Covered years, ascending.
  std::vector<int> covered_years() const;

  // All listed rows, by date.
  std::vector<CalendarEntry> entries() const;

  // True if the bureau works on `date`: listed workday, or Monday–Friday and not a listed
  // holiday. Throws CalendarYearMissing if date.year() is not covered.
  bool is_working_day(CivilDate date) const;

  // The date of the n-th working day after `start` (n ≥ 0): day 1 is the first working day
  // strictly after `start`, whatever `start` itself is; n = 0 gives `start`. This is how
  // "within 7 working days from receipt" is counted: received on Friday 2026-09-18, day 1 is the
  // make-up Sunday 2026-09-20 and the deadline (day 7) is 2026-09-29. Only dates after `start`
  // are consulted; throws CalendarYearMissing when the count reaches an uncovered year, and
  // std::invalid_argument if n < 0.
  CivilDate add_working_days(CivilDate start, int n) const;

  // The number of working days d with from < d ≤ to, negated if to < from (0 if equal), so
  // working_days_between(s, add_working_days(s, n)) == n, and an act on date D answered a request
  // of date R within n working days iff working_days_between(R, D) ≤ n. Throws
  // CalendarYearMissing if a date in that range lies in an uncovered year.
  int working_days_between(CivilDate from, CivilDate to) const;

 private:
  struct Listing {
    CalendarDayKind kind;
    std::string name;
  };

  void require_year(int year) const;
  // The working-day table of a covered year (1 = working day, by day of the year from 0).
  // Throws CalendarYearMissing if the year is not covered.
  const std::vector<std::uint8_t>& year_table(int year) const;

  std::map<CivilDate, Listing> listed_;
  std::map<int, std::vector<std::uint8_t>> tables_;  // one per covered year, from listed_
};

}  // namespace qledger
