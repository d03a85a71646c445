// verify_ledger reads on one thread and checks on another; what it reports must be what a plain
// single pass reports. The single pass here is written for this test from docs/ledger-format.md
// (section "Verification"): every row in seq order, then the node count. It shares no code with
// the verifier but the leaf decoder and SHA-256, and is compared on randomly tampered copies of a
// ledger long enough for several of the verifier's batches.
#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <bit>
#include <cstring>
#include <future>
#include <map>
#include <random>

#include "qledger/hash.hpp"
#include "qledger/leaf.hpp"
#include "qledger/ledger.hpp"
#include "qledger/ledger_setup.hpp"
#include "qledger/merkle.hpp"
#include "qledger/verifier.hpp"
#include "test_support.hpp"

using namespace qledger;
using qledger::test::TempDir;

namespace {

struct Outcome {
  bool intact = false;
  std::uint64_t first_seq = 0;  // of the first problem
  std::string first_code;
  std::size_t problem_count = 0;
  std::uint64_t events_checked = 0;
  std::uint64_t tree_size = 0;
  Hash root{};  // only when intact
};

std::string blob(const SQLite::Column& c) {
  const auto n = static_cast<std::size_t>(c.getBytes());
  const char* p = static_cast<const char*>(c.getBlob());
  return p == nullptr ? std::string() : std::string(p, n);
}

// The single pass. Each completed node (L, k) is looked up as the format says: a row (L, k)
// with that exact 32-byte hash.
Outcome single_pass(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement node(db, "SELECT hash FROM tree_nodes WHERE level = ? AND idx = ?");
  const auto stored_count =
      static_cast<std::uint64_t>(db.execAndGet("SELECT COUNT(*) FROM tree_nodes").getInt64());
  const auto last_seq = static_cast<std::uint64_t>(
      db.execAndGet("SELECT COALESCE(MAX(seq), 0) FROM events").getInt64());

  Outcome out;
  auto fail = [&](std::uint64_t seq, const char* code) {
    out.first_seq = seq;
    out.first_code = code;
    out.problem_count = 1;
    out.tree_size = last_seq;
    return out;
  };
  std::vector<Hash> leaves;  // leaf hashes so far, for the Merkle nodes
  Hash prev = kGenesisPrev;
  SQLite::Statement rows(db,
                         "SELECT seq, kind, recorded_at, actor, leaf, leaf_hash FROM events "
                         "ORDER BY seq");
  while (rows.executeStep()) {
    const std::uint64_t expected = leaves.size() + 1;
    const auto seq = static_cast<std::uint64_t>(rows.getColumn(0).getInt64());
    if (seq != expected) return fail(expected, "missing_event");
    const std::string bytes = blob(rows.getColumn(4));
    const Hash h = leaf_hash(bytes);
    const std::string stored_hash = blob(rows.getColumn(5));
    if (stored_hash.size() != 32 || std::memcmp(stored_hash.data(), h.data(), 32) != 0) {
      return fail(seq, "leaf_hash_mismatch");
    }
    LeafError error;
    const auto leaf = decode_leaf(bytes, error);
    if (!leaf) return fail(seq, "leaf_malformed");
    if (leaf->seq != seq) return fail(seq, "seq_mismatch");
    if (leaf->kind != rows.getColumn(1).getString() ||
        leaf->recorded_at != rows.getColumn(2).getString() ||
        leaf->actor != rows.getColumn(3).getString()) {
      return fail(seq, "column_mismatch");
    }
    if (leaf->prev != prev) return fail(seq, "chain_broken");
    leaves.push_back(h);
    // The perfect nodes leaf number `seq` completes: levels 1..ctz(seq).
    for (unsigned level = 1; seq % (std::uint64_t{1} << level) == 0; ++level) {
      const std::uint64_t index = (seq >> level) - 1;
      const std::uint64_t width = std::uint64_t{1} << level;
      const InMemoryTree subtree(
          std::vector<Hash>(leaves.end() - static_cast<std::ptrdiff_t>(width), leaves.end()));
      const Hash want = tree_root(subtree, width);
      node.bind(1, static_cast<int>(level));
      node.bind(2, static_cast<std::int64_t>(index));
      std::string stored_node;
      const bool found = node.executeStep();
      if (found) stored_node = blob(node.getColumn(0));
      node.reset();
      if (!found || stored_node.size() != 32 ||
          std::memcmp(stored_node.data(), want.data(), 32) != 0) {
        return fail(seq, "tree_node_mismatch");
      }
    }
    prev = h;
    ++out.events_checked;
  }
  const std::uint64_t n = leaves.size();
  out.tree_size = n;
  if (stored_count != n - static_cast<std::uint64_t>(std::popcount(n))) {
    out.first_code = "tree_node_extra";
    out.problem_count = 1;
    return out;
  }
  const InMemoryTree all(leaves);
  out.root = tree_root(all, n);
  out.intact = true;
  return out;
}

Outcome verifier(const std::string& path) {
  const VerifyReport r = verify_ledger(path, VerifyOptions{});
  REQUIRE_FALSE(r.io_error);
  Outcome out;
  out.intact = r.intact();
  out.problem_count = r.problems.size();
  if (!r.problems.empty()) {
    out.first_seq = r.problems.front().seq;
    out.first_code = r.problems.front().code;
  }
  out.events_checked = r.events_checked;
  out.tree_size = r.tree_size;
  if (out.intact) out.root = r.root;
  return out;
}

// leaf_hash_of(x) in SQL: SHA-256(0x00 || x), so a tampering can recompute a row's hash.
void register_leaf_hash(SQLite::Database& db) {
  const int rc = sqlite3_create_function_v2(
      db.getHandle(), "leaf_hash_of", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
      [](sqlite3_context* ctx, int, sqlite3_value** argv) {
        const auto* p = static_cast<const char*>(sqlite3_value_blob(argv[0]));
        const auto n = static_cast<std::size_t>(sqlite3_value_bytes(argv[0]));
        const Hash h = leaf_hash(std::string_view(p == nullptr ? "" : p, n));
        sqlite3_result_blob(ctx, h.data(), 32, SQLITE_TRANSIENT);
      },
      nullptr, nullptr, nullptr);
  REQUIRE(rc == SQLITE_OK);
}

// One random change an insider with the file could make (triggers and CHECKs off).
std::string random_tampering(std::mt19937_64& rng, std::uint64_t size) {
  auto seq = [&] {
    return std::to_string(std::uniform_int_distribution<std::uint64_t>(1, size)(rng));
  };
  auto level = [&] { return std::uniform_int_distribution<int>(1, 12)(rng); };
  switch (std::uniform_int_distribution<int>(0, 15)(rng)) {
    case 0:  // a payload edited, the hash column left
      return "UPDATE events SET leaf = CAST(replace(CAST(leaf AS TEXT), '合格', '不合格') AS BLOB) "
             "WHERE seq = " +
             seq();
    case 1: {  // another row's leaf and hash copied in
      const std::string a = seq(), b = seq();
      return "UPDATE events SET leaf = (SELECT leaf FROM events WHERE seq = " + b +
             "), leaf_hash = (SELECT leaf_hash FROM events WHERE seq = " + b + ") WHERE seq = " + a;
    }
    case 2:
      return "UPDATE events SET leaf_hash = randomblob(32) WHERE seq = " + seq();
    case 3:
      return "UPDATE events SET actor = 'mallory' WHERE seq = " + seq();
    case 4:
      return "UPDATE events SET recorded_at = '2025-01-01T00:00:00.000000Z' WHERE seq = " + seq();
    case 5:
      return "DELETE FROM events WHERE seq = " + seq();
    case 6: {
      const std::string a = seq(), b = seq();
      return "UPDATE events SET seq = -1 WHERE seq = " + a + "; UPDATE events SET seq = " + a +
             " WHERE seq = " + b + "; UPDATE events SET seq = " + b + " WHERE seq = -1";
    }
    case 7:
      return "DELETE FROM events WHERE seq > " + seq();
    case 8: {
      const int l = level();
      return "UPDATE tree_nodes SET hash = randomblob(32) WHERE level = " + std::to_string(l) +
             " AND idx = " + std::to_string(std::stoull(seq()) >> l);
    }
    case 9: {
      const int l = level();
      return "DELETE FROM tree_nodes WHERE level = " + std::to_string(l) +
             " AND idx = " + std::to_string(std::stoull(seq()) >> l);
    }
    case 10:
      return "DELETE FROM tree_nodes WHERE ((idx + 1) << level) > " + seq();
    case 11: {
      const int l = level();
      return "INSERT OR IGNORE INTO tree_nodes VALUES (" + std::to_string(l) + ", " +
             std::to_string(std::stoull(seq()) >> l) + ", randomblob(32))";
    }
    case 13:  // a payload edited and its leaf hash recomputed (chain or tree breaks next)
      return "UPDATE events SET leaf = CAST(replace(CAST(leaf AS TEXT), '合格', '不合格') AS "
             "BLOB), leaf_hash = leaf_hash_of(CAST(replace(CAST(leaf AS TEXT), '合格', '不合格') "
             "AS BLOB)) WHERE seq = " +
             seq();
    case 14:  // a leaf made non-canonical (trailing space), its hash recomputed
      return "UPDATE events SET leaf = leaf || CAST(' ' AS BLOB), leaf_hash = leaf_hash_of(leaf "
             "|| CAST(' ' AS BLOB)) WHERE seq = " +
             seq();
    case 12:  // a row no node can be: negative or fractional idx (CHECKs off)
      return "INSERT OR IGNORE INTO tree_nodes VALUES (" + std::to_string(level()) + ", " +
             (std::uniform_int_distribution<int>(0, 1)(rng) == 0 ? "-1" : "2.5") +
             ", randomblob(32))";
    default:  // a node's hash cut short
      return "UPDATE tree_nodes SET hash = substr(hash, 1, 31) WHERE level = 1 AND idx = " +
             std::to_string(std::stoull(seq()) >> 1);
  }
}

}  // namespace

