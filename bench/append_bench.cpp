// Durable append throughput: T threads each calling Ledger::append (blocking) in a loop, against
// a baseline of bare SQLiteCpp writing the same rows with the same transaction sizes.
//
//   append_bench [--threads 1,8,64] [--seconds 5] [--events N] [--rounds 5] [--keep]
//
// --seconds bounds each run by time (default 5 s); --events N instead runs exactly N appends per
// run (split evenly over the threads). Each configuration is measured in --rounds rounds (default
// 5), each a ledger run next to a bare replay (order alternating), and the medians are printed:
// fsync latency on shared or virtual disks drifts by 2x within seconds, so only paired, repeated
// runs compare fairly. Every database is a fresh file under $TMPDIR (default /tmp), removed after
// its round unless --keep.
//
// The baseline replays, on a fresh database with the same schema, WAL and synchronous=FULL, the
// exact batch sequence the ledger committed (reconstructed from the receipts: every event of a
// batch carries the batch's tree_size, so the distinct tree sizes are the transactions and their
// differences the batch sizes), inserting the same events rows (same leaf bytes) and the same
// tree_nodes rows (bare_sqlite.hpp, the baseline of import_bench and national_bench too). It
// does no leaf encoding, hashing, head lookup or thread hand-off: the ratio ledger/bare is what
// the ledger's own work costs on top of SQLite's durable writes.
#include "bare_sqlite.hpp"
#include "bench_common.hpp"

#include "qledger/merkle.hpp"

#include <SQLiteCpp/Database.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <latch>
#include <mutex>

namespace qb = qledger::bench;

namespace {

struct LedgerRun {
  std::uint64_t events = 0;
  double seconds = 0;
  std::vector<std::uint64_t> batch_sizes;  // in commit order
  std::vector<double> latencies_ms;        // one per append, unordered
};

LedgerRun run_ledger(const std::string& db_path, unsigned threads, double seconds,
                     std::uint64_t fixed_events) {
  qb::create_ledger(db_path);
  qledger::Ledger ledger(db_path);
  std::mutex merge_mutex;
  LedgerRun run;
  std::vector<std::uint64_t> tree_sizes;
  std::latch start(threads + 1);
  std::atomic<bool> failed{false};
  qb::Clock::time_point t0;
  qb::Clock::time_point deadline;
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      const std::uint64_t quota =
          fixed_events == 0 ? UINT64_MAX
                            : fixed_events / threads + (t < fixed_events % threads ? 1 : 0);
      std::vector<std::uint64_t> my_sizes;
      std::vector<double> my_latencies;
      start.arrive_and_wait();
      try {
        for (std::uint64_t n = 0; n < quota; ++n) {
          const auto begin = qb::Clock::now();
          if (fixed_events == 0 && begin >= deadline) break;
          const qledger::Receipt r = ledger.append(qb::sample_request(t, n));
          my_latencies.push_back(
              std::chrono::duration<double, std::milli>(qb::Clock::now() - begin).count());
          my_sizes.push_back(r.tree_size);
        }
      } catch (const std::exception& e) {
        std::fprintf(stderr, "append failed: %s\n", e.what());
        failed = true;
      }
      std::lock_guard lock(merge_mutex);
      tree_sizes.insert(tree_sizes.end(), my_sizes.begin(), my_sizes.end());
      run.latencies_ms.insert(run.latencies_ms.end(), my_latencies.begin(), my_latencies.end());
    });
  }
  t0 = qb::Clock::now();
  deadline =
      t0 + std::chrono::duration_cast<qb::Clock::duration>(std::chrono::duration<double>(seconds));
  start.arrive_and_wait();
  for (auto& w : workers) w.join();
  run.seconds = qb::seconds_since(t0);
  if (failed) throw std::runtime_error("an append failed");
  run.events = tree_sizes.size();
  std::sort(tree_sizes.begin(), tree_sizes.end());
  tree_sizes.erase(std::unique(tree_sizes.begin(), tree_sizes.end()), tree_sizes.end());
  std::uint64_t prev = 0;
  for (const std::uint64_t size : tree_sizes) {
    run.batch_sizes.push_back(size - prev);
    prev = size;
  }
  if (prev != run.events) throw std::runtime_error("receipts do not cover the ledger");
  return run;
}

