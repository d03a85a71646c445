// Report benchmark: one month's report (evidence loading + every figure, with breakdowns) over
// generated ledgers of increasing history length and the same monthly volume. The claim checked:
// the time follows the events of the period, not the size of the ledger.
//
//   report_bench [--scale S] [--runs R] [--keep]
//
// Builds ledgers with DemoHistory (seed 1, scale S) ending 2026-10-31 and starting 2026-01-01,
// 2024-01-01 and 2021-01-01, then times the October 2026 report at the head (best of R runs,
// wall and thread CPU). The year report (12 monthly series
// and the year's breakdowns) is timed once.
#include "bench_common.hpp"

#include "qledger/demo_history.hpp"
#include "qledger/domain_ledger.hpp"
#include "qledger/report.hpp"
#include "qledger/report_formats.hpp"

#include <SQLiteCpp/Statement.h>

#include <cstdio>

using namespace qledger;
using namespace qledger::bench;

int main(int argc, char** argv) {
  const Flags flags(argc, argv);
  const int scale = static_cast<int>(flags.u64("--scale", 1));
  const int runs = static_cast<int>(flags.u64("--runs", 3));
  TempDir dir("qledger-report-bench");
  if (flags.has("--keep")) dir.keep();
  print_machine();
  std::printf("scale %d, best of %d runs, report 2026-10 (month) and 2026 (year)\n\n", scale, runs);
  std::printf(
      "| history from | ledger events | events of 2026-10 records | month wall ms | month "
      "cpu ms | year wall ms | JSON bytes (month) |\n|---|---|---|---|---|---|---|\n");
  for (const int start_year : {2026, 2024, 2021}) {
    const std::string db = dir.file("ledger-" + std::to_string(start_year) + ".db");
    create_ledger(db);
    DemoOptions options;
    options.scale = scale;
    options.start = CivilDate(start_year, 1, 1);
    options.end = CivilDate(2026, 10, 31);
    {
      auto ledger = open_domain_ledger(db, [] { return CivilDate(2026, 11, 30); });
      DemoHistory history(options);
      const BulkResult r = ledger->append_all([&] { return history.next(); });
      if (!r.committed) {
        std::fprintf(stderr, "demo history refused (%llu rejections)\n",
                     static_cast<unsigned long long>(r.rejected_count));
        return 1;
      }
    }
    Ledger ledger(db);
    const Period month = *Period::parse("2026-10");
    const Period year = *Period::parse("2026");
    const ReportConfig config = ReportConfig::defaults();
    std::size_t bytes = 0;
    std::uint64_t period_events = 0;
    const Span m = best_of(runs, [&] {
      const Report r = build_report(ledger, month, std::nullopt, config, nullptr);
      bytes = render_report_json(r).size();
    });
    const Span y = best_of(1, [&] { build_report(ledger, year, std::nullopt, config, nullptr); });
    const std::uint64_t head = ledger.head().size;  // not inside with_reader: it takes the reader
    ledger.with_reader([&](SQLite::Database& conn) {
      const PeriodEvidence ev = load_period_evidence(conn, month, head);
      for (const auto* list : {&ev.batches, &ev.incidents, &ev.complaints}) {
        for (const auto& h : *list) period_events += h.events.size();
      }
    });
    std::printf("| %d-01-01 | %llu | %llu | %s | %s | %s | %zu |\n", start_year,
                static_cast<unsigned long long>(head),
                static_cast<unsigned long long>(period_events), fmt("%.1f", m.wall * 1e3).c_str(),
                fmt("%.1f", m.cpu * 1e3).c_str(), fmt("%.1f", y.wall * 1e3).c_str(), bytes);
    std::fflush(stdout);
  }
  return 0;
}
