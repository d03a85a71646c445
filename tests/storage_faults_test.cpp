// Storage faults: SQLite result codes are classified (full, busy, read-only, corrupt, I/O), a
// failed append writes nothing, the API answers in the standard error shape and the HTML form
// page states the same reason; a damaged or missing file is refused at start-up with a clear
// error. Real ENOSPC and read-only file systems are exercised end to end through qledgerd by
// tools/faults.py (CTest reliability_faults).
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <SQLiteCpp/Database.h>

#include <atomic>
#include <filesystem>
#include <optional>
#include <set>

#include "daemon_fixture.hpp"
#include "qledger/domain_ledger.hpp"
#include "qledger/storage_error.hpp"
#include "qledger/verifier.hpp"

using namespace qledger;
using namespace qledger::test;

namespace {

// The domain rules, on a disk that fills up while `full`: after validation the writer connection
// may not grow the file any more (PRAGMA max_page_count = its size) and the leaf is padded to
// need overflow pages, so SQLite itself fails the ledger's INSERT with SQLITE_FULL, as on ENOSPC.
class FillingDiskApplier : public EventApplier {
 public:
  bool full = true;

  void prepare(SQLite::Database& db, Leaf& leaf) override {
    domain_.prepare(db, leaf);
    if (!full) {
      db.exec("PRAGMA max_page_count = 1073741823");
      return;
    }
    db.exec("PRAGMA max_page_count = " +
            std::to_string(db.execAndGet("PRAGMA page_count").getInt64()));
    leaf.payload["padding"] = std::string(64 * 1024, 'x');
  }
  void project(SQLite::Database& db, const Leaf& leaf) override { domain_.project(db, leaf); }

 private:
  DomainApplier domain_{[] { return kDaemonToday; }};
};

// Makes the writer's next COMMIT report SQLITE_IOERR after it has landed: SQLite calls the WAL
// hook once the commit is durable, and COMMIT returns what the hook returns.
class CommitReportsFailure : public EventApplier {
 public:
  std::atomic<bool> fail_next{false};

  void prepare(SQLite::Database& db, Leaf&) override {
    sqlite3_wal_hook(db.getHandle(), &CommitReportsFailure::hook, this);
  }

 private:
  static int hook(void* self, sqlite3*, const char*, int) {
    return static_cast<CommitReportsFailure*>(self)->fail_next.exchange(false) ? SQLITE_IOERR
                                                                               : SQLITE_OK;
  }
};

// The fault an append fails with, or nullopt if it is stored.
std::optional<StorageFault> append_fault(Ledger& ledger, AppendRequest request) {
  try {
    ledger.append(std::move(request));
  } catch (const StorageError& e) {
    return e.fault();
  }
  return std::nullopt;
}

}  // namespace

