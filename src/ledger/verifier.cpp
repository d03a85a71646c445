#include "qledger/verifier.hpp"

#include "qledger/checkpoint.hpp"
#include "qledger/leaf.hpp"
#include "qledger/ledger.hpp"
#include "qledger/merkle.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

namespace qledger {

namespace {

struct TrustedCheckpoint {
  std::string name;
  std::uint64_t size;
  Hash root;
  std::size_t result_index;
};

// Streams tree_nodes level by level in index order, so checking every stored node costs one
// sequential scan per level instead of a lookup per node.
class StoredNodeCursors {
 public:
  explicit StoredNodeCursors(SQLite::Database& db) : db_(db) {}

  // Returns nullopt if the node is missing, else the stored hash. A level whose rows have run
  // out stays out (SQLiteCpp refuses to step a finished statement again).
  std::optional<Hash> next(unsigned level, std::uint64_t index) {
    auto& cursor = cursors_[level];
    if (!cursor) {
      // Only rows that can be a node (L, k): integer k >= 0. Any other row of the level (an
      // insider's, CHECKs off) would stand in the cursor's way; it is counted at the end
      // (tree_node_extra), as the format's lookup of (L, k) would leave it.
      cursor = std::make_unique<SQLite::Statement>(
          db_,
          "SELECT idx, hash FROM tree_nodes WHERE level = ? AND typeof(idx) = 'integer' "
          "AND idx >= 0 ORDER BY idx");
      cursor->bind(1, static_cast<std::int64_t>(level));
    }
    if (cursor->isDone() || !cursor->executeStep()) return std::nullopt;
    if (static_cast<std::uint64_t>(cursor->getColumn(0).getInt64()) != index) return std::nullopt;
    const SQLite::Column h = cursor->getColumn(1);
    if (h.getBytes() != 32) return std::nullopt;
    Hash out{};
    std::memcpy(out.data(), h.getBlob(), 32);
    return out;
  }

 private:
  SQLite::Database& db_;
  std::map<unsigned, std::unique_ptr<SQLite::Statement>> cursors_;
};

// What the reading side hands the checking side for one row of `events`: the row's columns
// (copied into the batch's byte buffer; the stored leaf hash here), and the stored Merkle nodes
// that leaf completes (known from its position alone). The checker recomputes the leaf hash.
struct ScannedRow {
  std::uint64_t seq = 0;        // the row's seq column
  bool stored_hash_ok = false;  // the leaf_hash column holds 32 bytes, copied to stored_hash
  Hash stored_hash{};
  std::size_t kind_at = 0, recorded_at_at = 0, actor_at = 0, leaf_at = 0, end = 0;
  std::size_t nodes_at = 0, nodes_end = 0;  // range in ScanBatch::nodes
  // Reading the node at nodes_end failed with this error; the checker raises it when it gets
  // there, i.e. only if every earlier check of the row passed, as a single pass would.
  std::exception_ptr node_error;
};

struct StoredNode {
  bool present = false;  // false: missing, out of order or not 32 bytes
  Hash hash{};
};

struct ScanBatch {
  static constexpr std::size_t kRows = 2048;
  static constexpr std::size_t kBytes = 4 << 20;  // or fewer rows once their bytes pass this
  std::vector<ScannedRow> rows;
  std::string bytes;
  std::vector<StoredNode> nodes;
  std::exception_ptr error;  // reading the row after the last one failed

  std::string_view text(std::size_t from, std::size_t to) const {
    return std::string_view(bytes).substr(from, to - from);
  }
  void clear() {
    rows.clear();
    bytes.clear();
    nodes.clear();
    error = nullptr;
  }
};

// Reads `events` in seq order into batches: columns and stored nodes. It
// judges nothing: every check, in order, is the checker's, so the first bad row is found exactly
// as a single pass finds it.
class RowReader {
 public:
  explicit RowReader(SQLite::Database& db)
      : db_(db),
        nodes_(db),
        rows_(db,
              "SELECT seq, kind, recorded_at, actor, leaf, leaf_hash FROM events ORDER BY seq") {}

