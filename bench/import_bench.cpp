// CSV import throughput: N inspection.recorded rows (default 1,000,000) in one CSV file imported
// with import_csv (ONE Ledger::append_all transaction through the domain rules), against bare
// SQLite writing the same events rows (same leaf bytes) and tree_nodes rows in one transaction,
// WAL, synchronous=FULL.
//
//   import_bench [--rows N] [--entities 1000] [--keep]
//
// Phases (each on a fresh database unless said otherwise), in this order:
//   1. generate the CSV file (not timed); register --entities entities by importing a small CSV;
//   2. read only: ImportReader over the file (CSV parsing, UTF-8 checks, value conversion, JSON
//      payloads), no ledger;
//   3. import: import_csv into the domain ledger: the headline rows/s;
//   4. core only: the same rows through import_csv into a ledger WITHOUT the domain applier (leaf
//      encoding, hashing, Merkle nodes, inserts) — the difference to 3 is the domain rules and
//      projections;
//   5. bare: the events and tree_nodes rows phase 3 wrote, read back into memory (not timed) and
//      inserted with plain SQLiteCpp in one transaction on a fresh file with the same schema.
// Wall time and process CPU time (all threads: the ledger writes on its own thread) per phase.
#include "bench_common.hpp"

#include "qledger/csv_import.hpp"
#include "qledger/domain_ledger.hpp"
#include "qledger/identifiers.hpp"
#include "qledger/schema_migrations.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <sys/resource.h>

#include <bit>
#include <fstream>

namespace qb = qledger::bench;

