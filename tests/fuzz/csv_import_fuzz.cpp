// libFuzzer target for the CSV import layer. The first byte picks the event kind and the
// encoding choice; the rest is the file. On any bytes the reader must return without crashing or
// hanging and keep its contract: every problem has a code and valid UTF-8 messages in both
// languages and names a row no later than the last one read; rows are numbered 1, 2, 3 … with
// non-decreasing lines; every request has the chosen kind, and the payload is an object that the
// schema check (pure, fixed "today") can judge without throwing, and every payload field has its
// column. Records without syntax issues written back with append_csv_cell read back identical.
// Any violation aborts.
#include "qledger/csv_import.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

bool valid_utf8(std::string_view s) {
  return qledger::first_invalid_utf8(s) == std::string_view::npos;
}

void require_problem(const qledger::ImportProblem& p, std::uint64_t last_row) {
  require(!p.code.empty());
  require(!p.message_en.empty() && !p.message_zh.empty());
  require(valid_utf8(p.message_en) && valid_utf8(p.message_zh));
  require(valid_utf8(p.column) && valid_utf8(p.field));
  require(p.row <= last_row);
}

// Records of `bytes` without syntax issues re-encode and re-read to the same cells.
void check_round_trip(const std::string& bytes) {
  std::istringstream in(bytes);
  qledger::CsvReader reader(in);
  qledger::CsvRecord record;
  std::string written;
  std::vector<std::vector<std::string>> kept;
  std::uint64_t last_line = 0;
  while (reader.next(record)) {
    require(record.line >= last_line && record.line >= 1);
    last_line = record.line;
    require(!record.cells.empty() && record.cells.size() <= qledger::kMaxCsvCells);
    if (!record.issues.empty()) continue;
    for (std::size_t i = 0; i < record.cells.size(); ++i) {
      require(record.cells[i].find('\r') == std::string::npos);
      if (i > 0) written += ',';
      qledger::append_csv_cell(written, record.cells[i], false);
    }
    written += "\r\n";
    kept.push_back(record.cells);
  }
  std::istringstream again(written);
  qledger::CsvReader reread(again);
  std::size_t n = 0;
  while (reread.next(record)) {
    require(n < kept.size());
    require(record.issues.empty());
    require(record.cells == kept[n]);
    ++n;
  }
  require(n == kept.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto& schema = qledger::EventSchema::builtin();
  std::vector<const qledger::KindSpec*> kinds;
  for (const auto& [name, kind] : schema.kinds()) kinds.push_back(&kind);
  const qledger::KindSpec& kind = *kinds[data[0] % kinds.size()];
  const auto choice = static_cast<qledger::EncodingChoice>((data[0] / kinds.size()) % 3);
  const std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);

  check_round_trip(bytes);

  std::istringstream in(bytes);
  qledger::ImportReader reader(in, schema, kind, "fuzz", choice);
  for (const auto& p : reader.file_problems()) require_problem(p, 0);
  require(valid_utf8(reader.encoding_note()));
  const qledger::CivilDate today(2026, 11, 27);
  std::uint64_t expected_row = 0;
  std::uint64_t last_line = 0;
  while (auto row = reader.next()) {
    require(row->row == ++expected_row);
    require(row->line > last_line);  // the header is on a line of its own
    last_line = row->line;
    for (const auto& p : row->problems) require_problem(p, row->row);
    if (row->blank) require(!row->request && row->problems.empty());
    if (!row->request) continue;
    require(row->request->kind == kind.kind && row->request->actor == "fuzz");
    const qledger::Json& payload = row->request->payload;
    require(payload.is_object());
    for (const auto& item : payload.items()) {
      require(kind.field(item.key()) != nullptr);  // only the kind's own fields
      require(!reader.column_for(item.key()).empty());
    }
    for (const auto& p : qledger::check_payload_fields(schema, kind, payload, today)) {
      require(valid_utf8(p.message_en) && valid_utf8(p.message_zh));
      (void)reader.column_for(p.field);
    }
    (void)qledger::check_profile(payload);  // deep JSON cells may exceed the leaf's depth
  }
  return 0;
}
