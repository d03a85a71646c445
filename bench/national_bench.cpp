// National volume: one year of a whole country's market supervision through the full pipeline —
// generate, import through the domain rules, verify, compute the yearly report — each phase
// against a baseline measured in the same run, and the total extrapolated to national scale.
//
//   national_bench [--scale 100] [--year 2025] [--national-batches 7000000] [--keep]
//
// The year is a DemoHistory (demo_history.hpp, seed 1) of --scale counties' volume for 1 Jan ..
// 31 Dec of --year: entities, licences and equipment taken over at the start, sampled batches
// with re-tests and objections, incidents, complaints, corrections and voids. Phases:
//   1. generate: DemoHistory alone, requests discarded (so 2 can subtract it);
//   2. import: the same requests through Ledger::append_all into a domain ledger (one
//      transaction, every event validated and projected), minus phase 1's generation time;
//      baseline: bare SQLite inserting the same events + tree_nodes rows (bare_sqlite.hpp);
//   3. verify: verify_ledger; baseline: raw SHA-256 leaf hashes of the same bytes, in memory;
//   4. report: build_report for the year at the head (no signing); baseline: one bare SELECT of
//      every event's leaf bytes.
// Times are wall and process CPU (getrusage, all threads). The national figure scales each
// phase linearly by --national-batches / (sampled batches of the generated year); the 120 s goal
// is checked against that extrapolation. DemoHistory's scale is at most 1000 (~1.5M batches).
#include "bare_sqlite.hpp"
#include "bench_common.hpp"

#include "qledger/demo_history.hpp"
#include "qledger/domain_ledger.hpp"
#include "qledger/report.hpp"
#include "qledger/verifier.hpp"

#include <cstdio>

namespace qb = qledger::bench;

