// Opening ledger files, schema migrations and ledger_meta.
#include "migrate.hpp"
#include "qledger/ledger.hpp"
#include "qledger/private_file.hpp"
#include "qledger/schema_migrations.hpp"
#include "qledger/storage_error.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

namespace qledger {

namespace {
constexpr const char* kFormat = "qledger-ledger/1";

int user_version(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

void migrate(SQLite::Database& db) {
  const auto& migrations = schema_migrations();
  const int current = user_version(db);
  if (current > static_cast<int>(migrations.size())) {
    throw std::runtime_error("ledger schema version " + std::to_string(current) +
                             " is newer than this qledger understands (" +
                             std::to_string(migrations.size()) + "); upgrade qledger");
  }
  for (std::size_t i = static_cast<std::size_t>(current); i < migrations.size(); ++i) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    // Re-check inside the write lock: another process may have migrated meanwhile.
    if (user_version(db) != static_cast<int>(i)) continue;
    db.exec(std::string(migrations[i].sql));
    db.exec("PRAGMA user_version = " + std::to_string(i + 1));
    tx.commit();
  }
}
}  // namespace

std::unique_ptr<SQLite::Database> open_ledger_database(const std::string& path, bool read_only,
                                                       int busy_timeout_ms) {
  if (!std::filesystem::exists(path)) {
    throw std::runtime_error("ledger file not found: " + path);
  }
  const int flags = read_only ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE;
  auto db = std::make_unique<SQLite::Database>(path, flags, busy_timeout_ms);
  if (!read_only && sqlite3_db_readonly(db->getHandle(), "main") == 1) {
    // SQLite quietly falls back to read-only when the file or its file system is; say so now
    // rather than failing on the first append.
    throw StorageError(StorageFault::kReadOnly, SQLITE_READONLY,
                       "the file or its file system is read-only: " + path);
  }
  if (!read_only) {
    const std::string mode = db->execAndGet("PRAGMA journal_mode = WAL").getString();
    if (mode != "wal") throw std::runtime_error("cannot put ledger in WAL mode: " + path);
    // Every event is written inside a savepoint, so SQLite keeps a statement journal of the pages
    // it changes; in a file that cost a write(2) per page and a quarter of a bulk import's time.
    // The statement journal only serves rolling back a savepoint of the open transaction (the WAL
    // alone makes a commit durable), so keeping it in memory loses nothing on a crash. It also
    // puts this connection's other temporary files in memory: the journal of an event that
    // rewrites many projection rows (a calendar year loaded re-derives every batch's and
    // complaint's deadlines) holds those pages in RAM until the event is released.
    db->exec("PRAGMA temp_store = MEMORY");
  }
  db->exec("PRAGMA synchronous = FULL");
  db->exec("PRAGMA foreign_keys = ON");
  return db;
}

LedgerInfo read_ledger_info(SQLite::Database& db) {
  if (!db.tableExists("ledger_meta")) {
    throw std::runtime_error("not a qledger ledger (no ledger_meta table): " + db.getFilename());
  }
  LedgerInfo info;
  SQLite::Statement q(db, "SELECT key, value FROM ledger_meta");
  while (q.executeStep()) {
    const std::string key = q.getColumn(0).getString();
    const std::string value = q.getColumn(1).getString();
    if (key == "format") info.format = value;
    if (key == "origin") info.origin = value;
    if (key == "key_name") info.key_name = value;
    if (key == "verifier_key") info.verifier_key = value;
  }
  if (info.format != kFormat) {
    throw std::runtime_error("not a qledger ledger (format '" + info.format +
                             "'): " + db.getFilename());
  }
  return info;
}

void Ledger::create(const std::string& path, const LedgerInfo& info) {
  if (std::filesystem::exists(path)) throw std::runtime_error("file already exists: " + path);
  if (info.origin.empty() || info.origin.find('\n') != std::string::npos) {
    throw std::invalid_argument("origin must be a non-empty single line");
  }
  std::optional<PrivateFile> created = create_private_file(path);
  if (!created) throw std::runtime_error("file already exists: " + path);
  // The file is ours from here: if making it a ledger fails, it is removed again (a retry would
  // otherwise find "file already exists", and opening it "not a qledger ledger") — only if it is
  // still the file created here, never one put in its place.
  try {
    {
      SQLite::Database db(path, SQLite::OPEN_READWRITE, 10000);
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA synchronous = FULL");
      migrate(db);
      SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
      SQLite::Statement ins(db, "INSERT INTO ledger_meta (key, value) VALUES (?, ?)");
      const std::pair<const char*, std::string> rows[] = {{"format", kFormat},
                                                          {"origin", info.origin},
                                                          {"key_name", info.key_name},
                                                          {"verifier_key", info.verifier_key}};
      for (const auto& [key, value] : rows) {
        ins.bind(1, key);
        ins.bind(2, value);
        ins.exec();
        ins.reset();
      }
      tx.commit();
    }
  } catch (...) {
    created->remove();
    throw;
  }
}

// Used by the Ledger constructor: migrate an existing file forward.
void migrate_ledger(SQLite::Database& db) { migrate(db); }

}  // namespace qledger
