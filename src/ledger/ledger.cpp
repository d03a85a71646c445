// Ledger: group-committed appends and proof queries.
#include "qledger/ledger.hpp"

#include "migrate.hpp"
#include "qledger/merkle.hpp"
#include "qledger/storage_error.hpp"
#include "sqlite_node_source.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <variant>

namespace qledger {

AppendRejected::AppendRejected(std::vector<FieldProblem> problems)
    : std::runtime_error(problems.empty()
                             ? std::string("append rejected")
                             : problems.front().field + ": " + problems.front().message_en),
      problems_(std::move(problems)) {}

namespace {

struct PendingAppend {
  AppendRequest request;
  AppendDone done;

  // Reports the outcome; a callback that throws anyway must not take the writer down.
  void finish(AppendResult result) {
    try {
      done(std::move(result));
    } catch (...) {
    }
  }
};

// Reads the chain head and right edge of the Merkle tree inside the current transaction.
CompactRange load_edge(SQLite::Database& db, Hash& last_leaf_hash) {
  const std::int64_t size = db.execAndGet("SELECT COALESCE(MAX(seq), 0) FROM events").getInt64();
  SqliteNodeSource nodes(db);
  std::vector<Hash> edge;
  for (const auto& [level, index] : CompactRange::decomposition(static_cast<std::uint64_t>(size))) {
    edge.push_back(nodes.perfect_node(level, index));
  }
  last_leaf_hash =
      size == 0 ? kGenesisPrev : nodes.perfect_node(0, static_cast<std::uint64_t>(size - 1));
  return CompactRange(static_cast<std::uint64_t>(size), std::move(edge));
}

// The exception a failed transaction reports: SQLite's errors become classified StorageErrors
// (full disk, lock, read-only, damage); anything else passes through unchanged.
std::exception_ptr classify_failure(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const SQLite::Exception& e) {
    const int code = e.getExtendedErrorCode() != -1 ? e.getExtendedErrorCode() : e.getErrorCode();
    return std::make_exception_ptr(StorageError(classify_sqlite_code(code), code, e.what()));
  } catch (...) {
    return std::current_exception();
  }
}

}  // namespace

namespace {

AppendRejected too_large_rejection() {
  return AppendRejected(
      {FieldProblem{"payload", "too_large",
                    "event larger than " + std::to_string(kMaxLeafBytes) + " bytes when encoded",
                    "事件编码后超过 " + std::to_string(kMaxLeafBytes) + " 字节"}});
}

// The Chinese message for a leaf field problem's code (check_leaf_fields, canonical profile).
std::string message_zh_of(const std::string& code) {
  static const std::pair<const char*, const char*> kMessages[] = {
      {"bad_kind", "事件类型须为 1 至 64 个字符，以 a-z 开头，只含 a-z、0-9、“_”和“.”"},
      {"bad_actor", "操作人须为 1 至 128 字节、不含控制字符的 UTF-8 文本"},
      {"not_object", "事件内容（payload）须为 JSON 对象"},
      {"bad_key", "字段名须为 1 至 64 个可打印 ASCII 字符"},
      {"too_deep", "嵌套层数过多"},
      {"integer_out_of_range", "整数超出允许范围（绝对值不超过 2^53−1）"},
      {"float_not_allowed", "只允许整数，不允许小数"},
      {"invalid_utf8", "文本不是有效的 UTF-8 编码"},
  };
  for (const auto& [c, zh] : kMessages) {
    if (code == c) return zh;
  }
  return "事件内容不符合要求";
}

std::optional<AppendRejected> rejection_of(const std::optional<LeafError>& problem) {
  if (!problem) return std::nullopt;
  if (problem->code == "too_large") return too_large_rejection();
  return AppendRejected({FieldProblem{problem->field, problem->code, problem->message,
                                      message_zh_of(problem->code)}});
}

// Field and size checks that need no database; run before a request is queued or written in
// place, on the caller's thread.
std::optional<AppendRejected> precheck(const AppendRequest& request) {
  return rejection_of(check_leaf_fits(request.kind, request.actor, request.payload));
}

// The field checks alone, for bulk requests (checked on the writer thread as they are pulled):
// write_event checks the size of the leaf it encodes, so encoding each one twice is not needed.
std::optional<AppendRejected> precheck_fields(const AppendRequest& request) {
  return rejection_of(check_leaf_fields(request.kind, request.actor, request.payload));
}

}  // namespace

