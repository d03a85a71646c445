// import (CSV rows of one kind, all or nothing) and export (the ledger as JSON Lines or CSV,
// streamed). Formats: docs/import-export.md.
#include <fcntl.h>
#include <unistd.h>

#include <SQLiteCpp/Statement.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "args.hpp"
#include "commands.hpp"
#include "qledger/csv_import.hpp"
#include "qledger/domain_ledger.hpp"
#include "qledger/leaf.hpp"

namespace qledger::cli {

// Registered in main.cpp's command table.
int run_import(const Words& words);
int run_export(const Words& words);
extern const char* const kImportHelp;
extern const char* const kExportHelp;

const char* const kImportHelp =
    "usage: qledger import --db FILE --kind KIND [--actor NAME] [--encoding utf-8|gb18030|auto]\n"
    "                      [--dry-run] FILE.csv\n"
    "  Appends one event of KIND per data row of FILE.csv (\"-\": standard input), in ONE\n"
    "  transaction: every row is checked against the rows before it, and if any row has a\n"
    "  problem nothing is written. --dry-run checks everything and writes nothing.\n"
    "  Columns: one per payload field, headed by the field name or its Chinese label, in any\n"
    "  order (docs/import-export.md lists them per kind). Empty cell = field absent.\n"
    "  Encoding: UTF-8 (with or without BOM) or GB18030/GBK; auto (default) takes UTF-8 when the\n"
    "  whole file is valid UTF-8, else GB18030. NAME defaults to $USER.\n"
    "  Prints the encoding, the row count and the result, then every problem as\n"
    "    row R (line L), column \"C\" [field]: code — English / 中文\n"
    "  Exit 0 imported (or valid, with --dry-run), 1 rejected, 2 usage or I/O error.\n";

const char* const kExportHelp =
    "usage: qledger export --db FILE --format jsonl|csv [--kind KIND] [--from-seq N]\n"
    "                      [--include-personal-data] [--out FILE]\n"
    "  Writes the events in seq order, streamed (constant memory), to standard output or FILE\n"
    "  (written to FILE.tmp and renamed when complete).\n"
    "  jsonl: one object per line: seq, kind, recorded_at, actor, leaf_hash, payload (exactly\n"
    "    the payload that was hashed).\n"
    "  csv: UTF-8 with BOM, CRLF, headers 序号,类型,记录时间,记录人,叶哈希,内容 (内容 = the "
    "payload\n"
    "    as compact JSON). A cell starting with = + - @ TAB or CR gets a leading apostrophe (')\n"
    "    so spreadsheets do not run it as a formula.\n"
    "  Complainants' names and phone numbers (kept apart from the ledger) are left out unless\n"
    "  --include-personal-data: then complaint.received events carry them (jsonl: member\n"
    "  \"complainant\"; csv: columns 投诉人姓名, 联系电话); erased ones stay absent.\n"
    "  Exit 0 written, 2 usage or I/O error.\n";

namespace {

std::string problem_line(const ImportProblem& p) {
  std::string out;
  if (p.row == 0) {
    out = p.line == 0 ? "file" : "header (line " + std::to_string(p.line) + ")";
  } else {
    out = "row " + std::to_string(p.row) + " (line " + std::to_string(p.line) + ")";
  }
  if (!p.column.empty()) out += ", column \"" + p.column + "\"";
  if (!p.field.empty() && p.field != p.column) out += " [" + p.field + "]";
  out += ": " + p.code + " — " + p.message_en;
  if (!p.message_zh.empty() && p.message_zh != p.message_en) out += " / " + p.message_zh;
  return out;
}

std::string default_actor() {
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "qledger-import";
}

}  // namespace

int run_import(const Words& words) {
  const Args args(words, {"db", "kind", "actor", "encoding"}, {"dry-run"});
  const std::string db = args.require("db");
  ImportOptions options;
  options.kind = args.require("kind");
  const KindSpec* spec = EventSchema::builtin().find(options.kind);
  if (spec == nullptr) {
    throw UsageError("unknown --kind " + options.kind + " (docs/events.md lists the kinds)");
  }
  options.actor = args.get("actor").value_or(default_actor());
  if (const auto problem = check_leaf_fields(options.kind, options.actor, Json::object())) {
    throw UsageError("--actor: " + problem->message);
  }
  const auto encoding = parse_encoding_choice(args.get("encoding").value_or("auto"));
  if (!encoding) throw UsageError("--encoding must be utf-8, gb18030 or auto");
  options.encoding = *encoding;
  options.dry_run = args.has("dry-run");
  if (args.positional().size() != 1) throw UsageError("give exactly one CSV file");
  const std::string path = args.positional().front();

  std::ifstream file;
  std::stringstream piped;  // standard input, kept whole so auto-detection can read it twice
  std::istream* in = &file;
  if (path == "-") {
    piped << std::cin.rdbuf();
    in = &piped;
  } else {
    file.open(path, std::ios::binary);
    if (!file) throw std::runtime_error("cannot read " + path);
  }
  const auto ledger = open_domain_ledger(db);
  const ImportResult r = import_csv(*ledger, *in, options);

  std::cout << "import: " << path << " -> " << spec->kind << " (" << spec->zh << ")"
            << (options.dry_run ? ", dry run" : "") << "\n"
            << "encoding: " << to_string(r.encoding)
            << (r.encoding_note.empty() ? "" : " (" + r.encoding_note + ")") << "\n"
            << "rows: " << r.rows;
  if (r.blank_rows > 0) std::cout << " (" << r.blank_rows << " blank, skipped)";
  std::cout << "\n";
  if (r.valid && r.requests == 0) {
    std::cout << "result: nothing to import (no data rows) / 没有可导入的数据行\n";
  } else if (r.committed) {
    std::cout << "result: imported " << r.requests << " events, seq " << r.first_seq << "–"
              << r.last_seq << ", tree size " << r.head.size << " / 已导入 " << r.requests
              << " 条记录（序号 " << r.first_seq << "–" << r.last_seq << "）\n";
  } else if (r.valid) {
    std::cout << "result: valid, nothing written (dry run); " << r.requests
              << " events would get seq " << r.first_seq << "–" << r.last_seq
              << " / 校验通过（试运行，未写入）\n";
  } else if (r.rows == 0 && r.bad_rows == 0) {
    std::cout << "result: rejected, nothing written: the file cannot be read as " << spec->kind
              << " rows / 未导入：文件无法按“" << spec->zh << "”读取\n";
  } else {
    std::cout << "result: rejected, nothing written: " << r.bad_rows << " of " << r.rows
              << " rows have problems (" << r.problem_count << " problems) / 未导入任何记录："
              << r.rows << " 行中有 " << r.bad_rows << " 行有误（共 " << r.problem_count
              << " 处）\n";
  }
  for (const auto& p : r.problems) std::cout << problem_line(p) << "\n";
  if (r.problem_count > r.problems.size()) {
    std::cout << "… " << (r.problem_count - r.problems.size())
              << " more problems not listed / 另有 " << (r.problem_count - r.problems.size())
              << " 处问题未列出\n";
  }
  return r.valid ? 0 : 1;
}

namespace {

// Buffered output to standard output or to FILE.tmp (renamed over FILE by finish()).
class ExportSink {
 public:
  explicit ExportSink(std::optional<std::string> path) : path_(std::move(path)) {
    if (path_) {
      tmp_ = *path_ + ".tmp";
      fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (fd_ < 0) throw std::runtime_error("cannot write " + tmp_);
    }
    buffer_.reserve(kFlushAt + 4096);
  }
  ~ExportSink() {
    if (fd_ >= 0) {
      ::close(fd_);
      ::unlink(tmp_.c_str());  // not finished: leave no partial export behind
    }
  }
  ExportSink(const ExportSink&) = delete;
  ExportSink& operator=(const ExportSink&) = delete;

