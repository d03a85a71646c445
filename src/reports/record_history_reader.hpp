// Reads whole record histories (every event of a record with seq ≤ a tree size, in seq order)
// from a ledger file, one statement per kind of record: what reports and registry snapshots
// fold. Internal to src/reports.
#pragma once

#include "qledger/record_state.hpp"

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace qledger {

class RecordHistoryReader {
 public:
  RecordHistoryReader(SQLite::Database& db, std::uint64_t size);

  // Every record of `type` with an event ≤ size, or only those whose key `key_filter` (a SELECT
  // of record keys; ?1 is the type, ?2 the size, then `params`) returns; in key order. Leaves are
  // checked with the one-pass decoder (leaf.hpp: it refuses exactly what the reference decoder
  // refuses) and only their payloads parsed. Throws std::runtime_error on a malformed leaf.
  std::vector<RecordHistory> histories(const std::string& type, const std::string& key_filter = "",
                                       const std::vector<std::string>& params = {});

  // The same, one record at a time (memory: one history), in key order.
  void for_each(const std::string& type, const std::string& key_filter,
                const std::vector<std::string>& params,
                const std::function<void(RecordHistory&&)>& fn);

 private:
  SQLite::Database& db_;
  std::int64_t size_;
};

}  // namespace qledger
