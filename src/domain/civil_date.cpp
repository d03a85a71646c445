#include "qledger/civil_date.hpp"

#include <cstdio>
#include <ostream>
#include <stdexcept>

namespace qledger {
namespace {

constexpr std::int64_t kMinutesPerDay = 24 * 60;

// Floor division for a positive divisor (C++ '/' truncates toward zero).
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms": days since 1970-01-01 of the
// proleptic Gregorian date y-m-d. Signed 64-bit arithmetic throughout.
constexpr std::int64_t days_from_civil(std::int64_t y, std::int64_t m, std::int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;                                    // [0, 399]
  const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + doe - 719468;
}

struct Ymd {
  std::int64_t year;
  std::int64_t month;
  std::int64_t day;
};

// Inverse of days_from_civil (same source).
constexpr Ymd civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;                                       // [0, 146096]
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const std::int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11]
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;                             // [1, 31]
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;                                // [1, 12]
  return {yoe + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

// Reads `count` ASCII digits of `text` at `pos`; false if any is not a digit.
bool read_digits(std::string_view text, std::size_t pos, std::size_t count, int& value) {
  value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

std::optional<CivilDate> shanghai_date_of_minutes(std::int64_t utc_minutes_since_epoch) {
  const std::int64_t local = utc_minutes_since_epoch + kShanghaiUtcOffsetMinutes;
  const Ymd ymd = civil_from_days(floor_div(local, kMinutesPerDay));
  if (ymd.year < CivilDate::kMinYear || ymd.year > CivilDate::kMaxYear) return std::nullopt;
  return CivilDate(static_cast<int>(ymd.year), static_cast<int>(ymd.month),
                   static_cast<int>(ymd.day));
}

}  // namespace

bool is_leap_year(int year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  return kDays[month - 1] + (month == 2 && is_leap_year(year) ? 1 : 0);
}

// ---- CivilDate ---------------------------------------------------------------------------

bool CivilDate::is_valid(int year, int month, int day) {
  return year >= kMinYear && year <= kMaxYear && month >= 1 && month <= 12 && day >= 1 &&
         day <= days_in_month(year, month);
}

CivilDate::CivilDate(int year, int month, int day) : year_(year), month_(month), day_(day) {
  if (!is_valid(year, month, day)) {
    throw std::invalid_argument(
        "CivilDate: not a date in 0001-01-01..9999-12-31: " + std::to_string(year) + "-" +
        std::to_string(month) + "-" + std::to_string(day));
  }
}

std::optional<CivilDate> CivilDate::parse(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = 0;
  int m = 0;
  int d = 0;
  if (!read_digits(text, 0, 4, y) || !read_digits(text, 5, 2, m) || !read_digits(text, 8, 2, d) ||
      !is_valid(y, m, d)) {
    return std::nullopt;
  }
  return CivilDate(y, m, d);
}

CivilDate CivilDate::from_days_since_epoch(std::int64_t days) {
  // Bound first so civil_from_days never sees values that could overflow.
  static constexpr std::int64_t kFirst = days_from_civil(kMinYear, 1, 1);
  static constexpr std::int64_t kLast = days_from_civil(kMaxYear, 12, 31);
  if (days < kFirst || days > kLast) {
    throw std::out_of_range("CivilDate: day outside 0001-01-01..9999-12-31");
  }
  const Ymd ymd = civil_from_days(days);
  return CivilDate(static_cast<int>(ymd.year), static_cast<int>(ymd.month),
                   static_cast<int>(ymd.day));
}

std::int64_t CivilDate::days_since_epoch() const { return days_from_civil(year_, month_, day_); }

Weekday CivilDate::weekday() const {
  // 1970-01-01 was a Thursday (ISO 4); floor_div keeps the remainder in 0..6 before 1970.
  const std::int64_t z = days_since_epoch();
  const std::int64_t monday_based = z + 3 - floor_div(z + 3, 7) * 7;  // 0 = Monday
  return static_cast<Weekday>(monday_based + 1);
}

bool CivilDate::is_weekend() const {
  const Weekday w = weekday();
  return w == Weekday::kSaturday || w == Weekday::kSunday;
}

CivilDate CivilDate::plus_days(std::int64_t days) const {
  // |days| beyond the whole supported range can only fail; checking first avoids overflow.
  static constexpr std::int64_t kSpan = 4'000'000;
  if (days > kSpan || days < -kSpan) throw std::out_of_range("CivilDate: day count too large");
  return from_days_since_epoch(days_since_epoch() + days);
}

std::string CivilDate::to_string() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year_, month_, day_);
  return buf;
}

std::int64_t days_between(CivilDate from, CivilDate to) {
  return to.days_since_epoch() - from.days_since_epoch();
}

