// check, rebuild, overdue, erase-personal-data, calendar.
#include <iostream>

#include "args.hpp"
#include "commands.hpp"
#include "files.hpp"
#include "qledger/domain_ledger.hpp"
#include "qledger/identifiers.hpp"
#include "qledger/overdue.hpp"

namespace qledger::cli {

namespace {

void print_problems(const FieldProblems& problems) {
  for (const auto& p : problems) {
    std::cout << "  ✗ " << p.message_zh << "\n    " << p.message_en << " [" << p.code << "]\n";
  }
}

Json problems_json(const FieldProblems& problems) {
  Json list = Json::array();
  for (const auto& p : problems) {
    list.push_back({{"field", p.field},
                    {"code", p.code},
                    {"message", p.message_en},
                    {"message_zh", p.message_zh}});
  }
  return list;
}

std::string date_or_unknown(const std::optional<CivilDate>& d) {
  return d ? d->to_string() : "unknown (calendar lacks the year) / 日历缺少该年度";
}

}  // namespace

int run_check(const Words& words) {
  const Args args(words, {}, {"json"});
  if (args.positional().size() != 2) throw UsageError("give a code type and a code");
  const std::string& type = args.positional()[0];
  const std::string& code = args.positional()[1];
  FieldProblems problems;
  Json parts = Json::object();
  if (type == "uscc") {
    const auto r = check_uscc(code, "uscc");
    problems = r.problems;
    if (r.parsed) {
      parts = {{"registration_authority", std::string(1, r.registration_authority)},
               {"entity_type", std::string(1, r.entity_type)},
               {"division_code", r.division_code},
               {"organisation_code", r.organisation_code},
               {"check_char", std::string(1, r.check_char)},
               {"expected_check_char", std::string(1, r.expected_check_char)}};
    }
  } else if (type == "sc") {
    const auto r = check_food_licence(code, "licence_no");
    problems = r.problems;
    if (r.valid) {
      parts = {{"food_category", r.food_category},
               {"province", r.province_code},
               {"city", r.city_code},
               {"county", r.county_code},
               {"sequence", r.sequence},
               {"check_digit", std::string(1, r.check_digit)}};
    }
  } else if (type == "equipment") {
    const auto r = check_equipment_code(code, "equipment_code", shanghai_today().year());
    problems = r.problems;
    if (r.valid && r.legacy) parts = {{"form", "legacy 20-character local code"}};
    if (r.valid && !r.legacy) {
      parts = {{"variety_code", r.variety_code},
               {"category", r.category ? std::string(to_code(*r.category)) : ""},
               {"manufacturer_code", r.manufacturer_code},
               {"year", r.year},
               {"serial", r.serial}};
    }
  } else {
    throw UsageError("code type must be uscc, sc or equipment");
  }
  if (args.has("json")) {
    std::cout << Json{{"valid", problems.empty()},
                      {"parts", parts},
                      {"problems", problems_json(problems)}}
                     .dump(2)
              << "\n";
  } else if (problems.empty()) {
    std::cout << "VALID / 有效: " << code << "\n";
    for (const auto& [k, v] : parts.items()) {
      std::cout << "  " << k << ": " << (v.is_string() ? v.get<std::string>() : v.dump()) << "\n";
    }
  } else {
    std::cout << "INVALID / 无效: " << code << "\n";
    print_problems(problems);
  }
  return problems.empty() ? 0 : 1;
}

int run_rebuild(const Words& words) {
  const Args args(words, {"db"}, {});
  const std::string db = args.require("db");
  { Ledger migrate(db); }  // brings the schema up to date
  auto database = open_ledger_database(db, false, 10000);
  const std::uint64_t events = rebuild_projections(*database);
  std::cout << "rebuilt projections from " << events << " domain events\n";
  return 0;
}

int run_overdue(const Words& words) {
  const Args args(words, {"db", "as-of"}, {"json"});
  const auto ledger = open_domain_ledger(args.require("db"));
  CivilDate as_of = shanghai_today();
  if (const auto text = args.get("as-of")) {
    const auto parsed = CivilDate::parse(*text);
    if (!parsed) throw UsageError("--as-of must be a date YYYY-MM-DD");
    as_of = *parsed;
  }
  std::vector<OverdueItem> items;
  ledger->with_reader([&](SQLite::Database& db) { items = list_overdue(db, as_of); });
  if (args.has("json")) {
    Json list = Json::array();
    for (const auto& i : items) {
      list.push_back({{"record_type", i.record_type},
                      {"record_key", i.record_key},
                      {"what", i.what},
                      {"what_zh", i.what_zh},
                      {"due", i.due ? Json(i.due->to_string()) : Json(nullptr)},
                      {"days_late", i.days_late},
                      {"last_seq", i.last_seq}});
    }
    std::cout << Json{{"as_of", as_of.to_string()}, {"overdue", list}}.dump(2) << "\n";
    return 0;
  }
  std::cout << "overdue on " << as_of.to_string() << " / 截至 " << as_of.to_string()
            << " 逾期事项: " << items.size() << "\n";
  for (const auto& i : items) {
    std::cout << "  " << i.record_type << " " << i.record_key << "  " << i.what_zh << "  due "
              << date_or_unknown(i.due) << "  (" << i.days_late << " days late, last seq "
              << i.last_seq << ")\n";
  }
  return 0;
}

namespace {

int append_one(const std::string& db, AppendRequest request) {
  const auto ledger = open_domain_ledger(db);
  try {
    const Receipt r = ledger->append(std::move(request));
    std::cout << Json{{"seq", r.seq},
                      {"leaf_hash", to_hex(r.leaf_hash)},
                      {"tree_size", r.tree_size},
                      {"root_hash", to_hex(r.root_hash)}}
                     .dump()
              << "\n";
    return 0;
  } catch (const AppendRejected& rejected) {
    std::cout << Json{{"errors", problems_json(rejected.problems())}}.dump() << "\n";
    return 1;
  }
}

}  // namespace

int run_erase_personal_data(const Words& words) {
  const Args args(words, {"db", "complaint", "reason", "actor"}, {});
  return append_one(
      args.require("db"),
      {"complaint.personal_data_erased", args.get("actor").value_or("admin"),
       Json{{"complaint_no", args.require("complaint")}, {"reason", args.require("reason")}}});
}

int run_calendar(const Words& words) {
  const Args args(words, {"db", "year", "source", "actor"}, {});
  if (args.positional().empty()) throw UsageError("give a sub-command: load or show");
  const std::string sub = args.positional()[0];
  if (sub == "load") {
    if (args.positional().size() != 2) throw UsageError("give the CSV file to load");
    const auto year = args.get_uint("year", 2000);
    if (!year) throw UsageError("missing required option --year");
    return append_one(args.require("db"),
                      {"calendar.year_loaded", args.get("actor").value_or("admin"),
                       Json{{"year", *year},
                            {"csv", read_input(args.positional()[1], 20000)},
                            {"source", args.require("source")}}});
  }
  if (sub == "show") {
    const auto ledger = open_domain_ledger(args.require("db"));
    ledger->with_reader([&](SQLite::Database& db) {
      const WorkingDayCalendar calendar = ledger_calendar(db);
      std::cout << "years covered / 已有日历年度:";
      for (int y : calendar.covered_years()) std::cout << " " << y;
      std::cout << "\n";
      for (const auto& e : calendar.entries()) {
        std::cout << "  " << e.date.to_string() << "  "
                  << (e.kind == CalendarDayKind::kHoliday ? "holiday 休" : "workday 班") << "  "
                  << e.name << "\n";
      }
    });
    return 0;
  }
  throw UsageError("unknown calendar sub-command '" + sub + "'");
}

}  // namespace qledger::cli
