// An insider with the database file tries every way to falsify history, using plain SQL after
// dropping the append-only triggers; `verify_ledger` must catch each and name the first bad seq.
#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <future>

#include "qledger/checkpoint.hpp"
#include "qledger/ledger.hpp"
#include "qledger/ledger_setup.hpp"
#include "qledger/merkle.hpp"
#include "qledger/verifier.hpp"
#include "test_support.hpp"

using namespace qledger;
using qledger::test::TempDir;

namespace {

// A ledger of `total` events (40 unless told) with checkpoints at sizes `early` (20) and `total`,
// plus a backup copy at size `early`.
struct Fixture {
  TempDir dir;
  std::string db = dir.file("ledger.db");
  std::string backup_early = dir.file("backup-early.db");
  VerifierKey key;
  std::string checkpoint_early, checkpoint_head;

  explicit Fixture(int early = 20, int total = 40) {
    key = init_ledger(db, default_key_path(db), "qledger.test/tamper");
    append_range(1, early);
    checkpoint_early = sign_now();
    std::filesystem::copy_file(db, backup_early);
    append_range(early + 1, total);
    checkpoint_head = sign_now();
  }

  void append_range(int first, int last) {
    Ledger ledger(db);
    std::vector<std::future<Receipt>> pending;
    for (int i = first; i <= last; ++i) {
      pending.push_back(ledger.append_async(
          {"test.sample", "inspector-" + std::to_string(i % 3),
           Json{{"sample_no", "HS-" + std::to_string(i)}, {"conclusion", "合格"}}}));
    }
    for (std::size_t i = 0; i < pending.size(); ++i) {
      REQUIRE(pending[i].get().seq == static_cast<std::uint64_t>(first) + i);
    }
  }  // closing the last connection folds the WAL into the main file

  std::string sign_now() {
    Ledger ledger(db);
    return sign_tree_head(ledger.info(), ledger.head(),
                          load_ledger_key(ledger.info(), default_key_path(db)));
  }

  // A scratch copy with the triggers dropped, as an insider would prepare it.
  std::string tampered_copy(const std::string& name) {
    const std::string path = dir.file(name);
    std::filesystem::copy_file(db, path);
    SQLite::Database conn(path, SQLite::OPEN_READWRITE);
    conn.exec(
        "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;"
        "DROP TRIGGER tree_nodes_no_update; DROP TRIGGER tree_nodes_no_delete;");
    return path;
  }

  VerifyReport verify(const std::string& path, std::vector<std::string> notes = {}) {
    VerifyOptions options;
    options.trusted_key = key;
    for (std::size_t i = 0; i < notes.size(); ++i) {
      options.checkpoints.push_back({"cp" + std::to_string(i), notes[i]});
    }
    return verify_ledger(path, options);
  }
};

void expect_first_problem(const VerifyReport& r, std::uint64_t seq, const std::string& code) {
  REQUIRE_FALSE(r.intact());
  REQUIRE_FALSE(r.io_error);
  CHECK(r.problems.front().seq == seq);
  CHECK(r.problems.front().code == code);
}

// The untouched ledger of `events` events verifies, with the writer's root and both checkpoints.
void expect_intact(Fixture& f, std::uint64_t events) {
  const auto r = f.verify(f.db, {f.checkpoint_early, f.checkpoint_head});
  CHECK(r.intact());
  CHECK(r.events_checked == events);
  CHECK(r.tree_size == events);
  CHECK(r.root == Ledger(f.db).head().root);
  REQUIRE(r.checkpoints.size() == 2);
  CHECK(r.checkpoints[0].ok);
  CHECK(r.checkpoints[1].ok);
}

std::string leaf_text(SQLite::Database& conn, int seq) {
  SQLite::Statement q(conn, "SELECT leaf FROM events WHERE seq = ?");
  q.bind(1, seq);
  REQUIRE(q.executeStep());
  const auto col = q.getColumn(0);
  return std::string(static_cast<const char*>(col.getBlob()),
                     static_cast<std::size_t>(col.getBytes()));
}

// Rewrites events from `from_seq` on with new payloads and a fully recomputed chain and tree:
// what an insider who knows the format would do.
void rewrite_history(const std::string& path, int from_seq) {
  SQLite::Database conn(path, SQLite::OPEN_READWRITE);
  SQLite::Statement all(conn, "SELECT leaf FROM events ORDER BY seq");
  std::vector<Leaf> leaves;
  while (all.executeStep()) {
    const auto col = all.getColumn(0);
    LeafError error;
    leaves.push_back(*decode_leaf(std::string_view(static_cast<const char*>(col.getBlob()),
                                                   static_cast<std::size_t>(col.getBytes())),
                                  error));
  }
  all.reset();
  leaves[static_cast<std::size_t>(from_seq - 1)].payload["conclusion"] = "不合格";
  conn.exec("DELETE FROM events; DELETE FROM tree_nodes;");
  SQLite::Statement ins(conn, "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)");
  SQLite::Statement node(conn, "INSERT INTO tree_nodes VALUES (?, ?, ?)");
  Sha256 hasher;
  CompactRange range;
  Hash prev = kGenesisPrev;
  for (auto& leaf : leaves) {
    leaf.prev = prev;
    const std::string bytes = encode_leaf(leaf);
    const Hash h = hasher.leaf_hash(bytes);
    ins.bind(1, static_cast<std::int64_t>(leaf.seq));
    ins.bind(2, leaf.kind);
    ins.bind(3, leaf.recorded_at);
    ins.bind(4, leaf.actor);
    ins.bind(5, bytes.data(), static_cast<int>(bytes.size()));
    ins.bind(6, h.data(), 32);
    ins.exec();
    ins.reset();
    for (const auto& n : range.append(hasher, h)) {
      if (n.level == 0) continue;
      node.bind(1, static_cast<int>(n.level));
      node.bind(2, static_cast<std::int64_t>(n.index));
      node.bind(3, n.hash.data(), 32);
      node.exec();
      node.reset();
    }
    prev = h;
  }
}

}  // namespace

