#include "qledger/verifier.hpp"

#include "qledger/checkpoint.hpp"
#include "qledger/leaf.hpp"
#include "qledger/ledger.hpp"
#include "qledger/merkle.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <map>

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

  // Returns nullopt if the node is missing, else the stored hash.
  std::optional<Hash> next(unsigned level, std::uint64_t index) {
    auto& cursor = cursors_[level];
    if (!cursor) {
      cursor = std::make_unique<SQLite::Statement>(
          db_, "SELECT idx, hash FROM tree_nodes WHERE level = ? ORDER BY idx");
      cursor->bind(1, static_cast<std::int64_t>(level));
    }
    if (!cursor->executeStep()) return std::nullopt;
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

class LedgerScan {
 public:
  LedgerScan(SQLite::Database& db, VerifyReport& report, std::vector<TrustedCheckpoint> targets)
      : db_(db), report_(report), targets_(std::move(targets)), nodes_(db) {}

  void run() {
    check_checkpoints_at_current_size();
    SQLite::Statement rows(db_,
                           "SELECT seq, kind, recorded_at, actor, leaf, leaf_hash FROM events "
                           "ORDER BY seq");
    while (rows.executeStep()) {
      if (!check_row(rows)) {
        report_.tree_size = static_cast<std::uint64_t>(
            db_.execAndGet("SELECT COALESCE(MAX(seq), 0) FROM events").getInt64());
        mark_unreached_checkpoints();
        return;
      }
      ++report_.events_checked;
      check_checkpoints_at_current_size();
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

  // A TEXT column's bytes, as getString() would copy them.
  static std::string_view column_text(SQLite::Statement& rows, int index) {
    const SQLite::Column column = rows.getColumn(index);
    const char* text = column.getText();
    return {text, static_cast<std::size_t>(column.getBytes())};
  }

  bool check_row(SQLite::Statement& rows) {
    const std::uint64_t expected = range_.size() + 1;
    const auto seq = static_cast<std::uint64_t>(rows.getColumn(0).getInt64());
    if (seq != expected) {
      return problem(expected, "missing_event",
                     "event " + std::to_string(expected) + " is missing (the next row is seq " +
                         std::to_string(seq) + ")");
    }
    const SQLite::Column leaf_col = rows.getColumn(4);
    const std::string_view bytes(static_cast<const char*>(leaf_col.getBlob()),
                                 static_cast<std::size_t>(leaf_col.getBytes()));
    const Hash computed = hasher_.leaf_hash(bytes);
    const SQLite::Column stored = rows.getColumn(5);
    if (stored.getBytes() != 32 || std::memcmp(stored.getBlob(), computed.data(), 32) != 0) {
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
    if (leaf.kind != column_text(rows, 1) || leaf.recorded_at != column_text(rows, 2) ||
        leaf.actor != column_text(rows, 3)) {
      return problem(seq, "column_mismatch",
                     "event " + std::to_string(seq) +
                         ": kind/recorded_at/actor columns differ from the hashed leaf");
    }
    if (leaf.prev != prev_) {
      return problem(seq, "chain_broken",
                     "event " + std::to_string(seq) +
                         ": prev does not equal the leaf hash of the event before it");
    }
    for (const auto& node : range_.append(hasher_, computed)) {
      if (node.level == 0) continue;
      const auto stored_node = nodes_.next(node.level, node.index);
      if (!stored_node || *stored_node != node.hash) {
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
  StoredNodeCursors nodes_;
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
    db->exec("COMMIT");
  } catch (const std::exception& e) {
    report.io_error = true;
    report.io_message = std::string("error while reading the ledger: ") + e.what();
  }
  return report;
}

}  // namespace qledger