struct Ledger::Writer {
  Writer(const std::string& path, const LedgerOptions& options,
         std::shared_ptr<EventApplier> event_applier)
      : db(open_ledger_database(path, false, options.busy_timeout_ms)),
        insert_event(*db,
                     "INSERT INTO events (seq, kind, recorded_at, actor, leaf, leaf_hash) "
                     "VALUES (?, ?, ?, ?, ?, ?)"),
        insert_node(*db, "INSERT INTO tree_nodes (level, idx, hash) VALUES (?, ?, ?)"),
        begin_event(*db, "SAVEPOINT qledger_event"),
        undo_event(*db, "ROLLBACK TO qledger_event"),
        end_event(*db, "RELEASE qledger_event"),
        head_event(*db, "SELECT seq, leaf_hash FROM events ORDER BY seq DESC LIMIT 1"),
        begin_write(*db, "BEGIN IMMEDIATE"),
        commit_write(*db, "COMMIT"),
        rollback_write(*db, "ROLLBACK"),
        max_batch(options.max_batch),
        applier(std::move(event_applier)) {
    thread = std::thread([this] { run(); });
  }

  ~Writer() {
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    wake.notify_all();
    thread.join();
    // An append being written in place (it began before `stopping`) finishes before the
    // connection and statements go; any later one sees `stopping` and throws.
    std::lock_guard in_place(write_role);
  }

  void enqueue(AppendRequest request, AppendDone done) {
    push(Job{PendingAppend{std::move(request), std::move(done)}});
  }

  // Writes `request` on the calling thread, through the same commit_batch, when no append is
  // queued or being written; otherwise queues it. A caller that then waits for the outcome saves
  // the two thread hand-offs of the queue (~45 µs on a 2-core VM, a quarter of a lone appender's
  // durable append). Earlier appends still commit first: the writer holds `write_role` from
  // taking a job off the queue until the job is finished, so an empty queue seen under
  // `write_role` means everything queued before has been written.
  void write_here_or_enqueue(AppendRequest request, AppendDone done) {
    std::unique_lock role(write_role, std::try_to_lock);
    if (role) {
      bool idle = false;
      {
        std::lock_guard lock(mutex);
        if (stopping) throw std::runtime_error("ledger is closing");
        idle = queue.empty();
      }
      if (idle) {
        std::vector<PendingAppend> batch;
        batch.push_back(PendingAppend{std::move(request), std::move(done)});
        commit_batch(batch);
        return;
      }
      role.unlock();  // a writer thread waiting for the role starts on the queue at once
    }
    enqueue(std::move(request), std::move(done));
  }

  std::future<BulkResult> enqueue_bulk(RequestSource source, bool dry_run) {
    PendingBulk bulk{std::move(source), dry_run, {}};
    auto future = bulk.promise.get_future();
    push(Job{std::move(bulk)});
    return future;
  }

 private:
  struct PendingBulk {
    RequestSource source;
    bool dry_run;
    std::promise<BulkResult> promise;
  };
  using Job = std::variant<PendingAppend, PendingBulk>;

  // The chain position while a transaction is being written.
  struct Cursor {
    CompactRange range;
    Hash prev{};
    std::string recorded_at;
  };

  void push(Job job) {
    bool was_empty = false;
    {
      std::lock_guard lock(mutex);
      if (stopping) throw std::runtime_error("ledger is closing");
      was_empty = queue.empty();
      queue.push_back(std::move(job));
    }
    // The writer only sleeps on an empty queue; waking it for every append costs a context
    // switch per event while it is busy committing.
    if (was_empty) wake.notify_one();
  }