TEST_SUITE("verifier_differential") {
  TEST_CASE("randomly tampered copies: the two-thread verifier reports what a single pass does") {
    TempDir dir;
    const std::string base = dir.file("base.db");
    constexpr std::uint64_t kEvents = 5000;  // three of the verifier's 2,048-row batches
    init_ledger(base, default_key_path(base), "qledger.test/differential");
    {
      Ledger ledger(base);
      std::vector<std::future<Receipt>> pending;
      for (std::uint64_t i = 1; i <= kEvents; ++i) {
        pending.push_back(ledger.append_async(
            {"test.sample", "inspector-" + std::to_string(i % 5),
             Json{{"sample_no", "HS-" + std::to_string(i)}, {"conclusion", "合格"}}}));
      }
      for (auto& p : pending) p.get();
    }

    const Outcome untouched = single_pass(base);
    CHECK(untouched.intact);
    CHECK(untouched.events_checked == kEvents);
    CHECK(untouched.root == Ledger(base).head().root);
    const Outcome untouched_v = verifier(base);
    CHECK(untouched_v.intact);
    CHECK(untouched_v.root == untouched.root);

    std::mt19937_64 rng(20261128);
    std::map<std::string, int> codes;
    constexpr int kCases = 120;
    for (int c = 0; c < kCases; ++c) {
      const std::string path = dir.file("case.db");
      std::filesystem::remove(path);
      std::filesystem::copy_file(base, path);
      std::string sql;
      {
        SQLite::Database conn(path, SQLite::OPEN_READWRITE);
        conn.exec("PRAGMA ignore_check_constraints = 1");
        register_leaf_hash(conn);
        conn.exec(
            "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;"
            "DROP TRIGGER tree_nodes_no_update; DROP TRIGGER tree_nodes_no_delete;");
        const int changes = std::uniform_int_distribution<int>(1, 3)(rng);
        for (int k = 0; k < changes; ++k) {
          const std::string one = random_tampering(rng, kEvents);
          sql += one + "; ";
          conn.exec(one);
        }
      }
      const Outcome want = single_pass(path);
      const Outcome got = verifier(path);
      CAPTURE(sql);
      CHECK(got.intact == want.intact);
      CHECK(got.first_seq == want.first_seq);
      CHECK(got.first_code == want.first_code);
      CHECK(got.problem_count == want.problem_count);
      CHECK(got.events_checked == want.events_checked);
      CHECK(got.tree_size == want.tree_size);
      CHECK(got.root == want.root);
      ++codes[want.intact ? "intact" : want.first_code];
    }
    // The random changes reach the verifier's different checks, not only the first one.
    CHECK(codes.size() >= 8);
    MESSAGE("outcomes over " << kCases << " cases: " << [&] {
      std::string s;
      for (const auto& [code, n] : codes) s += code + " " + std::to_string(n) + "; ";
      return s;
    }());
  }
}
