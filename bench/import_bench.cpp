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
//      inserted with plain SQLiteCpp in one transaction on a fresh file with the same schema;
//   6. bare with projections: as 5, plus the rows phase 3 wrote into the projection tables
//      (event_index, report_dates, batches), each event's rows inserted right after it, as the
//      import does: the SQLite floor of what the import writes, without reading or validating.
// Wall time and process CPU time (all threads: the ledger writes on its own thread) per phase.
#include "bare_sqlite.hpp"
#include "bench_common.hpp"

#include "qledger/csv_import.hpp"
#include "qledger/domain_ledger.hpp"
#include "qledger/identifiers.hpp"
#include "qledger/schema_migrations.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <sqlite3.h>
#include <sys/resource.h>

#include <bit>
#include <fstream>
#include <variant>

namespace qb = qledger::bench;

namespace {

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

// The rows of one projection table that events [first, last] wrote, keyed by the seq column that
// names their event, read back into memory in seq order, and inserted again with one prepared
// INSERT of every column.
class ProjectionRows {
 public:
  using Cell = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

  ProjectionRows(SQLite::Database& source, const std::string& table, const std::string& seq_column,
                 std::int64_t first, std::int64_t last) {
    SQLite::Statement q(source, "SELECT " + seq_column + ", * FROM " + table + " WHERE " +
                                    seq_column + " BETWEEN ? AND ? ORDER BY " + seq_column);
    q.bind(1, first);
    q.bind(2, last);
    while (q.executeStep()) {
      Row row{q.getColumn(0).getInt64(), {}};
      for (int i = 1; i < q.getColumnCount(); ++i) {
        const SQLite::Column c = q.getColumn(i);
        if (c.isNull()) {
          row.cells.emplace_back(nullptr);
        } else if (c.isInteger()) {
          row.cells.emplace_back(c.getInt64());
        } else if (c.isFloat()) {
          row.cells.emplace_back(c.getDouble());
        } else if (c.isText()) {
          row.cells.emplace_back(c.getString());
        } else {
          throw std::runtime_error(table + " holds a blob; not expected");
        }
      }
      rows_.push_back(std::move(row));
    }
    const int columns = q.getColumnCount() - 1;
    insert_sql_ = "INSERT INTO " + table + " VALUES (";
    for (int i = 0; i < columns; ++i) insert_sql_ += i == 0 ? "?" : ",?";
    insert_sql_ += ")";
  }

  std::size_t size() const { return rows_.size(); }

  // Inserts, with `insert` (prepared from insert_sql()), the rows of event `seq` not yet inserted.
  void insert_for(SQLite::Statement& insert, std::int64_t seq) {
    for (; next_ < rows_.size() && rows_[next_].seq <= seq; ++next_) {
      const Row& row = rows_[next_];
      for (std::size_t i = 0; i < row.cells.size(); ++i) {
        const int index = static_cast<int>(i + 1);
        std::visit(
            [&](const auto& v) {
              if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::nullptr_t>) {
                insert.bind(index);
              } else {
                insert.bind(index, v);
              }
            },
            row.cells[i]);
      }
      insert.exec();
      insert.reset();
    }
  }
  const std::string& insert_sql() const { return insert_sql_; }
  bool done() const { return next_ == rows_.size(); }

 private:
  struct Row {
    std::int64_t seq;
    std::vector<Cell> cells;
  };
  std::vector<Row> rows_;
  std::string insert_sql_;
  std::size_t next_ = 0;
};