  void run() {
    for (;;) {
      std::vector<PendingAppend> batch;
      std::optional<PendingBulk> bulk;
      {
        std::unique_lock lock(mutex);
        wake.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) return;  // stopping and drained
      }
      // Taken before the jobs leave the queue and held until they are finished (see
      // write_here_or_enqueue). Only this thread removes jobs, so the queue is not empty now.
      std::lock_guard role(write_role);
      {
        std::lock_guard lock(mutex);
        if (auto* b = std::get_if<PendingBulk>(&queue.front())) {
          bulk = std::move(*b);
          queue.pop_front();
        } else {
          while (!queue.empty() && batch.size() < max_batch &&
                 std::holds_alternative<PendingAppend>(queue.front())) {
            batch.push_back(std::move(std::get<PendingAppend>(queue.front())));
            queue.pop_front();
          }
        }
      }
      if (bulk) {
        run_bulk(*bulk);
      } else {
        commit_batch(batch);
      }
    }
  }

  // The chain position at the start of a transaction. The edge this writer left at its last
  // successful commit is reused while the file's last event is still the last one it committed
  // (one indexed read); otherwise (first transaction, another process appended, a commit that
  // reported failure but landed) it is read from the file.
  Cursor begin_cursor() {
    Cursor c;
    if (committed && file_head_is(committed->range.size(), committed->prev)) {
      c.range = committed->range;
      c.prev = committed->prev;
    } else {
      committed.reset();
      c.range = load_edge(*db, c.prev);
    }
    c.recorded_at = now_recorded_at();
    return c;
  }

  // True if the file's last event is `seq` with leaf hash `leaf_hash` (none and 0 for empty).
  bool file_head_is(std::uint64_t seq, const Hash& leaf_hash) {
    bool same = false;
    if (head_event.executeStep()) {
      const SQLite::Column hash = head_event.getColumn(1);
      same = head_event.getColumn(0).getInt64() == static_cast<std::int64_t>(seq) &&
             hash.getBytes() == static_cast<int>(leaf_hash.size()) &&
             std::memcmp(hash.getBlob(), leaf_hash.data(), leaf_hash.size()) == 0;
    } else {
      same = seq == 0;
    }
    head_event.reset();
    return same;
  }

  // After a commit: the next transaction may start from here.
  void remember_committed(Cursor& c) { committed = Cursor{std::move(c.range), c.prev, {}}; }

  // After a failed transaction: any statement a failure interrupted is ready to run again.
  void reset_statements() {
    for (SQLite::Statement* s :
         {&insert_event, &insert_node, &begin_event, &undo_event, &end_event, &head_event}) {
      s->tryReset();
    }
  }

  // Runs a prepared statement without results and leaves it ready for the next run.
  static void run_once(SQLite::Statement& statement) {
    statement.exec();
    statement.reset();
  }

  // BEGIN IMMEDIATE … COMMIT through statements prepared once (SQLite::Transaction parses both
  // for every batch); rolls back unless committed. Each statement is left ready to run again
  // even when it fails, since the rollback runs before the writer's own clean-up.
  class WriteTransaction {
   public:
    explicit WriteTransaction(Writer& writer) : writer_(writer) { run(writer_.begin_write); }
    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;
    ~WriteTransaction() {
      if (committed_) return;
      try {
        run(writer_.rollback_write);
      } catch (...) {  // e.g. SQLite already rolled back after a failed COMMIT
      }
    }
    void commit() {
      run(writer_.commit_write);
      committed_ = true;
    }

   private:
    // A COMMIT's own error can surface only when its statement is reset (sqlite3_exec, which
    // SQLite::Transaction used, reports that one, e.g. SQLITE_IOERR rather than SQLITE_ERROR):
    // that code is the one thrown, so failures are classified as before.
    void run(SQLite::Statement& statement) {
      try {
        statement.exec();
      } catch (const SQLite::Exception& e) {
        const int reset_code = statement.tryReset();
        if (reset_code != SQLITE_OK && reset_code != e.getErrorCode()) {
          throw SQLite::Exception(writer_.db->getHandle(), reset_code);
        }
        throw;
      } catch (...) {
        statement.tryReset();
        throw;
      }
      statement.reset();
    }
    Writer& writer_;
    bool committed_ = false;
  };

  // Validates (through the applier) and writes one event inside the open transaction. Returns
  // its receipt, or throws AppendRejected with nothing of it written.
  Receipt write_event(Cursor& c, AppendRequest& request) {
    Leaf leaf;
    leaf.seq = c.range.size() + 1;
    leaf.kind = std::move(request.kind);
    leaf.actor = std::move(request.actor);
    leaf.payload = std::move(request.payload);
    leaf.recorded_at = c.recorded_at;
    leaf.prev = c.prev;
    if (applier) {
      run_once(begin_event);
      try {
        applier->prepare(*db, leaf);
      } catch (const AppendRejected&) {
        run_once(undo_event);
        run_once(end_event);
        throw;
      }
    }
    const std::optional<std::string> encoded = encode_leaf_if_fits(leaf);
    if (!encoded) {
      // Bulk requests get their size checked here, and so does a payload prepare() made larger.
      if (applier) {
        run_once(undo_event);
        run_once(end_event);
      }
      throw too_large_rejection();
    }
    const std::string& bytes = *encoded;
    const Hash lh = hasher.leaf_hash(bytes);
    insert_event.bind(1, static_cast<std::int64_t>(leaf.seq));
    insert_event.bind(2, leaf.kind);
    insert_event.bind(3, leaf.recorded_at);
    insert_event.bind(4, leaf.actor);
    insert_event.bind(5, bytes.data(), static_cast<int>(bytes.size()));
    insert_event.bind(6, lh.data(), static_cast<int>(lh.size()));
    insert_event.exec();
    insert_event.reset();
    for (const auto& node : c.range.append(hasher, lh)) {
      if (node.level == 0) continue;
      insert_node.bind(1, static_cast<std::int64_t>(node.level));
      insert_node.bind(2, static_cast<std::int64_t>(node.index));
      insert_node.bind(3, node.hash.data(), static_cast<int>(node.hash.size()));
      insert_node.exec();
      insert_node.reset();
    }
    if (applier) {
      try {
        applier->project(*db, leaf);
      } catch (const AppendRejected&) {
        // Too late to refuse: the leaf and its tree nodes are written. Fail the transaction
        // instead of reporting a rejection while the chain moved on.
        throw std::logic_error(
            "an EventApplier rejected an event in project(); only prepare() may");
      }
      run_once(end_event);
    }
    c.prev = lh;
    return Receipt{leaf.seq, lh, c.recorded_at, 0, {}};
  }

  // A ledger file renamed or deleted while open would silently take appends into an inode
  // nobody will open again. Refuse them instead (one stat() per transaction).
  void check_not_moved() {
    int moved = 0;
    if (sqlite3_file_control(db->getHandle(), "main", SQLITE_FCNTL_HAS_MOVED, &moved) ==
            SQLITE_OK &&
        moved != 0) {
      throw StorageError(StorageFault::kReadOnly, SQLITE_READONLY_DBMOVED,
                         "the ledger file was moved or deleted while open");
    }
  }

  void commit_batch(std::vector<PendingAppend>& batch) {
    std::vector<std::optional<Receipt>> receipts(batch.size());
    std::vector<std::exception_ptr> rejections(batch.size());
    try {
      WriteTransaction tx(*this);
      check_not_moved();
      Cursor cursor = begin_cursor();
      for (std::size_t i = 0; i < batch.size(); ++i) {
        try {
          receipts[i] = write_event(cursor, batch[i].request);
        } catch (const AppendRejected&) {
          rejections[i] = std::current_exception();
        }
      }
      const Hash root = cursor.range.root(hasher);
      tx.commit();  // durable (WAL, synchronous=FULL) once this returns
      const std::uint64_t tree_size = cursor.range.size();
      remember_committed(cursor);
      for (std::size_t i = 0; i < batch.size(); ++i) {  // finish() does not throw
        if (rejections[i]) {
          batch[i].finish({std::nullopt, rejections[i]});
        } else {
          receipts[i]->tree_size = tree_size;
          receipts[i]->root_hash = root;
          batch[i].finish({std::move(receipts[i]), nullptr});
        }
      }
    } catch (...) {
      // The transaction rolled back: nothing of this batch was written.
      reset_statements();
      const auto error = classify_failure(std::current_exception());
      for (std::size_t i = 0; i < batch.size(); ++i) {
        batch[i].finish({std::nullopt, rejections[i] ? rejections[i] : error});
      }
    }
  }

  void run_bulk(PendingBulk& bulk) {
    BulkResult result;
    try {
      WriteTransaction tx(*this);
      check_not_moved();
      Cursor cursor = begin_cursor();
      for (std::uint64_t index = 0;; ++index) {
        std::optional<AppendRequest> request = bulk.source();
        if (!request) break;
        ++result.total;
        try {
          if (auto rejected = precheck_fields(*request)) throw *rejected;
          const Receipt r = write_event(cursor, *request);
          if (result.first_seq == 0) result.first_seq = r.seq;
          result.last_seq = r.seq;
        } catch (const AppendRejected& rejected) {
          ++result.rejected_count;
          if (result.rejected.size() < kMaxReportedRejections) {
            result.rejected.push_back({index, rejected.problems()});
          }
        }
      }
      result.head = TreeHead{cursor.range.size(), cursor.range.root(hasher)};
      if (result.rejected_count == 0 && !bulk.dry_run) {
        tx.commit();
        result.committed = true;
        remember_committed(cursor);
      }  // else: the destructor rolls everything back
      bulk.promise.set_value(std::move(result));
    } catch (...) {
      reset_statements();
      bulk.promise.set_exception(classify_failure(std::current_exception()));
    }
  }

 public:
  std::unique_ptr<SQLite::Database> db;
  SQLite::Statement insert_event;
  SQLite::Statement insert_node;
  // The savepoint around each event that has an applier (parsed once, not per event).
  SQLite::Statement begin_event;
  SQLite::Statement undo_event;
  SQLite::Statement end_event;
  SQLite::Statement head_event;
  SQLite::Statement begin_write;
  SQLite::Statement commit_write;
  SQLite::Statement rollback_write;
  std::optional<Cursor> committed;  // the position after this writer's last commit
  std::size_t max_batch;
  std::shared_ptr<EventApplier> applier;
  Sha256 hasher;
  // Held by whichever thread is writing: the writer thread, or a caller of append on an idle
  // writer. Taken before `mutex`, never while holding it.
  std::mutex write_role;
  std::mutex mutex;  // guards queue and stopping
  std::condition_variable wake;
  std::deque<Job> queue;
  bool stopping = false;
  std::thread thread;
};

