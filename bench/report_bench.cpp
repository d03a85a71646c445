// Report benchmark: a period's report (evidence loading + every figure with breakdowns + the
// monthly series; no signing) on one large generated ledger (bench/large_ledger.hpp), without a
// registry snapshot, with one a month old and with one at the report's size, against a bare
// SQLite read of the period's rows in the same process. The claim checked: report time follows
// the number of events in the period, not the size of the ledger. With the reports computed
// without snapshots, it also checks the report is the same either way. Report CPU time counts
// every thread of the process: with a snapshot key a report reads the snapshot on a second one.
//
//   report_bench [--scale 80] [--start 2000-01-01] [--sizes 100000,1000000,10000000]
//                [--runs 3] [--cache DIR] [--projection index|full|validated] [--db PATH]
//                [--no-raw]
//   report_bench --check-generator [--scale 1] [--start 2026-06-01] [--cache DIR]
//
// Table 1 (same month size, growing ledger): for each size in --sizes, the month whose sampling
// ended nearest that tree size, reported AT that size (--at-size: exactly the head of the ledger
// as it stood at the month's end; the file itself is the full one). Table 2 (fixed ledger size,
// growing period): the last six complete months and the last complete quarter, at the head.
// --db measures an existing ledger instead (e.g. a .partial file left by a stopped generation).
// The ledger is cached in --cache (default: report-bench-cache/ beside this executable).
// --check-generator builds the same history twice, once through the domain validator and the
// library's projections and once the fast way, and compares event_index and report_dates.
#include "bench_common.hpp"
#include "large_ledger.hpp"

#include "qledger/allocator_tuning.hpp"
#include "qledger/report.hpp"
#include "qledger/report_formats.hpp"

#include <SQLiteCpp/Statement.h>

#include <unistd.h>
#include <cmath>
#include <cstdio>

using namespace qledger;
using namespace qledger::bench;