TEST_SUITE("tamper") {
  TEST_CASE("the untouched ledger verifies with both checkpoints") {
    Fixture f;
    expect_intact(f, 40);
  }

  TEST_CASE("an edited payload") {
    Fixture f;
    const auto path = f.tampered_copy("edit.db");
    {
      SQLite::Database conn(path, SQLite::OPEN_READWRITE);
      std::string leaf = leaf_text(conn, 7);
      leaf.replace(leaf.find("合格"), std::string("合格").size(), "不合格");
      SQLite::Statement u(conn, "UPDATE events SET leaf = ? WHERE seq = 7");
      u.bind(1, leaf.data(), static_cast<int>(leaf.size()));
      u.exec();
    }
    expect_first_problem(f.verify(path), 7, "leaf_hash_mismatch");
  }

  TEST_CASE("an edited payload with its leaf hash recomputed breaks the chain at the next event") {
    Fixture f;
    const auto path = f.tampered_copy("edit-rehash.db");
    {
      SQLite::Database conn(path, SQLite::OPEN_READWRITE);
      std::string leaf = leaf_text(conn, 7);
      leaf.replace(leaf.find("合格"), std::string("合格").size(), "不合格");
      const Hash h = leaf_hash(leaf);
      SQLite::Statement u(conn, "UPDATE events SET leaf = ?, leaf_hash = ? WHERE seq = 7");
      u.bind(1, leaf.data(), static_cast<int>(leaf.size()));
      u.bind(2, h.data(), 32);
      u.exec();
    }
    const auto r = f.verify(path);
    REQUIRE_FALSE(r.intact());
    // Event 7's node in the tree no longer matches (level-1 node (1,3) completes at seq 8),
    // or event 8's prev breaks: either way the first bad seq reported is at most 8.
    CHECK(r.problems.front().seq >= 7);
    CHECK(r.problems.front().seq <= 8);
  }

  TEST_CASE("an edited hash column") {
    Fixture f;
    const auto path = f.tampered_copy("hash.db");
    SQLite::Database(path, SQLite::OPEN_READWRITE)
        .exec("UPDATE events SET leaf_hash = zeroblob(32) WHERE seq = 12");
    expect_first_problem(f.verify(path), 12, "leaf_hash_mismatch");
  }

  TEST_CASE("an edited convenience column") {
    Fixture f;
    const auto path = f.tampered_copy("column.db");
    SQLite::Database(path, SQLite::OPEN_READWRITE)
        .exec("UPDATE events SET actor = 'mallory' WHERE seq = 3");
    expect_first_problem(f.verify(path), 3, "column_mismatch");
  }

  TEST_CASE("a deleted row") {
    Fixture f;
    const auto path = f.tampered_copy("delete.db");
    SQLite::Database(path, SQLite::OPEN_READWRITE).exec("DELETE FROM events WHERE seq = 9");
    expect_first_problem(f.verify(path), 9, "missing_event");
  }

  TEST_CASE("swapped rows") {
    Fixture f;
    const auto path = f.tampered_copy("swap.db");
    SQLite::Database(path, SQLite::OPEN_READWRITE)
        .exec(
            "UPDATE events SET seq = 1000000 WHERE seq = 15;"
            "UPDATE events SET seq = 15 WHERE seq = 16;"
            "UPDATE events SET seq = 16 WHERE seq = 1000000;");
    expect_first_problem(f.verify(path), 15, "seq_mismatch");
  }

  TEST_CASE("an inserted row") {
    Fixture f;
    const auto path = f.tampered_copy("insert.db");
    {
      SQLite::Database conn(path, SQLite::OPEN_READWRITE);
      conn.exec("UPDATE events SET seq = seq + 1000001 WHERE seq >= 30");
      conn.exec("UPDATE events SET seq = seq - 1000000 WHERE seq > 1000000");
      conn.exec(
          "INSERT INTO events SELECT 30, kind, recorded_at, actor, leaf, leaf_hash FROM events "
          "WHERE seq = 29");
    }
    expect_first_problem(f.verify(path), 30, "seq_mismatch");
  }

  TEST_CASE("an edited Merkle node") {
    Fixture f;
    const auto path = f.tampered_copy("node.db");
    SQLite::Database(path, SQLite::OPEN_READWRITE)
        .exec("UPDATE tree_nodes SET hash = zeroblob(32) WHERE level = 2 AND idx = 3");
    // Node (2,3) covers leaves 12..15 (0-based), completed by seq 16.
    expect_first_problem(f.verify(path), 16, "tree_node_mismatch");
  }

  TEST_CASE("a truncated tail is caught by a later checkpoint") {
    Fixture f;
    const auto path = f.tampered_copy("truncate.db");
    SQLite::Database(path, SQLite::OPEN_READWRITE).exec("DELETE FROM events WHERE seq > 33");
    SQLite::Database(path, SQLite::OPEN_READWRITE)
        .exec("DELETE FROM tree_nodes WHERE ((idx + 1) << level) > 33");
    expect_first_problem(f.verify(path, {f.checkpoint_head}), 34, "rolled_back");
    // Without a checkpoint a clean truncation is indistinguishable from a shorter ledger:
    // this is why checkpoints must be kept outside the file (docs/ledger-format.md).
    CHECK(f.verify(path).intact());
  }

  TEST_CASE("a full rewrite with every hash recomputed is caught by a checkpoint") {
    Fixture f;
    const auto path = f.tampered_copy("rewrite.db");
    rewrite_history(path, 11);
    CHECK(f.verify(path).intact());  // self-consistent: the chain alone cannot see it
    const auto r = f.verify(path, {f.checkpoint_early, f.checkpoint_head});
    expect_first_problem(r, 1, "rewritten");
    CHECK(r.problems.front().message.find("between seq 1 and 20") != std::string::npos);
    // A rewrite after the first checkpoint is bounded by it.
    const auto later = f.tampered_copy("rewrite-late.db");
    rewrite_history(later, 25);
    const auto r2 = f.verify(later, {f.checkpoint_early, f.checkpoint_head});
    expect_first_problem(r2, 21, "rewritten");
    CHECK(r2.checkpoints[0].ok);
    CHECK_FALSE(r2.checkpoints[1].ok);
  }

  TEST_CASE("the file replaced by an older backup") {
    Fixture f;
    const auto r = f.verify(f.backup_early, {f.checkpoint_early, f.checkpoint_head});
    expect_first_problem(r, 21, "rolled_back");
    CHECK(r.checkpoints[0].ok);
  }

  TEST_CASE("a checkpoint signed by a different key") {
    Fixture f;
    TempDir other;
    const std::string other_db = other.file("other.db");
    init_ledger(other_db, default_key_path(other_db), "qledger.test/tamper");  // same origin
    Ledger ledger(f.db);
    const auto forged = sign_tree_head(
        ledger.info(), ledger.head(),
        load_ledger_key(read_ledger_info(*open_ledger_database(other_db, true, 1000)),
                        default_key_path(other_db)));
    const auto r = f.verify(f.db, {forged});
    expect_first_problem(r, 0, "checkpoint_invalid");
    CHECK(r.problems.front().message.find("trusted key") != std::string::npos);
  }

  TEST_CASE("an altered checkpoint file") {
    Fixture f;
    std::string note = f.checkpoint_head;
    note.replace(note.find("\n40\n"), 4, "\n41\n");
    expect_first_problem(f.verify(f.db, {note}), 0, "checkpoint_invalid");
  }

  TEST_CASE("a replaced key in ledger_meta does not fool a verifier holding the real key") {
    Fixture f;
    const auto path = f.tampered_copy("meta.db");
    TempDir other;
    const std::string other_db = other.file("x.db");
    const VerifierKey mallory =
        init_ledger(other_db, default_key_path(other_db), "qledger.test/tamper");
    {
      SQLite::Database conn(path, SQLite::OPEN_READWRITE);
      conn.exec("DROP TRIGGER ledger_meta_no_update");
      SQLite::Statement u(conn, "UPDATE ledger_meta SET value = ? WHERE key = 'verifier_key'");
      u.bind(1, mallory.to_note_string());
      u.exec();
    }
    // The supervisor's own key still accepts the genuine checkpoint.
    CHECK(f.verify(path, {f.checkpoint_head}).intact());
    // Relying on the key stored in the file would reject the genuine checkpoint: still detected.
    VerifyOptions options;
    options.checkpoints.push_back({"cp", f.checkpoint_head});
    const auto r = verify_ledger(path, options);
    CHECK(r.key_from_ledger);
    CHECK_FALSE(r.intact());
  }
}

