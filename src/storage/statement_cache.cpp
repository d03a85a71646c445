#include "qledger/statement_cache.hpp"

namespace qledger {

StatementCache::Use::~Use() {
  statement_.tryReset();
  try {
    statement_.clearBindings();
  } catch (...) {  // sqlite3_clear_bindings cannot fail; a destructor must not throw anyway
  }
}

StatementCache::Use StatementCache::use(std::string_view sql) {
  auto found = statements_.find(sql);
  if (found == statements_.end()) {
    std::string text(sql);
    auto statement = std::make_unique<SQLite::Statement>(db_, text);
    found = statements_.emplace(std::move(text), std::move(statement)).first;
  }
  return Use(*found->second);
}

}  // namespace qledger