  // Fills an empty batch with up to kRows rows (fewer once they pass kBytes). Returns false once
  // nothing follows: the rows ran out, reading failed (the error is kept in the batch or its last
  // row), or `stop` was set. Never throws.
  bool fill(ScanBatch& batch, const std::atomic<bool>& stop) {
    try {
      while (batch.rows.size() < ScanBatch::kRows && batch.bytes.size() < ScanBatch::kBytes) {
        if (stop.load(std::memory_order_relaxed)) return false;
        if (!rows_.executeStep()) return false;
        if (!read_row(batch)) return false;
      }
      return true;
    } catch (...) {
      batch.error = std::current_exception();
      return false;
    }
  }

 private:
  // Appends the current row; false if reading one of its nodes failed (kept in the row).
  bool read_row(ScanBatch& batch) {
    ++position_;
    ScannedRow row;
    row.seq = static_cast<std::uint64_t>(rows_.getColumn(0).getInt64());
    row.kind_at = copy_text(batch, 1);
    row.recorded_at_at = copy_text(batch, 2);
    row.actor_at = copy_text(batch, 3);
    row.leaf_at = batch.bytes.size();
    {
      const SQLite::Column leaf = rows_.getColumn(4);
      const void* data = leaf.getBlob();
      batch.bytes.append(static_cast<const char*>(data), static_cast<std::size_t>(leaf.getBytes()));
    }
    row.end = batch.bytes.size();
    // getBytes before getBlob, as the single pass read it: a TEXT value in a UTF-16 file is
    // then compared as its UTF-8 bytes.
    const SQLite::Column stored = rows_.getColumn(5);
    row.stored_hash_ok = stored.getBytes() == 32;
    if (row.stored_hash_ok) std::memcpy(row.stored_hash.data(), stored.getBlob(), 32);
    // Leaf `position` completes the perfect nodes of levels 1..ctz(position).
    row.nodes_at = batch.nodes.size();
    try {
      for (unsigned level = 1; (position_ & ((std::uint64_t{1} << level) - 1)) == 0; ++level) {
        const auto hash = nodes_.next(level, (position_ >> level) - 1);
        batch.nodes.push_back({hash.has_value(), hash.value_or(Hash{})});
      }
    } catch (...) {
      row.node_error = std::current_exception();
    }
    row.nodes_end = batch.nodes.size();
    batch.rows.push_back(row);
    return !row.node_error;
  }

  // A TEXT column's bytes, as getString() would copy them (getText before getBytes, as SQLite
  // requires for the length to be that of the text).
  std::size_t copy_text(ScanBatch& batch, int index) {
    const SQLite::Column column = rows_.getColumn(index);
    const char* text = column.getText();
    const std::size_t at = batch.bytes.size();
    batch.bytes.append(text, static_cast<std::size_t>(column.getBytes()));
    return at;
  }

  SQLite::Database& db_;
  StoredNodeCursors nodes_;
  SQLite::Statement rows_;
  std::uint64_t position_ = 0;  // rows read so far
};

// Batches passed from the reading thread to the checking thread, in order, and back for reuse.
// The reader ends the exchange when its rows end (or fail); the checker when it has found the
// first problem, or failed, and needs no more rows. Its queues never grow past the number of
// batches, so passing a batch never allocates.
class BatchChannel {
 public:
  explicit BatchChannel(std::size_t batches) {
    free_.reserve(batches);
    full_.reserve(batches);
    for (std::size_t i = 0; i < batches; ++i) free_.push_back(std::make_unique<ScanBatch>());
  }

