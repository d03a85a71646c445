// A large, real ledger for benchmarks, generated quickly and cached (not a benchmark itself:
// CMake builds only bench/*.cpp).
//
// The events are the demo county history (DemoHistory: its event shapes, registry, re-tests,
// corrections and voids) at a chosen scale and start date, ending 2026-10-31. They are written
// through Ledger::append_all (leaf encoding, hash chain, Merkle nodes: the file verifies with
// `qledger verify`).
//
// THE DOMAIN VALIDATOR IS BYPASSED: it runs at ~1-2k events/s on this machine, and so does
// project_event, which re-folds each event's record (10M events: hours). By default
// (Projection::kIndex) only event_index is written, with project_event's own rule, and the
// report_dates trigger of schema 0003 fills report_dates as on any append: exactly the tables a
// report reads. kFull and kValidated run the library's projection (and validation) code for
// comparison: same_index_tables() checks that kIndex and kValidated give identical event_index
// and report_dates rows, which also shows the generator's events pass the domain rules.
//
// CACHED: the file is built as PATH.partial and renamed to PATH when complete, with PATH.json
// beside it (options, event count, the tree size at each month's end). A complete file is
// reused as is.
#pragma once

#include "qledger/demo_history.hpp"
#include "qledger/domain_ledger.hpp"
#include "qledger/event_schema.hpp"
#include "qledger/ledger_setup.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

namespace qledger::bench {

// How the generated events reach the tables beside `events`.
enum class Projection {
  // event_index rows only (the report_dates trigger fires as for any append), with the same
  // INSERT and the same record type/key rule as project_event; the current-state tables
  // (entities, batches, complaints …), which reports never read, stay empty. Fast.
  kIndex,
  // project_event, the daemon's own projection code: every table as a daemon would have it.
  kFull,
  // DomainApplier: the domain rules validate every event, then project_event. Slowest.
  kValidated,
};

inline const char* projection_name(Projection p) {
  return p == Projection::kIndex ? "index" : p == Projection::kFull ? "full" : "validated";
}

// Skips the domain validator (except as below) and projects as `projection` says. Complaints
// carrying a complainant always go through DomainApplier::prepare, the library's code that
// moves personal data out of the leaf into personal_data.
class BenchApplier : public EventApplier {
 public:
  explicit BenchApplier(Projection projection)
      : projection_(projection), domain_([] { return CivilDate(2026, 11, 30); }) {}
  void prepare(SQLite::Database& db, Leaf& leaf) override {
    if (projection_ == Projection::kValidated ||
        (leaf.kind == "complaint.received" && leaf.payload.contains("complainant"))) {
      domain_.prepare(db, leaf);
    }
  }
  void project(SQLite::Database& db, const Leaf& leaf) override {
    if (projection_ != Projection::kIndex) return project_event(db, leaf);
    if (db_ != &db) {
      db_ = &db;
      insert_ =
          std::make_unique<SQLite::Statement>(db, "INSERT INTO event_index VALUES (?, ?, ?, ?, ?)");
      target_ = std::make_unique<SQLite::Statement>(
          db, "SELECT record_type, record_key FROM event_index WHERE seq = ?");
    }
    std::string type = record_type_of(leaf.kind);
    std::string key;
    std::optional<std::int64_t> target;
    if (type.empty()) {  // correction or void: the record of its target
      target = leaf.payload.at("target_seq").get<std::int64_t>();
      target_->reset();
      target_->bind(1, *target);
      if (!target_->executeStep()) throw std::runtime_error("amended event is not indexed");
      type = target_->getColumn(0).getString();
      key = target_->getColumn(1).getString();
    } else {
      const KindSpec* spec = EventSchema::builtin().find(leaf.kind);
      if (spec == nullptr) throw std::runtime_error("unknown kind " + leaf.kind);
      const Json& k = leaf.payload.at(spec->aggregate_field);
      key = k.is_string() ? k.get<std::string>() : k.dump();
    }
    insert_->reset();
    insert_->bind(1, static_cast<std::int64_t>(leaf.seq));
    insert_->bind(2, leaf.kind);
    insert_->bind(3, type);
    insert_->bind(4, key);
    if (target) {
      insert_->bind(5, *target);
    } else {
      insert_->bind(5);
    }
    insert_->exec();
  }

