// The one validator every entry point uses (CLI, HTTP form, JSON API, import): field-level checks
// from the schema, rules across fields of one payload, and rules against the records the ledger
// already holds (references must exist and be in the right state). Returns every problem found as
// (field, code, English, Chinese); an empty list means the event may be appended.
#pragma once

#include "qledger/event_schema.hpp"
#include "qledger/record_state.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace qledger {

// What the rules may ask about existing records (implemented over SQLite projections by the
// domain applier, and in memory by tests).
class RecordLookup {
 public:
  virtual ~RecordLookup() = default;
  virtual std::optional<EntityState> entity(const std::string& uscc) const = 0;
  virtual std::optional<LicenceState> licence(const std::string& licence_no) const = 0;
  virtual std::optional<EquipmentState> equipment(const std::string& code) const = 0;
  virtual std::optional<BatchState> batch(const std::string& sample_no) const = 0;
  virtual std::optional<IncidentState> incident(const std::string& incident_no) const = 0;
  virtual std::optional<ComplaintState> complaint(const std::string& complaint_no) const = 0;

  // A recorded event as corrections/voids see it.
  struct EventRef {
    std::string kind;
    Json payload;
    bool voided = false;
    // The event creates its record and later events of that record still count: voiding it
    // would orphan them.
    bool has_live_dependents = false;
  };
  virtual std::optional<EventRef> event(std::uint64_t seq) const = 0;
  // Whether entity() / batch() would find the record; a lookup may answer without building it.
  virtual bool has_entity(const std::string& uscc) const { return entity(uscc).has_value(); }
  virtual bool has_batch(const std::string& sample_no) const {
    return batch(sample_no).has_value();
  }
  virtual const WorkingDayCalendar& calendar() const = 0;
  // Whether a complainant's name and phone are still held for this complaint number (also after
  // its complaint.received was voided, so they can still be erased).
  virtual bool holds_personal_data(const std::string& /*complaint_no*/) const { return false; }
};

// Validates one event of `kind` with `payload` as it would be appended on `today`
// (Asia/Shanghai). Field problems are reported first; rules that compare fields or consult
// records run once the fields they need are well-formed.
FieldProblems validate_event(const EventSchema& schema, const std::string& kind,
                             const Json& payload, const RecordLookup& records, CivilDate today);

// Fields a correction may not change: the field naming the record (sample_no, uscc …) and
// personal data. To change those, void the event and record it again.
bool is_correctable_field(const KindSpec& spec, const std::string& field);

}  // namespace qledger
