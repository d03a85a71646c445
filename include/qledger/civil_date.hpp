// Calendar dates without a time of day, and the local periods (month, quarter, year) reports use.
//
// CivilDate is a date of the proleptic Gregorian calendar, years 0001..9999, written
// "YYYY-MM-DD". Arithmetic is integer only (Howard Hinnant's days_from_civil / civil_from_days).
//
// Local time is Asia/Shanghai throughout (docs/domain.md, "Time"). ASSUMPTION: Asia/Shanghai is
// UTC+08:00 at every instant this program handles; China has observed no daylight-saving time
// since 1991 and the project handles no earlier instants, so no tz database is consulted. If that
// ever changes, kShanghaiUtcOffsetMinutes and the three functions using it are the place to
// revisit.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace qledger {

// ISO 8601 numbering: Monday is 1, Sunday is 7.
enum class Weekday { kMonday = 1, kTuesday, kWednesday, kThursday, kFriday, kSaturday, kSunday };

// True for Gregorian leap years (divisible by 4, except centuries not divisible by 400).
bool is_leap_year(int year);

// Number of days in `month` (1..12) of `year`; 0 if month is out of range.
int days_in_month(int year, int month);

class CivilDate {
 public:
  static constexpr int kMinYear = 1;
  static constexpr int kMaxYear = 9999;

  // 1970-01-01.
  CivilDate() = default;

  // The date year-month-day. Throws std::invalid_argument unless is_valid(year, month, day).
  CivilDate(int year, int month, int day);

  // True if year-month-day is a real date with kMinYear <= year <= kMaxYear.
  static bool is_valid(int year, int month, int day);

  // Parses exactly "YYYY-MM-DD" (ASCII digits, real date: 2024-02-29 yes, 2026-02-29 no, no
  // surrounding spaces). Returns nullopt on any deviation.
  static std::optional<CivilDate> parse(std::string_view text);

  // The date `days` days after 1970-01-01 (negative: before). Throws std::out_of_range if the
  // result's year is outside kMinYear..kMaxYear.
  static CivilDate from_days_since_epoch(std::int64_t days);

  int year() const { return year_; }
  int month() const { return month_; }  // 1..12
  int day() const { return day_; }      // 1..31

  // Days since 1970-01-01 (negative before it).
  std::int64_t days_since_epoch() const;

  Weekday weekday() const;

  // Saturday or Sunday. Whether the bureau works that day is WorkingDayCalendar's business.
  bool is_weekend() const;

  // The date `days` later (earlier if negative). Throws std::out_of_range as from_days_since_epoch.
  CivilDate plus_days(std::int64_t days) const;

  // "YYYY-MM-DD".
  std::string to_string() const;

  // Chronological order.
  friend auto operator<=>(const CivilDate&, const CivilDate&) = default;

 private:
  int year_ = 1970;  // member order year, month, day makes the defaulted <=> chronological
  int month_ = 1;
  int day_ = 1;
};

// to − from in days: days_between(d, d.plus_days(n)) == n.
std::int64_t days_between(CivilDate from, CivilDate to);

std::ostream& operator<<(std::ostream& out, CivilDate date);

// ---- Asia/Shanghai local dates --------------------------------------------------------------

// Asia/Shanghai's offset from UTC, east positive (see the assumption at the top of this file).
inline constexpr int kShanghaiUtcOffsetMinutes = 8 * 60;

// The Asia/Shanghai date of an RFC 3339 instant "YYYY-MM-DDTHH:MM:SS[.f]Z" or with an offset
// "…±HH:MM" instead of Z; f is 1 to 9 digits (so the ledger's recorded_at form is accepted).
// Strict: upper-case 'T' and 'Z' only, real date, hour ≤ 23, minute ≤ 59, second ≤ 60 (a leap
// second belongs to the date of the second before it), offset hours ≤ 23 and minutes ≤ 59.
// Returns nullopt on any deviation or if the local date's year leaves kMinYear..kMaxYear.
// Example: "2026-11-30T16:30:00Z" is 2026-12-01 00:30 local, so 2026-12-01.
std::optional<CivilDate> shanghai_date_of_instant(std::string_view instant);

// The Asia/Shanghai date at `now`. Pass the instant explicitly wherever a result must be
// reproducible (tests, reports); shanghai_today() reads the system clock.
CivilDate shanghai_date_at(std::chrono::system_clock::time_point now);

// shanghai_date_at(std::chrono::system_clock::now()).
CivilDate shanghai_today();

// ---- Periods ------------------------------------------------------------------------------

enum class PeriodKind { kMonth, kQuarter, kYear };

// A calendar month, quarter or year, of local (Asia/Shanghai) dates. Written "2026-11",
// "2026-Q4" and "2026". Quarters are Q1 = Jan–Mar, …, Q4 = Oct–Dec.
class Period {
 public:
  // The period of `kind` containing `date`.
  static Period of(PeriodKind kind, CivilDate date);
  static Period month_of(CivilDate date) { return of(PeriodKind::kMonth, date); }
  static Period quarter_of(CivilDate date) { return of(PeriodKind::kQuarter, date); }
  static Period year_of(CivilDate date) { return of(PeriodKind::kYear, date); }

  // Parses exactly "YYYY-MM" (MM 01..12), "YYYY-QN" (N 1..4, upper-case Q) or "YYYY" with the
  // year in CivilDate's range. Returns nullopt on any deviation.
  static std::optional<Period> parse(std::string_view text);

  PeriodKind kind() const { return kind_; }
  int year() const { return year_; }
  // Month 1..12, quarter 1..4, or 1 for a year.
  int index() const { return index_; }

  CivilDate first_day() const;
  CivilDate last_day() const;
  bool contains(CivilDate date) const { return first_day() <= date && date <= last_day(); }

  // The following period of the same kind. Throws std::out_of_range after 9999.
  Period next() const;

  // "2026-11", "2026-Q4" or "2026".
  std::string to_string() const;

  friend bool operator==(const Period&, const Period&) = default;

 private:
  Period(PeriodKind kind, int year, int index) : kind_(kind), year_(year), index_(index) {}

  PeriodKind kind_;
  int year_;
  int index_;
};

std::ostream& operator<<(std::ostream& out, const Period& period);

}  // namespace qledger