struct Ledger::Reader {
  explicit Reader(const std::string& path, int busy_timeout_ms)
      : db(open_ledger_database(path, true, busy_timeout_ms)) {}
  std::mutex mutex;
  std::unique_ptr<SQLite::Database> db;
};

Ledger::Ledger(const std::string& path, LedgerOptions options,
               std::shared_ptr<EventApplier> applier)
    : path_(path), options_(options) {
  try {
    {
      auto db = open_ledger_database(path, false, options.busy_timeout_ms);
      info_ = read_ledger_info(*db);
      migrate_ledger(*db);
    }
    writer_ = std::make_unique<Writer>(path, options_, std::move(applier));
    reader_ = std::make_unique<Reader>(path, options_.busy_timeout_ms);
  } catch (const SQLite::Exception& e) {
    // A damaged, locked or unwritable file: say which, with the path (never its contents).
    const int code = e.getExtendedErrorCode() != -1 ? e.getExtendedErrorCode() : e.getErrorCode();
    throw StorageError(classify_sqlite_code(code), code, std::string(e.what()) + ": " + path);
  }
}

Ledger::~Ledger() = default;

namespace {
// The AppendDone that settles `promise` with the outcome.
AppendDone fulfil(std::shared_ptr<std::promise<Receipt>> promise) {
  return [promise = std::move(promise)](AppendResult result) {
    if (result.error) {
      promise->set_exception(result.error);
    } else {
      promise->set_value(std::move(*result.receipt));
    }
  };
}
}  // namespace