  // Reader: an empty batch to fill, or null once the checker has stopped.
  std::unique_ptr<ScanBatch> take_free() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return stopped_ || !free_.empty(); });
    if (stopped_) return nullptr;
    return pop_front(free_);
  }
  void send(std::unique_ptr<ScanBatch> batch) {
    std::lock_guard lock(mutex_);
    full_.push_back(std::move(batch));
    changed_.notify_all();
  }
  // The reader is done; `error` if it failed outside any row (kept until the checker asks).
  void finish(std::exception_ptr error) {
    std::lock_guard lock(mutex_);
    finished_ = true;
    error_ = error;
    changed_.notify_all();
  }
  const std::atomic<bool>& stopping() const { return stopping_; }

  // Checker: the next filled batch, or null when the reader has finished and all were taken.
  std::unique_ptr<ScanBatch> receive() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return finished_ || !full_.empty(); });
    if (full_.empty()) return nullptr;
    return pop_front(full_);
  }
  void give_back(std::unique_ptr<ScanBatch> batch) {
    batch->clear();
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(batch));
    changed_.notify_all();
  }
  void stop() {
    stopping_ = true;
    std::lock_guard lock(mutex_);
    stopped_ = true;
    changed_.notify_all();
  }
  std::exception_ptr error() {
    std::lock_guard lock(mutex_);
    return error_;
  }

 private:
  static std::unique_ptr<ScanBatch> pop_front(std::vector<std::unique_ptr<ScanBatch>>& queue) {
    auto batch = std::move(queue.front());
    queue.erase(queue.begin());
    return batch;
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::unique_ptr<ScanBatch>> free_, full_;  // oldest first
  bool finished_ = false, stopped_ = false;
  std::atomic<bool> stopping_{false};  // stopped_, read by the reader between rows
  std::exception_ptr error_;
};

// The reading side on its own thread, feeding `channel` from `reader`. Joined on destruction,
// after telling the channel to stop: however the checker leaves, the thread is gone with it.
class ReadingThread {
 public:
  ReadingThread(RowReader& reader, BatchChannel& channel) : channel_(channel) {
    thread_ = std::thread([&reader, &channel] {
      std::exception_ptr error;
      try {
        while (auto batch = channel.take_free()) {
          const bool more = reader.fill(*batch, channel.stopping());
          channel.send(std::move(batch));
          if (!more) break;
        }
      } catch (...) {  // e.g. a lock that could not be taken
        error = std::current_exception();
      }
      channel.finish(error);
    });
  }
  ~ReadingThread() {
    channel_.stop();
    thread_.join();
  }
  ReadingThread(const ReadingThread&) = delete;
  ReadingThread& operator=(const ReadingThread&) = delete;

 private:
  BatchChannel& channel_;
  std::thread thread_;
};

class LedgerScan {
 public:
  LedgerScan(SQLite::Database& db, VerifyReport& report, std::vector<TrustedCheckpoint> targets)
      : db_(db), report_(report), targets_(std::move(targets)) {}

  // Reads on a second thread (RowReader) and checks on this one; each has about half the work.
  // Only the reading side touches the database until it has finished. Without a second thread
  // (it could not be started) the same batches are read and checked in turn on this one.
  void run() {
    check_checkpoints_at_current_size();
    // The file's last seq, for a report that stops at a bad row; read now, in this snapshot,
    // because the reader's read-ahead may fail in a way that ends the transaction (a single pass
    // would not have read that far). Its error counts only if it is needed.
    std::uint64_t last_seq = 0;
    std::exception_ptr last_seq_error;
    try {
      last_seq = static_cast<std::uint64_t>(
          db_.execAndGet("SELECT COALESCE(MAX(seq), 0) FROM events").getInt64());
    } catch (...) {
      last_seq_error = std::current_exception();
    }
    RowReader reader(db_);
    bool broken = false;
    // Checks one batch; false once nothing more is needed (a problem, or the reader's error,
    // which is raised here: past the first bad row a single pass would not have read).
    auto check_batch = [&](const ScanBatch& batch) {
      for (const ScannedRow& row : batch.rows) {
        if (!check_row(batch, row)) {
          broken = true;
          return false;
        }
        ++report_.events_checked;
        check_checkpoints_at_current_size();
      }
      if (batch.error) std::rethrow_exception(batch.error);
      return true;
    };
    BatchChannel channel(4);
    std::optional<ReadingThread> reading;
    try {
      reading.emplace(reader, channel);
    } catch (const std::exception&) {
      // No thread to be had: read and check in turn.
    }
    if (reading) {
      while (auto batch = channel.receive()) {
        const bool go_on = check_batch(*batch);
        channel.give_back(std::move(batch));
        if (!go_on) break;
      }
      reading.reset();  // stops and joins the reader
      if (const auto error = channel.error(); error && !broken) std::rethrow_exception(error);
    } else {
      const std::atomic<bool> never{false};
      ScanBatch batch;
      for (bool more = true; more;) {
        batch.clear();
        more = reader.fill(batch, never);
        if (!check_batch(batch)) break;
      }
    }
    if (broken) {
      if (last_seq_error) std::rethrow_exception(last_seq_error);
      report_.tree_size = last_seq;
      mark_unreached_checkpoints();
      return;
    }
    report_.tree_size = range_.size();
    report_.root = range_.root(hasher_);
    check_node_count();
    for (const auto& target : targets_) {
      if (target.size > range_.size()) {
        fail_checkpoint(target, range_.size() + 1, "rolled_back",
                        "checkpoint " + target.name + " signed a tree of " +
                            std::to_string(target.size) + " events but the ledger holds only " +
                            std::to_string(range_.size()) +
                            ": events were deleted from the end or the file was replaced by an "
                            "older copy");
      }
    }
  }

