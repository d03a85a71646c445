// The ledger against a real SQLite file: appends, the chain, group commit, concurrency,
// rejection without writes, append-only triggers and proofs.
#include <doctest/doctest.h>
#include <condition_variable>
#include <map>
#include <mutex>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include "qledger/ledger.hpp"
#include "qledger/ledger_setup.hpp"
#include "qledger/merkle.hpp"
#include "qledger/verifier.hpp"
#include "reference_leaf.hpp"
#include "test_support.hpp"

using namespace qledger;
using qledger::test::TempDir;

namespace {

std::string make_ledger(const TempDir& dir) {
  const std::string db = dir.file("ledger.db");
  init_ledger(db, default_key_path(db), "qledger.test/ledger");
  return db;
}

AppendRequest request(int i, const std::string& actor = "inspector-1") {
  return AppendRequest{"test.event", actor, Json{{"i", i}, {"note", "批次 " + std::to_string(i)}}};
}

std::uint64_t row_count(const std::string& db, const char* table) {
  SQLite::Database conn(db, SQLite::OPEN_READONLY);
  return static_cast<std::uint64_t>(
      conn.execAndGet(std::string("SELECT COUNT(*) FROM ") + table).getInt64());
}

// Root computed straight from RFC 9162 §2.1.1 over all leaf hashes in the file.
Hash naive_root(const std::vector<Hash>& leaves, std::size_t begin, std::size_t end) {
  if (end - begin == 1) return leaves[begin];
  std::size_t k = 1;
  while (k * 2 < end - begin) k *= 2;
  return node_hash(naive_root(leaves, begin, begin + k), naive_root(leaves, begin + k, end));
}

std::vector<Hash> stored_leaf_hashes(const std::string& db) {
  SQLite::Database conn(db, SQLite::OPEN_READONLY);
  SQLite::Statement q(conn, "SELECT leaf FROM events ORDER BY seq");
  std::vector<Hash> out;
  while (q.executeStep()) {
    const auto col = q.getColumn(0);
    out.push_back(leaf_hash(std::string_view(static_cast<const char*>(col.getBlob()),
                                             static_cast<std::size_t>(col.getBytes()))));
  }
  return out;
}

// The longest text t for which an event (kind, actor, {"text": t}) fits kMaxLeafBytes at the
// widest seq, found with the reference encoding.
std::size_t longest_text_that_fits(const std::string& kind, const std::string& actor) {
  auto leaf_size = [&](std::size_t text) {
    Leaf leaf{
        static_cast<std::uint64_t>(kMaxSafeInteger), kind,        "2000-01-01T00:00:00.000Z", actor,
        Json{{"text", std::string(text, 'a')}},      kGenesisPrev};
    return test::reference_leaf_bytes(leaf).size();
  };
  const std::size_t fits = kMaxLeafBytes - leaf_size(0);
  REQUIRE(leaf_size(fits) == kMaxLeafBytes);
  return fits;
}

// Notes each event in side_effects; for i == 2, replaces its payload by a text one byte too long
// to fit at the widest seq (as normalising a payload could make it larger).
class GrowTwo : public EventApplier {
 public:
  explicit GrowTwo(std::size_t fits) : fits_(fits) {}
  void prepare(SQLite::Database& db, Leaf& leaf) override {
    db.exec("CREATE TABLE IF NOT EXISTS side_effects (i INTEGER)");
    const int i = leaf.payload["i"].get<int>();
    db.exec("INSERT INTO side_effects VALUES (" + std::to_string(i) + ")");
    if (i == 2) leaf.payload = Json{{"text", std::string(fits_ + 1, 'a')}};
  }

 private:
  std::size_t fits_;
};

class RejectOdd : public EventApplier {
 public:
  void prepare(SQLite::Database& db, Leaf& leaf) override {
    db.exec("CREATE TABLE IF NOT EXISTS side_effects (i INTEGER)");
    db.exec("INSERT INTO side_effects VALUES (" + std::to_string(leaf.payload["i"].get<int>()) +
            ")");
    if (leaf.payload["i"].get<int>() % 2 == 1) {
      throw AppendRejected({{"i", "odd", "i must be even", "i 必须是偶数"}});
    }
  }
};

// Breaks the EventApplier contract: rejects in project(), after the leaf is written.
class RejectLate : public EventApplier {
 public:
  void prepare(SQLite::Database&, Leaf&) override {}
  void project(SQLite::Database&, const Leaf& leaf) override {
    if (leaf.payload["i"].get<int>() == 3) {
      throw AppendRejected({{"i", "late", "refused too late", "拒绝得太晚"}});
    }
  }
};

// Notes the thread each event was validated on, by its payload's "i".
class ThreadRecorder : public EventApplier {
 public:
  void prepare(SQLite::Database&, Leaf& leaf) override {
    std::lock_guard lock(mutex_);
    threads_[leaf.payload["i"].get<int>()] = std::this_thread::get_id();
  }
  std::thread::id thread_of(int i) {
    std::lock_guard lock(mutex_);
    return threads_.at(i);
  }

