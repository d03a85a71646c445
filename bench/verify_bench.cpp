// Full-verification speed against raw SHA-256, and proof latency, on a ledger of N events.
//
//   verify_bench [--events 1000000] [--proofs 1000] [--window 16384] [--db PATH] [--keep]
//
// 1. Builds a fresh ledger of --events events under $TMPDIR (default /tmp) from one thread
//    keeping --window append_async futures outstanding (build time is printed, not measured
//    against a goal). With --db PATH an existing ledger is used instead (nothing is built).
// 2. Times verify_ledger() over it (twice; the faster, warm-cache run is reported) and, in the
//    same process, raw SHA-256: Sha256::leaf_hash over the same leaf bytes, read into memory
//    first. Reports events/s and the ratio verify/raw (goals: >= 0.6x and >= 1.5M events/s).
//    Then times the verifier's parts separately (events scan, leaf hash, decode_leaf, Merkle
//    recomputation, tree_nodes scan) to show where its time goes.
// 3. Times --proofs random inclusion proofs and --proofs random consistency proofs through
//    Ledger (random sizes, and against the head), goal <= 1 ms per proof, and counts the rows
//    each one reads (the same proof functions over a counting node source; +1 row for the head
//    lookup Ledger does first).
// 10M events (--events 10000000) takes a few minutes to build and about 4 GB of disk.
#include "bench_common.hpp"

#include "qledger/leaf.hpp"
#include "qledger/merkle.hpp"
#include "qledger/verifier.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstring>
#include <deque>
#include <future>
#include <random>

namespace qb = qledger::bench;
using qledger::Hash;

namespace {

double build_ledger(const std::string& path, std::uint64_t events, std::size_t window) {
  qb::create_ledger(path);
  qledger::Ledger ledger(path);
  const auto t0 = qb::Clock::now();
  std::deque<std::future<qledger::Receipt>> pending;
  std::uint64_t done = 0;
  for (std::uint64_t n = 0; n < events; ++n) {
    pending.push_back(ledger.append_async(qb::sample_request(static_cast<unsigned>(n % 8), n)));
    if (pending.size() >= window) {
      pending.front().get();
      pending.pop_front();
      if (++done % 1000000 == 0) {
        std::fprintf(stderr, "  built %llu events (%.0f s)\n", static_cast<unsigned long long>(done),
                     qb::seconds_since(t0));
      }
    }
  }
  while (!pending.empty()) {
    pending.front().get();
    pending.pop_front();
  }
  return qb::seconds_since(t0);
}

// The leaf bytes of every event, back to back, and where each one starts.
struct Leaves {
  std::string bytes;
  std::vector<std::size_t> offsets;  // offsets.size() == count + 1
  std::size_t count() const { return offsets.size() - 1; }
  std::string_view operator[](std::size_t i) const {
    return std::string_view(bytes).substr(offsets[i], offsets[i + 1] - offsets[i]);
  }
};

Leaves read_leaves(SQLite::Database& db) {
  Leaves leaves;
  leaves.offsets.push_back(0);
  SQLite::Statement q(db, "SELECT leaf FROM events ORDER BY seq");
  while (q.executeStep()) {
    const SQLite::Column c = q.getColumn(0);
    leaves.bytes.append(static_cast<const char*>(c.getBlob()), static_cast<std::size_t>(c.getBytes()));
    leaves.offsets.push_back(leaves.bytes.size());
  }
  return leaves;
}

// Best of `runs` timings of fn().
template <typename Fn>
double best_of(int runs, Fn&& fn) {
  double best = 1e300;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = qb::Clock::now();
    fn();
    best = std::min(best, qb::seconds_since(t0));
  }
  return best;
}