namespace {

std::string exe_dir() {
  std::error_code ec;
  const auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : p.parent_path().string();
}

struct Measured {
  std::uint64_t size = 0;
  std::string period;
  std::uint64_t period_events = 0;  // events of the period's batches, incidents, complaints
  std::uint64_t old_snapshot = 0;   // the month-old registry snapshot (tree size)
  std::uint64_t registry_events_raw = 0, registry_events_old = 0, registry_events_fresh = 0;
  Span raw, old, fresh, load, bare;
};

std::uint64_t count_events(const std::vector<RecordHistory>& list) {
  std::uint64_t n = 0;
  for (const auto& h : list) n += h.events.size();
  return n;
}

bool with_raw = true;  // --no-raw: skip the reports without a snapshot (and the comparison)

// Three ways: no snapshot; the snapshot of the end of the month before the period (`old`, the
// pessimistic case: nothing wrote one since); a snapshot at N itself (qledgerd's hourly keeper
// on a ledger that has not grown since). Snapshots newer than `old` are deleted first (the
// cache file is the benchmark's own).
Measured measure(Ledger& ledger, const SigningKey& key, const Period& period, std::uint64_t size,
                 std::uint64_t old, int runs) {
  Measured m;
  m.size = size;
  m.period = period.to_string();
  m.old_snapshot = old;
  const ReportConfig config = ReportConfig::defaults();
  std::vector<std::int64_t> seqs;
  std::size_t sink = 0;
  auto report = [&](const SigningKey* k) {
    const Report r = build_report(ledger, period, size, config, nullptr,
                                  k == nullptr ? nullptr : &k->public_key());
    sink += r.figures.figures.size();
  };
  auto registry_events = [&](const PublicKey* k) {
    std::uint64_t n = 0;
    ledger.with_reader([&](SQLite::Database& db) {
      n = load_period_evidence(db, period, size, k).registry_events_read;
    });
    return n;
  };
  if (with_raw) {
    m.raw = best_of(
        runs, [&] { report(nullptr); }, CpuOf::kProcess);
    m.registry_events_raw = registry_events(nullptr);
  }
  open_ledger_database(ledger.path(), false, 10000)
      ->exec("DELETE FROM registry_snapshots WHERE tree_size > " + std::to_string(old));
  write_registry_snapshot(ledger, key, old);
  m.old = best_of(
      runs, [&] { report(&key); }, CpuOf::kProcess);
  m.registry_events_old = registry_events(&key.public_key());
  write_registry_snapshot(ledger, key, size);
  m.fresh = best_of(
      runs, [&] { report(&key); }, CpuOf::kProcess);
  {
    const Report r = build_report(ledger, period, size, config, nullptr, &key.public_key());
    if (r.registry_snapshot_size != size || !r.registry_read_beside) {
      throw std::runtime_error("the report at " + std::to_string(size) +
                               " did not read the snapshot beside its records");
    }
  }
  m.registry_events_fresh = registry_events(&key.public_key());
  if (with_raw) {
    Json raw_json = report_to_json(build_report(ledger, period, size, config, nullptr));
    Json snap_json = report_to_json(build_report(ledger, period, size, config, &key));
    raw_json.erase("checkpoint");
    snap_json.erase("checkpoint");
    if (raw_json != snap_json) {
      throw std::runtime_error("report with snapshot differs from the one without at " +
                               std::to_string(size));
    }
  }
  m.load = best_of(runs, [&] {
    ledger.with_reader([&](SQLite::Database& db) {
      const PeriodEvidence ev = load_period_evidence(db, period, size, &key.public_key());
      m.period_events =
          count_events(ev.batches) + count_events(ev.incidents) + count_events(ev.complaints);
      seqs.clear();
      for (const auto* list : {&ev.batches, &ev.incidents, &ev.complaints}) {
        for (const auto& h : *list) {
          for (const auto& e : h.events) seqs.push_back(static_cast<std::int64_t>(e.seq));
        }
      }
    });
  });
  // Baseline: the period's leaves read by seq with one prepared statement, no decoding.
  m.bare = best_of(runs, [&] {
    ledger.with_reader([&](SQLite::Database& db) {
      SQLite::Statement q(db, "SELECT leaf FROM events WHERE seq = ?");
      for (const std::int64_t s : seqs) {
        q.reset();
        q.bind(1, s);
        if (q.executeStep()) sink += static_cast<std::size_t>(q.getColumn(0).getBytes());
      }
    });
  });
  if (sink == 0) std::printf("(nothing read)\n");
  return m;
}

void print_header() {
  std::printf(
      "| tree size N | period | events of the period's records | no snapshot: registry events "
      "read | no snapshot: report cpu ms (all threads) | month-old snapshot at (events before N) | "
      "its "
      "registry events read | report cpu ms | snapshot at N: registry events read | report "
      "wall ms | report cpu ms | of which evidence loading wall ms | bare read of the period's "
      "events wall ms | report / bare | ≤ 250 ms |\n"
      "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
}

void print_row(const Measured& m) {
  std::printf("| %s | %s | %s | %s | %s | %s (%s) | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
              fmt_rate(static_cast<double>(m.size)).c_str(), m.period.c_str(),
              fmt_rate(static_cast<double>(m.period_events)).c_str(),
              fmt_rate(static_cast<double>(m.registry_events_raw)).c_str(),
              fmt("%.1f", m.raw.cpu * 1e3).c_str(),
              fmt_rate(static_cast<double>(m.old_snapshot)).c_str(),
              fmt_rate(static_cast<double>(m.size - m.old_snapshot)).c_str(),
              fmt_rate(static_cast<double>(m.registry_events_old)).c_str(),
              fmt("%.1f", m.old.cpu * 1e3).c_str(),
              fmt_rate(static_cast<double>(m.registry_events_fresh)).c_str(),
              fmt("%.1f", m.fresh.wall * 1e3).c_str(), fmt("%.1f", m.fresh.cpu * 1e3).c_str(),
              fmt("%.1f", m.load.wall * 1e3).c_str(), fmt("%.1f", m.bare.wall * 1e3).c_str(),
              fmt("%.1f", m.fresh.wall / m.bare.wall).c_str(),
              m.period.size() == 7 ? met(m.fresh.wall <= 0.25).c_str() : "–");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const Flags flags(argc, argv);
  qledger::tune_allocator();
  LargeLedgerOptions options;
  options.scale = static_cast<int>(flags.u64("--scale", 80));
  const auto start = CivilDate::parse(flags.str("--start", "2000-01-01"));
  if (!start) throw std::invalid_argument("--start must be YYYY-MM-DD");
  options.start = *start;
  const std::string projection = flags.str("--projection", "index");
  options.projection = projection == "full"        ? Projection::kFull
                       : projection == "validated" ? Projection::kValidated
                                                   : Projection::kIndex;
  const int runs = static_cast<int>(flags.u64("--runs", 3));
  with_raw = !flags.has("--no-raw");
  const std::string cache = flags.str("--cache", exe_dir() + "/report-bench-cache");
  const auto sizes = flags.list("--sizes", {100000, 1000000, 10000000});
  print_machine();
  auto progress = [](std::uint64_t n, double s) {
    std::fprintf(stderr, "  generated %llu events in %.0f s (%.0f/s)\n",
                 static_cast<unsigned long long>(n), s, static_cast<double>(n) / s);
  };
  if (flags.has("--check-generator")) {
    LargeLedgerOptions fast = options;
    fast.projection = Projection::kIndex;
    LargeLedgerOptions slow = options;
    slow.projection = Projection::kValidated;
    const LargeLedger a = large_ledger(cache, fast, progress);
    const LargeLedger b = large_ledger(cache, slow, progress);
    const std::string diff = same_index_tables(a.path, b.path);
    std::printf(
        "scale %d from %s: %llu events; index-only %.1f s, validated + projected %.1f s "
        "(0 = cached); event_index and report_dates %s\n",
        options.scale, options.start.to_string().c_str(), static_cast<unsigned long long>(a.events),
        a.build_seconds, b.build_seconds, diff.empty() ? "identical" : ("DIFFER: " + diff).c_str());
    return diff.empty() && a.events == b.events ? 0 : 1;
  }
  const std::string existing = flags.str("--db", "");
  if (existing.empty()) {
    std::printf("ledger: DemoHistory seed 1, scale %d, %s .. %s, projection %s, cache %s\n",
                options.scale, options.start.to_string().c_str(), options.end.to_string().c_str(),
                projection_name(options.projection), cache.c_str());
  }
  std::fflush(stdout);
  const LargeLedger large =
      existing.empty() ? large_ledger(cache, options, progress) : existing_ledger(existing);
  if (large.build_seconds > 0) {
    std::printf("generated %s events in %.0f s (%s events/s)\n",
                fmt_rate(static_cast<double>(large.events)).c_str(), large.build_seconds,
                fmt_rate(static_cast<double>(large.events) / large.build_seconds).c_str());
  } else {
    std::printf("reused %s (%s events)\n", large.path.c_str(),
                fmt_rate(static_cast<double>(large.events)).c_str());
  }
  std::printf("file: %.0f MB; best of %d runs\n\n",
              static_cast<double>(std::filesystem::file_size(large.path)) / 1e6, runs);
  Ledger ledger(large.path);
  const SigningKey key = SigningKey::load(large.path + ".key", ledger.info().key_name);
  // The registry snapshot a report finds: the one written at the end of the month before the
  // period (qledgerd writes one every hour; a month behind is the pessimistic case).
  auto snapshot_before = [&](const Period& period, std::uint64_t size) -> std::uint64_t {
    std::uint64_t best = 0;
    for (const auto& [month, end] : large.month_end_size) {
      if (month < period.first_day().to_string().substr(0, 7) && end <= size) {
        best = std::max(best, end);
      }
    }
    return best;
  };

  std::printf(
      "Same month size, growing ledger (each month reported at the tree size where it "
      "ended):\n\n");
  print_header();
  for (const unsigned target : sizes) {
    // The month whose end is nearest the target size (the last full month for the largest).
    std::string best;
    std::uint64_t best_size = 0;
    for (const auto& [month, size] : large.month_end_size) {
      const double d = std::fabs(static_cast<double>(size) - static_cast<double>(target));
      if (best.empty() ||
          d < std::fabs(static_cast<double>(best_size) - static_cast<double>(target))) {
        best = month;
        best_size = size;
      }
    }
    if (best.empty()) continue;
    const Period period = *Period::parse(best);
    print_row(measure(ledger, key, period, best_size, snapshot_before(period, best_size), runs));
  }

  const std::uint64_t head = ledger.head().size;
  std::printf("\nFixed ledger size (the head, %s events), periods of different sizes:\n\n",
              fmt_rate(static_cast<double>(head)).c_str());
  print_header();
  // The last six complete months (seasons differ) and the last complete quarter.
  std::vector<std::string> periods;
  for (auto it = large.month_end_size.rbegin();
       it != large.month_end_size.rend() && periods.size() < 6; ++it) {
    periods.insert(periods.begin(), it->first);
  }
  for (auto it = large.month_end_size.rbegin(); it != large.month_end_size.rend(); ++it) {
    const Period m = *Period::parse(it->first);
    if (m.last_day() == Period::quarter_of(m.first_day()).last_day()) {
      periods.push_back(Period::quarter_of(m.first_day()).to_string());
      break;
    }
  }
  // A month-old snapshot here: the end of the month before the last complete one.
  const Period last_month = *Period::parse(large.month_end_size.rbegin()->first);
  for (const auto& p : periods) {
    print_row(
        measure(ledger, key, *Period::parse(p), head, snapshot_before(last_month, head), runs));
  }
  return 0;
}