 private:
  Projection projection_;
  DomainApplier domain_;
  SQLite::Database* db_ = nullptr;
  std::unique_ptr<SQLite::Statement> insert_, target_;
};

struct LargeLedgerOptions {
  int scale = 80;
  CivilDate start{2000, 1, 1};  // DemoHistory starts in 2000 at the earliest
  CivilDate end{2026, 10, 31};
  std::uint64_t seed = 1;
  Projection projection = Projection::kIndex;
  std::uint64_t chunk = 200000;  // events per append_all transaction
};

struct LargeLedger {
  std::string path;
  std::uint64_t events = 0;
  double build_seconds = 0;  // 0 when reused from the cache
  // "YYYY-MM" → the last seq before the first batch sampled in the next month: the tree size at
  // which that month's sampling had ended (the head of a ledger that stopped at month end).
  std::map<std::string, std::uint64_t> month_end_size;
};

inline std::string large_ledger_name(const LargeLedgerOptions& o) {
  return "demo-s" + std::to_string(o.scale) + "-" + o.start.to_string() + "-" + o.end.to_string() +
         "-seed" + std::to_string(o.seed) + "-" + projection_name(o.projection) + ".db";
}

inline LargeLedger read_large_ledger_meta(const std::string& path) {
  std::ifstream in(path + ".json");
  std::stringstream text;
  text << in.rdbuf();
  const Json meta = Json::parse(text.str());
  LargeLedger l;
  l.path = path;
  l.events = meta.at("events").get<std::uint64_t>();
  for (const auto& [month, size] : meta.at("month_end_size").items()) {
    l.month_end_size[month] = size.get<std::uint64_t>();
  }
  return l;
}

// Returns the ledger at DIR/large_ledger_name(options), building it first if absent.
// `progress` gets (events so far, seconds so far) after each transaction.
template <typename Progress>
LargeLedger large_ledger(const std::string& dir, const LargeLedgerOptions& options,
                         Progress&& progress) {
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/" + large_ledger_name(options);
  if (std::filesystem::exists(path) && std::filesystem::exists(path + ".json")) {
    return read_large_ledger_meta(path);
  }
  const std::string partial = path + ".partial";
  for (const char* suffix : {"", "-wal", "-shm", ".key"}) {
    std::filesystem::remove(partial + suffix);
  }
  init_ledger(partial, partial + ".key", "qledger.bench/large");
  const auto started = std::chrono::steady_clock::now();
  DemoOptions demo;
  demo.seed = options.seed;
  demo.scale = options.scale;
  demo.start = options.start;
  demo.end = options.end;
  DemoHistory history(demo);
  LargeLedger result;
  std::string month;  // month of the latest batch sampling date seen
  {
    LedgerOptions lo;
    Ledger ledger(partial, lo, std::make_shared<BenchApplier>(options.projection));
    bool done = false;
    while (!done) {
      std::uint64_t in_chunk = 0;
      const BulkResult r = ledger.append_all([&]() -> std::optional<AppendRequest> {
        if (in_chunk == options.chunk) return std::nullopt;
        auto request = history.next();
        if (!request) {
          done = true;
          return std::nullopt;
        }
        ++in_chunk;
        if (request->kind == "inspection.recorded") {
          const std::string m = request->payload.value("sampling_date", "").substr(0, 7);
          if (m > month) {
            if (!month.empty()) result.month_end_size[month] = history.produced() - 1;
            month = m;
          }
        }
        return request;
      });
      if (!r.committed && r.total > 0) {
        std::string first;
        if (!r.rejected.empty() && !r.rejected.front().second.empty()) {
          const FieldProblem& p = r.rejected.front().second.front();
          first = " first: request " + std::to_string(r.rejected.front().first) + " " + p.field +
                  " " + p.code + " " + p.message_en;
        }
        throw std::runtime_error("generated history refused (" + std::to_string(r.rejected_count) +
                                 " rejections)" + first);
      }
      // Keep the WAL small: without this it holds the whole history until the end (GBs).
      open_ledger_database(partial, false, 5000)->exec("PRAGMA wal_checkpoint(TRUNCATE)");
      progress(history.produced(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
  }
  if (!month.empty()) result.month_end_size[month] = history.produced();
  result.path = path;
  result.events = history.produced();
  result.build_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  {
    // Checkpoint the WAL into the file so the cached copy is one self-contained file.
    auto db = open_ledger_database(partial, false, 5000);
    db->exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  std::filesystem::rename(partial + ".key", path + ".key");
  std::filesystem::rename(partial, path);
  for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(partial + suffix);
  Json meta = Json::object();
  meta["events"] = result.events;
  meta["scale"] = options.scale;
  meta["start"] = options.start.to_string();
  meta["end"] = options.end.to_string();
  meta["seed"] = options.seed;
  meta["projection"] = projection_name(options.projection);
  meta["build_seconds"] = static_cast<std::int64_t>(result.build_seconds);
  Json months = Json::object();
  for (const auto& [m, size] : result.month_end_size) months[m] = size;
  meta["month_end_size"] = months;
  std::ofstream(path + ".json") << meta.dump(1) << "\n";
  return result;
}

// Any existing ledger (for instance a .partial file whose generation was stopped: every
// committed transaction is a valid prefix of the history). Month ends come from report_dates:
// the tree size just before the first batch sampled in the next month; the last month, which
// may be incomplete, is left out.
inline LargeLedger existing_ledger(const std::string& path) {
  auto db = open_ledger_database(path, true, 5000);
  LargeLedger l;
  l.path = path;
  l.events = static_cast<std::uint64_t>(
      db->execAndGet("SELECT COALESCE(MAX(seq), 0) FROM events").getInt64());
  SQLite::Statement q(*db,
                      "SELECT substr(business_date, 1, 7), MIN(seq) FROM report_dates WHERE "
                      "record_type = 'batch' GROUP BY 1 ORDER BY 1");
  std::string previous;
  while (q.executeStep()) {
    const std::string month = q.getColumn(0).getString();
    const auto first = static_cast<std::uint64_t>(q.getColumn(1).getInt64());
    if (!previous.empty()) l.month_end_size[previous] = first - 1;
    previous = month;
  }
  return l;
}

// Empty when event_index and report_dates hold the same rows in both files, else the first
// difference.
inline std::string same_index_tables(const std::string& a, const std::string& b) {
  auto da = open_ledger_database(a, true, 5000);
  auto db = open_ledger_database(b, true, 5000);
  for (const char* sql :
       {"SELECT seq, kind, record_type, record_key, COALESCE(target_seq, 0) FROM event_index "
        "ORDER BY seq",
        "SELECT record_type, business_date, record_key, seq, 0 FROM report_dates ORDER BY "
        "record_type, business_date, record_key, seq"}) {
    SQLite::Statement qa(*da, sql);
    SQLite::Statement qb(*db, sql);
    std::uint64_t row = 0;
    while (true) {
      const bool ha = qa.executeStep();
      const bool hb = qb.executeStep();
      if (ha != hb) return std::string(sql) + ": row counts differ at row " + std::to_string(row);
      if (!ha) break;
      for (int c = 0; c < 5; ++c) {
        if (qa.getColumn(c).getString() != qb.getColumn(c).getString()) {
          return std::string(sql) + ": row " + std::to_string(row) + " column " +
                 std::to_string(c) + ": " + qa.getColumn(c).getString() +
                 " != " + qb.getColumn(c).getString();
        }
      }
      ++row;
    }
  }
  return "";
}

}  // namespace qledger::bench
