// The ledger: an append-only SQLite file of hash-chained leaves plus the perfect Merkle nodes
// needed to answer proofs in O(log n) reads.
//
// Appends are group-committed: one writer thread takes every append waiting in the queue, writes
// them in one IMMEDIATE transaction with synchronous=FULL, and completes each caller only after
// COMMIT returned. A blocking append() that finds the writer idle (nothing queued or being
// written) is written the same way on the caller's own thread, sparing two thread hand-offs.
// Several processes may append to the same file: the head of the chain is read inside the write
// transaction, so SQLite's write lock serialises them and the chain stays valid. Readers use their
// own connection and never block the writer (WAL).
#pragma once

#include "qledger/canonical_json.hpp"
#include "qledger/field_problem.hpp"
#include "qledger/hash.hpp"
#include "qledger/leaf.hpp"
#include "qledger/storage_error.hpp"

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace qledger {

struct LedgerOptions {
  int busy_timeout_ms = 10000;   // how long to wait for another process's write lock
  std::size_t max_batch = 4096;  // most appends grouped into one transaction
};

// What the ledger says about itself (written once at creation, table ledger_meta).
struct LedgerInfo {
  std::string format;        // "qledger-ledger/1"
  std::string origin;        // checkpoint origin line, e.g. "qledger.example/huoshan-amr"
  std::string key_name;      // signing key name used in signature lines
  std::string verifier_key;  // note-form verifier key recorded at creation (informational only:
                             // a verifier must get its trusted key from outside the file)
};

struct TreeHead {
  std::uint64_t size = 0;
  Hash root{};
};

struct Receipt {
  std::uint64_t seq = 0;
  Hash leaf_hash{};
  std::string recorded_at;
  std::uint64_t tree_size = 0;  // size of the tree after the batch holding this event
  Hash root_hash{};             // root at tree_size
};

struct StoredEvent {
  std::uint64_t seq = 0;
  std::string kind;
  std::string recorded_at;
  std::string actor;
  std::string leaf;  // the exact hashed bytes
  Hash leaf_hash{};
};

struct AppendRequest {
  std::string kind;
  std::string actor;
  Json payload = Json::object();
};

// A request refused before anything was written (bad field, rejected by the applier).
// Every problem is listed; nothing of the request reached the database.
class AppendRejected : public std::runtime_error {
 public:
  explicit AppendRejected(std::vector<FieldProblem> problems);
  const std::vector<FieldProblem>& problems() const { return problems_; }

 private:
  std::vector<FieldProblem> problems_;
};

// Hooks run inside the write transaction for each event, so that state-dependent validation and
// projections commit atomically with the leaf. Both run under a per-event savepoint, one event at
// a time, on the writer thread or on the thread of an append() written in place (see above). Like
// AppendDone and RequestSource, they must not append to the same Ledger (that would wait for
// itself).
class EventApplier {
 public:
  virtual ~EventApplier() = default;
  // Before the leaf is encoded (seq, prev and recorded_at are final): validate against the
  // current state and normalise the payload (e.g. move personal data out of it). Throwing
  // AppendRejected rejects only this event, rolling back its writes; any other exception fails
  // the whole batch. A payload made too large to fit kMaxLeafBytes at every seq is refused the
  // same way ("too_large"), its writes rolled back.
  virtual void prepare(SQLite::Database& db, Leaf& leaf) = 0;
  // After the event's row is inserted: update derived tables. Must not reject: AppendRejected
  // thrown here fails the whole batch (std::logic_error), like any other exception.
  virtual void project(SQLite::Database& /*db*/, const Leaf& /*leaf*/) {}
};

// Outcome of an all-or-nothing bulk append (imports).
struct BulkResult {
  std::uint64_t total = 0;           // requests read from the source
  std::uint64_t rejected_count = 0;  // requests refused
  // The first kMaxReportedRejections refusals: (0-based request index, problems).
  std::vector<std::pair<std::uint64_t, std::vector<FieldProblem>>> rejected;
  bool committed = false;  // true only if nothing was refused and it was not a dry run
  std::uint64_t first_seq = 0, last_seq = 0;  // seqs the events got (rolled back unless committed)
  TreeHead head;  // tree after the last event (as committed, or as it would have been)
};
inline constexpr std::size_t kMaxReportedRejections = 10000;

// How an append ended, for append_then: the receipt once it is durable, or the exception append
// would have thrown (AppendRejected, StorageError, ...), with nothing of it written.
struct AppendResult {
  std::optional<Receipt> receipt;
  std::exception_ptr error;
};

// Called once per append_then, on the writer thread, after the commit (or the failure). It holds
// up every other append while it runs: hand the result elsewhere and return. Must not throw.
using AppendDone = std::function<void(AppendResult)>;

// Pulls the next request of a bulk append; nullopt ends it. Runs on the writer thread.
using RequestSource = std::function<std::optional<AppendRequest>()>;

class Ledger {
 public:
  // Creates a new ledger file (fails if it exists) with the schema and metadata.
  static void create(const std::string& path, const LedgerInfo& info);

  // Opens an existing ledger for reading and appending; applies pending schema migrations.
  // Throws std::runtime_error if the file is missing or not a qledger ledger, StorageError if
  // SQLite cannot use it (damaged, locked, read-only).
  explicit Ledger(const std::string& path, LedgerOptions options = {},
                  std::shared_ptr<EventApplier> applier = nullptr);
  ~Ledger();  // drains the queue: every accepted append is committed or failed before return
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Appends one event; returns once it is durable. Throws AppendRejected for invalid input,
  // StorageError (full disk, lock timeout, read-only or damaged file) or another
  // std::runtime_error if the transaction failed (nothing of it was written).
  Receipt append(AppendRequest request);
  std::future<Receipt> append_async(AppendRequest request);
  // As append_async, but `done` is called with the outcome instead of a future being filled, so
  // no thread waits for the commit. Requests refused without the database throw AppendRejected
  // here, before anything is queued (`done` is then not called).
  void append_then(AppendRequest request, AppendDone done);

  // Appends every request from `source` in ONE transaction: each is validated against the state
  // left by those before it; if any is refused (or `dry_run`), nothing is written and every
  // refusal is reported. Blocks other appends while it runs. Throws std::runtime_error if the
  // transaction itself failed.
  BulkResult append_all(RequestSource source, bool dry_run = false);

  const LedgerInfo& info() const { return info_; }
  const std::string& path() const { return path_; }

  TreeHead head();
  Hash root_at(std::uint64_t size);  // throws std::out_of_range beyond the head
  std::optional<StoredEvent> event(std::uint64_t seq);
  // Leaf-index based proofs (leaf index = seq − 1). Throw std::out_of_range on bad sizes.
  std::vector<Hash> inclusion_proof(std::uint64_t seq, std::uint64_t tree_size);
  std::vector<Hash> consistency_proof(std::uint64_t old_size, std::uint64_t new_size);

  // Runs `fn` with the reader connection held, in one read transaction (for queries by other
  // library modules). Not re-entrant: `fn` must not call head(), event(), root_at() or the proof
  // functions of the same Ledger (they take the same lock); query `db` directly instead.
  void with_reader(const std::function<void(SQLite::Database&)>& fn);

 private:
  struct Writer;
  std::string path_;
  LedgerOptions options_;
  LedgerInfo info_;
  std::unique_ptr<Writer> writer_;
  struct Reader;
  std::unique_ptr<Reader> reader_;
};

// Opens `path` with the ledger's pragmas (WAL, synchronous=FULL, busy timeout, foreign keys).
std::unique_ptr<SQLite::Database> open_ledger_database(const std::string& path, bool read_only,
                                                       int busy_timeout_ms);

// Reads ledger_meta. Throws std::runtime_error if it is not a qledger ledger.
LedgerInfo read_ledger_info(SQLite::Database& db);

// The root of the first `size` leaves, read from an open ledger database (for code already
// inside Ledger::with_reader, which is not re-entrant). Throws std::out_of_range beyond the head.
Hash tree_root_in(SQLite::Database& db, std::uint64_t size);

}  // namespace qledger
