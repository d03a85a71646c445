// A report: every figure of one period (month, quarter or year on the Asia/Shanghai calendar)
// as the ledger stood at one tree size N, with breakdowns, the monthly series, and the tree head
// it was computed at (size, root hash, and a checkpoint signed with the ledger's key).
//
// REPRODUCIBLE: a report reads only events with seq ≤ N and never the clock, so computing it
// again at the same N — after any number of later events, corrections of the period's events
// included — gives the same report, byte for byte in every format. The evaluation date ("as
// of", which decides whether a failed batch is still pending a re-test) is the Asia/Shanghai
// date of event N's recorded_at. See docs/figures.md.
#pragma once

#include "qledger/figures.hpp"
#include "qledger/ledger.hpp"
#include "qledger/signing_key.hpp"

#include <optional>
#include <string>
#include <vector>

namespace qledger {

struct MonthFigures {
  Period month;
  std::vector<Figure> figures;  // no breakdowns
};

struct Report {
  Period period;
  CivilDate as_of;
  TreeHead head;                      // the tree the report was computed at
  std::string origin;                 // the ledger's checkpoint origin
  std::string checkpoint;             // signed note for `head`; empty when not signed
  ReportConfig config;                // targets used
  FigureSet figures;                  // figures of the whole period, with breakdowns
  std::vector<MonthFigures> monthly;  // each month of the period, in order
  // How build_report read the registry (in no format; the figures do not depend on it): the
  // registry snapshot used (0: none, every registry event read) and whether it was read on a
  // second connection beside the period's records.
  std::uint64_t registry_snapshot_size = 0;
  bool registry_read_beside = false;
};

// Computes the report of `period` at tree size `at_size` (default: the current size). Signs a
// checkpoint of that tree head with `key` when given. Registry snapshots signed by
// `snapshot_key` (default: key's public key) are used to read less (registry_snapshot.hpp); the
// report is the same without them. Throws std::out_of_range if at_size is beyond the ledger.
Report build_report(Ledger& ledger, const Period& period, std::optional<std::uint64_t> at_size,
                    const ReportConfig& config, const SigningKey* key,
                    const PublicKey* snapshot_key = nullptr);

// The same from evidence already loaded (tests, benchmarks): no checkpoint, head.root left zero.
Report build_report_from(const PeriodEvidence& evidence, const Period& period,
                         const ReportConfig& config);
// The same, consuming the evidence (its events are moved into the folds, not copied).
Report build_report_from(PeriodEvidence&& evidence, const Period& period,
                         const ReportConfig& config);

// One figure (or breakdown group) whose value differs between two computations.
struct FigureChange {
  std::string figure_id;
  std::string dimension, group;  // both empty for the figure's total
  FigureValue before, after;
};

// An event in (from, to] that touched a record behind the period's figures.
struct DiffCause {
  std::uint64_t seq = 0;
  std::string kind;
  RecordRef record;
  std::optional<std::uint64_t> target_seq;  // corrections and voids
  std::vector<std::string> figures;         // figures whose units include this record
};

struct ReportDiff {
  Period period;
  TreeHead from, to;
  CivilDate from_as_of, to_as_of;
  std::vector<FigureChange> changes;
  std::vector<DiffCause> causes;  // seq order
};

// What changed in `period`'s figures between tree sizes from_size < to_size, and which events
// with seq in (from_size, to_size] caused it: events of the period's batches, incidents and
// complaints (at either size), of the registry records named by changed figures, and
// calendar loads. A change with no such event comes from the evaluation date moving on
// (from_as_of ≠ to_as_of: re-test windows closing).
ReportDiff diff_reports(Ledger& ledger, const Period& period, std::uint64_t from_size,
                        std::uint64_t to_size, const ReportConfig& config);

}  // namespace qledger