namespace {

double cpu_seconds() {
  struct rusage u {};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct Phase {
  double wall = 0;
  double cpu = 0;
};

template <typename Fn>
Phase timed(Fn&& fn) {
  ::sync();  // start without the previous phase's dirty pages in flight
  const double cpu0 = cpu_seconds();
  const auto t0 = qb::Clock::now();
  fn();
  return {qb::seconds_since(t0), cpu_seconds() - cpu0};
}

std::string uscc(std::uint64_t n) {
  std::string digits = std::to_string(n);
  const std::string first17 = "91341525MA" + std::string(7 - digits.size(), '0') + digits;
  return first17 + *qledger::uscc_check_char(first17);
}

void write_entities_csv(const std::string& path, std::uint64_t entities) {
  std::ofstream out(path, std::ios::binary);
  out << "统一社会信用代码,名称,乡镇,产业类别\r\n";
  for (std::uint64_t i = 1; i <= entities; ++i) {
    out << uscc(i) << ",霍山县某某食品有限公司" << i << ",衡山镇,生态食品\r\n";
  }
  if (!out) throw std::runtime_error("cannot write " + path);
}

// Inspection rows as a county bureau's spreadsheet would hold them: Chinese headers and labels,
// dates as typed in Excel; one in ten fails with one failed item.
void write_inspections_csv(const std::string& path, std::uint64_t rows, std::uint64_t entities) {
  std::ofstream out(path, std::ios::binary);
  out << "\xEF\xBB\xBF抽样单编号,抽检类型,计划层级,产品类别,被抽样单位统一社会信用代码,抽样日期,"
         "检验结论日期,检验机构,检验结论,不合格结果告知日期,不合格项目\r\n";
  std::vector<std::string> codes;
  for (std::uint64_t i = 1; i <= entities; ++i) codes.push_back(uscc(i));
  static const char* const kRegimes[] = {"食品安全监督抽检", "产品质量监督抽查",
                                         "食用农产品质量安全抽检"};
  for (std::uint64_t i = 0; i < rows; ++i) {
    const bool fail = i % 10 == 9;
    out << "SC2026-" << i << ',' << kRegimes[i % 3] << ",县抽,茶叶," << codes[i % entities]
        << ",2026/9/" << (1 + i % 20) << ",2026年10月" << (1 + i % 20)
        << "日,\"六安市食品药品检验中心, 理化室\"," << (fail ? "不合格" : "合格") << ',';
    if (fail)
      out << "2026/10/" << (2 + i % 20) << ",铅(以Pb计)|6.1|5.0|GB 2762-2022|mg/kg|否";
    else
      out << ',';
    out << "\r\n";
  }
  if (!out) throw std::runtime_error("cannot write " + path);
}

qledger::ImportResult import_file(qledger::Ledger& ledger, const std::string& path,
                                  const std::string& kind) {
  std::ifstream in(path, std::ios::binary);
  const auto r = qledger::import_csv(ledger, in, {kind, "bench-import", {}, false});
  if (!r.committed) {
    std::string why = r.problems.empty() ? "?" : r.problems.front().message_en;
    throw std::runtime_error("import of " + path + " refused: " + why);
  }
  return r;
}

struct EventRow {
  std::int64_t seq;
  std::string kind, recorded_at, actor, leaf, leaf_hash;
};

struct NodeRow {
  std::int64_t level, idx;
  std::string hash;
};

// Inserts rows [first, last] of `source` into `bare` inside its open transaction; returns the
// time spent inserting (reading them is not timed).
Phase copy_chunk(SQLite::Database& source, SQLite::Database& bare, std::int64_t first,
                 std::int64_t last) {
  std::vector<EventRow> events;
  std::vector<NodeRow> nodes;
  SQLite::Statement ev(source,
                       "SELECT seq, kind, recorded_at, actor, leaf, leaf_hash FROM events WHERE "
                       "seq BETWEEN ? AND ? ORDER BY seq");
  ev.bind(1, first);
  ev.bind(2, last);
  const auto blob = [](const SQLite::Column& c) {
    return std::string(static_cast<const char*>(c.getBlob()),
                       static_cast<std::size_t>(c.getBytes()));
  };
  while (ev.executeStep()) {
    events.push_back({ev.getColumn(0).getInt64(), ev.getColumn(1).getString(),
                      ev.getColumn(2).getString(), ev.getColumn(3).getString(),
                      blob(ev.getColumn(4)), blob(ev.getColumn(5))});
  }
  // Event seq completes the perfect nodes (L, seq / 2^L − 1) for L = 1 .. ctz(seq).
  SQLite::Statement nd(source, "SELECT hash FROM tree_nodes WHERE level = ? AND idx = ?");
  for (const auto& e : events) {
    const auto seq = static_cast<std::uint64_t>(e.seq);
    for (unsigned level = 1; level <= static_cast<unsigned>(std::countr_zero(seq)); ++level) {
      const auto idx = static_cast<std::int64_t>((seq >> level) - 1);
      nd.bind(1, static_cast<std::int64_t>(level));
      nd.bind(2, idx);
      if (!nd.executeStep()) throw std::runtime_error("tree node missing");
      nodes.push_back({static_cast<std::int64_t>(level), idx, blob(nd.getColumn(0))});
      nd.reset();
    }
  }
  SQLite::Statement insert_event(bare,
                                 "INSERT INTO events (seq, kind, recorded_at, actor, leaf, "
                                 "leaf_hash) VALUES (?, ?, ?, ?, ?, ?)");
  SQLite::Statement insert_node(bare, "INSERT INTO tree_nodes (level, idx, hash) VALUES (?, ?, ?)");
  const double cpu0 = cpu_seconds();
  const auto t0 = qb::Clock::now();
  std::size_t next_node = 0;
  for (const auto& e : events) {
    insert_event.bind(1, e.seq);
    insert_event.bind(2, e.kind);
    insert_event.bind(3, e.recorded_at);
    insert_event.bind(4, e.actor);
    insert_event.bind(5, e.leaf.data(), static_cast<int>(e.leaf.size()));
    insert_event.bind(6, e.leaf_hash.data(), static_cast<int>(e.leaf_hash.size()));
    insert_event.exec();
    insert_event.reset();
    const auto seq = static_cast<std::uint64_t>(e.seq);
    for (int n = std::countr_zero(seq); n > 0; --n, ++next_node) {
      const NodeRow& node = nodes[next_node];
      insert_node.bind(1, node.level);
      insert_node.bind(2, node.idx);
      insert_node.bind(3, node.hash.data(), static_cast<int>(node.hash.size()));
      insert_node.exec();
      insert_node.reset();
    }
  }
  return {qb::seconds_since(t0), cpu_seconds() - cpu0};
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const qb::Flags flags(argc, argv);
    const std::uint64_t rows = flags.u64("--rows", 1000000);
    const std::uint64_t entities = flags.u64("--entities", 1000);
    if (rows == 0 || entities == 0 || entities > 9999999) {
      throw std::invalid_argument("--rows and --entities must be at least 1");
    }
    qb::TempDir dir("qledger-import-bench");
    if (flags.has("--keep")) dir.keep();
    qb::print_machine();

    const std::string entities_csv = dir.file("entities.csv");
    const std::string inspections_csv = dir.file("inspections.csv");
    write_entities_csv(entities_csv, entities);
    write_inspections_csv(inspections_csv, rows, entities);
    const auto csv_bytes = std::filesystem::file_size(inspections_csv);
    std::printf("%s inspection rows, %s bytes of CSV (%.0f bytes/row), %s entities; files in %s\n",
                qb::fmt_rate(static_cast<double>(rows)).c_str(),
                qb::fmt_rate(static_cast<double>(csv_bytes)).c_str(),
                static_cast<double>(csv_bytes) / static_cast<double>(rows),
                qb::fmt_rate(static_cast<double>(entities)).c_str(), dir.path().c_str());
    std::fflush(stdout);

    // 2. Reading only.
    std::uint64_t read_rows = 0;
    const Phase read = timed([&] {
      std::ifstream in(inspections_csv, std::ios::binary);
      const auto& schema = qledger::EventSchema::builtin();
      qledger::ImportReader reader(in, schema, *schema.find("inspection.recorded"), "bench",
                                   qledger::EncodingChoice::kAuto);
      while (auto row = reader.next()) {
        if (!row->problems.empty() || !row->request) throw std::runtime_error("bad row");
        ++read_rows;
      }
    });

    // 3. The import through the domain rules.
    const std::string ledger_path = dir.file("ledger.db");
    qb::create_ledger(ledger_path);
    qledger::ImportResult imported;
    std::uint64_t events_before = 0;
    {
      const auto ledger = qledger::open_domain_ledger(ledger_path);
      import_file(*ledger, entities_csv, "entity.registered");
      events_before = ledger->head().size;
      std::printf("registered %s entities by CSV import\n",
                  qb::fmt_rate(static_cast<double>(events_before)).c_str());
      std::fflush(stdout);
    }
    const Phase domain = timed([&] {
      const auto ledger = qledger::open_domain_ledger(ledger_path);
      imported = import_file(*ledger, inspections_csv, "inspection.recorded");
    });
    if (imported.requests != rows) throw std::runtime_error("not every row was imported");

    // 4. The same rows into a ledger without the domain applier.
    const std::string core_path = dir.file("core.db");
    qb::create_ledger(core_path);
    const Phase core = timed([&] {
      qledger::Ledger ledger(core_path);
      import_file(ledger, inspections_csv, "inspection.recorded");
    });

    // 5. Bare SQLite: the rows phase 3 wrote, in one transaction.
    const std::string bare_path = dir.file("bare.db");
    double bare_insert = 0, bare_commit = 0;
    Phase bare{};
    {
      SQLite::Database source(ledger_path, SQLite::OPEN_READONLY);
      SQLite::Database db(bare_path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 10000);
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA synchronous = FULL");
      for (const auto& m : qledger::schema_migrations()) db.exec(std::string(m.sql));
      ::sync();
      db.exec("BEGIN IMMEDIATE");
      const auto first = static_cast<std::int64_t>(imported.first_seq);
      const auto last = static_cast<std::int64_t>(imported.last_seq);
      for (std::int64_t from = first; from <= last; from += 100000) {
        const Phase chunk = copy_chunk(source, db, from, std::min(last, from + 99999));
        bare_insert += chunk.wall;
        bare.cpu += chunk.cpu;
      }
      const double cpu0 = cpu_seconds();
      const auto c0 = qb::Clock::now();
      db.exec("COMMIT");
      bare_commit = qb::seconds_since(c0);
      bare.cpu += cpu_seconds() - cpu0;
      bare.wall = bare_insert + bare_commit;
    }

    const double n = static_cast<double>(rows);
    const auto rate = [&](const Phase& p) { return qb::fmt_rate(n / p.wall); };
    const auto cpu_us = [&](const Phase& p) { return qb::fmt("%.1f", p.cpu / n * 1e6); };
    std::printf(
        "\n| phase | wall s | rows/s | CPU µs/row (all threads) |\n|---|---:|---:|---:|\n"
        "| read only: CSV parse + convert, no ledger | %.2f | %s | %s |\n"
        "| **import** (import_csv, domain rules, one append_all) | %.2f | **%s** | %s |\n"
        "| core only (import_csv into a ledger without the domain applier) | %.2f | %s | %s |\n"
        "| bare SQLite: same events + tree_nodes rows, one transaction | %.2f | %s | %s |\n",
        read.wall, rate(read).c_str(), cpu_us(read).c_str(), domain.wall, rate(domain).c_str(),
        cpu_us(domain).c_str(), core.wall, rate(core).c_str(), cpu_us(core).c_str(), bare.wall,
        rate(bare).c_str(), cpu_us(bare).c_str());
    std::printf("\nbare: %.2f s inserting, %.2f s in COMMIT\n", bare_insert, bare_commit);
    const double ratio = bare.wall / domain.wall;
    std::printf("import / bare = %.3f (goal ≥ 0.7: %s); import rows/s %s (goal ≥ 150,000: %s)\n",
                ratio, qb::met(ratio >= 0.7).c_str(), rate(domain).c_str(),
                qb::met(n / domain.wall >= 150000).c_str());
    std::printf("core-only / bare = %.3f; domain rules and projections: %.1f µs CPU per row\n",
                bare.wall / core.wall, (domain.cpu - core.cpu) / n * 1e6);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "import_bench: %s\n", e.what());
    return 1;
  }
}
