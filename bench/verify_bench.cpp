// Full-verification speed against raw SHA-256, and proof latency, on a ledger of N events.
//
//   verify_bench [--events 1000000] [--proofs 1000] [--window 16384] [--verify-runs 2]
//                [--db PATH] [--keep]
//
// 1. Builds a fresh ledger of --events events under $TMPDIR (default /tmp) from one thread
//    keeping --window append_async futures outstanding (build time is printed, not measured
//    against a goal). With --db PATH an existing ledger is used instead (nothing is built).
// 2. Times verify_ledger() over it (--verify-runs times, default 2; the fastest, warm-cache run
//    is reported, as wall time and as the process's CPU time: the verifier reads on a second
//    thread) and, in the
//    same process, raw SHA-256: Sha256::leaf_hash over the same leaf bytes, read into memory
//    first. Reports events/s and the ratio verify/raw (goals: >= 0.6x and >= 1.5M events/s).
//    Then times the verifier's parts separately (events scan, leaf hash, decode_leaf, Merkle
//    recomputation, tree_nodes scan; over the first 1M events, scaled) and the steps inside
//    decode_leaf (over the first 200k leaves) to show where its time goes.
// 3. Times --proofs random inclusion proofs and --proofs random consistency proofs through
//    Ledger (random sizes, and against the head), goal <= 1 ms per proof, and counts the rows
//    each one reads (the same proof functions over a counting node source; +1 row for the head
//    lookup Ledger does first).
// 10M events (--events 10000000) takes several minutes to build and about 6 GB of disk.
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
        std::fprintf(stderr, "  built %llu events (%.0f s)\n",
                     static_cast<unsigned long long>(done), qb::seconds_since(t0));
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
    leaves.bytes.append(static_cast<const char*>(c.getBlob()),
                        static_cast<std::size_t>(c.getBytes()));
    leaves.offsets.push_back(leaves.bytes.size());
  }
  return leaves;
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
  double mean_us = 0, p50_us = 0, p99_us = 0, max_us = 0, cpu_mean_us = 0;
  double bare_mean_us = 0;  // same proof over one connection with statements prepared once
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
  const double cpu0 = qb::thread_cpu_seconds();
  for (const ProofCase& c : cases) {
    const auto t0 = qb::Clock::now();
    sink += prove(c).size();
    us.push_back(std::chrono::duration<double, std::micro>(qb::Clock::now() - t0).count());
  }
  s.cpu_mean_us = (qb::thread_cpu_seconds() - cpu0) / static_cast<double>(cases.size()) * 1e6;
  if (sink == static_cast<std::size_t>(-1)) std::puts("");  // keep the results alive
  double total = 0;
  for (double u : us) total += u;
  s.mean_us = total / static_cast<double>(us.size());
  s.p50_us = pct(us, 0.5);
  s.p99_us = pct(us, 0.99);
  s.max_us = *std::max_element(us.begin(), us.end());
  std::uint64_t rows_total = 0;
  const auto t0 = qb::Clock::now();
  for (const ProofCase& c : cases) {
    const std::uint64_t rows = count(c) + 1;  // + the head lookup
    rows_total += rows;
    s.rows_max = std::max(s.rows_max, rows);
  }
  s.bare_mean_us = qb::seconds_since(t0) / static_cast<double>(cases.size()) * 1e6;
  s.rows_mean = static_cast<double>(rows_total) / static_cast<double>(cases.size());
  return s;
}

