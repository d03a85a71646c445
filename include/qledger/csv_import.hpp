// Bulk import of one event kind from a CSV file (docs/import-export.md), and the CSV cell writing
// the export uses.
//
// Layers, bottom up:
//   - CsvReader: RFC 4180 records from a byte stream (quoted cells, doubled quotes, embedded
//     commas and line breaks, CRLF / LF / CR line ends), with the physical line of each record.
//     It works on raw bytes: in UTF-8 and in GB18030 the bytes " , CR LF never occur inside a
//     multi-byte character, so the structure is found before the cells are decoded.
//   - CellDecoder: one cell to UTF-8 from UTF-8 (checked) or GB18030 (glibc iconv).
//   - ImportLayout: the columns of a kind, derived from schema/events.json: one column per
//     top-level payload field, headed by the field name or its Chinese label; a personal field
//     (complainant) becomes two columns, <field>_name / <field>_phone (投诉人姓名 / 联系电话).
//   - ImportReader: header + rows -> AppendRequest per row, converting cells by field type and
//     collecting every conversion problem with its row, line and column.
//   - import_csv: the whole import in ONE Ledger::append_all transaction, all rows or none, with
//     the ledger's refusals mapped back from request index to row and column.
#pragma once

#include "qledger/event_schema.hpp"
#include "qledger/ledger.hpp"

#include <cstdint>
#include <istream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qledger {

// ---- CSV records -----------------------------------------------------------------------------

inline constexpr std::size_t kMaxCsvCellBytes = 1 << 20;  // longer cells are cut and reported
inline constexpr std::size_t kMaxCsvCells = 1000;         // cells beyond this are dropped

// A structural flaw of one record. The reader always recovers and goes on.
struct CsvSyntaxIssue {
  std::size_t cell = 0;  // 0-based cell index
  // "stray_quote" (a '"' inside an unquoted cell), "text_after_quote" (characters between a
  // closing quote and the next comma), "unclosed_quote" (the input ended inside a quoted cell),
  // "cell_too_long", "too_many_cells".
  std::string code;
};

struct CsvRecord {
  std::vector<std::string> cells;  // raw bytes, quotes removed, "" -> "; CRLF/CR in quotes -> LF
  std::uint64_t line = 0;          // physical line (1-based) the record starts on
  std::vector<CsvSyntaxIssue> issues;
  bool blank() const;  // every cell empty or spaces/tabs only
};

class CsvReader {
 public:
  explicit CsvReader(std::istream& in);
  // Reads the next record into `record` (reusing its storage); false at the end of the input.
  // A line break right before the end of the input does not start another record.
  bool next(CsvRecord& record);
  std::uint64_t bytes_read() const { return consumed_ + pos_; }

 private:
  bool fill();
  std::istream& in_;
  std::vector<char> buffer_;
  std::size_t pos_ = 0, end_ = 0;
  std::uint64_t consumed_ = 0;  // bytes before buffer_[0]
  std::uint64_t line_ = 1;
};

// Appends `cell` to `out` as one RFC 4180 field: quoted (inner quotes doubled) when it contains
// a comma, quote, CR or LF or starts/ends with a space. With `guard_formula`, a cell starting
// with = + - @ TAB or CR gets a leading apostrophe first, so spreadsheet programs show it as
// text instead of evaluating it (CSV/formula injection).
void append_csv_cell(std::string& out, std::string_view cell, bool guard_formula);

// ---- Encodings -------------------------------------------------------------------------------

enum class TextEncoding { kUtf8, kGb18030 };
enum class EncodingChoice { kAuto, kUtf8, kGb18030 };

std::string_view to_string(TextEncoding encoding);  // "UTF-8", "GB18030"
// "utf-8" / "utf8" / "gb18030" / "auto" (case-insensitive); nullopt otherwise.
std::optional<EncodingChoice> parse_encoding_choice(std::string_view text);

// Offset of the first byte that is not part of valid UTF-8 (no overlongs, no surrogates, at
// most U+10FFFF), or std::string_view::npos if `text` is valid throughout.
std::size_t first_invalid_utf8(std::string_view text);

// Converts single cells to UTF-8. Not thread-safe (one iconv state).
class CellDecoder {
 public:
  explicit CellDecoder(TextEncoding encoding);
  ~CellDecoder();
  CellDecoder(const CellDecoder&) = delete;
  CellDecoder& operator=(const CellDecoder&) = delete;
  TextEncoding encoding() const { return encoding_; }
  // Writes the UTF-8 form of `raw` to `out`. On invalid or truncated input returns false and
  // sets `bad_offset` to the offset of the first byte that could not be decoded.
  bool decode(std::string_view raw, std::string& out, std::size_t& bad_offset);

 private:
  TextEncoding encoding_;
  void* iconv_ = nullptr;  // iconv_t for GB18030
};

// ---- Column layout ---------------------------------------------------------------------------

struct ImportColumn {
  enum class Part { kWhole, kPersonName, kPersonPhone };
  std::string name;  // English header: the field name, or <field>_name / <field>_phone
  std::string zh;    // Chinese header: the field's label, or 投诉人姓名 / 联系电话
  const FieldSpec* field = nullptr;
  Part part = Part::kWhole;
  bool required = false;  // the column must be present (the field is required)
};