// Same queries as the library's SQLite node source, counting the rows it reads.
class CountingNodeSource : public qledger::NodeSource {
 public:
  explicit CountingNodeSource(SQLite::Database& db)
      : leaf_(db, "SELECT leaf_hash FROM events WHERE seq = ?"),
        node_(db, "SELECT hash FROM tree_nodes WHERE level = ? AND idx = ?") {}
  Hash perfect_node(unsigned level, std::uint64_t index) const override {
    ++reads;
    SQLite::Statement& stmt = level == 0 ? leaf_ : node_;
    stmt.reset();
    if (level == 0) {
      stmt.bind(1, static_cast<std::int64_t>(index + 1));
    } else {
      stmt.bind(1, static_cast<std::int64_t>(level));
      stmt.bind(2, static_cast<std::int64_t>(index));
    }
    if (!stmt.executeStep()) throw std::runtime_error("missing node");
    Hash h{};
    std::memcpy(h.data(), stmt.getColumn(0).getBlob(), h.size());
    return h;
  }
  mutable std::uint64_t reads = 0;

 private:
  mutable SQLite::Statement leaf_;
  mutable SQLite::Statement node_;
};

struct ProofCase {
  std::uint64_t a;  // seq (inclusion) or old size (consistency)
  std::uint64_t b;  // tree size / new size
};

struct ProofStats {
  double mean_us = 0, p50_us = 0, p99_us = 0, max_us = 0;
  double rows_mean = 0;
  std::uint64_t rows_max = 0;
};