// Everything the ledger wrote, to replay through bare SQLite.
qb::LedgerRows read_back(const std::string& db_path) {
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  return qb::read_rows(db, 1, INT64_MAX);
}

struct BareRun {
  double seconds = 0;
  double commit_seconds = 0;  // of which inside COMMIT (the WAL fsync, checkpoints)
};

// Bare SQLiteCpp: same schema, pragmas, rows and transaction sizes.
BareRun run_bare(const std::string& db_path, const qb::LedgerRows& rows,
                 const std::vector<std::uint64_t>& batch_sizes) {
  SQLite::Database db = qb::open_bare_database(db_path);
  qb::BareInserter insert(db, rows);
  BareRun run;
  const auto t0 = qb::Clock::now();
  for (const std::uint64_t batch : batch_sizes) {
    db.exec("BEGIN IMMEDIATE");
    insert.insert_next(static_cast<std::size_t>(batch));
    const auto c0 = qb::Clock::now();
    db.exec("COMMIT");
    run.commit_seconds += qb::seconds_since(c0);
  }
  run.seconds = qb::seconds_since(t0);
  if (!insert.done()) throw std::runtime_error("baseline did not replay every event");
  return run;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

// Latency of write(8 KiB) + fdatasync in `dir`: the floor under every durable commit.
std::vector<double> probe_fsync(const std::string& dir, int samples) {
  const std::string path = dir + "/fsync-probe";
  const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + path);
  std::vector<char> block(8192, 'x');
  std::vector<double> ms;
  for (int i = 0; i < samples; ++i) {
    const auto t0 = qb::Clock::now();
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size()) ||
        ::fdatasync(fd) != 0) {
      ::close(fd);
      throw std::runtime_error("write/fdatasync failed in " + dir);
    }
    ms.push_back(std::chrono::duration<double, std::milli>(qb::Clock::now() - t0).count());
  }
  ::close(fd);
  std::filesystem::remove(path);
  return ms;
}

// Context switches (voluntary + involuntary) of this process so far (all threads).
double context_switches() {
  struct rusage u {};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_nvcsw + u.ru_nivcsw);
}

