// Shared by import_bench, national_bench and append_bench: process CPU time, timed phases, and
// the bare-SQLite baseline — the events and tree_nodes rows a ledger holds, read back (not timed)
// and inserted with plain SQLiteCpp prepared statements into a fresh file with the same schema,
// WAL, synchronous=FULL: in one transaction, 100,000 rows read at a time (copy_to_bare_sqlite),
// or in transactions of the caller's choosing (read_rows, open_bare_database, BareInserter).
#pragma once

#include "bench_common.hpp"

#include "qledger/schema_migrations.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace qledger::bench {

// User + system CPU seconds of the whole process (every thread: the ledger writes on its own).
inline double cpu_seconds() {
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
inline Phase timed(Fn&& fn) {
  ::sync();  // start without the previous phase's dirty pages in flight
  const double cpu0 = cpu_seconds();
  const auto t0 = Clock::now();
  fn();
  return {seconds_since(t0), cpu_seconds() - cpu0};
}

struct EventRow {
  std::int64_t seq;
  std::string kind, recorded_at, actor, leaf, leaf_hash;
};

struct NodeRow {
  std::int64_t level, idx;
  std::string hash;
};

// The rows a ledger wrote for a range of events: the events rows, and the tree_nodes rows each
// event completes, in event order (event seq completes ctz(seq) nodes).
struct LedgerRows {
  std::vector<EventRow> events;
  std::vector<NodeRow> nodes;
};

// Reads events [first, last] of `source` and the tree nodes they complete.
inline LedgerRows read_rows(SQLite::Database& source, std::int64_t first, std::int64_t last) {
  LedgerRows rows;
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
    rows.events.push_back({ev.getColumn(0).getInt64(), ev.getColumn(1).getString(),
                           ev.getColumn(2).getString(), ev.getColumn(3).getString(),
                           blob(ev.getColumn(4)), blob(ev.getColumn(5))});
  }
  // Event seq completes the perfect nodes (L, seq / 2^L − 1) for L = 1 .. ctz(seq).
  SQLite::Statement nd(source, "SELECT hash FROM tree_nodes WHERE level = ? AND idx = ?");
  for (const auto& e : rows.events) {
    const auto seq = static_cast<std::uint64_t>(e.seq);
    for (unsigned level = 1; level <= static_cast<unsigned>(std::countr_zero(seq)); ++level) {
      const auto idx = static_cast<std::int64_t>((seq >> level) - 1);
      nd.bind(1, static_cast<std::int64_t>(level));
      nd.bind(2, idx);
      if (!nd.executeStep()) throw std::runtime_error("tree node missing");
      rows.nodes.push_back({static_cast<std::int64_t>(level), idx, blob(nd.getColumn(0))});
      nd.reset();
    }
  }
  return rows;
}

// A fresh bare database at `path`: the ledger's schema, WAL, synchronous=FULL, no ledger code.
inline SQLite::Database open_bare_database(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 10000);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  for (const auto& m : qledger::schema_migrations()) db.exec(std::string(m.sql));
  return db;
}

// Plain SQLiteCpp prepared INSERTs of `rows` into a bare database, in order, inside whatever
// transaction the caller has open.
class BareInserter {
 public:
  BareInserter(SQLite::Database& bare, const LedgerRows& rows)
      : rows_(rows),
        insert_event_(bare,
                      "INSERT INTO events (seq, kind, recorded_at, actor, leaf, leaf_hash) "
                      "VALUES (?, ?, ?, ?, ?, ?)"),
        insert_node_(bare, "INSERT INTO tree_nodes (level, idx, hash) VALUES (?, ?, ?)") {}

  // Inserts the next `count` events and the tree nodes they complete.
  void insert_next(std::size_t count) {
    if (count > rows_.events.size() - next_event_) throw std::out_of_range("no more events");
    for (const std::size_t end = next_event_ + count; next_event_ < end; ++next_event_) {
      const EventRow& e = rows_.events[next_event_];
      insert_event_.bind(1, e.seq);
      insert_event_.bind(2, e.kind);
      insert_event_.bind(3, e.recorded_at);
      insert_event_.bind(4, e.actor);
      insert_event_.bind(5, e.leaf.data(), static_cast<int>(e.leaf.size()));
      insert_event_.bind(6, e.leaf_hash.data(), static_cast<int>(e.leaf_hash.size()));
      insert_event_.exec();
      insert_event_.reset();
      const auto seq = static_cast<std::uint64_t>(e.seq);
      for (int n = std::countr_zero(seq); n > 0; --n, ++next_node_) {
        const NodeRow& node = rows_.nodes.at(next_node_);
        insert_node_.bind(1, node.level);
        insert_node_.bind(2, node.idx);
        insert_node_.bind(3, node.hash.data(), static_cast<int>(node.hash.size()));
        insert_node_.exec();
        insert_node_.reset();
      }
    }
  }

  // Every event of the rows inserted.
  bool done() const { return next_event_ == rows_.events.size(); }

 private:
  const LedgerRows& rows_;
  SQLite::Statement insert_event_;
  SQLite::Statement insert_node_;
  std::size_t next_event_ = 0;
  std::size_t next_node_ = 0;
};

// Inserts rows [first, last] of `source` into `bare` inside its open transaction; returns the
// time spent inserting (reading them is not timed).
inline Phase copy_chunk(SQLite::Database& source, SQLite::Database& bare, std::int64_t first,
                        std::int64_t last) {
  const LedgerRows rows = read_rows(source, first, last);
  BareInserter insert(bare, rows);
  const double cpu0 = cpu_seconds();
  const auto t0 = Clock::now();
  insert.insert_next(rows.events.size());
  return {seconds_since(t0), cpu_seconds() - cpu0};
}

struct BareCopy {
  Phase total;  // inserting + COMMIT
  double insert_wall = 0, commit_wall = 0;
};

// Copies events [first, last] (and the tree nodes they complete) of the ledger at `ledger_path`
// into a fresh bare database at `bare_path`, 100,000 rows at a time, in one transaction.
inline BareCopy copy_to_bare_sqlite(const std::string& ledger_path, const std::string& bare_path,
                                    std::int64_t first, std::int64_t last) {
  BareCopy out;
  SQLite::Database source(ledger_path, SQLite::OPEN_READONLY);
  SQLite::Database db = open_bare_database(bare_path);
  ::sync();
  db.exec("BEGIN IMMEDIATE");
  for (std::int64_t from = first; from <= last; from += 100000) {
    const Phase chunk = copy_chunk(source, db, from, std::min(last, from + 99999));
    out.insert_wall += chunk.wall;
    out.total.cpu += chunk.cpu;
  }
  const double cpu0 = cpu_seconds();
  const auto c0 = Clock::now();
  db.exec("COMMIT");
  out.commit_wall = seconds_since(c0);
  out.total.cpu += cpu_seconds() - cpu0;
  out.total.wall = out.insert_wall + out.commit_wall;
  return out;
}

}  // namespace qledger::bench
