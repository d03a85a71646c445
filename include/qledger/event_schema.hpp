// The payload schema of every event kind (schema/events.json, compiled in) and the field-level
// validation every entry point shares: required fields, types, enums, lengths, control
// characters, calendar dates not in the future, ranges, money and identifier formats.
// Pure: no I/O; "today" is passed in.
#pragma once

#include "qledger/canonical_json.hpp"
#include "qledger/civil_date.hpp"
#include "qledger/field_problem.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qledger {

// Field types (docs/events.md#field-types).
enum class FieldType {
  kText,           // one line, no control characters, max_length characters (default 200)
  kLongText,       // may contain line breaks (\n), no other control characters
  kCode,           // record number: 1..64 of A-Z a-z 0-9 - _ / .
  kDate,           // "YYYY-MM-DD", a real date, not after today unless allow_future
  kInstant,        // RFC 3339 with Z or offset, not after now
  kInteger,        // JSON integer within [min, max]
  kBoolean,        // JSON true/false
  kEnum,           // one of the named enum's codes
  kMoney,          // decimal string, yuan, at most 2 decimals: "0", "12.5", "1234.56"
  kUscc,           // unified social credit code (identifiers.hpp)
  kScLicence,      // food production licence number
  kEquipmentCode,  // special-equipment code (18-character or legacy 20-digit)
  kSeq,            // a ledger sequence number (integer >= 1)
  kKind,           // an event kind named in this schema
  kValues,         // object of corrected field values (validated against the target kind)
  kPersonal,       // {"name", "phone"}: personal data, stored apart from the ledger
  kArray,          // array of objects described by `items`
};

struct FieldSpec {
  std::string name;
  FieldType type = FieldType::kText;
  bool required = false;
  bool allow_future = false;
  std::string enum_name;
  std::optional<std::int64_t> min, max;
  std::size_t max_length = 200;  // characters (code points)
  std::size_t max_items = 50;
  std::vector<FieldSpec> items;  // kArray element fields
  std::string zh, en;            // labels
};

struct KindSpec {
  std::string kind;
  std::string zh, en;
  std::string aggregate_field;  // the payload field naming the record this event belongs to
  std::vector<FieldSpec> fields;
  const FieldSpec* field(std::string_view name) const;
};

class EventSchema {
 public:
  // The compiled-in schema/events.json. Parsed once; throws at first use if malformed.
  static const EventSchema& builtin();
  explicit EventSchema(const nlohmann::ordered_json& document);  // fields keep file order

  const KindSpec* find(std::string_view kind) const;
  const std::map<std::string, KindSpec>& kinds() const { return kinds_; }
  // Chinese label of an enum code, or empty if unknown.
  std::string enum_label(std::string_view enum_name, std::string_view code) const;
  const std::map<std::string, std::map<std::string, std::string>>& enums() const { return enums_; }

 private:
  std::map<std::string, KindSpec> kinds_;
  std::map<std::string, std::map<std::string, std::string>> enums_;
};

// The text of schema/events.json (generated into the build).
std::string_view event_schema_json();

// Checks `payload` field by field against `spec`. Unknown fields are rejected. With `partial`
// (correction values) required fields may be absent. `today` is the Asia/Shanghai date that
// dates, and the local dates of instants, may not exceed. Field paths are prefixed by `prefix`
// ("values/" for corrections). Returns every problem found; empty means valid.
FieldProblems check_payload_fields(const EventSchema& schema, const KindSpec& spec,
                                   const Json& payload, CivilDate today, bool partial = false,
                                   const std::string& prefix = "");

// Number of Unicode code points in valid UTF-8 `text`.
std::size_t utf8_length(std::string_view text);

}  // namespace qledger