int main(int argc, char** argv) {
  try {
    const qb::Flags flags(argc, argv);
    const auto scale = static_cast<int>(flags.u64("--scale", 100));
    const auto year = static_cast<int>(flags.u64("--year", 2025));
    const double national_batches = static_cast<double>(flags.u64("--national-batches", 7000000));
    qb::TempDir dir("qledger-national-bench");
    if (flags.has("--keep")) dir.keep();
    qb::print_machine();

    qledger::DemoOptions options;
    options.scale = scale;
    options.start = qledger::CivilDate{year, 1, 1};
    options.end = qledger::CivilDate{year, 12, 31};

    // 1. Generation alone.
    std::uint64_t requests = 0;
    const qb::Phase generate = qb::timed([&] {
      qledger::DemoHistory history(options);
      while (history.next()) ++requests;
    });
    std::printf("scale %d, year %d: %s requests generated in %.2f s\n", scale, year,
                qb::fmt_rate(static_cast<double>(requests)).c_str(), generate.wall);
    std::fflush(stdout);

    // 2. Import through the domain rules, in one transaction.
    const std::string path = dir.file("national.db");
    qb::create_ledger(path);
    qledger::BulkResult bulk;
    const qb::Phase import_with_generation = qb::timed([&] {
      const auto ledger = qledger::open_domain_ledger(path);
      qledger::DemoHistory history(options);
      bulk = ledger->append_all([&] { return history.next(); });
    });
    if (!bulk.committed || bulk.total != requests) {
      throw std::runtime_error(
          "import refused " + std::to_string(bulk.rejected_count) + " requests" +
          (bulk.rejected.empty() ? std::string()
                                 : ": " + bulk.rejected.front().second.front().message_en));
    }
    const qb::Phase import{import_with_generation.wall - generate.wall,
                           import_with_generation.cpu - generate.cpu};
    const qb::BareCopy bare = qb::copy_to_bare_sqlite(path, dir.file("bare.db"), 1,
                                                      static_cast<std::int64_t>(bulk.last_seq));

    std::uint64_t batches = 0;
    std::vector<std::string> leaves;
    {
      SQLite::Database db(path, SQLite::OPEN_READONLY);
      batches = static_cast<std::uint64_t>(
          db.execAndGet("SELECT COUNT(*) FROM batches WHERE sampling_date LIKE '" +
                        std::to_string(year) + "-%'")
              .getInt64());
      SQLite::Statement q(db, "SELECT leaf FROM events ORDER BY seq");
      while (q.executeStep()) {
        const SQLite::Column c = q.getColumn(0);
        leaves.emplace_back(static_cast<const char*>(c.getBlob()),
                            static_cast<std::size_t>(c.getBytes()));
      }
    }

    // 3. Verification against raw SHA-256 of the same bytes.
    qledger::VerifyReport verified;
    const qb::Phase verify = qb::timed([&] { verified = qledger::verify_ledger(path, {}); });
    if (!verified.intact()) throw std::runtime_error("the generated ledger does not verify");
    std::size_t sink = 0;
    const qb::Phase sha = qb::timed([&] {
      qledger::Sha256 hasher;
      for (const auto& leaf : leaves) sink += hasher.leaf_hash(leaf)[0];
    });

    // 4. The yearly report against one bare read of every leaf.
    const qledger::Period period = qledger::Period::year_of(options.start);
    const qb::Phase report = qb::timed([&] {
      qledger::Ledger ledger(path);
      const qledger::Report r = qledger::build_report(ledger, period, std::nullopt,
                                                      qledger::ReportConfig::defaults(), nullptr);
      sink += r.figures.figures.size();
    });
    const qb::Phase read = qb::timed([&] {
      SQLite::Database db(path, SQLite::OPEN_READONLY);
      SQLite::Statement q(db, "SELECT leaf FROM events ORDER BY seq");
      while (q.executeStep()) sink += static_cast<std::size_t>(q.getColumn(0).getBytes());
    });
    if (sink == 0) std::puts("");

    const double events = static_cast<double>(bulk.total);
    const double factor = national_batches / static_cast<double>(batches);
    std::printf(
        "\n%s events (%s sampled batches in %d); national = %s batches = ×%.1f\n\n"
        "| phase | wall s | CPU s | events/s (wall) | CPU µs/event | baseline | baseline wall s | "
        "speed vs baseline (baseline s ÷ phase s) | national, extrapolated wall s | national, "
        "extrapolated CPU s |\n"
        "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|\n",
        qb::fmt_rate(events).c_str(), qb::fmt_rate(static_cast<double>(batches)).c_str(), year,
        qb::fmt_rate(national_batches).c_str(), factor);
    double national_total = 0;
    double national_cpu = 0;
    auto row = [&](const char* name, const qb::Phase& p, const char* base_name,
                   const qb::Phase* base) {
      national_total += p.wall * factor;
      national_cpu += p.cpu * factor;
      std::printf("| %s | %.2f | %.2f | %s | %.2f | %s | %s | %s | %.0f | %.0f |\n", name, p.wall,
                  p.cpu, qb::fmt_rate(events / p.wall).c_str(), p.cpu / events * 1e6, base_name,
                  base ? qb::fmt("%.2f", base->wall).c_str() : "–",
                  base ? qb::fmt("%.3f", base->wall / p.wall).c_str() : "–", p.wall * factor,
                  p.cpu * factor);
    };
    row("generate (DemoHistory)", generate, "–", nullptr);
    row("import (domain rules, one append_all)", import, "bare SQLite insert", &bare.total);
    row("verify_ledger", verify, "raw SHA-256", &sha);
    row("yearly report", report, "bare SELECT of all leaves", &read);
    const double pipeline = national_total - generate.wall * factor;
    const double pipeline_cpu = national_cpu - generate.cpu * factor;
    std::printf(
        "\nnational year, extrapolated: import + verify + report = %.0f s wall (goal < 120 s: %s), "
        "%.0f s CPU (%s); with generation %.0f s wall\n",
        pipeline, qb::met(pipeline < 120).c_str(), pipeline_cpu,
        qb::met(pipeline_cpu < 120).c_str(), national_total);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "national_bench: %s\n", e.what());
    return 1;
  }
}