 private:
  std::mutex mutex_;
  std::map<int, std::thread::id> threads_;
};

// Holds each event in prepare() until released, after saying it got there.
class GateApplier : public EventApplier {
 public:
  void prepare(SQLite::Database&, Leaf&) override {
    entered.store(true);
    while (!released.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::atomic<bool> entered{false};
  std::atomic<bool> released{false};
};

}  // namespace

TEST_SUITE("ledger") {
  TEST_CASE("appends chain leaves and receipts state the tree they landed in") {
    TempDir dir;
    const std::string db = make_ledger(dir);
    std::vector<Receipt> receipts;
    {
      Ledger ledger(db);
      for (int i = 0; i < 20; ++i) receipts.push_back(ledger.append(request(i)));
      CHECK(ledger.head().size == 20);
    }
    const auto leaves = stored_leaf_hashes(db);
    REQUIRE(leaves.size() == 20);
    for (std::size_t i = 0; i < receipts.size(); ++i) {
      CHECK(receipts[i].seq == i + 1);
      CHECK(receipts[i].leaf_hash == leaves[i]);
      CHECK(receipts[i].tree_size == i + 1);  // sequential appends: one per batch
      CHECK(receipts[i].root_hash == naive_root(leaves, 0, i + 1));
    }
    Ledger ledger(db);
    const auto third = ledger.event(3);
    REQUIRE(third);
    LeafError error;
    const auto leaf = decode_leaf(third->leaf, error);
    REQUIRE(leaf);
    CHECK(leaf->prev == leaves[1]);
    CHECK(leaf->payload["note"] == "批次 2");
    CHECK(third->leaf.find("\"prev\":\"" + to_hex(leaves[1]) + "\"") != std::string::npos);
    CHECK(row_count(db, "tree_nodes") == 20 - 2);  // n − popcount(n), popcount(20) = 2
  }

  TEST_CASE("concurrent appenders are grouped into shared transactions and keep the chain") {
    TempDir dir;
    const std::string db = make_ledger(dir);
    constexpr int kThreads = 16, kEach = 60;
    std::vector<Receipt> all;
    std::mutex mutex;
    {
      Ledger ledger(db);
      std::vector<std::thread> threads;
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
          for (int i = 0; i < kEach; ++i) {
            auto r = ledger.append(request(t * 1000 + i, "thread-" + std::to_string(t)));
            std::lock_guard lock(mutex);
            all.push_back(r);
          }
        });
      }
      for (auto& th : threads) th.join();
    }
    std::set<std::uint64_t> seqs, batch_sizes;
    for (const auto& r : all) {
      seqs.insert(r.seq);
      batch_sizes.insert(r.tree_size);
      CHECK(r.seq <= r.tree_size);
    }
    CHECK(seqs.size() == kThreads * kEach);
    CHECK(*seqs.rbegin() == kThreads * kEach);
    CHECK(batch_sizes.size() < all.size());  // at least one transaction held several appends
    const auto report = verify_ledger(db, {});
    CHECK(report.intact());
    CHECK(report.tree_size == kThreads * kEach);
  }

  TEST_CASE("two writers on one file (as CLI and daemon would be) keep one valid chain") {
    TempDir dir;
    const std::string db = make_ledger(dir);
    {
      Ledger a(db), b(db);
      std::thread ta([&] {
        for (int i = 0; i < 150; ++i) a.append(request(i, "a"));
      });
      std::thread tb([&] {
        for (int i = 0; i < 150; ++i) b.append(request(i, "b"));
      });
      ta.join();
      tb.join();
      CHECK(a.head().root == b.head().root);
    }
    const auto report = verify_ledger(db, {});
    CHECK(report.intact());
    CHECK(report.tree_size == 300);
  }

  TEST_CASE("invalid input is rejected with the field named and nothing is written") {
    TempDir dir;
    const std::string db = make_ledger(dir);
    Ledger ledger(db);
    ledger.append(request(1));
    auto rejects = [&](AppendRequest r, const std::string& field) {
      try {
        ledger.append(std::move(r));
        FAIL("accepted");
      } catch (const AppendRejected& e) {
        REQUIRE(!e.problems().empty());
        CHECK(e.problems().front().field == field);
        // Every refusal says why in both languages (the zh text is the code's own, not English).
        CHECK_FALSE(e.problems().front().message_en.empty());
        CHECK_FALSE(e.problems().front().message_zh.empty());
        CHECK(e.problems().front().message_zh != "事件内容不符合要求");
      }
    };
    rejects({"Bad Kind", "x", Json::object()}, "kind");
    rejects({"", "x", Json::object()}, "kind");
    rejects({"ok", "", Json::object()}, "actor");
    rejects({"ok", "tab\there", Json::object()}, "actor");
    rejects({"ok", "x", Json::array()}, "payload");
    rejects({"ok", "x", Json{{"v", 1.5}}}, "payload/v");
    rejects({"ok", "x", Json{{"big", std::int64_t{1} << 60}}}, "payload/big");
    rejects({"ok", "x", Json{{"text", std::string(300 * 1024, 'a')}}}, "payload");
    rejects({"ok", "x", Json{{"name", "\xff\xfe"}}}, "payload/name");
    rejects({"ok", "x", Json{{"", 1}}}, "payload");
    Json deep = Json::object();
    for (int i = 0; i < 40; ++i) deep = Json{{"d", deep}};
    std::string deepest = "payload";  // the container past the 32 allowed: 32 steps down
    for (int i = 0; i < 32; ++i) deepest += "/d";
    rejects({"ok", "x", deep}, deepest);
    CHECK(ledger.head().size == 1);
    CHECK(row_count(db, "events") == 1);
    // The size limit, exactly: a leaf of kMaxLeafBytes at the widest seq is taken, one byte more
    // is refused as too_large (zh and en) with nothing written.
    const std::string kind = "ok", actor = "x";
    const std::size_t fits = longest_text_that_fits(kind, actor);
    try {
      ledger.append({kind, actor, Json{{"text", std::string(fits + 1, 'a')}}});
      FAIL("accepted");
    } catch (const AppendRejected& e) {
      REQUIRE(e.problems().size() == 1);
      CHECK(e.problems().front().code == "too_large");
      CHECK(!e.problems().front().message_zh.empty());
    }
    CHECK(row_count(db, "events") == 1);
    ledger.append({kind, actor, Json{{"text", std::string(fits, 'a')}}});
    CHECK(row_count(db, "events") == 2);
  }

  TEST_CASE("an applier's rejection rolls back its own writes only") {
    TempDir dir;
    const std::string db = make_ledger(dir);
    {
      Ledger ledger(db, {}, std::make_shared<RejectOdd>());
      std::vector<std::future<Receipt>> futures;
      for (int i = 0; i < 10; ++i) futures.push_back(ledger.append_async(request(i)));
      int accepted = 0, rejected = 0;
      for (auto& f : futures) {
        try {
          f.get();
          ++accepted;
        } catch (const AppendRejected&) {
          ++rejected;
        }
      }
      CHECK(accepted == 5);
      CHECK(rejected == 5);
    }
    CHECK(row_count(db, "events") == 5);
    CHECK(row_count(db, "side_effects") == 5);
    CHECK(verify_ledger(db, {}).intact());
  }

  TEST_CASE("a payload the applier makes too large is refused alone, its writes rolled back") {
    TempDir dir;
    const std::string db = make_ledger(dir);
    {
      Ledger ledger(db, {},
                    std::make_shared<GrowTwo>(longest_text_that_fits("test.event", "inspector-1")));
      // Queued together, so that they share transactions: the refusal must not fail the others.
      std::vector<std::future<Receipt>> futures;
      for (int i = 0; i < 5; ++i) futures.push_back(ledger.append_async(request(i)));
      for (int i = 0; i < 5; ++i) {
        if (i != 2) {
          CHECK_NOTHROW(futures[i].get());
          continue;
        }
        try {
          futures[i].get();
          FAIL("accepted");
        } catch (const AppendRejected& e) {
          REQUIRE(e.problems().size() == 1);
          CHECK(e.problems().front().code == "too_large");
        }
      }
    }
    CHECK(row_count(db, "events") == 4);
    CHECK(row_count(db, "side_effects") == 4);
    CHECK(verify_ledger(db, {}).intact());
  }

  TEST_CASE("bulk requests are held to the single appends' size limit") {
    TempDir dir;
    const std::string db = make_ledger(dir);
    Ledger ledger(db);
    const std::size_t fits = longest_text_that_fits("ok", "x");
    const auto text_of_size = [](std::size_t n) {
      return AppendRequest{"ok", "x", Json{{"text", std::string(n, 'a')}}};
    };
    // One byte over at the widest seq, though it would encode at seq 2: refused, as append()
    // refuses it, and nothing of the bulk is written.
    std::vector<AppendRequest> requests = {request(0), text_of_size(fits + 1), request(1)};
    std::size_t next = 0;
    const BulkResult refused = ledger.append_all([&]() -> std::optional<AppendRequest> {
      if (next == requests.size()) return std::nullopt;
      return requests[next++];
    });
    CHECK_FALSE(refused.committed);
    CHECK(refused.total == 3);
    REQUIRE(refused.rejected_count == 1);
    CHECK(refused.rejected.front().first == 1);
    REQUIRE(refused.rejected.front().second.size() == 1);
    CHECK(refused.rejected.front().second.front().code == "too_large");
    CHECK(row_count(db, "events") == 0);
    // Exactly at the limit it is taken.
    requests = {request(0), text_of_size(fits), request(1)};
    next = 0;
    const BulkResult taken = ledger.append_all([&]() -> std::optional<AppendRequest> {
      if (next == requests.size()) return std::nullopt;
      return requests[next++];
    });
    CHECK(taken.committed);
    CHECK(row_count(db, "events") == 3);
    CHECK(verify_ledger(db, {}).intact());
  }

  TEST_CASE("append_then: the callback gets each outcome once, after the commit") {
    TempDir dir;
    const std::string db = make_ledger(dir);
    std::mutex mutex;
    std::condition_variable changed;
    std::map<int, AppendResult> results;
    std::map<int, std::uint64_t> rows_when_called;
    int calls = 0;
    {
      Ledger ledger(db, {}, std::make_shared<RejectOdd>());
      for (int i = 0; i < 8; ++i) {
        ledger.append_then(request(i), [&, i](AppendResult r) {
          // Durable before the call: another connection already sees the row.
          const std::uint64_t rows = r.receipt ? row_count(db, "events") : 0;
          std::lock_guard lock(mutex);
          rows_when_called[i] = rows;
          results[i] = std::move(r);
          ++calls;
          changed.notify_all();
        });
      }
      // Refused before queueing: thrown here, the callback is never called.
      bool called = false;
      CHECK_THROWS_AS(ledger.append_then({"Bad Kind", "x", Json::object()},
                                         [&](AppendResult) { called = true; }),
                      AppendRejected);
      // A callback that throws does not stop the writer.
      ledger.append_then(request(100), [](AppendResult) { throw std::runtime_error("boom"); });
      const Receipt after = ledger.append(request(102));
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return calls == 8; });
      CHECK_FALSE(called);
      CHECK(after.seq == 6);  // 0, 2, 4, 6, 100, then 102
    }
    REQUIRE(results.size() == 8);
    for (const auto& [i, r] : results) {
      CAPTURE(i);
      if (i % 2 == 0) {
        REQUIRE(r.receipt);
        CHECK_FALSE(r.error);
        CHECK(rows_when_called[i] >= r.receipt->seq);
      } else {
        CHECK_FALSE(r.receipt);
        REQUIRE(r.error);
        CHECK_THROWS_AS(std::rethrow_exception(r.error), AppendRejected);
      }
    }
    CHECK(row_count(db, "events") == 6);
  }

  TEST_CASE(
      "a blocking append on an idle writer is written on the caller's thread, after every "
      "append queued before it") {
    TempDir dir;
    const std::string db = make_ledger(dir);
    auto recorder = std::make_shared<ThreadRecorder>();
    {
      Ledger ledger(db, {}, recorder);
      const auto me = std::this_thread::get_id();
      // Nothing queued: written here, no hand-off to the writer thread and back.
      CHECK(ledger.append(request(1)).seq == 1);
      CHECK(recorder->thread_of(1) == me);
      // append_async always goes through the writer thread.
      CHECK(ledger.append_async(request(2)).get().seq == 2);
      CHECK(recorder->thread_of(2) != me);
      // An append queued just before (here by the same thread) is never overtaken: the blocking
      // append finds it queued or being written and queues behind it. (Dropping the empty-queue
      // check makes this fail within a few rounds.)
      int in_place = 0;
      for (int round = 0; round < 300; ++round) {
        const int a = 1000 + 2 * round, b = a + 1;
        auto queued = ledger.append_async(request(a));
        const Receipt second = ledger.append(request(b));
        const Receipt first = queued.get();
        CAPTURE(round);
        REQUIRE(first.seq < second.seq);
        if (recorder->thread_of(b) == me) ++in_place;
      }
      MESSAGE(in_place << " of 300 second appends were written in place");
    }
    CHECK(row_count(db, "events") == 602);
    CHECK(verify_ledger(db, {}).intact());
  }

  TEST_CASE("closing the ledger waits for an append being written on its caller's thread") {
    TempDir dir;
    const std::string db = make_ledger(dir);
    auto gate = std::make_shared<GateApplier>();
    auto ledger = std::make_unique<Ledger>(db, LedgerOptions{}, gate);
    std::optional<Receipt> receipt;
    std::thread appender([&] { receipt = ledger->append(request(1)); });
    while (!gate->entered.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::thread closer([&] { ledger.reset(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    gate->released.store(true);
    closer.join();
    appender.join();
    REQUIRE(receipt);
    CHECK(receipt->seq == 1);
    CHECK(row_count(db, "events") == 1);
    CHECK(verify_ledger(db, {}).intact());
  }

  TEST_CASE("a rejection from project() fails the transaction instead of skipping the event") {
    TempDir dir;
    const std::string db = make_ledger(dir);
    {
      Ledger ledger(db, {}, std::make_shared<RejectLate>());
      ledger.append(request(1));
      CHECK_THROWS_AS(ledger.append(request(3)), std::logic_error);
      try {
        ledger.append(request(3));
      } catch (const AppendRejected&) {
        FAIL("reported as a rejection although the leaf had been written");
      } catch (const std::exception&) {
      }
      const Receipt r = ledger.append(request(4));
      CHECK(r.seq == 2);
    }
    CHECK(row_count(db, "events") == 2);
    CHECK(verify_ledger(db, {}).intact());
  }

  TEST_CASE("the schema itself refuses UPDATE and DELETE") {
    TempDir dir;
    const std::string db = make_ledger(dir);
    {
      Ledger ledger(db);
      for (int i = 0; i < 3; ++i) ledger.append(request(i));
    }
    SQLite::Database conn(db, SQLite::OPEN_READWRITE);
    CHECK_THROWS_WITH(conn.exec("UPDATE events SET actor = 'mallory'"),
                      doctest::Contains("append-only"));
    CHECK_THROWS_WITH(conn.exec("DELETE FROM events"), doctest::Contains("append-only"));
    CHECK_THROWS(conn.exec("DELETE FROM tree_nodes"));
    CHECK_THROWS(conn.exec("UPDATE ledger_meta SET value = 'x'"));
    CHECK(conn.execAndGet("PRAGMA journal_mode").getString() == "wal");
    CHECK(conn.execAndGet("PRAGMA user_version").getInt() >= 1);
  }

  TEST_CASE("proofs served from the file verify against its roots") {
    TempDir dir;
    const std::string db = make_ledger(dir);
    Ledger ledger(db);
    std::vector<std::future<Receipt>> futures;
    for (int i = 0; i < 77; ++i) futures.push_back(ledger.append_async(request(i)));
    for (auto& f : futures) f.get();
    const auto leaves = stored_leaf_hashes(db);
    for (std::uint64_t size : {1u, 2u, 5u, 32u, 33u, 77u}) {
      const Hash root = ledger.root_at(size);
      CHECK(root == naive_root(leaves, 0, size));
      for (std::uint64_t seq = 1; seq <= size; seq += 3) {
        CHECK(verify_inclusion(seq - 1, size, leaves[seq - 1], ledger.inclusion_proof(seq, size),
                               root));
      }
      for (std::uint64_t old_size = 1; old_size <= size; old_size += 4) {
        CHECK(verify_consistency(old_size, size, ledger.root_at(old_size), root,
                                 ledger.consistency_proof(old_size, size)));
      }
    }
    CHECK_THROWS_AS(ledger.inclusion_proof(78, 78), std::out_of_range);
    CHECK_THROWS_AS(ledger.root_at(78), std::out_of_range);
    CHECK_THROWS_AS(ledger.consistency_proof(0, 5), std::out_of_range);
  }

  TEST_CASE("opening refuses files that are not ledgers") {
    TempDir dir;
    CHECK_THROWS_WITH(Ledger(dir.file("missing.db")), doctest::Contains("not found"));
    {
      SQLite::Database other(dir.file("other.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
      other.exec("CREATE TABLE t (x)");
    }
    CHECK_THROWS_WITH(Ledger(dir.file("other.db")), doctest::Contains("not a qledger ledger"));
    qledger::test::write_text(dir.file("garbage.db"), std::string(8192, 'x'));
    CHECK_THROWS(Ledger(dir.file("garbage.db")));
    const std::string db = make_ledger(dir);
    CHECK_THROWS_WITH(init_ledger(db, default_key_path(db), "o"), doctest::Contains("exists"));
  }
}