// The per-event CPU work of an append outside SQLite, each step timed alone on one thread over
// 100,000 requests (best of 3): what append_async checks on the caller's thread, and what the
// writer does per event before its INSERTs. The rest of the ledger's CPU column above bare
// SQLite is the thread hand-off (mutex, condition variable, promise/future, context switches).
void print_event_work() {
  constexpr std::size_t kCount = 100000;
  std::vector<qledger::AppendRequest> requests;
  for (std::uint64_t n = 0; n < kCount; ++n) requests.push_back(qb::sample_request(0, n));
  auto per_event = [&](const qb::Span& s) { return s.cpu / kCount * 1e6; };
  auto timed = [&](auto&& body) {
    qb::Span best{1e300, 1e300};
    for (int rep = 0; rep < 3; ++rep) {
      std::vector<qledger::AppendRequest> copy = requests;  // untimed: the writer moves from it
      const qb::Stopwatch watch;
      body(copy);
      const qb::Span s = watch.elapsed();
      best.wall = std::min(best.wall, s.wall);
      best.cpu = std::min(best.cpu, s.cpu);
    }
    return best;
  };
  std::size_t sink = 0;
  const qb::Span build = qb::best_of(3, [&] {
    for (std::uint64_t n = 0; n < kCount; ++n) sink += qb::sample_request(0, n).actor.size();
  });
  const qb::Span check = timed([&](std::vector<qledger::AppendRequest>& rs) {
    for (const auto& r : rs) sink += qledger::check_leaf_fields(r.kind, r.actor, r.payload) ? 1 : 0;
  });
  const qb::Span probe = timed([&](std::vector<qledger::AppendRequest>& rs) {
    for (const auto& r : rs) {
      const qledger::Leaf leaf{static_cast<std::uint64_t>(qledger::kMaxSafeInteger),
                               r.kind,
                               "2000-01-01T00:00:00.000Z",
                               r.actor,
                               r.payload,
                               qledger::kGenesisPrev};
      sink += qledger::encode_leaf(leaf).size();
    }
  });
  const qb::Span writer = timed([&](std::vector<qledger::AppendRequest>& rs) {
    qledger::Sha256 hasher;
    qledger::CompactRange range;
    qledger::Hash prev{};
    const std::string recorded_at = qledger::now_recorded_at();
    for (auto& r : rs) {
      qledger::Leaf leaf;
      leaf.seq = range.size() + 1;
      leaf.kind = r.kind;
      leaf.actor = r.actor;
      leaf.payload = std::move(r.payload);
      leaf.recorded_at = recorded_at;
      leaf.prev = prev;
      const std::string bytes = qledger::encode_leaf(leaf);
      prev = hasher.leaf_hash(bytes);
      sink += range.append(hasher, prev).size();
    }
  });
  if (sink == 0) std::puts("");
  std::printf(
      "\nper-event CPU work outside SQLite (one thread, timed alone):\n\n"
      "| step | where | CPU µs/event |\n|---|---|---:|\n"
      "| build the AppendRequest (benchmark's own cost) | appender thread | %.2f |\n"
      "| check_leaf_fields | appender thread (append_async) | %.2f |\n"
      "| size probe: copy payload into a Leaf + encode_leaf | appender thread (append_async) | "
      "%.2f |\n"
      "| encode_leaf + leaf hash + CompactRange::append | writer thread | %.2f |\n",
      per_event(build), per_event(check), per_event(probe), per_event(writer));
}

