// What is past its deadline on a given day: complaints awaiting an acceptance decision beyond
// 7 working days, mediations beyond 45 working days, re-test applications undecided beyond
// 5 working days and accepted re-tests without a result beyond 10 working days
// (docs/events.md "Deadlines"). Read from the projections; nothing is written.
#pragma once

#include "qledger/civil_date.hpp"

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace qledger {

struct OverdueItem {
  std::string record_type;  // "complaint" or "batch"
  std::string record_key;   // complaint_no or sample_no
  std::string what;         // acceptance_decision | mediation | retest_decision | retest_result
  std::string what_zh;
  std::optional<CivilDate> due;  // nullopt: the calendar lacks a year needed to compute it
  std::int64_t days_late = 0;    // calendar days after `due`
  std::uint64_t last_seq = 0;    // latest event of the record
};

// Items whose deadline is before `as_of`, or whose deadline cannot be computed, oldest first.
std::vector<OverdueItem> list_overdue(SQLite::Database& db, CivilDate as_of);

}  // namespace qledger