void print_proof_row(const char* what, const char* sizes, std::size_t count, const ProofStats& s) {
  std::printf("| %s | %s | %zu | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f / %llu | %.1f | %s |\n",
              what, sizes, count, s.mean_us, s.cpu_mean_us, s.p50_us, s.p99_us, s.max_us,
              s.rows_mean, static_cast<unsigned long long>(s.rows_max), s.bare_mean_us,
              qb::met(s.mean_us <= 1000).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const qb::Flags flags(argc, argv);
    std::uint64_t events = flags.u64("--events", 1000000);
    const std::size_t proofs = flags.u64("--proofs", 1000);
    const std::size_t window = flags.u64("--window", 16384);
    const std::string given_db = flags.str("--db", "");
    const int verify_runs = static_cast<int>(flags.u64("--verify-runs", 2));
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
    const qb::Span verify = qb::best_of(
        verify_runs, [&] { report = qledger::verify_ledger(path, qledger::VerifyOptions{}); },
        qb::CpuOf::kProcess);
    if (!report.intact()) {
      throw std::runtime_error(
          "verify_ledger did not find the ledger intact: " +
          (report.problems.empty() ? report.io_message : report.problems.front().message));
    }
    events = report.events_checked;

    SQLite::Database db(path, SQLite::OPEN_READONLY);
    const Leaves leaves = read_leaves(db);
    if (leaves.count() != events) throw std::runtime_error("leaf count differs from verify");
    qledger::Sha256 hasher;
    std::vector<Hash> leaf_hashes(leaves.count());
    const qb::Span sha = qb::best_of(3, [&] {
      for (std::size_t i = 0; i < leaves.count(); ++i) leaf_hashes[i] = hasher.leaf_hash(leaves[i]);
    });

    const double n = static_cast<double>(events);
    std::printf("\nleaves: %llu, %.0f bytes on average; database %.0f MB\n\n",
                static_cast<unsigned long long>(events),
                static_cast<double>(leaves.bytes.size()) / n,
                static_cast<double>(std::filesystem::file_size(path)) / 1e6);
    std::printf(
        "| events | clock | verify_ledger s | verify events/s | raw SHA-256 events/s | verify/raw "
        "| ≥ 0.6× | ≥ 1.5M events/s |\n|---:|---|---:|---:|---:|---:|---|---|\n");
    for (const bool cpu : {false, true}) {
      const double v = cpu ? verify.cpu : verify.wall;
      const double r = cpu ? sha.cpu : sha.wall;
      const double ratio = r / v;
      std::printf("| %llu | %s | %.2f | %s | %s | %.3f | %s | %s |\n",
                  static_cast<unsigned long long>(events),
                  cpu ? "CPU (verify: both threads)" : "wall", v, qb::fmt_rate(n / v).c_str(),
                  qb::fmt_rate(n / r).c_str(), ratio, qb::met(ratio >= 0.6).c_str(),
                  qb::met(n / v >= 1.5e6).c_str());
    }
    std::printf("\n");

    // --- where verification spends its time (each part timed alone, best of 2) --------------
    // The parts run over the first `part_count` events (at most 1M) and are scaled to all.
    const std::size_t part_count = std::min<std::size_t>(leaves.count(), 1000000);
    const qb::Span scan = qb::best_of(2, [&] {
      SQLite::Statement rows(db,
                             "SELECT seq, kind, recorded_at, actor, leaf, leaf_hash FROM events "
                             "ORDER BY seq LIMIT ?");
      rows.bind(1, static_cast<std::int64_t>(part_count));
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
    // What the verifier runs per leaf: the one-pass decode_leaf_header.
    const qb::Span decode = qb::best_of(2, [&] {
      qledger::LeafError error;
      qledger::LeafHeader header;
      for (std::size_t i = 0; i < part_count; ++i) {
        if (!qledger::decode_leaf_header(leaves[i], header, error)) {
          throw std::runtime_error("leaf fails decode");
        }
      }
    });
    const qb::Span merkle = qb::best_of(2, [&] {
      qledger::CompactRange range;
      std::size_t nodes = 0;
      for (std::size_t i = 0; i < part_count; ++i)
        nodes += range.append(hasher, leaf_hashes[i]).size();
      if (nodes == 0) std::puts("");
    });
    const qb::Span nodes_scan = qb::best_of(2, [&] {
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
    // Inside decode_leaf, on a sample (up to 200,000 leaves): its steps one by one.
    const std::size_t sample = std::min<std::size_t>(leaves.count(), 200000);
    const qb::Span reference = qb::best_of(2, [&] {
      qledger::LeafError error;
      for (std::size_t i = 0; i < sample; ++i) {
        if (!qledger::decode_leaf_reference(leaves[i], error)) throw std::runtime_error("ref");
      }
    });
    const qb::Span with_payload = qb::best_of(2, [&] {
      qledger::LeafError error;
      for (std::size_t i = 0; i < sample; ++i) {
        if (!qledger::decode_leaf(leaves[i], error)) throw std::runtime_error("decode_leaf");
      }
    });
    std::vector<qledger::Json> parsed(sample);
    const qb::Span plain_parse = qb::best_of(2, [&] {
      for (std::size_t i = 0; i < sample; ++i) parsed[i] = qledger::Json::parse(leaves[i]);
    });
    const qb::Span profile_parse = qb::best_of(2, [&] {
      qledger::CanonicalError error;
      for (std::size_t i = 0; i < sample; ++i) {
        auto v = qledger::parse_profile_json(leaves[i], error, qledger::kMaxLeafBytes);
        if (!v) throw std::runtime_error("leaf fails parse_profile_json");
        parsed[i] = std::move(*v);
      }
    });
    const qb::Span check = qb::best_of(2, [&] {
      for (std::size_t i = 0; i < sample; ++i) {
        if (qledger::check_profile(parsed[i])) throw std::runtime_error("check_profile failed");
      }
    });
    const qb::Span encode = qb::best_of(2, [&] {
      for (std::size_t i = 0; i < sample; ++i) {
        if (qledger::encode_canonical(parsed[i]) != leaves[i]) throw std::runtime_error("!=");
      }
    });
    const qb::Span fields = qb::best_of(2, [&] {
      for (std::size_t i = 0; i < sample; ++i) {
        const auto& v = parsed[i];
        if (qledger::check_leaf_fields(v["kind"].get_ref<const std::string&>(),
                                       v["actor"].get_ref<const std::string&>(), v["payload"])) {
          throw std::runtime_error("check_leaf_fields failed");
        }
      }
    });
    // The sum, for the first part_count events: full-length parts are scaled down to them.
    const double k = static_cast<double>(part_count) / n;
    const qb::Span parts{scan.wall + sha.wall * k + decode.wall + merkle.wall + nodes_scan.wall * k,
                         scan.cpu + sha.cpu * k + decode.cpu + merkle.cpu + nodes_scan.cpu * k};
    std::printf(
        "| verifier part (timed alone, best of 2) | wall s | CPU s | CPU µs/event | share of "
        "verify_ledger CPU |\n|---|---:|---:|---:|---:|\n");
    auto part = [&](const char* name, const qb::Span& s, double count) {
      const double scale = n / count;  // sampled parts are scaled up to all events
      std::printf("| %s | %.2f | %.2f | %.2f | %.0f%% |\n", name, s.wall * scale, s.cpu * scale,
                  s.cpu / count * 1e6, 100.0 * s.cpu * scale / verify.cpu);
    };
    const auto pc = static_cast<double>(part_count);
    part("SQLite scan of events (all 6 columns)", scan, pc);
    part("leaf SHA-256 (raw, in memory)", sha, n);
    part("decode_leaf_header (one-pass scan; what verify_ledger runs)", decode, pc);
    part("Merkle recomputation (CompactRange::append)", merkle, pc);
    part("SQLite scan of tree_nodes (by level)", nodes_scan, n);
    part("sum of the parts above", parts, pc);
    part("verify_ledger", verify, n);
    const auto sampled = static_cast<double>(sample);
    part("decode_leaf (scan + payload DOM via nlohmann parse; not used by verify)", with_payload,
         sampled);
    part("decode_leaf_reference (DOM + re-encode; the verifier's decoder before)", reference,
         sampled);
    part("↳ in decode_leaf_reference: parse_profile_json (SAX to DOM + check_profile)",
         profile_parse, sampled);
    part("↳ in decode_leaf_reference: encode_canonical (check_profile + encode) and compare",
         encode, sampled);
    part("↳ in decode_leaf_reference: check_leaf_fields (check_profile of the payload)", fields,
         sampled);
    part("↳ one check_profile walk of a whole leaf (2× per leaf + 1× payload)", check, sampled);
    part("reference: plain nlohmann::json::parse, no checks", plain_parse, sampled);
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
      if (!ev ||
          !qledger::verify_inclusion(seq - 1, tree, ev->leaf_hash,
                                     ledger.inclusion_proof(seq, tree), ledger.root_at(tree))) {
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
        "| proof | sizes | count | mean µs | mean CPU µs | p50 µs | p99 µs | max µs | rows read "
        "(mean / max) | same reads, statements prepared once: mean µs | mean ≤ 1 ms "
        "|\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
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