// Phase 6: events [first, last] of the domain ledger at `ledger_path`, their tree nodes and their
// projection rows, inserted into a fresh bare database in one transaction (reading not timed).
qb::Phase copy_with_projections(const std::string& ledger_path, const std::string& bare_path,
                                std::int64_t first, std::int64_t last) {
  SQLite::Database source(ledger_path, SQLite::OPEN_READONLY);
  const qb::LedgerRows rows = qb::read_rows(source, first, last);
  std::vector<ProjectionRows> tables;
  tables.emplace_back(source, "event_index", "seq", first, last);
  tables.emplace_back(source, "report_dates", "seq", first, last);
  tables.emplace_back(source, "batches", "last_seq", first, last);
  if (tables[0].size() != rows.events.size() || tables[2].size() != rows.events.size()) {
    throw std::runtime_error("the projection rows do not match the events");
  }
  SQLite::Database db = qb::open_bare_database(bare_path);
  // The schema's guard trigger on event_index calls this function (a no-op in qledger too).
  if (sqlite3_create_function_v2(
          db.getHandle(), "qledger_writes_report_dates", 0, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
          nullptr, [](sqlite3_context* c, int, sqlite3_value**) { sqlite3_result_null(c); },
          nullptr, nullptr, nullptr) != SQLITE_OK) {
    throw std::runtime_error("cannot register the trigger's function");
  }
  qb::BareInserter insert_events(db, rows);
  std::vector<SQLite::Statement> inserts;
  for (const auto& t : tables) inserts.emplace_back(db, t.insert_sql());
  return qb::timed([&] {
    db.exec("BEGIN IMMEDIATE");
    for (const auto& e : rows.events) {
      insert_events.insert_next(1);
      for (std::size_t t = 0; t < tables.size(); ++t) tables[t].insert_for(inserts[t], e.seq);
    }
    for (const auto& t : tables) {
      if (!t.done()) throw std::runtime_error("projection rows left over");
    }
    db.exec("COMMIT");
  });
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
    const qb::Phase read = qb::timed([&] {
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
    const qb::Phase domain = qb::timed([&] {
      const auto ledger = qledger::open_domain_ledger(ledger_path);
      imported = import_file(*ledger, inspections_csv, "inspection.recorded");
    });
    if (imported.requests != rows) throw std::runtime_error("not every row was imported");

    // 4. The same rows into a ledger without the domain applier.
    const std::string core_path = dir.file("core.db");
    qb::create_ledger(core_path);
    const qb::Phase core = qb::timed([&] {
      qledger::Ledger ledger(core_path);
      import_file(ledger, inspections_csv, "inspection.recorded");
    });

    // 5. Bare SQLite: the rows phase 3 wrote, in one transaction.
    const qb::BareCopy bare_copy = qb::copy_to_bare_sqlite(
        ledger_path, dir.file("bare.db"), static_cast<std::int64_t>(imported.first_seq),
        static_cast<std::int64_t>(imported.last_seq));
    const qb::Phase bare = bare_copy.total;
    const double bare_insert = bare_copy.insert_wall, bare_commit = bare_copy.commit_wall;

    // 6. Bare SQLite with the projection rows too.
    const qb::Phase bare_projected = copy_with_projections(
        ledger_path, dir.file("bare-projected.db"), static_cast<std::int64_t>(imported.first_seq),
        static_cast<std::int64_t>(imported.last_seq));

    const double n = static_cast<double>(rows);
    const auto rate = [&](const qb::Phase& p) { return qb::fmt_rate(n / p.wall); };
    const auto cpu_us = [&](const qb::Phase& p) { return qb::fmt("%.1f", p.cpu / n * 1e6); };
    std::printf(
        "\n| phase | wall s | rows/s | CPU µs/row (all threads) |\n|---|---:|---:|---:|\n"
        "| read only: CSV parse + convert, no ledger | %.2f | %s | %s |\n"
        "| **import** (import_csv, domain rules, one append_all) | %.2f | **%s** | %s |\n"
        "| core only (import_csv into a ledger without the domain applier) | %.2f | %s | %s |\n"
        "| bare SQLite: same events + tree_nodes rows, one transaction | %.2f | %s | %s |\n"
        "| bare SQLite with projections: + event_index, report_dates, batches rows | %.2f | %s | "
        "%s |\n",
        read.wall, rate(read).c_str(), cpu_us(read).c_str(), domain.wall, rate(domain).c_str(),
        cpu_us(domain).c_str(), core.wall, rate(core).c_str(), cpu_us(core).c_str(), bare.wall,
        rate(bare).c_str(), cpu_us(bare).c_str(), bare_projected.wall, rate(bare_projected).c_str(),
        cpu_us(bare_projected).c_str());
    std::printf("\nbare: %.2f s inserting, %.2f s in COMMIT\n", bare_insert, bare_commit);
    const double ratio = bare.wall / domain.wall;
    std::printf("import / bare = %.3f (goal ≥ 0.7: %s); import rows/s %s (goal ≥ 150,000: %s)\n",
                ratio, qb::met(ratio >= 0.7).c_str(), rate(domain).c_str(),
                qb::met(n / domain.wall >= 150000).c_str());
    std::printf("core-only / bare = %.3f; domain rules and projections: %.1f µs CPU per row\n",
                bare.wall / core.wall, (domain.cpu - core.cpu) / n * 1e6);
    std::printf("import / bare with projections = %.3f (the SQLite floor of every row it writes)\n",
                bare_projected.wall / domain.wall);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "import_bench: %s\n", e.what());
    return 1;
  }
}
