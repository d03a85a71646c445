#include "qledger/overdue.hpp"

#include "qledger/domain_ledger.hpp"

#include <SQLiteCpp/Statement.h>

#include <algorithm>

namespace qledger {

namespace {

std::optional<CivilDate> column_date(SQLite::Statement& q, int index) {
  const auto col = q.getColumn(index);
  if (col.isNull()) return std::nullopt;
  return CivilDate::parse(col.getString());
}

void add_if_late(std::vector<OverdueItem>& out, OverdueItem item, CivilDate as_of) {
  if (item.due && *item.due >= as_of) return;
  if (item.due) item.days_late = days_between(*item.due, as_of);
  out.push_back(std::move(item));
}

}  // namespace

std::vector<OverdueItem> list_overdue(SQLite::Database& db, CivilDate as_of) {
  std::vector<OverdueItem> out;
  {
    SQLite::Statement q(db,
                        "SELECT complaint_no, state, accept_due, mediation_due, last_seq "
                        "FROM complaints WHERE state IN ('received', 'accepted')");
    while (q.executeStep()) {
      const std::string state = q.getColumn(1).getString();
      OverdueItem item{"complaint",
                       q.getColumn(0).getString(),
                       "",
                       "",
                       std::nullopt,
                       0,
                       static_cast<std::uint64_t>(q.getColumn(4).getInt64())};
      if (state == "received") {
        item.what = "acceptance_decision";
        item.what_zh = "受理决定逾期（7个工作日）";
        item.due = column_date(q, 2);
      } else {
        item.what = "mediation";
        item.what_zh = "调解超过45个工作日未达成协议";
        item.due = column_date(q, 3);
      }
      add_if_late(out, std::move(item), as_of);
    }
  }
  const WorkingDayCalendar calendar = ledger_calendar(db);
  SQLite::Statement q(db,
                      "SELECT sample_no, retest_state, retest_applied_on, retest_result_due, "
                      "last_seq FROM batches WHERE retest_state IN ('applied', 'accepted')");
  while (q.executeStep()) {
    const std::string state = q.getColumn(1).getString();
    OverdueItem item{"batch",
                     q.getColumn(0).getString(),
                     "",
                     "",
                     std::nullopt,
                     0,
                     static_cast<std::uint64_t>(q.getColumn(4).getInt64())};
    if (state == "applied") {
      item.what = "retest_decision";
      item.what_zh = "复检申请受理决定逾期（5个工作日）";
      if (const auto applied = column_date(q, 2)) {
        item.due = try_add_working_days(calendar, *applied, 5);
      }
    } else {
      item.what = "retest_result";
      item.what_zh = "复检结论逾期（受理后10个工作日）";
      item.due = column_date(q, 3);
    }
    add_if_late(out, std::move(item), as_of);
  }
  std::stable_sort(out.begin(), out.end(), [](const OverdueItem& a, const OverdueItem& b) {
    return a.days_late > b.days_late;
  });
  return out;
}

}  // namespace qledger