double pct(std::vector<double> v, double p) {
  const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

template <typename Prove, typename Count>
ProofStats time_proofs(const std::vector<ProofCase>& cases, Prove&& prove, Count&& count) {
  ProofStats s;
  std::vector<double> us;
  us.reserve(cases.size());
  std::size_t sink = 0;
  for (const ProofCase& c : cases) {
    const auto t0 = qb::Clock::now();
    sink += prove(c).size();
    us.push_back(std::chrono::duration<double, std::micro>(qb::Clock::now() - t0).count());
  }
  if (sink == static_cast<std::size_t>(-1)) std::puts("");  // keep the results alive
  double total = 0;
  for (double u : us) total += u;
  s.mean_us = total / static_cast<double>(us.size());
  s.p50_us = pct(us, 0.5);
  s.p99_us = pct(us, 0.99);
  s.max_us = *std::max_element(us.begin(), us.end());
  std::uint64_t rows_total = 0;
  for (const ProofCase& c : cases) {
    const std::uint64_t rows = count(c) + 1;  // + the head lookup
    rows_total += rows;
    s.rows_max = std::max(s.rows_max, rows);
  }
  s.rows_mean = static_cast<double>(rows_total) / static_cast<double>(cases.size());
  return s;
}

void print_proof_row(const char* what, const char* sizes, std::size_t count, const ProofStats& s) {
  std::printf("| %s | %s | %zu | %.1f | %.1f | %.1f | %.1f | %.1f / %llu | %s |\n", what, sizes,
              count, s.mean_us, s.p50_us, s.p99_us, s.max_us, s.rows_mean,
              static_cast<unsigned long long>(s.rows_max), qb::met(s.p99_us <= 1000).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const qb::Flags flags(argc, argv);
    std::uint64_t events = flags.u64("--events", 1000000);
    const std::size_t proofs = flags.u64("--proofs", 1000);
    const std::size_t window = flags.u64("--window", 16384);
    const std::string given_db = flags.str("--db", "");
    qb::TempDir dir("qledger-verify-bench");
    if (flags.has("--keep") || !given_db.empty()) dir.keep();
    if (events == 0 || proofs == 0 || window == 0) throw std::invalid_argument("zero-sized flag");
    qb::print_machine();

    std::string path = given_db;
    double build_seconds = 0;
    if (path.empty()) {
      path = dir.file("ledger.db");
      std::printf("building %llu events in %s ...\n", static_cast<unsigned long long>(events),
                  path.c_str());
      std::fflush(stdout);
      build_seconds = build_ledger(path, events, window);
      std::printf("built in %.1f s (%s appends/s, %zu outstanding futures)\n", build_seconds,
                  qb::fmt_rate(static_cast<double>(events) / build_seconds).c_str(), window);
    } else {
      std::filesystem::remove_all(dir.path());
    }

    // --- verification vs raw SHA-256 -------------------------------------------------------
    qledger::VerifyReport report;
    const double verify_seconds =
        best_of(2, [&] { report = qledger::verify_ledger(path, qledger::VerifyOptions{}); });
    if (!report.intact()) {
      throw std::runtime_error("verify_ledger did not find the ledger intact: " +
                               (report.problems.empty() ? report.io_message
                                                        : report.problems.front().message));
    }
    events = report.events_checked;

    SQLite::Database db(path, SQLite::OPEN_READONLY);
    const Leaves leaves = read_leaves(db);
    if (leaves.count() != events) throw std::runtime_error("leaf count differs from verify");
    qledger::Sha256 hasher;
    std::vector<Hash> leaf_hashes(leaves.count());
    const double sha_seconds = best_of(3, [&] {
      for (std::size_t i = 0; i < leaves.count(); ++i) leaf_hashes[i] = hasher.leaf_hash(leaves[i]);
    });

    const double n = static_cast<double>(events);
    const double verify_rate = n / verify_seconds;
    const double sha_rate = n / sha_seconds;
    const double ratio = verify_rate / sha_rate;
    std::printf("\nleaves: %llu, %.0f bytes on average; database %.0f MB\n\n",
                static_cast<unsigned long long>(events),
                static_cast<double>(leaves.bytes.size()) / n,
                static_cast<double>(std::filesystem::file_size(path)) / 1e6);
    std::printf(
        "| events | verify_ledger s | verify events/s | raw SHA-256 events/s | verify/raw | ≥ 0.6× | "
        "≥ 1.5M events/s |\n|---:|---:|---:|---:|---:|---|---|\n");
    std::printf("| %llu | %.2f | %s | %s | %.3f | %s | %s |\n\n",
                static_cast<unsigned long long>(events), verify_seconds,
                qb::fmt_rate(verify_rate).c_str(), qb::fmt_rate(sha_rate).c_str(), ratio,
                qb::met(ratio >= 0.6).c_str(), qb::met(verify_rate >= 1.5e6).c_str());

    // --- where verification spends its time (each part timed alone, best of 2) --------------
    const double scan_seconds = best_of(2, [&] {
      SQLite::Statement rows(db,
                             "SELECT seq, kind, recorded_at, actor, leaf, leaf_hash FROM events "
                             "ORDER BY seq");
      std::size_t sink = 0;
      while (rows.executeStep()) {
        sink += static_cast<std::size_t>(rows.getColumn(0).getInt64());
        sink += rows.getColumn(1).getString().size() + rows.getColumn(2).getString().size() +
                rows.getColumn(3).getString().size();
        sink += static_cast<std::size_t>(rows.getColumn(4).getBytes());
        sink += static_cast<std::size_t>(rows.getColumn(5).getBytes());
      }
      if (sink == 0) std::puts("");
    });
    const double decode_seconds = best_of(2, [&] {
      qledger::LeafError error;
      for (std::size_t i = 0; i < leaves.count(); ++i) {
        if (!qledger::decode_leaf(leaves[i], error)) throw std::runtime_error("leaf fails decode");
      }
    });
    const double merkle_seconds = best_of(2, [&] {
      qledger::CompactRange range;
      std::size_t nodes = 0;
      for (const Hash& h : leaf_hashes) nodes += range.append(hasher, h).size();
      if (nodes == 0) std::puts("");
    });
    const double nodes_scan_seconds = best_of(2, [&] {
      SQLite::Statement q(db, "SELECT idx, hash FROM tree_nodes WHERE level = ? ORDER BY idx");
      std::size_t sink = 0;
      for (int level = 1; level < 64; ++level) {
        q.reset();
        q.bind(1, level);
        bool any = false;
        while (q.executeStep()) {
          any = true;
          sink += static_cast<std::size_t>(q.getColumn(0).getInt64()) +
                  static_cast<std::size_t>(q.getColumn(1).getBytes());
        }
        if (!any) break;
      }
      if (sink == 0) std::puts("");
    });
    const double parts =
        scan_seconds + sha_seconds + decode_seconds + merkle_seconds + nodes_scan_seconds;
    std::printf("| verifier part (timed alone) | s | µs/event | share of verify_ledger |\n"
                "|---|---:|---:|---:|\n");
    auto part = [&](const char* name, double s) {
      std::printf("| %s | %.2f | %.2f | %.0f%% |\n", name, s, s / n * 1e6,
                  100.0 * s / verify_seconds);
    };
    part("SQLite scan of events (all 6 columns)", scan_seconds);
    part("leaf SHA-256 (raw, in memory)", sha_seconds);
    part("decode_leaf (canonical JSON parse + checks)", decode_seconds);
    part("Merkle recomputation (CompactRange::append)", merkle_seconds);
    part("SQLite scan of tree_nodes (by level)", nodes_scan_seconds);
    part("sum of parts", parts);
    part("verify_ledger", verify_seconds);
    std::printf("\n");

    // --- proofs through Ledger ----------------------------------------------------------------
    qledger::Ledger ledger(path);
    const std::uint64_t size = ledger.head().size;
    std::mt19937_64 rng(20261127);
    auto uniform = [&](std::uint64_t lo, std::uint64_t hi) {
      return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng);
    };
    std::vector<ProofCase> incl_random, incl_head, cons_random, cons_head;
    for (std::size_t i = 0; i < proofs; ++i) {
      const std::uint64_t seq = uniform(1, size);
      incl_random.push_back({seq, uniform(seq, size)});
      incl_head.push_back({uniform(1, size), size});
      const std::uint64_t old_size = uniform(1, size);
      cons_random.push_back({old_size, uniform(old_size, size)});
      cons_head.push_back({uniform(1, size), size});
    }
    // Sanity, untimed: a few proofs check against the ledger's roots.
    for (std::size_t i = 0; i < std::min<std::size_t>(proofs, 20); ++i) {
      const auto [seq, tree] = incl_random[i];
      const auto ev = ledger.event(seq);
      if (!ev || !qledger::verify_inclusion(seq - 1, tree, ev->leaf_hash,
                                            ledger.inclusion_proof(seq, tree),
                                            ledger.root_at(tree))) {
        throw std::runtime_error("inclusion proof does not verify");
      }
      const auto [old_size, new_size] = cons_random[i];
      if (!qledger::verify_consistency(old_size, new_size, ledger.root_at(old_size),
                                       ledger.root_at(new_size),
                                       ledger.consistency_proof(old_size, new_size))) {
        throw std::runtime_error("consistency proof does not verify");
      }
    }
    CountingNodeSource counter(db);
    auto incl = [&](const ProofCase& c) { return ledger.inclusion_proof(c.a, c.b); };
    auto incl_rows = [&](const ProofCase& c) {
      counter.reads = 0;
      qledger::inclusion_proof(counter, c.a - 1, c.b);
      return counter.reads;
    };
    auto cons = [&](const ProofCase& c) { return ledger.consistency_proof(c.a, c.b); };
    auto cons_rows = [&](const ProofCase& c) {
      counter.reads = 0;
      qledger::consistency_proof(counter, c.a, c.b);
      return counter.reads;
    };
    time_proofs(incl_head, incl, incl_rows);  // warm-up: page cache and statement setup
    std::printf("proofs through Ledger at tree size %llu (%zu each):\n\n",
                static_cast<unsigned long long>(size), proofs);
    std::printf(
        "| proof | sizes | count | mean µs | p50 µs | p99 µs | max µs | rows read (mean / max) | "
        "p99 ≤ 1 ms |\n|---|---|---:|---:|---:|---:|---:|---:|---|\n");
    print_proof_row("inclusion", "random seq, tree = head", proofs,
                    time_proofs(incl_head, incl, incl_rows));
    print_proof_row("inclusion", "random seq, random tree ≥ seq", proofs,
                    time_proofs(incl_random, incl, incl_rows));
    print_proof_row("consistency", "random old, new = head", proofs,
                    time_proofs(cons_head, cons, cons_rows));
    print_proof_row("consistency", "random old ≤ random new", proofs,
                    time_proofs(cons_random, cons, cons_rows));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "verify_bench: %s\n", e.what());
    return 1;
  }
}