TEST_SUITE("storage_faults") {
  TEST_CASE(
      "a COMMIT that fails after landing: an I/O error, and the next append starts after it") {
    TempDir dir;
    const std::string db = dir.file("l.db");
    init_ledger(db, default_key_path(db), "qledger.test/faults");
    const auto applier = std::make_shared<CommitReportsFailure>();
    Ledger ledger(db, LedgerOptions{}, applier);
    ledger.append({"test.event", "t", Json{{"n", 1}}});
    applier->fail_next = true;
    // Classified as sqlite3_exec("COMMIT") reported it, not as a generic SQL error.
    CHECK(append_fault(ledger, {"test.event", "t", Json{{"n", 2}}}) == StorageFault::kIo);
    // The writer could not know that event 2 landed; its next transaction must start after it.
    const Receipt third = ledger.append({"test.event", "t", Json{{"n", 3}}});
    CHECK(third.seq == 3);
    CHECK(third.tree_size == 3);
    const auto second = ledger.event(2);
    REQUIRE(second);
    LeafError error;
    const auto leaf = decode_leaf(second->leaf, error);
    REQUIRE(leaf);
    CHECK(leaf->payload == Json{{"n", 2}});
    const auto report = verify_ledger(db, {});
    CHECK(report.intact());
    CHECK(report.tree_size == 3);
  }

  TEST_CASE("SQLite result codes map to faults, extended codes by their primary code") {
    CHECK(classify_sqlite_code(SQLITE_FULL) == StorageFault::kFull);
    CHECK(classify_sqlite_code(SQLITE_BUSY) == StorageFault::kBusy);
    CHECK(classify_sqlite_code(SQLITE_BUSY_SNAPSHOT) == StorageFault::kBusy);
    CHECK(classify_sqlite_code(SQLITE_LOCKED) == StorageFault::kBusy);
    CHECK(classify_sqlite_code(SQLITE_READONLY) == StorageFault::kReadOnly);
    CHECK(classify_sqlite_code(SQLITE_READONLY_DBMOVED) == StorageFault::kReadOnly);
    CHECK(classify_sqlite_code(SQLITE_CANTOPEN) == StorageFault::kReadOnly);
    CHECK(classify_sqlite_code(SQLITE_CORRUPT) == StorageFault::kCorrupt);
    CHECK(classify_sqlite_code(SQLITE_NOTADB) == StorageFault::kCorrupt);
    CHECK(classify_sqlite_code(SQLITE_IOERR_WRITE) == StorageFault::kIo);
    CHECK(classify_sqlite_code(SQLITE_IOERR_FSYNC) == StorageFault::kIo);
    CHECK(classify_sqlite_code(SQLITE_ERROR) == StorageFault::kOther);
    CHECK(classify_sqlite_code(SQLITE_CONSTRAINT) == StorageFault::kOther);
  }

  TEST_CASE("every fault has a distinct code and messages in both languages") {
    const StorageFault all[] = {StorageFault::kFull,     StorageFault::kBusy,
                                StorageFault::kReadOnly, StorageFault::kCorrupt,
                                StorageFault::kIo,       StorageFault::kOther};
    std::set<std::string> codes;
    for (const StorageFault f : all) {
      const FieldProblem p = storage_fault_problem(f);
      CHECK(p.code == storage_fault_code(f));
      CHECK(p.code.rfind("storage_", 0) == 0);
      CHECK(!p.message_en.empty());
      CHECK(!p.message_zh.empty());
      CHECK(p.message_zh != p.message_en);
      codes.insert(p.code);
    }
    CHECK(codes.size() == std::size(all));
    const StorageError e(StorageFault::kFull, SQLITE_FULL, "database or disk is full");
    CHECK(std::string(e.what()).find("database or disk is full") != std::string::npos);
    CHECK(e.fault() == StorageFault::kFull);
    CHECK(e.sqlite_code() == SQLITE_FULL);
  }

  TEST_CASE("a file that is not a database is refused at open as damaged") {
    TempDir dir;
    const std::string path = dir.file("garbage.db");
    std::string junk(8192, '\0');
    for (std::size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>((i * 131 + 7) % 251);
    write_text(path, junk);
    bool thrown = false;
    try {
      Ledger ledger(path);
    } catch (const StorageError& e) {
      thrown = true;
      CHECK(e.fault() == StorageFault::kCorrupt);
      CHECK(std::string(e.what()).find(path) != std::string::npos);
    }
    CHECK(thrown);
    CHECK(read_text(path) == junk);  // never "repaired" or overwritten
  }

  TEST_CASE("a missing file is refused at open, and not created") {
    TempDir dir;
    const std::string path = dir.file("missing.db");
    CHECK_THROWS_WITH_AS(Ledger{path}, doctest::Contains("not found"), std::runtime_error);
    CHECK(!std::filesystem::exists(path));
  }

  TEST_CASE("write lock held past the busy timeout: 503 storage_busy, nothing written, key free") {
    DaemonFixture f;
    LedgerOptions options;
    options.busy_timeout_ms = 200;
    f.ctx->ledger = open_domain_ledger(
        f.db, [] { return kDaemonToday; }, options);
    REQUIRE(f.post_json("/api/v1/events", entity_json(1), &f.inspector).result_int() == 201);

    SQLite::Database other(f.db, SQLite::OPEN_READWRITE, 0);
    other.exec("BEGIN IMMEDIATE");
    const auto res = f.post_json("/api/v1/events", entity_json(2), &f.inspector, false, "key-2");
    CHECK(res.result_int() == 503);
    const Json body = Json::parse(res.body());
    REQUIRE(body["errors"].size() == 1);
    CHECK(body["errors"][0]["code"] == "storage_busy");
    CHECK(body["errors"][0]["message_zh"] == storage_fault_problem(StorageFault::kBusy).message_zh);
    CHECK(f.size() == 1);
    other.exec("ROLLBACK");

    // The same Idempotency-Key may be retried: the failed attempt did not consume it.
    const auto retry = f.post_json("/api/v1/events", entity_json(2), &f.inspector, false, "key-2");
    CHECK(retry.result_int() == 201);
    CHECK(f.size() == 2);
    CHECK(Json::parse(retry.body())["seq"] == 2);
  }

  TEST_CASE("disk full: the form page says so in zh and en (507), writes nothing, retry works") {
    DaemonFixture f;
    const auto applier = std::make_shared<FillingDiskApplier>();
    f.ctx->ledger = std::make_unique<Ledger>(f.db, LedgerOptions{}, applier);
    const std::string form =
        "f.uscc=" + test_uscc(7) + "&f.name=Tea&f.township=T&f.industry=ecological_food";
    const FieldProblem full = storage_fault_problem(StorageFault::kFull);
    const std::string generic = storage_fault_problem(StorageFault::kOther).message_zh;

    const auto zh = f.post_form("/record/entity.registered", form, &f.inspector);
    CHECK(zh.result_int() == 507);
    CHECK(zh.body().find(full.message_zh) != std::string::npos);
    CHECK(zh.body().find(generic) == std::string::npos);
    const auto en = f.post_form("/record/entity.registered?lang=en", form, &f.inspector);
    CHECK(en.result_int() == 507);
    CHECK(en.body().find(full.message_en) != std::string::npos);
    CHECK(f.size() == 0);

    // The same event goes in once there is room again.
    applier->full = false;
    const auto retry = f.post_form("/record/entity.registered", form, &f.inspector);
    CHECK(retry.result_int() == 303);
    CHECK(f.size() == 1);
  }

  TEST_CASE("a failed transaction leaves the ledger usable and the chain intact") {
    TempDir dir;
    const std::string db = dir.file("l.db");
    init_ledger(db, default_key_path(db), "qledger.test/faults");
    LedgerOptions options;
    options.busy_timeout_ms = 100;
    Ledger ledger(db, options);
    const Receipt first = ledger.append({"test.event", "t", Json{{"n", 1}}});
    {
      SQLite::Database other(db, SQLite::OPEN_READWRITE, 0);
      other.exec("BEGIN IMMEDIATE");
      CHECK(append_fault(ledger, {"test.event", "t", Json{{"n", 2}}}) == StorageFault::kBusy);
      other.exec("ROLLBACK");
    }
    const Receipt second = ledger.append({"test.event", "t", Json{{"n", 3}}});
    CHECK(second.seq == first.seq + 1);
    const auto stored = ledger.event(second.seq);
    REQUIRE(stored);
    LeafError error;
    const auto leaf = decode_leaf(stored->leaf, error);
    REQUIRE(leaf);
    CHECK(leaf->prev == first.leaf_hash);
    CHECK(leaf->payload == Json{{"n", 3}});
  }

  TEST_CASE("a ledger file moved or deleted while open refuses appends instead of losing them") {
    TempDir dir;
    const std::string db = dir.file("l.db");
    init_ledger(db, default_key_path(db), "qledger.test/faults");
    Ledger ledger(db);
    const Receipt first = ledger.append({"test.event", "t", Json{{"n", 1}}});

    std::filesystem::rename(db, db + ".moved");
    bool refused = false;
    try {
      ledger.append({"test.event", "t", Json{{"n", 2}}});
    } catch (const StorageError& e) {
      refused = e.fault() == StorageFault::kReadOnly;
    }
    CHECK(refused);
    std::filesystem::rename(db + ".moved", db);
    const Receipt second = ledger.append({"test.event", "t", Json{{"n", 3}}});
    CHECK(second.seq == first.seq + 1);

    std::filesystem::remove(db);
    refused = false;
    try {
      ledger.append({"test.event", "t", Json{{"n", 4}}});
    } catch (const StorageError& e) {
      refused = e.fault() == StorageFault::kReadOnly;
    }
    CHECK(refused);
  }
}
