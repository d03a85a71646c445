// Shared by import_bench and national_bench: process CPU time, timed phases, and the bare-SQLite
// baseline — the events and tree_nodes rows a ledger holds, read back in chunks (not timed) and
// inserted with plain SQLiteCpp prepared statements into a fresh file with the same schema, WAL,
// synchronous=FULL, in one transaction.
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

// Inserts rows [first, last] of `source` into `bare` inside its open transaction; returns the
// time spent inserting (reading them is not timed).
inline Phase copy_chunk(SQLite::Database& source, SQLite::Database& bare, std::int64_t first,
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
  const auto t0 = Clock::now();
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
  SQLite::Database db(bare_path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 10000);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  for (const auto& m : qledger::schema_migrations()) db.exec(std::string(m.sql));
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