std::future<Receipt> Ledger::append_async(AppendRequest request) {
  auto promise = std::make_shared<std::promise<Receipt>>();
  auto future = promise->get_future();
  append_then(std::move(request), fulfil(promise));
  return future;
}

void Ledger::append_then(AppendRequest request, AppendDone done) {
  if (auto rejected = precheck(request)) throw *rejected;
  writer_->enqueue(std::move(request), std::move(done));
}

Receipt Ledger::append(AppendRequest request) {
  if (auto rejected = precheck(request)) throw *rejected;
  auto promise = std::make_shared<std::promise<Receipt>>();
  auto future = promise->get_future();
  writer_->write_here_or_enqueue(std::move(request), fulfil(promise));
  return future.get();
}

BulkResult Ledger::append_all(RequestSource source, bool dry_run) {
  return writer_->enqueue_bulk(std::move(source), dry_run).get();
}

void Ledger::with_reader(const std::function<void(SQLite::Database&)>& fn) {
  std::lock_guard lock(reader_->mutex);
  // One read transaction so every query inside sees the same snapshot.
  reader_->db->exec("BEGIN");
  try {
    fn(*reader_->db);
  } catch (...) {
    reader_->db->tryExec("ROLLBACK");
    throw;
  }
  reader_->db->exec("COMMIT");
}

