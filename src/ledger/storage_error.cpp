// Storage faults: SQLite result codes sorted into what a caller can do about them.
#include "qledger/storage_error.hpp"

namespace qledger {

namespace {
// Primary result codes (sqlite3.h); the low byte of an extended code is its primary code.
constexpr int kSqliteBusy = 5;
constexpr int kSqliteLocked = 6;
constexpr int kSqliteReadOnly = 8;
constexpr int kSqliteIoErr = 10;
constexpr int kSqliteCorrupt = 11;
constexpr int kSqliteFull = 13;
constexpr int kSqliteCantOpen = 14;
constexpr int kSqliteNotADb = 26;
}  // namespace

StorageFault classify_sqlite_code(int code) {
  switch (code & 0xff) {
    case kSqliteFull:
      return StorageFault::kFull;
    case kSqliteBusy:
    case kSqliteLocked:
      return StorageFault::kBusy;
    case kSqliteReadOnly:
    case kSqliteCantOpen:
      return StorageFault::kReadOnly;
    case kSqliteCorrupt:
    case kSqliteNotADb:
      return StorageFault::kCorrupt;
    case kSqliteIoErr:
      return StorageFault::kIo;
    default:
      return StorageFault::kOther;
  }
}

const char* storage_fault_code(StorageFault fault) {
  switch (fault) {
    case StorageFault::kFull:
      return "storage_full";
    case StorageFault::kBusy:
      return "storage_busy";
    case StorageFault::kReadOnly:
      return "storage_read_only";
    case StorageFault::kCorrupt:
      return "storage_corrupt";
    case StorageFault::kIo:
      return "storage_io";
    case StorageFault::kOther:
      break;
  }
  return "storage_unavailable";
}

FieldProblem storage_fault_problem(StorageFault fault) {
  const std::string code = storage_fault_code(fault);
  switch (fault) {
    case StorageFault::kFull:
      return {"", code,
              "The disk holding the ledger is full; nothing was written. Free space, then retry.",
              "账本所在磁盘已满，未写入任何内容。请释放空间后重试。"};
    case StorageFault::kBusy:
      return {"", code,
              "The ledger is locked by another process; nothing was written. Retry later.",
              "账本正被其他进程锁定，未写入任何内容，请稍后重试。"};
    case StorageFault::kReadOnly:
      return {"", code,
              "The ledger file is read-only, or no longer where it was opened; nothing was "
              "written.",
              "账本文件为只读，或已不在打开时的位置，未写入任何内容。"};
    case StorageFault::kCorrupt:
      return {"", code,
              "The ledger file is damaged; nothing was written. Run qledger verify and restore "
              "from a backup.",
              "账本文件已损坏，未写入任何内容。请运行 qledger verify 并从备份恢复。"};
    case StorageFault::kIo:
      return {"", code, "The ledger could not be read or written (I/O error); nothing was written.",
              "账本读写失败（I/O 错误），未写入任何内容。"};
    case StorageFault::kOther:
      break;
  }
  return {"", code, "The ledger could not store the event; nothing was written. Retry later.",
          "账本暂时无法保存该事件，未写入任何内容，请稍后重试。"};
}

StorageError::StorageError(StorageFault fault, int sqlite_code, const std::string& detail)
    : std::runtime_error(storage_fault_problem(fault).message_en + " (" + detail + ")"),
      fault_(fault),
      sqlite_code_(sqlite_code) {}

}  // namespace qledger
