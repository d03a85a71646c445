#include "statement_cache.hpp"

namespace qledger {

StatementCache::Use::~Use() {
  statement_.tryReset();
  try {
    statement_.clearBindings();
  } catch (...) {  // sqlite3_clear_bindings cannot fail; a destructor must not throw anyway
  }
}

StatementCache::Use StatementCache::use(const std::string& sql) {
  auto found = statements_.find(sql);
  if (found == statements_.end()) {
    found = statements_.emplace(sql, std::make_unique<SQLite::Statement>(db_, sql)).first;
  }
  return Use(*found->second);
}

}  // namespace qledger
