// The current state of each kind of record (entity, licence, equipment, sample batch, incident,
// complaint), derived by folding that record's events in sequence order after applying
// corrections and voids. Pure: the live projections, `qledger rebuild` and the reports all call
// these same functions, so they cannot disagree.
#pragma once

#include "qledger/canonical_json.hpp"
#include "qledger/civil_date.hpp"
#include "qledger/incident_grade.hpp"
#include "qledger/working_day_calendar.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace qledger {

// One event as stored: seq, kind and payload (corrections and voids included).
struct RecordEvent {
  std::uint64_t seq = 0;
  std::string kind;
  Json payload;
  std::string recorded_at;
};

// Every event (seq ≤ some tree size, corrections and voids included) of one record, in seq order.
struct RecordHistory {
  std::string key;
  std::vector<RecordEvent> events;
};

// Applies voids and corrections: returns the events that still count, each with its payload
// after every non-voided correction (in seq order; a null value removes a field). Correction and
// void events themselves are not returned. Input must be in seq order. Takes the events by value:
// pass an rvalue (std::move) when they are not needed afterwards, and nothing is copied.
std::vector<RecordEvent> effective_events(std::vector<RecordEvent> events);

struct EntityState {
  std::string uscc, name, township, industry, address;
  bool uscc_as_printed = false;
  std::uint64_t first_seq = 0, last_seq = 0;
};
std::optional<EntityState> fold_entity(const std::vector<RecordEvent>& effective);

struct LicenceState {
  std::string licence_no, uscc;
  CivilDate valid_from, valid_to;
  std::optional<CivilDate> revoked_on;
  std::uint64_t first_seq = 0, last_seq = 0;
  // Held (granted, not revoked, validity overlapping) at any time within [from, to].
  bool held_during(CivilDate from, CivilDate to) const;
};
std::optional<LicenceState> fold_licence(const std::vector<RecordEvent>& effective);

struct EquipmentState {
  std::string equipment_code, registration_no, category, user_uscc, township;
  std::string status = "in_use";  // in_use | suspended | scrapped
  CivilDate registered_on, status_since;
  std::uint64_t first_seq = 0, last_seq = 0;
};
std::optional<EquipmentState> fold_equipment(const std::vector<RecordEvent>& effective);

// Re-test windows (docs/events.md "Deadlines"): food and agri 7 working days after the entity
// was notified (食品安全法 Art. 88), product 15 calendar days (产品质量法 Art. 15); counted from
// notified_on, or from result_date when no notification date was recorded.
struct BatchState {
  std::string sample_no, regime, plan_level, category, uscc, lab;
  CivilDate sampling_date, result_date;
  std::string first_conclusion;  // pass | fail
  bool microbiological = false;  // a failed item is microbiological: no re-test allowed
  std::optional<CivilDate> notified_on;
  std::optional<CivilDate> retest_window_end;  // last day to apply (nullopt: calendar missing)
  std::optional<CivilDate> retest_applied_on, retest_decided_on, retest_result_date;
  std::optional<bool> retest_accepted;
  std::string retest_conclusion;  // pass | fail once the re-test result is recorded
  std::optional<CivilDate> objection_filed_on, objection_decided_on;
  std::uint64_t first_seq = 0, last_seq = 0, final_seq = 0;  // final_seq: event holding the result
  std::vector<std::uint64_t> seqs;                           // every effective event of the batch

  // "pass", "fail" or "pending" as known on `as_of`: a failed batch is pending while its re-test
  // window is open, while an application awaits a decision, or an accepted re-test its result.
  std::string conclusion_as_of(CivilDate as_of) const;
  // The retest state: none | window_open | applied | accepted | rejected | concluded | barred.
  std::string retest_state() const;
};
std::optional<BatchState> fold_batch(const std::vector<RecordEvent>& effective,
                                     const WorkingDayCalendar& calendar);
// The last day a re-test may be applied for (nullopt if the calendar lacks the year).
std::optional<CivilDate> retest_window_end(const std::string& regime, CivilDate start,
                                           const WorkingDayCalendar& calendar);

struct IncidentState {
  std::string incident_no, equipment_code, occurred_at, non_accident_ground, narrative;
  CivilDate occurred_on;  // Asia/Shanghai date
  std::int64_t deaths = 0, serious_injuries = 0, minor_injuries = 0, direct_loss_yuan = 0;
  std::int64_t evacuated = 0, people_trapped = 0, minutes_trapped = 0;
  bool explosion = false, toxic_medium_leak = false, crane_overturned = false;
  bool crane_structure_failed = false, special_equipment_accident = true;
  std::optional<CivilDate> closed_on;
  std::uint64_t first_seq = 0, last_seq = 0;
};
std::optional<IncidentState> fold_incident(const std::vector<RecordEvent>& effective);

// The grade of an incident from its facts and its equipment's category code (events.json enum
// equipment_category; gas_cylinder grades as a pressure vessel).
IncidentGrading grade_of(const IncidentState& incident, const std::string& equipment_category);

// Complaint deadlines: the acceptance decision within 7 working days of receipt; mediation ends
// (terminated) if no agreement within 45 working days of acceptance.
struct ComplaintState {
  std::string complaint_no, channel, respondent_uscc, respondent_name, category, amount_yuan;
  std::string complainant_commitment;
  std::string state = "received";  // received | accepted | not_accepted | mediation_succeeded
                                   // | mediation_terminated | closed
  bool accepted = false;           // was ever accepted
  std::string mediation_outcome;   // "", succeeded, terminated
  CivilDate received_on;
  std::optional<CivilDate> decided_on, mediation_ended_on, closed_on;
  std::optional<CivilDate> accept_due, mediation_due;  // nullopt: calendar lacks the year
  std::string recovered_yuan;
  std::uint64_t first_seq = 0, last_seq = 0;
};
std::optional<ComplaintState> fold_complaint(const std::vector<RecordEvent>& effective,
                                             const WorkingDayCalendar& calendar);

// Adds `n` working days, or nullopt when the calendar lacks a year it needs.
std::optional<CivilDate> try_add_working_days(const WorkingDayCalendar& calendar, CivilDate start,
                                              int n);

}  // namespace qledger