// The verifier reads on one thread and checks on another, in batches of 2,048 rows: tampering
// beyond the first batch, or in two batches at once, must be reported exactly as a single pass
// would — the first bad row, and only it.
TEST_SUITE("tamper_batches") {
  struct Big : Fixture {
    Big() : Fixture(3000, 5000) {}
  };

  TEST_CASE("5,000 events verify, with the writer's root and both checkpoints") {
    Big f;
    expect_intact(f, 5000);
  }

  TEST_CASE("two edited rows in different batches: the earlier one is reported, alone") {
    Big f;
    const auto path = f.tampered_copy("two.db");
    SQLite::Database(path, SQLite::OPEN_READWRITE)
        .exec(
            "UPDATE events SET leaf_hash = zeroblob(32) WHERE seq = 4500;"
            "UPDATE events SET actor = 'mallory' WHERE seq = 3001;");
    const auto r = f.verify(path, {f.checkpoint_early, f.checkpoint_head});
    expect_first_problem(r, 3001, "column_mismatch");
    CHECK(r.problems.size() == 1);
    CHECK(r.events_checked == 3000);
    CHECK(r.tree_size == 5000);
    REQUIRE(r.checkpoints.size() == 2);
    CHECK(r.checkpoints[0].ok);
    CHECK_FALSE(r.checkpoints[1].ok);
  }

  TEST_CASE("the first row of the second batch deleted") {
    Big f;
    const auto path = f.tampered_copy("delete-2049.db");
    SQLite::Database(path, SQLite::OPEN_READWRITE).exec("DELETE FROM events WHERE seq = 2049");
    const auto r = f.verify(path);
    expect_first_problem(r, 2049, "missing_event");
    CHECK(r.problems.size() == 1);
    CHECK(r.events_checked == 2048);
  }

  TEST_CASE("Merkle nodes edited past the first batch") {
    Big f;
    const auto path = f.tampered_copy("nodes.db");
    {
      SQLite::Database conn(path, SQLite::OPEN_READWRITE);
      // Node (1, 2100) covers leaves 4200 and 4201 (0-based): completed by seq 4202.
      conn.exec("UPDATE tree_nodes SET hash = zeroblob(32) WHERE level = 1 AND idx = 2100");
    }
    expect_first_problem(f.verify(path), 4202, "tree_node_mismatch");
    // Node (12, 0) covers the first 4,096 leaves: completed by seq 4096, before 4202.
    SQLite::Database(path, SQLite::OPEN_READWRITE)
        .exec("DELETE FROM tree_nodes WHERE level = 12 AND idx = 0");
    const auto r = f.verify(path);
    expect_first_problem(r, 4096, "tree_node_mismatch");
    CHECK(r.problems.size() == 1);
  }

  TEST_CASE("the tree's nodes deleted from some point on, the events kept") {
    Big f;
    const auto path = f.tampered_copy("nodes-tail.db");
    // Every node completed after seq 4500 is gone; the first of them is (1, 2250), due at 4502.
    SQLite::Database(path, SQLite::OPEN_READWRITE)
        .exec("DELETE FROM tree_nodes WHERE ((idx + 1) << level) > 4500");
    const auto r = f.verify(path);
    expect_first_problem(r, 4502, "tree_node_mismatch");
    CHECK(r.problems.size() == 1);
    CHECK(r.events_checked == 4501);
  }

  TEST_CASE(
      "the tree_nodes table dropped: a read error at the first node, unless a row is bad "
      "before it") {
    Big f;
    const auto path = f.tampered_copy("no-nodes.db");
    SQLite::Database(path, SQLite::OPEN_READWRITE).exec("DROP TABLE tree_nodes");
    const auto r = f.verify(path);
    CHECK(r.io_error);
    CHECK(r.events_checked == 1);  // seq 2 completes the first node
    SQLite::Database(path, SQLite::OPEN_READWRITE)
        .exec("UPDATE events SET actor = 'mallory' WHERE seq = 1");
    const auto bad_first = f.verify(path);
    expect_first_problem(bad_first, 1, "column_mismatch");
    CHECK(bad_first.problems.size() == 1);
  }

  TEST_CASE("history rewritten from seq 4000 on is caught by the checkpoint at 5000 only") {
    Big f;
    const auto path = f.tampered_copy("rewrite-4000.db");
    rewrite_history(path, 4000);
    CHECK(f.verify(path).intact());  // without checkpoints the rewrite is consistent
    const auto r = f.verify(path, {f.checkpoint_early, f.checkpoint_head});
    expect_first_problem(r, 3001, "rewritten");
    REQUIRE(r.checkpoints.size() == 2);
    CHECK(r.checkpoints[0].ok);
    CHECK_FALSE(r.checkpoints[1].ok);
  }
}

