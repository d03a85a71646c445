#include "qledger/working_day_calendar.hpp"

#include "qledger/utf8.hpp"

#include <cstddef>
#include <cstdint>
#include <set>

namespace qledger {

namespace {

std::size_t days_in_year(int year) { return is_leap_year(year) ? 366 : 365; }

constexpr std::string_view kHeader = "date,kind,name";
constexpr std::size_t kMaxNameBytes = 100;
constexpr std::size_t kMaxProblems = 50;

std::string line_field(int line, std::string_view column = {}) {
  std::string field = "line/" + std::to_string(line);
  if (!column.empty()) field.append("/").append(column);
  return field;
}

// 1..kMaxNameBytes bytes of well-formed UTF-8 (no overlong forms, no surrogates), without C0/C1
// control characters, DEL, '"' (no CSV quoting) or leading/trailing spaces.
bool is_clean_name(std::string_view s) {
  if (s.empty() || s.size() > kMaxNameBytes || s.front() == ' ' || s.back() == ' ') return false;
  std::size_t i = 0;
  while (i < s.size()) {
    char32_t cp = 0;
    if (!decode_utf8(s, i, cp)) return false;
    if (cp < 0x20 || cp == 0x7f || cp == '"' || (cp >= 0x80 && cp <= 0x9f)) return false;
  }
  return true;
}

// Splits on every ','.
std::vector<std::string_view> split_commas(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    if (comma == std::string_view::npos) {
      fields.push_back(line.substr(start));
      return fields;
    }
    fields.push_back(line.substr(start, comma - start));
    start = comma + 1;
  }
}

// Shows a user's text inside a message: printable ASCII only (every other byte becomes '?', so a
// message is always valid UTF-8), shortened so a binary line cannot flood the report.
std::string quoted(std::string_view text) {
  constexpr std::size_t kShown = 40;
  std::string out;
  for (const char c : text.substr(0, kShown)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (text.size() > kShown) out += "...";
  return out;
}

}  // namespace

CalendarYearMissing::CalendarYearMissing(int year)
    : std::runtime_error("The working-day calendar does not cover " + std::to_string(year) +
                         ": load the State Council's holiday schedule for " + std::to_string(year) +
                         " before computing dates in that year."),
      year_(year),
      message_zh_("工作日历未包含" + std::to_string(year) + "年：请先导入国务院办公厅公布的" +
                  std::to_string(year) + "年节假日安排，再计算该年的日期。") {}

WorkingDayCalendar WorkingDayCalendar::built_in() {
  WorkingDayCalendar calendar;
  const FieldProblems problems = calendar.load_year(default_calendar_csv());
  if (!problems.empty()) {
    throw std::logic_error("built-in working-day calendar is invalid: " + problems.front().field +
                           ": " + problems.front().message_en);
  }
  return calendar;
}

FieldProblems WorkingDayCalendar::load_year(std::string_view csv) {
  FieldProblems problems;
  const auto add = [&problems](std::string field, std::string code, std::string en,
                               std::string zh) {
    problems.push_back({std::move(field), std::move(code), std::move(en), std::move(zh)});
  };

  std::map<CivilDate, Listing> rows;
  std::map<CivilDate, int> line_of_date;
  std::set<int> years;

  if (csv.substr(0, 3) == "\xEF\xBB\xBF") csv.remove_prefix(3);
  bool header_seen = false;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos < csv.size()) {
    if (problems.size() >= kMaxProblems) {
      add("csv", "too_many_problems",
          "Too many problems; stopped after " + std::to_string(kMaxProblems) + ".",
          "问题过多，已在" + std::to_string(kMaxProblems) + "个问题后停止检查。");
      return problems;
    }
    const std::size_t end = csv.find('\n', pos);
    std::string_view line = csv.substr(pos, end == std::string_view::npos ? end : end - pos);
    pos = end == std::string_view::npos ? csv.size() : end + 1;
    ++line_no;
    const std::string n = std::to_string(line_no);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;

    if (!header_seen) {
      header_seen = true;
      if (line != kHeader) {
        add(line_field(line_no), "header",
            "line " + n + ": the header must be exactly \"date,kind,name\", found \"" +
                quoted(line) + "\".",
            "第" + n + "行：表头必须为“date,kind,name”，实际为“" + quoted(line) + "”。");
      }
      continue;
    }

    const std::vector<std::string_view> fields = split_commas(line);
    if (fields.size() != 3) {
      add(line_field(line_no), "columns",
          "line " + n + ": expected 3 comma-separated columns (date,kind,name), found " +
              std::to_string(fields.size()) + ".",
          "第" + n + "行：应有3列（date,kind,name，以逗号分隔），实际为" +
              std::to_string(fields.size()) + "列。");
      continue;
    }
    bool row_ok = true;

    const auto date = CivilDate::parse(fields[0]);
    if (!date) {
      row_ok = false;
      add(line_field(line_no, "date"), "date",
          "line " + n + ": \"" + quoted(fields[0]) +
              "\" is not a real date of the form YYYY-MM-DD.",
          "第" + n + "行：“" + quoted(fields[0]) + "”不是有效日期（格式应为YYYY-MM-DD）。");
    } else if (const auto [it, inserted] = line_of_date.emplace(*date, line_no); !inserted) {
      row_ok = false;
      const std::string first = std::to_string(it->second);
      add(line_field(line_no, "date"), "duplicate_date",
          "line " + n + ": " + date->to_string() + " is already listed on line " + first + ".",
          "第" + n + "行：日期" + date->to_string() + "已在第" + first + "行列出，不得重复。");
    }

    CalendarDayKind kind = CalendarDayKind::kHoliday;
    if (fields[1] == "holiday") {
      kind = CalendarDayKind::kHoliday;
    } else if (fields[1] == "workday") {
      kind = CalendarDayKind::kWorkday;
    } else {
      row_ok = false;
      add(line_field(line_no, "kind"), "kind",
          "line " + n + ": kind must be \"holiday\" or \"workday\", found \"" + quoted(fields[1]) +
              "\".",
          "第" + n + "行：类型必须为“holiday”（放假）或“workday”（调休上班），实际为“" +
              quoted(fields[1]) + "”。");
    }

    if (!is_clean_name(fields[2])) {
      row_ok = false;
      add(line_field(line_no, "name"), "name",
          "line " + n + ": the name must be 1 to " + std::to_string(kMaxNameBytes) +
              " bytes of UTF-8 without control characters, double quotes or surrounding spaces.",
          "第" + n + "行：名称须为1至" + std::to_string(kMaxNameBytes) +
              "字节的UTF-8文本，不得含控制字符、双引号或首尾空格。");
    }

    if (row_ok) {
      rows.emplace(*date, Listing{kind, std::string(fields[2])});
      years.insert(date->year());
    }
  }