class ImportLayout {
 public:
  // Throws std::logic_error if two columns of the kind would share a header.
  ImportLayout(const EventSchema& schema, const KindSpec& kind);
  const KindSpec& kind() const { return *kind_; }
  const std::vector<ImportColumn>& columns() const { return columns_; }
  // The column a header names (field name or Chinese label, surrounding spaces ignored).
  const ImportColumn* find(std::string_view header) const;

 private:
  const KindSpec* kind_;
  std::vector<ImportColumn> columns_;
};

// ---- Problems --------------------------------------------------------------------------------

// One problem of an import, in both languages. row 0 is the file itself or its header.
struct ImportProblem {
  std::uint64_t row = 0;   // 1-based data row: the n-th record after the header (blank ones count)
  std::uint64_t line = 0;  // physical line (1-based, the header is line 1 unless a cell of it
                           // holds a line break) where the row starts
  std::string column;      // the header as written in the file; "" for the row as a whole
  std::string field;       // payload path, e.g. "failed_items/0/limit"; "" if none
  std::string code;        // stable machine code, e.g. "bad_date", "duplicate", "unknown_column"
  std::string message_en;
  std::string message_zh;
};

// ---- Rows to requests ------------------------------------------------------------------------

struct ImportOptions {
  std::string kind;
  std::string actor;
  EncodingChoice encoding = EncodingChoice::kAuto;
  bool dry_run = false;
};

// One data row, converted.
struct ImportRow {
  std::uint64_t row = 0;
  std::uint64_t line = 0;
  bool blank = false;  // nothing in it: no request
  // The request, unless the row's structure is broken (then only problems). Cells that could
  // not be converted are left out of the payload and reported in `problems`.
  std::optional<AppendRequest> request;
  std::vector<ImportProblem> problems;
  std::vector<std::string> failed_fields;  // top-level fields with a conversion problem
};

// Reads a CSV stream for one kind: encoding, header, then one ImportRow per record.
class ImportReader {
 public:
  // `in` must stay valid while the reader is used. With EncodingChoice::kAuto, the stream is
  // read once to see whether it is valid UTF-8 and then rewound, so it must be seekable.
  ImportReader(std::istream& in, const EventSchema& schema, const KindSpec& kind, std::string actor,
               EncodingChoice encoding);
  ~ImportReader();

  TextEncoding encoding() const { return encoding_; }
  // How the encoding was chosen, e.g. "detected: valid UTF-8" (English) / "自动识别".
  const std::string& encoding_note() const { return encoding_note_; }
  bool had_bom() const { return had_bom_; }
  // Problems of the file or its header (row 0). When not empty, next() returns nothing.
  const std::vector<ImportProblem>& file_problems() const { return file_problems_; }
  const ImportLayout& layout() const { return layout_; }

  // The next data row; nullopt at the end (or at once if the header is unusable).
  std::optional<ImportRow> next();

  // The column header (as written) and the field path's column for a payload path such as
  // "failed_items/0/item" or "complainant/phone"; "" if no column holds it.
  std::string column_for(std::string_view field_path) const;

 private:
  void choose_encoding(EncodingChoice choice);
  void read_header();
  void convert_cell(const ImportColumn& column, const std::string& header, std::string text,
                    Json& payload, ImportRow& row);

  std::istream& in_;
  const EventSchema& schema_;
  ImportLayout layout_;
  std::string actor_;
  TextEncoding encoding_ = TextEncoding::kUtf8;
  std::string encoding_note_;
  bool had_bom_ = false;
  std::uint64_t first_bad_utf8_line_ = 0;  // in auto mode, when the file is not UTF-8
  std::shared_ptr<void> chained_;          // bytes read before the CSV reader, then `in_`
  std::unique_ptr<CsvReader> reader_;
  std::unique_ptr<CellDecoder> decoder_;
  std::vector<ImportProblem> file_problems_;
  std::vector<const ImportColumn*> column_of_cell_;   // per header cell; nullptr: unnamed column
  std::vector<std::string> headers_;                  // per header cell, decoded and trimmed
  std::map<std::string, std::string> header_of_key_;  // "sample_no", "complainant/name" -> header
  std::uint64_t row_ = 0;
  CsvRecord record_;
  std::string scratch_;
};

// ---- The whole import ------------------------------------------------------------------------

inline constexpr std::size_t kMaxReportedImportProblems = 10000;

struct ImportResult {
  TextEncoding encoding = TextEncoding::kUtf8;
  std::string encoding_note;
  std::uint64_t rows = 0;        // data rows read (blank ones included)
  std::uint64_t blank_rows = 0;  // skipped
  std::uint64_t requests = 0;    // rows handed to the ledger
  std::uint64_t bad_rows = 0;    // rows with at least one problem
  std::uint64_t problem_count = 0;
  // Problems sorted by row (file problems first); at most kMaxReportedImportProblems, and the
  // ledger itself reports at most kMaxReportedRejections refused rows.
  std::vector<ImportProblem> problems;
  bool committed = false;  // the rows are in the ledger
  bool valid = false;      // no problems at all (a dry run that would have committed)
  std::uint64_t first_seq = 0, last_seq = 0;
  TreeHead head;  // after the import (or as it would have been)
};

// Imports every row of `in` into `ledger` in one transaction: all rows, or none when any row has
// a problem (conversion or validation) or options.dry_run. Throws std::invalid_argument for an
// unknown kind, std::runtime_error if the transaction itself fails.
ImportResult import_csv(Ledger& ledger, std::istream& in, const ImportOptions& options,
                        const EventSchema& schema = EventSchema::builtin());

}  // namespace qledger