  std::string& buffer() { return buffer_; }
  void maybe_flush() {
    if (buffer_.size() >= kFlushAt) flush();
  }
  void finish() {
    flush();
    if (!path_) {
      std::cout.flush();
      if (!std::cout) throw std::runtime_error("cannot write to standard output");
      return;
    }
    if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
      fd_ = -1;
      throw std::runtime_error("cannot sync " + tmp_);
    }
    fd_ = -1;
    if (std::rename(tmp_.c_str(), path_->c_str()) != 0) {
      ::unlink(tmp_.c_str());
      throw std::runtime_error("cannot rename " + tmp_ + " to " + *path_);
    }
  }
  std::uint64_t bytes() const { return written_ + buffer_.size(); }

 private:
  static constexpr std::size_t kFlushAt = 1 << 20;
  void flush() {
    written_ += buffer_.size();
    if (!path_) {
      std::cout.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
      if (!std::cout) throw std::runtime_error("cannot write to standard output");
    } else {
      std::size_t done = 0;
      while (done < buffer_.size()) {
        const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
        if (n <= 0) throw std::runtime_error("cannot write " + tmp_);
        done += static_cast<std::size_t>(n);
      }
    }
    buffer_.clear();
  }

  std::optional<std::string> path_;
  std::string tmp_;
  int fd_ = -1;
  std::string buffer_;
  std::uint64_t written_ = 0;
};

std::string json_string(const std::string& s) { return encode_canonical(Json(s)); }

}  // namespace