void remove_db(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", ".key"}) std::filesystem::remove(path + suffix);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const qb::Flags flags(argc, argv);
    const std::vector<unsigned> thread_counts = flags.list("--threads", {1, 8, 64});
    const double seconds = flags.real("--seconds", 5.0);
    const std::uint64_t fixed_events = flags.u64("--events", 0);
    const auto rounds = static_cast<unsigned>(flags.u64("--rounds", 5));
    const bool keep = flags.has("--keep");
    if (rounds == 0) throw std::invalid_argument("--rounds: need at least 1");
    qb::TempDir dir("qledger-append-bench");
    if (keep) dir.keep();

    qb::print_machine();
    std::printf(
        "databases in %s; %s per run, %u rounds (a ledger run and a bare replay, order "
        "alternating) per configuration; medians shown\n",
        dir.path().c_str(),
        fixed_events ? (std::to_string(fixed_events) + " events").c_str()
                     : (qb::fmt("%.1f", seconds) + " s").c_str(),
        rounds);
    const std::vector<double> fsync_ms = probe_fsync(dir.path(), 200);
    std::printf("write(8 KiB)+fdatasync latency here: p10 %.2f ms, p50 %.2f ms, p90 %.2f ms\n\n",
                percentile(fsync_ms, 0.1), percentile(fsync_ms, 0.5), percentile(fsync_ms, 0.9));
    std::printf(
        "| appenders | events/run | transactions/run | avg batch | ledger appends/s | p50 ms | "
        "p99 ms | bare SQLite events/s | bare: ms in COMMIT per transaction | ledger/bare (per "
        "round) | CPU µs/event ledger / bare | ledger context switches/event | ratio ≥ 0.7 | ≥ "
        "20,000/s @64 |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---|\n");
    std::fflush(stdout);
    for (const unsigned threads : thread_counts) {
      if (threads == 0) throw std::invalid_argument("--threads: 0 threads");
      std::vector<double> events, transactions, ledger_rates, bare_rates, ratios, p50s, p99s;
      std::vector<double> ledger_cpu_us, bare_cpu_us;
      std::string ratio_list;
      std::vector<double> commit_ms, switches;
      // Rounds alternate the order: even rounds run the ledger, then replay it bare; odd rounds
      // first replay the previous round's ledger run bare, then run the ledger. So neither side
      // always gets the disk second (fsync latency here drifts over seconds).
      LedgerRun prev_run;
      qb::LedgerRows prev_written;
      for (unsigned round = 0; round < rounds; ++round) {
        const std::string tag = std::to_string(threads) + "-" + std::to_string(round);
        const std::string ledger_path = dir.file("ledger-" + tag + ".db");
        const std::string bare_path = dir.file("bare-" + tag + ".db");
        const bool bare_first = round % 2 == 1;
        BareRun bare;
        double bare_cpu = 0;
        std::uint64_t bare_events = 0;
        auto replay = [&](const LedgerRun& of, const qb::LedgerRows& rows) {
          ::sync();  // start each phase without the other's dirty pages in flight
          const double cpu1 = qb::cpu_seconds();
          bare = run_bare(bare_path, rows, of.batch_sizes);
          bare_cpu = qb::cpu_seconds() - cpu1;
          bare_events = of.events;
          commit_ms.push_back(bare.commit_seconds / static_cast<double>(of.batch_sizes.size()) *
                              1e3);
        };
        if (bare_first) replay(prev_run, prev_written);
        ::sync();
        const double cpu0 = qb::cpu_seconds();
        const double switches0 = context_switches();
        LedgerRun run = run_ledger(ledger_path, threads, seconds, fixed_events);
        const double ledger_cpu = qb::cpu_seconds() - cpu0;
        switches.push_back((context_switches() - switches0) / static_cast<double>(run.events));
        qb::LedgerRows written = read_back(ledger_path);
        if (!bare_first) replay(run, written);
        if (!keep) {
          remove_db(ledger_path);
          remove_db(bare_path);
        }
        const double ledger_rate = static_cast<double>(run.events) / run.seconds;
        const double bare_rate = static_cast<double>(bare_events) / bare.seconds;
        events.push_back(static_cast<double>(run.events));
        transactions.push_back(static_cast<double>(run.batch_sizes.size()));
        ledger_rates.push_back(ledger_rate);
        bare_rates.push_back(bare_rate);
        ratios.push_back(ledger_rate / bare_rate);
        p50s.push_back(percentile(run.latencies_ms, 0.50));
        p99s.push_back(percentile(run.latencies_ms, 0.99));
        ratio_list += (round ? "/" : "") + qb::fmt("%.2f", ledger_rate / bare_rate);
        ledger_cpu_us.push_back(ledger_cpu / static_cast<double>(run.events) * 1e6);
        bare_cpu_us.push_back(bare_cpu / static_cast<double>(bare_events) * 1e6);
        prev_run = std::move(run);
        prev_written = std::move(written);
      }
      const double ev = percentile(events, 0.5);
      const double tx = percentile(transactions, 0.5);
      double total_events = 0, total_tx = 0;
      for (std::size_t i = 0; i < events.size(); ++i) {
        total_events += events[i];
        total_tx += transactions[i];
      }
      const double ratio = percentile(ratios, 0.5);
      const double ledger_rate = percentile(ledger_rates, 0.5);
      std::printf(
          "| %u | %.0f | %.0f | %.1f | %s | %.2f | %.2f | %s | %.2f | %.2f (%s) | %.0f / %.0f | "
          "%.1f | %s | %s |\n",
          threads, ev, tx, total_events / total_tx, qb::fmt_rate(ledger_rate).c_str(),
          percentile(p50s, 0.5), percentile(p99s, 0.5),
          qb::fmt_rate(percentile(bare_rates, 0.5)).c_str(), percentile(commit_ms, 0.5), ratio,
          ratio_list.c_str(), percentile(ledger_cpu_us, 0.5), percentile(bare_cpu_us, 0.5),
          percentile(switches, 0.5), qb::met(ratio >= 0.7).c_str(),
          threads == 64 ? qb::met(ledger_rate >= 20000).c_str() : "–");
      std::fflush(stdout);
    }
    print_event_work();
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "append_bench: %s\n", e.what());
    return 1;
  }
}
