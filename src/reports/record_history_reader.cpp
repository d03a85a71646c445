#include "record_history_reader.hpp"

#include "qledger/canonical_decode.hpp"
#include "qledger/leaf.hpp"

#include <SQLiteCpp/Statement.h>

#include <stdexcept>

namespace qledger {

namespace {

RecordEvent decode(std::string_view bytes, std::int64_t seq) {
  LeafHeader header;
  LeafError error;
  if (!decode_leaf_header(bytes, header, error)) {
    throw std::runtime_error("event " + std::to_string(seq) +
                             " has a malformed leaf: " + error.message);
  }
  return {header.seq, std::string(header.kind), decode_canonical(header.payload),
          std::string(header.recorded_at)};
}

}  // namespace

RecordHistoryReader::RecordHistoryReader(SQLite::Database& db, std::uint64_t size)
    : db_(db), size_(static_cast<std::int64_t>(size)) {}

std::vector<RecordHistory> RecordHistoryReader::histories(const std::string& type,
                                                          const std::string& key_filter,
                                                          const std::vector<std::string>& params) {
  std::vector<RecordHistory> out;
  for_each(type, key_filter, params, [&](RecordHistory&& h) { out.push_back(std::move(h)); });
  return out;
}

void RecordHistoryReader::for_each(const std::string& type, const std::string& key_filter,
                                   const std::vector<std::string>& params,
                                   const std::function<void(RecordHistory&&)>& fn) {
  std::string sql =
      "SELECT i.record_key, e.seq, e.leaf FROM event_index i JOIN events e ON e.seq = i.seq "
      "WHERE i.record_type = ?1 AND i.seq <= ?2";
  if (!key_filter.empty()) sql += " AND i.record_key IN (" + key_filter + ")";
  sql += " ORDER BY i.record_key, i.seq";
  SQLite::Statement q(db_, sql);
  q.bind(1, type);
  q.bind(2, size_);
  int n = 3;
  for (const auto& p : params) q.bind(n++, p);
  RecordHistory current;
  bool have = false;
  while (q.executeStep()) {
    const SQLite::Column key = q.getColumn(0);
    const std::string_view key_text(key.getText(), static_cast<std::size_t>(key.getBytes()));
    if (!have || current.key != key_text) {
      if (have) fn(std::move(current));
      current = RecordHistory{std::string(key_text), {}};
      have = true;
    }
    const SQLite::Column leaf = q.getColumn(2);
    current.events.push_back(decode(std::string_view(static_cast<const char*>(leaf.getBlob()),
                                                     static_cast<std::size_t>(leaf.getBytes())),
                                    q.getColumn(1).getInt64()));
  }
  if (have) fn(std::move(current));
}

}  // namespace qledger