int run_export(const Words& words) {
  const Args args(words, {"db", "format", "kind", "from-seq", "out"}, {"include-personal-data"});
  const std::string db = args.require("db");
  const std::string format = args.require("format");
  if (format != "jsonl" && format != "csv") throw UsageError("--format must be jsonl or csv");
  const bool csv = format == "csv";
  const auto kind = args.get("kind");
  const std::uint64_t from_seq = args.get_uint("from-seq", 1).value_or(1);
  const bool personal = args.has("include-personal-data");
  if (!args.positional().empty()) throw UsageError("unexpected argument " + args.positional()[0]);

  const auto database = open_ledger_database(db, true, 10000);
  read_ledger_info(*database);  // refuses a file that is not a ledger
  if (personal && !database->tableExists("personal_data")) {
    throw std::runtime_error(db + " has no personal_data table (not a domain ledger)");
  }
  // One statement, read row by row: constant memory whatever the ledger's size, and one
  // consistent snapshot. Personal data is joined by its primary key (complaint_no), and must
  // belong to this very event (seq), so a re-recorded complaint does not borrow it.
  std::string sql = "SELECT e.seq, e.leaf, e.leaf_hash";
  if (personal) {
    sql +=
        ", p.name, p.phone FROM events e LEFT JOIN personal_data p ON e.kind = "
        "'complaint.received' AND p.complaint_no = json_extract(CAST(e.leaf AS TEXT), "
        "'$.payload.complaint_no') AND p.seq = e.seq";
  } else {
    sql += " FROM events e";
  }
  sql += " WHERE e.seq >= ?1";
  if (kind) sql += " AND e.kind = ?2";
  sql += " ORDER BY e.seq";
  SQLite::Statement query(*database, sql);
  query.bind(1, static_cast<std::int64_t>(std::min<std::uint64_t>(from_seq, kMaxSafeInteger)));
  if (kind) query.bind(2, *kind);

  ExportSink sink(args.get("out"));
  std::string& out = sink.buffer();
  if (csv) {
    out += "\xEF\xBB\xBF";
    out += "序号,类型,记录时间,记录人,叶哈希,内容";
    if (personal) out += ",投诉人姓名,联系电话";
    out += "\r\n";
  }
  std::uint64_t count = 0;
  std::uint64_t with_personal = 0;
  while (query.executeStep()) {
    const auto seq = static_cast<std::uint64_t>(query.getColumn(0).getInt64());
    const SQLite::Column leaf_column = query.getColumn(1);
    LeafError error;
    const auto leaf =
        decode_leaf(std::string_view(static_cast<const char*>(leaf_column.getBlob()),
                                     static_cast<std::size_t>(leaf_column.getBytes())),
                    error);
    if (!leaf) {
      throw std::runtime_error("event " + std::to_string(seq) +
                               " has a malformed leaf (run qledger verify): " + error.message);
    }
    // What was hashed, not the columns beside it (qledger verify checks that they agree).
    const std::string& event_kind = leaf->kind;
    const std::string& recorded_at = leaf->recorded_at;
    const std::string& actor = leaf->actor;
    const SQLite::Column hash_column = query.getColumn(2);
    Hash leaf_hash{};
    if (hash_column.getBytes() == static_cast<int>(leaf_hash.size())) {
      std::memcpy(leaf_hash.data(), hash_column.getBlob(), leaf_hash.size());
    }
    const std::string payload = encode_canonical(leaf->payload);
    std::optional<std::pair<std::string, std::string>> person;
    if (personal && !query.getColumn(3).isNull()) {
      person.emplace(query.getColumn(3).getString(), query.getColumn(4).getString());
      ++with_personal;
    }
    if (csv) {
      append_csv_cell(out, std::to_string(seq), true);
      out += ',';
      append_csv_cell(out, event_kind, true);
      out += ',';
      append_csv_cell(out, recorded_at, true);
      out += ',';
      append_csv_cell(out, actor, true);
      out += ',';
      append_csv_cell(out, to_hex(leaf_hash), true);
      out += ',';
      append_csv_cell(out, payload, true);
      if (personal) {
        out += ',';
        if (person) append_csv_cell(out, person->first, true);
        out += ',';
        if (person) append_csv_cell(out, person->second, true);
      }
      out += "\r\n";
    } else {
      out += "{\"seq\":" + std::to_string(seq) + ",\"kind\":" + json_string(event_kind) +
             ",\"recorded_at\":" + json_string(recorded_at) + ",\"actor\":" + json_string(actor) +
             ",\"leaf_hash\":\"" + to_hex(leaf_hash) + "\",\"payload\":" + payload;
      if (person) {
        out += ",\"complainant\":" +
               encode_canonical(Json{{"name", person->first}, {"phone", person->second}});
      }
      out += "}\n";
    }
    ++count;
    sink.maybe_flush();
  }
  const std::uint64_t bytes = sink.bytes();
  sink.finish();
  std::ostream& report = args.get("out") ? std::cout : std::cerr;
  report << "exported " << count << " events (" << bytes << " bytes, " << format << ")";
  if (personal) report << "; personal data of " << with_personal << " complaints included";
  report << "\n";
  return 0;
}

}  // namespace qledger::cli