namespace {
std::uint64_t current_size(SQLite::Database& db) {
  return static_cast<std::uint64_t>(
      db.execAndGet("SELECT COALESCE(MAX(seq), 0) FROM events").getInt64());
}
}  // namespace

TreeHead Ledger::head() {
  TreeHead head;
  with_reader([&](SQLite::Database& db) {
    head.size = current_size(db);
    head.root = tree_root(SqliteNodeSource(db), head.size);
  });
  return head;
}

Hash tree_root_in(SQLite::Database& db, std::uint64_t size) {
  if (size > current_size(db)) throw std::out_of_range("tree size beyond the ledger's head");
  return tree_root(SqliteNodeSource(db), size);
}

Hash Ledger::root_at(std::uint64_t size) {
  Hash root{};
  with_reader([&](SQLite::Database& db) { root = tree_root_in(db, size); });
  return root;
}

std::optional<StoredEvent> Ledger::event(std::uint64_t seq) {
  std::optional<StoredEvent> result;
  with_reader([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "SELECT seq, kind, recorded_at, actor, leaf, leaf_hash FROM events "
                        "WHERE seq = ?");
    q.bind(1, static_cast<std::int64_t>(seq));
    if (!q.executeStep()) return;
    StoredEvent e;
    e.seq = static_cast<std::uint64_t>(q.getColumn(0).getInt64());
    e.kind = q.getColumn(1).getString();
    e.recorded_at = q.getColumn(2).getString();
    e.actor = q.getColumn(3).getString();
    const SQLite::Column leaf = q.getColumn(4);
    e.leaf.assign(static_cast<const char*>(leaf.getBlob()),
                  static_cast<std::size_t>(leaf.getBytes()));
    const SQLite::Column lh = q.getColumn(5);
    if (lh.getBytes() == 32) std::memcpy(e.leaf_hash.data(), lh.getBlob(), 32);
    result = std::move(e);
  });
  return result;
}

std::vector<Hash> Ledger::inclusion_proof(std::uint64_t seq, std::uint64_t tree_size) {
  std::vector<Hash> proof;
  with_reader([&](SQLite::Database& db) {
    if (tree_size > current_size(db)) throw std::out_of_range("tree size beyond the ledger's head");
    if (seq < 1 || seq > tree_size) throw std::out_of_range("seq not inside the tree size");
    proof = qledger::inclusion_proof(SqliteNodeSource(db), seq - 1, tree_size);
  });
  return proof;
}

std::vector<Hash> Ledger::consistency_proof(std::uint64_t old_size, std::uint64_t new_size) {
  std::vector<Hash> proof;
  with_reader([&](SQLite::Database& db) {
    if (new_size > current_size(db)) throw std::out_of_range("tree size beyond the ledger's head");
    if (old_size < 1 || old_size > new_size) {
      throw std::out_of_range("need 1 <= old size <= new size");
    }
    proof = qledger::consistency_proof(SqliteNodeSource(db), old_size, new_size);
  });
  return proof;
}

}  // namespace qledger