 private:
  bool problem(std::uint64_t seq, std::string code, std::string message) {
    report_.problems.push_back({seq, std::move(code), std::move(message)});
    return false;
  }

  bool check_row(const ScanBatch& batch, const ScannedRow& row) {
    const std::uint64_t expected = range_.size() + 1;
    const std::uint64_t seq = row.seq;
    if (seq != expected) {
      return problem(expected, "missing_event",
                     "event " + std::to_string(expected) + " is missing (the next row is seq " +
                         std::to_string(seq) + ")");
    }
    const std::string_view bytes = batch.text(row.leaf_at, row.end);
    // Hashed here, not by the reader: that evens out the two threads' work.
    const Hash computed = hasher_.leaf_hash(bytes);
    if (!row.stored_hash_ok || row.stored_hash != computed) {
      return problem(seq, "leaf_hash_mismatch",
                     "event " + std::to_string(seq) +
                         ": stored leaf_hash is not SHA-256(0x00 || leaf) of the stored bytes "
                         "(the leaf or its hash was edited)");
    }
    LeafError leaf_error;
    LeafHeader& leaf = header_;  // reused: no allocation per event
    if (!decode_leaf_header(bytes, leaf, leaf_error)) {
      return problem(seq, "leaf_malformed",
                     "event " + std::to_string(seq) + ": leaf is not a valid version-1 leaf (" +
                         leaf_error.field + ": " + leaf_error.message + ")");
    }
    if (leaf.seq != seq) {
      return problem(seq, "seq_mismatch",
                     "row " + std::to_string(seq) + " holds the leaf of event " +
                         std::to_string(leaf.seq) + " (rows were moved or swapped)");
    }
    if (leaf.kind != batch.text(row.kind_at, row.recorded_at_at) ||
        leaf.recorded_at != batch.text(row.recorded_at_at, row.actor_at) ||
        leaf.actor != batch.text(row.actor_at, row.leaf_at)) {
      return problem(seq, "column_mismatch",
                     "event " + std::to_string(seq) +
                         ": kind/recorded_at/actor columns differ from the hashed leaf");
    }
    if (leaf.prev != prev_) {
      return problem(seq, "chain_broken",
                     "event " + std::to_string(seq) +
                         ": prev does not equal the leaf hash of the event before it");
    }
    std::size_t stored = row.nodes_at;
    for (const auto& node : range_.append(hasher_, computed)) {
      if (node.level == 0) continue;
      if (stored == row.nodes_end && row.node_error) std::rethrow_exception(row.node_error);
      const bool same = stored < row.nodes_end && batch.nodes[stored].present &&
                        batch.nodes[stored].hash == node.hash;
      ++stored;
      if (!same) {
        return problem(seq, "tree_node_mismatch",
                       "Merkle node (level " + std::to_string(node.level) + ", index " +
                           std::to_string(node.index) + ") completed by event " +
                           std::to_string(seq) + " is missing or differs from the recomputed one");
      }
    }
    prev_ = computed;
    return true;
  }

