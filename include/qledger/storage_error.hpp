// Why the ledger file could not be written or read: a storage fault, as opposed to a refused
// request. Classified from SQLite's result code so every caller answers the same way (the daemon:
// HTTP 507 for a full disk, 503 for the others; the CLI: exit 2 with the message). When an append
// fails with a StorageError nothing of its transaction was written.
#pragma once

#include <stdexcept>
#include <string>

#include "qledger/field_problem.hpp"

namespace qledger {

enum class StorageFault {
  kFull,      // disk or size limit reached (SQLITE_FULL): retry once space is freed
  kBusy,      // another process held the write lock past the busy timeout (SQLITE_BUSY/LOCKED)
  kReadOnly,  // the file or its file system is read-only (SQLITE_READONLY, CANTOPEN for writing),
              // or the file was moved or deleted while open (READONLY_DBMOVED)
  kCorrupt,   // the file is damaged or not a database (SQLITE_CORRUPT, SQLITE_NOTADB)
  kIo,        // any other I/O error (SQLITE_IOERR_*)
  kOther,     // anything else SQLite reported
};

// SQLite (extended or primary) result code → fault. Pure; no SQLite needed.
StorageFault classify_sqlite_code(int code);

// Stable machine code: "storage_full", "storage_busy", "storage_read_only", "storage_corrupt",
// "storage_io", "storage_unavailable".
const char* storage_fault_code(StorageFault fault);

// The bilingual problem to show a user (field is empty: it concerns no input field).
FieldProblem storage_fault_problem(StorageFault fault);

class StorageError : public std::runtime_error {
 public:
  // `detail` is SQLite's own message (never user data); it is appended to the English text.
  StorageError(StorageFault fault, int sqlite_code, const std::string& detail);
  StorageFault fault() const { return fault_; }
  int sqlite_code() const { return sqlite_code_; }

 private:
  StorageFault fault_;
  int sqlite_code_;
};

}  // namespace qledger
