// The derived figures of docs/figures.md (pass rates, licensed food producer coverage, the
// special-equipment death rate, incidents by grade, complaint handling rates, recovered losses),
// each with numerator, denominator, pending count, rate, 95 % Wilson interval, target status, and
// the sequence numbers of the events behind every count.
//
// Two steps. load_period_evidence reads from a ledger file ONLY the events with seq ≤ size that
// can matter for a period (found through the report_dates table of schema/0003, so the work
// grows with the period's records, not the ledger). compute_figures is pure: from that evidence
// alone it folds every record (record_state.hpp: corrections applied, voids dropped) and counts.
// The same evidence always gives the same figures: nothing reads the clock or the projections.
#pragma once

#include "qledger/civil_date.hpp"
#include "qledger/record_state.hpp"
#include "qledger/registry_snapshot.hpp"
#include "qledger/report_config.hpp"
#include "qledger/wilson_interval.hpp"
#include "qledger/working_day_calendar.hpp"

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace qledger {

enum class FigureKind {
  kProportion,  // numerator ÷ denominator, a share
  kPer10k,      // numerator ÷ denominator × 10,000
  kCount,       // numerator only (denominator: the total it is part of)
  kAmount,      // numerator is an amount in fen (0.01 yuan); denominator the records summed
};

// How the target status is decided (docs/figures.md "Targets").
enum class DecisionBasis {
  kInterval,  // sampled figure: met only if the whole interval is on the right side
  kExact,     // census figure: the rate itself is compared
};

struct FigureDefinition {
  std::string id;  // e.g. "product_pass_rate"
  FigureKind kind;
  DecisionBasis basis;
  std::string name_zh, name_en;
  std::string definition_zh, definition_en;
  std::vector<std::string> dimensions;  // breakdowns offered: township, industry, plan_level …
};

// Every figure, in report order.
const std::vector<FigureDefinition>& figure_definitions();
const FigureDefinition* find_figure_definition(const std::string& id);

// Target statuses: "met", "below_target" (an at-least target missed), "above_target" (a below
// target missed), "not_yet_decidable" (the interval straddles the target), "report_only" (no
// target), "no_data" (denominator 0).
struct FigureValue {
  std::int64_t numerator = 0, denominator = 0, pending = 0;
  // The units behind each count, named by the seq of the event that created their record
  // (inspection.recorded, licence.granted, equipment.registered, incident.reported,
  // complaint.received); ascending. Numerator units are also denominator units.
  std::vector<std::uint64_t> numerator_seqs, denominator_seqs, pending_seqs;
  std::optional<double> rate;              // nullopt when the denominator is 0 or kind is kAmount
  std::optional<WilsonInterval> interval;  // scaled like rate; proportions and per-10k only
  std::string status;

  friend bool operator==(const FigureValue&, const FigureValue&) = default;
};

struct Figure {
  std::string id;
  FigureValue total;
  // dimension → group value → figure over that group's units ("" = entity not registered).
  std::map<std::string, std::map<std::string, FigureValue>> breakdowns;
};

// The record a unit seq stands for.
struct RecordRef {
  std::string type, key;
  friend auto operator<=>(const RecordRef&, const RecordRef&) = default;
};

struct FigureSet {
  std::vector<Figure> figures;               // figure_definitions() order
  std::map<std::uint64_t, RecordRef> units;  // every seq named in any figure
  std::set<RecordRef> period_records;        // batches, incidents, complaints dated in the period
};

// What compute_figures needs for one period at one tree size.
struct PeriodEvidence {
  std::uint64_t tree_size = 0;
  // The evaluation date: the Asia/Shanghai date of event `tree_size`'s recorded_at (1970-01-01
  // for an empty ledger). A failed batch whose re-test window is open on this date is pending.
  CivilDate as_of;
  WorkingDayCalendar calendar;  // built-in years plus calendar.year_loaded events ≤ size
  // Candidates: every record whose business date (sampling date, receipt date, occurrence
  // date) may lie in the period; extra records are harmless (they are filtered exactly).
  std::vector<RecordHistory> batches, incidents, complaints;
  // Every licence and equipment unit as it stood at `tree_size`, and at least the entities the
  // records name (registry_snapshot.hpp).
  RegistryState registry;
  // How the registry was obtained (the figures do not depend on it): the snapshot used (0:
  // none) and the raw registry events read.
  std::uint64_t registry_snapshot_size = 0, registry_events_read = 0;
};

// The evidence with every record folded once (record_state.hpp: corrections applied, voids
// dropped), so that the figures of several periods inside the loaded one — a quarter and each of
// its months — are counted without folding again.
class FoldedEvidence {
 public:
  // Keeps a pointer to evidence.registry: the evidence must outlive this object, unmoved.
  explicit FoldedEvidence(const PeriodEvidence& evidence);
  // Takes the evidence over: the records' events are moved into the folds, not copied, and
  // freed once folded.
  explicit FoldedEvidence(PeriodEvidence&& evidence);
  ~FoldedEvidence();
  FoldedEvidence(const FoldedEvidence&) = delete;
  FoldedEvidence& operator=(const FoldedEvidence&) = delete;

  // Every figure for `period` (which must lie inside the period the evidence was loaded for).
  // `with_breakdowns` false (monthly series) leaves Figure::breakdowns, FigureSet::units and
  // FigureSet::period_records empty.
  FigureSet compute(const Period& period, const ReportConfig& config,
                    bool with_breakdowns = true) const;

 private:
  struct Records;
  std::unique_ptr<Records> records_;
};

// FoldedEvidence(evidence).compute(period, config, with_breakdowns).
FigureSet compute_figures(const PeriodEvidence& evidence, const Period& period,
                          const ReportConfig& config, bool with_breakdowns = true);

// The target status of a value (see FigureValue::status) under `target` and `basis`.
std::string target_status(const FigureValue& value, const Target& target, DecisionBasis basis);

// Reads the evidence for `period` from events with seq ≤ tree_size. With `snapshot_key`, the
// registry comes from the newest registry snapshot that key signed (plus the registry events
// after it); without one, or when no snapshot checks, from every registry event. Throws
// std::out_of_range if tree_size exceeds the ledger, std::runtime_error on malformed leaves.
PeriodEvidence load_period_evidence(SQLite::Database& db, const Period& period,
                                    std::uint64_t tree_size,
                                    const PublicKey* snapshot_key = nullptr);

// The two halves of load_period_evidence, for callers that read them on different connections
// at once (build_report checks a registry snapshot while the period's records load). The first
// fills everything but the registry; the second fills the registry at evidence.tree_size, as
// load_period_evidence does: from a snapshot `snapshot_key` signed when there is one, else from
// every registry event (every licence and equipment unit, and the entities they and the loaded
// records name).
PeriodEvidence load_period_records(SQLite::Database& db, const Period& period,
                                   std::uint64_t tree_size);
void load_period_registry(SQLite::Database& db, PeriodEvidence& evidence,
                          const PublicKey* snapshot_key);

// "1234.56" from fen; "0" for 0.
std::string yuan_text(std::int64_t fen);

}  // namespace qledger