  void check_checkpoints_at_current_size() {
    const Hash* root = nullptr;
    Hash computed{};
    for (auto& target : targets_) {
      if (target.size != range_.size()) continue;
      if (root == nullptr) {
        computed = range_.root(hasher_);
        root = &computed;
      }
      if (target.root == *root) {
        report_.checkpoints[target.result_index].ok = true;
        report_.checkpoints[target.result_index].message = "consistent";
        last_good_size_ = std::max(last_good_size_, target.size);
      } else {
        fail_checkpoint(target, last_good_size_ + 1, "rewritten",
                        "the root of the first " + std::to_string(target.size) +
                            " events differs from checkpoint " + target.name +
                            ": history between seq " + std::to_string(last_good_size_ + 1) +
                            " and " + std::to_string(target.size) +
                            " was rewritten after the checkpoint was signed");
      }
    }
  }

  void fail_checkpoint(const TrustedCheckpoint& target, std::uint64_t seq, const std::string& code,
                       const std::string& message) {
    report_.checkpoints[target.result_index].ok = false;
    report_.checkpoints[target.result_index].message = message;
    problem(seq, code, message);
  }

  void mark_unreached_checkpoints() {
    for (const auto& target : targets_) {
      auto& result = report_.checkpoints[target.result_index];
      if (result.message.empty()) {
        result.message =
            "not checked: the ledger is broken before size " + std::to_string(target.size);
      }
    }
  }

  void check_node_count() {
    if (!report_.problems.empty()) return;
    const auto stored =
        static_cast<std::uint64_t>(db_.execAndGet("SELECT COUNT(*) FROM tree_nodes").getInt64());
    const std::uint64_t n = range_.size();
    const std::uint64_t expected = n - static_cast<std::uint64_t>(std::popcount(n));
    if (stored != expected) {
      problem(0, "tree_node_extra",
              "tree_nodes holds " + std::to_string(stored) + " rows; a tree of " +
                  std::to_string(n) + " events has " + std::to_string(expected));
    }
  }

  SQLite::Database& db_;
  VerifyReport& report_;
  std::vector<TrustedCheckpoint> targets_;
  Sha256 hasher_;
  CompactRange range_;
  Hash prev_ = kGenesisPrev;
  LeafHeader header_;
  std::uint64_t last_good_size_ = 0;
};

}  // namespace

VerifyReport verify_ledger(const std::string& path, const VerifyOptions& options) {
  VerifyReport report;
  std::unique_ptr<SQLite::Database> db;
  LedgerInfo info;
  try {
    db = open_ledger_database(path, true, 10000);
    info = read_ledger_info(*db);
  } catch (const std::exception& e) {
    report.io_error = true;
    report.io_message = e.what();
    return report;
  }
  report.origin = info.origin;

  VerifierKey key;
  if (options.trusted_key) {
    key = *options.trusted_key;
  } else {
    report.key_from_ledger = true;
    try {
      key = VerifierKey::from_note_string(info.verifier_key);
    } catch (const std::exception& e) {
      if (!options.checkpoints.empty()) {
        report.problems.push_back({0, "no_trusted_key",
                                   std::string("no trusted key given and ledger_meta's key is "
                                               "unusable: ") +
                                       e.what()});
      }
    }
  }

  std::vector<TrustedCheckpoint> targets;
  for (const auto& input : options.checkpoints) {
    CheckpointResult result{input.name, false, 0, ""};
    const OpenedCheckpoint opened = open_checkpoint(input.note, key, info.origin);
    if (!opened.ok) {
      result.message = opened.reason;
      report.problems.push_back(
          {0, "checkpoint_invalid", "checkpoint " + input.name + ": " + opened.reason});
    } else {
      result.tree_size = opened.checkpoint.tree_size;
      targets.push_back({input.name, opened.checkpoint.tree_size, opened.checkpoint.root_hash,
                         report.checkpoints.size()});
    }
    report.checkpoints.push_back(std::move(result));
  }

  try {
    db->exec("BEGIN");  // one snapshot for the whole scan
    LedgerScan(*db, report, std::move(targets)).run();
    // The reader's read-ahead past a bad row may have met an error that rolled the read back.
    if (sqlite3_get_autocommit(db->getHandle()) == 0) db->exec("COMMIT");
  } catch (const std::exception& e) {
    report.io_error = true;
    report.io_message = std::string("error while reading the ledger: ") + e.what();
  }
  return report;
}

}  // namespace qledger
