// NodeSource reading perfect Merkle nodes from a ledger file (internal to src/ledger).
#pragma once

#include "qledger/merkle.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace qledger {

class SqliteNodeSource : public NodeSource {
 public:
  explicit SqliteNodeSource(SQLite::Database& db);
  Hash perfect_node(unsigned level, std::uint64_t index) const override;

 private:
  mutable SQLite::Statement leaf_;
  mutable SQLite::Statement node_;
};

}  // namespace qledger