  if (!header_seen) {
    add("csv", "header_missing", "The calendar has no header line \"date,kind,name\".",
        "日历缺少表头行“date,kind,name”。");
  } else if (rows.empty() && problems.empty()) {
    add("csv", "no_rows", "The calendar lists no dates, so it covers no year.",
        "日历未列出任何日期，因此不涵盖任何年份。");
  }
  if (!problems.empty()) return problems;

  // Commit: each covered year is replaced as a whole.
  for (const int year : years) {
    const auto first = listed_.lower_bound(CivilDate(year, 1, 1));
    const auto last = listed_.upper_bound(CivilDate(year, 12, 31));
    listed_.erase(first, last);
  }
  listed_.merge(rows);
  for (const int year : years) {  // a year is covered once it has a table
    std::vector<std::uint8_t>& table = tables_[year];
    const CivilDate first(year, 1, 1);
    table.assign(days_in_year(year), 0);
    for (std::size_t i = 0; i < table.size(); ++i) {
      const CivilDate day = first.plus_days(static_cast<std::int64_t>(i));
      const auto it = listed_.find(day);
      table[i] =
          it != listed_.end() ? it->second.kind == CalendarDayKind::kWorkday : !day.is_weekend();
    }
  }
  return problems;
}

std::vector<CalendarEntry> WorkingDayCalendar::entries() const {
  std::vector<CalendarEntry> out;
  out.reserve(listed_.size());
  for (const auto& [date, listing] : listed_) out.push_back({date, listing.kind, listing.name});
  return out;
}

std::vector<int> WorkingDayCalendar::covered_years() const {
  std::vector<int> out;
  for (const auto& [year, table] : tables_) out.push_back(year);
  return out;
}

void WorkingDayCalendar::require_year(int year) const {
  if (!covers(year)) throw CalendarYearMissing(year);
}

const std::vector<std::uint8_t>& WorkingDayCalendar::year_table(int year) const {
  const auto it = tables_.find(year);
  if (it == tables_.end()) throw CalendarYearMissing(year);
  return it->second;
}

bool WorkingDayCalendar::is_working_day(CivilDate date) const {
  const std::int64_t day = days_between(CivilDate(date.year(), 1, 1), date);
  return year_table(date.year())[static_cast<std::size_t>(day)] != 0;
}

namespace {

// Walks the days after a start date one at a time, keeping the year and the day of the year
// instead of converting every date.
class DayWalker {
 public:
  explicit DayWalker(CivilDate start)
      : day_(start.days_since_epoch()),
        year_(start.year()),
        year_first_(CivilDate(start.year(), 1, 1).days_since_epoch()) {}

  // Moves to the next day; true if it starts a new year.
  bool next() {
    ++day_;
    if (day_ - year_first_ < static_cast<std::int64_t>(days_in_year(year_))) return false;
    year_first_ += static_cast<std::int64_t>(days_in_year(year_));
    ++year_;
    if (year_ > CivilDate::kMaxYear) {
      throw std::out_of_range("CivilDate: day outside 0001-01-01..9999-12-31");
    }
    return true;
  }
  int year() const { return year_; }
  std::size_t day_of_year() const { return static_cast<std::size_t>(day_ - year_first_); }
  CivilDate date() const { return CivilDate::from_days_since_epoch(day_); }

 private:
  std::int64_t day_;
  int year_;
  std::int64_t year_first_;
};

}  // namespace

CivilDate WorkingDayCalendar::add_working_days(CivilDate start, int n) const {
  if (n < 0) throw std::invalid_argument("add_working_days: n must not be negative");
  if (n == 0) return start;
  DayWalker walk(start);
  const std::vector<std::uint8_t>* table = nullptr;  // of walk.year(), looked up when reached
  for (int counted = 0; counted < n;) {
    if (walk.next() || table == nullptr) table = &year_table(walk.year());  // throws if uncovered
    if ((*table)[walk.day_of_year()] != 0) ++counted;
  }
  return walk.date();
}

int WorkingDayCalendar::working_days_between(CivilDate from, CivilDate to) const {
  if (to < from) return -working_days_between(to, from);
  if (to == from) return 0;
  // Check every year of (from, to] first, so the answer is all or nothing.
  for (int year = from.plus_days(1).year(); year <= to.year(); ++year) require_year(year);
  int count = 0;
  const std::int64_t span = days_between(from, to);
  DayWalker walk(from);
  const std::vector<std::uint8_t>* table = nullptr;
  for (std::int64_t i = 1; i <= span; ++i) {
    if (walk.next() || table == nullptr) table = &year_table(walk.year());
    if ((*table)[walk.day_of_year()] != 0) ++count;
  }
  return count;
}

}  // namespace qledger
