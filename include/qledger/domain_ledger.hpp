// The domain on top of the ledger: every append is validated against the schema and the records
// already held (event_rules.hpp), personal data is moved out of the leaf, and the current-state
// tables (entities, equipment, batches, incidents, complaints …) are updated in the same
// transaction. `rebuild_projections` replays the whole ledger through the same code.
#pragma once

#include "qledger/event_rules.hpp"
#include "qledger/ledger.hpp"

#include <functional>
#include <memory>
#include <string>

namespace qledger {

using TodayClock = std::function<CivilDate()>;

class StatementCache;  // qledger/statement_cache.hpp

// RecordLookup over a ledger file's tables, read in whatever transaction `db` is in. Batches,
// incidents and complaints are folded from their events; entities, licences and equipment are
// read from their projection rows, which hold exactly that fold (written with every event).
class LedgerRecords : public RecordLookup {
 public:
  explicit LedgerRecords(SQLite::Database& db);
  explicit LedgerRecords(StatementCache& statements);  // reuses the caller's prepared statements
  ~LedgerRecords() override;
  std::optional<EntityState> entity(const std::string& uscc) const override;
  std::optional<LicenceState> licence(const std::string& licence_no) const override;
  std::optional<EquipmentState> equipment(const std::string& code) const override;
  std::optional<BatchState> batch(const std::string& sample_no) const override;
  std::optional<IncidentState> incident(const std::string& incident_no) const override;
  std::optional<ComplaintState> complaint(const std::string& complaint_no) const override;
  std::optional<EventRef> event(std::uint64_t seq) const override;
  // Answered from the projection rows' primary keys.
  bool has_entity(const std::string& uscc) const override;
  bool has_batch(const std::string& sample_no) const override;
  const WorkingDayCalendar& calendar() const override { return *calendar_; }
  bool holds_personal_data(const std::string& complaint_no) const override;

  // Every event of one record (including corrections and voids aimed at it), in seq order.
  std::vector<RecordEvent> record_events(const std::string& type, const std::string& key) const;
  // The same, only those with seq < `before`.
  std::vector<RecordEvent> record_events_before(const std::string& type, const std::string& key,
                                                std::uint64_t before) const;

 private:
  std::unique_ptr<StatementCache> own_statements_;
  StatementCache& statements_;
  std::shared_ptr<const WorkingDayCalendar> calendar_;
};

// The built-in calendar plus every year loaded by calendar.year_loaded events.
WorkingDayCalendar ledger_calendar(SQLite::Database& db);

// The record type ("entity", "licence", "equipment", "batch", "incident", "complaint",
// "calendar") an event kind belongs to.
std::string record_type_of(const std::string& kind);

// EventApplier enforcing the domain rules and maintaining the projections. It keeps its SQL
// statements prepared for the one connection it serves (the Ledger's writer, which destroys the
// applier before closing that connection); using it with another connection throws.
class DomainApplier : public EventApplier {
 public:
  explicit DomainApplier(TodayClock today = shanghai_today);
  ~DomainApplier() override;
  void prepare(SQLite::Database& db, Leaf& leaf) override;        // validate, move personal data
  void project(SQLite::Database& db, const Leaf& leaf) override;  // update current state

 private:
  StatementCache& statements(SQLite::Database& db);
  TodayClock today_;
  std::unique_ptr<StatementCache> statements_;
};

// Opens a ledger whose appends go through DomainApplier.
std::unique_ptr<Ledger> open_domain_ledger(const std::string& path,
                                           TodayClock today = shanghai_today,
                                           LedgerOptions options = {});

// Validates without writing: the answer an append would give now (dry runs, form previews).
FieldProblems validate_against_ledger(SQLite::Database& db, const std::string& kind,
                                      const Json& payload, CivilDate today);

// Updates the projections for one appended leaf (already validated).
void project_event(SQLite::Database& db, const Leaf& leaf);

// Empties every projection table (not personal_data) and replays all events in seq order.
// Runs in one IMMEDIATE transaction. Returns the number of events replayed.
std::uint64_t rebuild_projections(SQLite::Database& db);

// Names of the projection tables, for comparisons and exports.
const std::vector<std::string>& projection_tables();

}  // namespace qledger
