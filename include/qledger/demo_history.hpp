// A generated, realistic history of the Huoshan county market-supervision bureau
// (霍山县市场监督管理局): market entities across the county's townships, food production
// licences, the special-equipment registry, sampling inspections with re-tests and objections,
// special-equipment incidents, consumer complaints, the working-day calendar as published each
// year, and the corrections and voids that a real register collects. Businesses, codes, numbers
// and complainants are invented; townships, standards and rules are real. For demonstrations,
// manual testing and benchmarks (`qledger demo`).
//
// DETERMINISTIC: the only source of randomness is a std::mt19937_64 seeded with `seed`, drawn
// through integer-only helpers (no std::*_distribution, whose algorithms differ between standard
// libraries, and no floating point), and no clock is read. The same options always give the same
// request sequence, byte for byte.
//
// SEQUENCE NUMBERS: corrections and voids name their target by seq. The generator assumes the
// ledger is EMPTY when the history starts and that every request is appended, in order, with
// none rejected, so the n-th request (1-based) becomes event n. Appending into a ledger that
// already holds events makes corrections and voids point at the wrong events (the validator then
// rejects most of them); `qledger demo` refuses a non-empty ledger for that reason.
//
// DATES: every date on which something happened (sampling, results, decisions, incidents,
// receipts, closures …) lies in [start, end]. Older or later dates are only those of the registry
// taken over at the start (licence validity, equipment registration, years of manufacture),
// licence valid-to dates, and the rows of a loaded calendar year. The validator refuses dates
// after today, so `end` must not be after the day the history is appended. Deadlines counted in
// working days use WorkingDayCalendar::built_in() (2025 and 2026), whose years are also recorded
// as calendar.year_loaded events once the State Council has published them; in other years the
// generator counts Monday–Friday and records no food/agri re-test (the validator cannot compute
// their window without the year's calendar, and the generator never invents one).
//
// MEMORY: events are produced day by day from a schedule of pending steps; what is kept is the
// registry (entities, licences, equipment) and the records that still have steps to come, not the
// history. A scale-10 history streams through Ledger::append_all without being held in memory.
#pragma once

#include "qledger/civil_date.hpp"
#include "qledger/ledger.hpp"

#include <cstdint>
#include <memory>
#include <optional>

namespace qledger {

struct DemoOptions {
  std::uint64_t seed = 1;
  // Multiplies every volume: scale 1 is a county of ~300 entities, ~40 food production licences,
  // ~400 special-equipment units, ~1,500 sampled batches, ~600 complaints and ~10 incidents a
  // year. 1..1000.
  int scale = 1;
  CivilDate start{2025, 1, 1};
  CivilDate end{2026, 10, 31};  // inclusive; must not be before start
  // Share of ordinary events later corrected, and roughly the share of events voided (an event
  // entered in error: a duplicate complaint, a batch under a mistyped sample number, a decision
  // entered on the wrong record, a wrong correction …), per thousand. 0..1000.
  int correction_permille = 20;
  int void_permille = 10;
};

// Produces the history one request at a time, in the order it is to be appended: every record is
// created before the events that name it, and each record's events come in date order.
class DemoHistory {
 public:
  // Throws std::invalid_argument for options outside the ranges above.
  explicit DemoHistory(const DemoOptions& options);
  ~DemoHistory();
  DemoHistory(DemoHistory&&) noexcept;
  DemoHistory& operator=(DemoHistory&&) noexcept;
  DemoHistory(const DemoHistory&) = delete;
  DemoHistory& operator=(const DemoHistory&) = delete;

  // The next request, or nullopt once the history reaches `end`.
  std::optional<AppendRequest> next();

  // Requests produced so far (the seq the last one gets in an empty ledger).
  std::uint64_t produced() const;

  const DemoOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace qledger