// More batches than the verifier keeps in flight (its reader waits for the checker), an exact
// multiple of the batch size, and a checkpoint at a batch boundary.
TEST_SUITE("tamper_batches") {  // reader ahead of the checker
  struct Bigger : Fixture {
    Bigger() : Fixture(4096, 12288) {}
  };

  TEST_CASE("12,288 events and both checkpoints verify; a bad row in the first batch stops it") {
    Bigger f;
    expect_intact(f, 12288);

    const auto path = f.tampered_copy("early-bad.db");
    SQLite::Database(path, SQLite::OPEN_READWRITE)
        .exec("UPDATE events SET actor = 'mallory' WHERE seq = 5");
    const auto r = f.verify(path, {f.checkpoint_early, f.checkpoint_head});
    expect_first_problem(r, 5, "column_mismatch");
    CHECK(r.problems.size() == 1);
    CHECK(r.events_checked == 4);
    CHECK(r.tree_size == 12288);
    REQUIRE(r.checkpoints.size() == 2);
    for (const auto& c : r.checkpoints) {
      CHECK_FALSE(c.ok);
      CHECK(c.message.rfind("not checked", 0) == 0);
    }
  }

  TEST_CASE("the last row of a batch edited: the checkpoint at that boundary fails") {
    Bigger f;
    const auto path = f.tampered_copy("boundary.db");
    rewrite_history(path, 4096);
    const auto r = f.verify(path, {f.checkpoint_early, f.checkpoint_head});
    expect_first_problem(r, 1, "rewritten");
    REQUIRE(r.checkpoints.size() == 2);
    CHECK_FALSE(r.checkpoints[0].ok);
  }
}

