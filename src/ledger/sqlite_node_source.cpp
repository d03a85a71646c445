#include "sqlite_node_source.hpp"

#include <cstring>
#include <stdexcept>
#include <string>

namespace qledger {

namespace {
Hash column_hash(SQLite::Statement& stmt, const char* what) {
  const SQLite::Column col = stmt.getColumn(0);
  if (col.getBytes() != 32) throw std::runtime_error(std::string("malformed hash in ") + what);
  Hash h{};
  std::memcpy(h.data(), col.getBlob(), h.size());
  return h;
}
}  // namespace

SqliteNodeSource::SqliteNodeSource(SQLite::Database& db)
    : leaf_(db, "SELECT leaf_hash FROM events WHERE seq = ?"),
      node_(db, "SELECT hash FROM tree_nodes WHERE level = ? AND idx = ?") {}

Hash SqliteNodeSource::perfect_node(unsigned level, std::uint64_t index) const {
  SQLite::Statement& stmt = level == 0 ? leaf_ : node_;
  stmt.reset();
  if (level == 0) {
    stmt.bind(1, static_cast<std::int64_t>(index + 1));
  } else {
    stmt.bind(1, static_cast<std::int64_t>(level));
    stmt.bind(2, static_cast<std::int64_t>(index));
  }
  if (!stmt.executeStep()) {
    throw std::runtime_error("ledger is missing Merkle node (level " + std::to_string(level) +
                             ", index " + std::to_string(index) + ")");
  }
  Hash h = column_hash(stmt, level == 0 ? "events.leaf_hash" : "tree_nodes.hash");
  stmt.reset();
  return h;
}

}  // namespace qledger