std::ostream& operator<<(std::ostream& out, CivilDate date) { return out << date.to_string(); }

// ---- Asia/Shanghai -----------------------------------------------------------------------

std::optional<CivilDate> shanghai_date_of_instant(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS, then optional .f{1,9}, then Z or ±HH:MM, nothing after.
  if (t.size() < 20 || t[10] != 'T' || t[13] != ':' || t[16] != ':') return std::nullopt;
  const auto date = CivilDate::parse(t.substr(0, 10));
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!date || !read_digits(t, 11, 2, hour) || !read_digits(t, 14, 2, minute) ||
      !read_digits(t, 17, 2, second) || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  if (t[pos] == '.') {
    const std::size_t first = ++pos;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') ++pos;
    if (pos == first || pos - first > 9) return std::nullopt;
  }
  // The fraction and a leap second never move the instant across a minute boundary, so the
  // date follows from whole minutes.
  int offset_minutes = 0;
  const std::string_view zone = t.substr(pos);
  if (zone == "Z") {
    offset_minutes = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    int oh = 0;
    int om = 0;
    if (!read_digits(zone, 1, 2, oh) || !read_digits(zone, 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_minutes = (zone[0] == '-' ? -1 : 1) * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  const std::int64_t utc_minutes =
      date->days_since_epoch() * kMinutesPerDay + hour * 60 + minute - offset_minutes;
  return shanghai_date_of_minutes(utc_minutes);
}

CivilDate shanghai_date_at(std::chrono::system_clock::time_point now) {
  // system_clock counts from 1970-01-01T00:00:00Z (guaranteed since C++20).
  const auto minutes = std::chrono::floor<std::chrono::minutes>(now.time_since_epoch()).count();
  const auto date = shanghai_date_of_minutes(static_cast<std::int64_t>(minutes));
  if (!date) throw std::out_of_range("shanghai_date_at: clock outside years 0001..9999");
  return *date;
}

CivilDate shanghai_today() { return shanghai_date_at(std::chrono::system_clock::now()); }

// ---- Period ------------------------------------------------------------------------------

Period Period::of(PeriodKind kind, CivilDate date) {
  switch (kind) {
    case PeriodKind::kMonth:
      return Period(kind, date.year(), date.month());
    case PeriodKind::kQuarter:
      return Period(kind, date.year(), (date.month() - 1) / 3 + 1);
    case PeriodKind::kYear:
      break;
  }
  return Period(PeriodKind::kYear, date.year(), 1);
}

std::optional<Period> Period::parse(std::string_view text) {
  int year = 0;
  if (text.size() < 4 || !read_digits(text, 0, 4, year) || year < CivilDate::kMinYear) {
    return std::nullopt;
  }
  if (text.size() == 4) return Period(PeriodKind::kYear, year, 1);
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  int index = 0;
  if (text[5] == 'Q') {
    if (!read_digits(text, 6, 1, index) || index < 1 || index > 4) return std::nullopt;
    return Period(PeriodKind::kQuarter, year, index);
  }
  if (!read_digits(text, 5, 2, index) || index < 1 || index > 12) return std::nullopt;
  return Period(PeriodKind::kMonth, year, index);
}

CivilDate Period::first_day() const {
  switch (kind_) {
    case PeriodKind::kMonth:
      return CivilDate(year_, index_, 1);
    case PeriodKind::kQuarter:
      return CivilDate(year_, (index_ - 1) * 3 + 1, 1);
    case PeriodKind::kYear:
      break;
  }
  return CivilDate(year_, 1, 1);
}

CivilDate Period::last_day() const {
  switch (kind_) {
    case PeriodKind::kMonth:
      return CivilDate(year_, index_, days_in_month(year_, index_));
    case PeriodKind::kQuarter:
      return CivilDate(year_, index_ * 3, days_in_month(year_, index_ * 3));
    case PeriodKind::kYear:
      break;
  }
  return CivilDate(year_, 12, 31);
}

Period Period::next() const {
  const CivilDate after = last_day().plus_days(1);  // throws std::out_of_range after 9999-12-31
  return of(kind_, after);
}

std::string Period::to_string() const {
  char buf[16] = {};
  switch (kind_) {
    case PeriodKind::kMonth:
      std::snprintf(buf, sizeof buf, "%04d-%02d", year_, index_);
      break;
    case PeriodKind::kQuarter:
      std::snprintf(buf, sizeof buf, "%04d-Q%d", year_, index_);
      break;
    case PeriodKind::kYear:
      std::snprintf(buf, sizeof buf, "%04d", year_);
      break;
  }
  return buf;
}

std::ostream& operator<<(std::ostream& out, const Period& period) {
  return out << period.to_string();
}

}  // namespace qledger