TEST_SUITE("tamper_batches") {  // large leaves
  // A batch also ends once its bytes pass a few MiB (so read-ahead memory is bounded): with
  // leaves of ~200 KB a batch holds about 20 rows, and a bad row deep in the file is still the
  // one reported, with every row before it checked.
  TEST_CASE("80 leaves of ~200 KB: intact, then a bad row in the fourth batch") {
    TempDir dir;
    const std::string db = dir.file("large.db");
    const VerifierKey key = init_ledger(db, default_key_path(db), "qledger.test/tamper");
    {
      Ledger ledger(db);
      std::vector<std::future<Receipt>> pending;
      for (int i = 1; i <= 80; ++i) {
        pending.push_back(ledger.append_async(
            {"test.sample", "inspector", Json{{"n", i}, {"notes", std::string(200000, 'x')}}}));
      }
      for (auto& p : pending) p.get();
    }
    VerifyOptions options;
    options.trusted_key = key;
    const auto intact = verify_ledger(db, options);
    CHECK(intact.intact());
    CHECK(intact.events_checked == 80);
    {
      SQLite::Database conn(db, SQLite::OPEN_READWRITE);
      conn.exec("DROP TRIGGER events_no_update");
      conn.exec("UPDATE events SET actor = 'mallory' WHERE seq = 71");
    }
    const auto r = verify_ledger(db, options);
    expect_first_problem(r, 71, "column_mismatch");
    CHECK(r.problems.size() == 1);
    CHECK(r.events_checked == 70);
    CHECK(r.tree_size == 80);
  }
}
