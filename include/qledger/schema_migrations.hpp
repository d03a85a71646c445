// The SQL migrations of schema/, compiled in. Migration i (1-based, in file-name order) moves a
// database from PRAGMA user_version i−1 to i.
#pragma once

#include <string_view>
#include <vector>

namespace qledger {

struct Migration {
  std::string_view name;  // file name, e.g. "0001_ledger.sql"
  std::string_view sql;
};

const std::vector<Migration>& schema_migrations();

}  // namespace qledger
