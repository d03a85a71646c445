#include "qledger/report.hpp"

#include "qledger/ledger_setup.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <future>
#include <system_error>

namespace qledger {

namespace {

std::vector<Period> months_of(const Period& period) {
  std::vector<Period> months;
  for (Period m = Period::month_of(period.first_day()); m.first_day() <= period.last_day();
       m = m.next()) {
    months.push_back(m);
  }
  return months;
}

struct SnapshotRegistry {
  bool available = false;  // the second connection opened, on this ledger's file
  std::optional<RegistryState> registry;
  std::uint64_t snapshot_size = 0, events_read = 0;
};

// The registry from a snapshot, read on a read connection of its own. Not `available` when that
// connection cannot be opened, or the path no longer names the ledger's file (its tree at `size`
// is not `root`: moved away, replaced by a copy); the caller then reads on the ledger's reader.
// Any other error (a malformed leaf, a damaged page) is thrown, as it would be on the reader.
SnapshotRegistry registry_beside(const std::string& path, std::uint64_t size, const Hash& root,
                                 const PublicKey& key) {
  SnapshotRegistry out;
  std::unique_ptr<SQLite::Database> db;
  try {
    db = open_ledger_database(path, true, 10000);
  } catch (const std::exception&) {
    return out;
  }
  SQLite::Transaction read(*db);  // one snapshot of the file for every query
  try {
    if (tree_root_in(*db, size) != root) return out;
  } catch (const std::out_of_range&) {
    return out;  // a shorter file
  }
  out.available = true;
  out.registry = registry_from_snapshot(*db, size, key, &out.snapshot_size, &out.events_read);
  return out;
}

// The period's records load on the ledger's reader while, with a snapshot key, the registry
// snapshot is read, checked and decoded on a second connection: the two halves are independent
// (both read only events ≤ size, which never change) and each is a large part of the reading.
// `root` is the ledger's root at `size`, to recognise its file. `read_beside`, if given, tells
// whether the second connection was used.
PeriodEvidence load(Ledger& ledger, const Period& period, std::uint64_t size, const Hash& root,
                    const PublicKey* snapshot_key, bool* read_beside = nullptr) {
  std::future<SnapshotRegistry> beside;
  if (snapshot_key != nullptr) {
    try {
      beside = std::async(std::launch::async, registry_beside, ledger.path(), size, std::cref(root),
                          std::cref(*snapshot_key));
    } catch (const std::system_error&) {
      // No thread to be had: everything on the reader, one after the other.
    }
  }
  PeriodEvidence evidence;
  ledger.with_reader(
      [&](SQLite::Database& db) { evidence = load_period_records(db, period, size); });
  if (beside.valid()) {
    SnapshotRegistry r = beside.get();
    if (r.available) {
      if (read_beside != nullptr) *read_beside = true;
      if (r.registry) {
        evidence.registry = std::move(*r.registry);
        evidence.registry_snapshot_size = r.snapshot_size;
        evidence.registry_events_read = r.events_read;
        return evidence;
      }
      snapshot_key = nullptr;  // checked there and none usable: the raw events
    }
  }
  ledger.with_reader(
      [&](SQLite::Database& db) { load_period_registry(db, evidence, snapshot_key); });
  return evidence;
}

void note_seqs(const FigureSet& set, const Figure& f, std::set<RecordRef>& records) {
  for (const auto* seqs :
       {&f.total.numerator_seqs, &f.total.denominator_seqs, &f.total.pending_seqs}) {
    for (const auto seq : *seqs) {
      const auto it = set.units.find(seq);
      if (it != set.units.end()) records.insert(it->second);
    }
  }
}

}  // namespace

namespace {

Report report_from(const FoldedEvidence& folded, CivilDate as_of, std::uint64_t tree_size,
                   const Period& period, const ReportConfig& config) {
  Report r{period, as_of, TreeHead{tree_size, Hash{}}, "", "", config, {}, {}, 0, false};
  r.figures = folded.compute(period, config, true);
  for (const Period& month : months_of(period)) {
    if (month == period) {
      // A month's series is its own total: the same computation without breakdowns.
      r.monthly.push_back({month, r.figures.figures});
      for (Figure& f : r.monthly.back().figures) f.breakdowns.clear();
    } else {
      r.monthly.push_back({month, folded.compute(month, config, false).figures});
    }
  }
  return r;
}

}  // namespace

Report build_report_from(const PeriodEvidence& evidence, const Period& period,
                         const ReportConfig& config) {
  return report_from(FoldedEvidence(evidence), evidence.as_of, evidence.tree_size, period, config);
}

Report build_report_from(PeriodEvidence&& evidence, const Period& period,
                         const ReportConfig& config) {
  const CivilDate as_of = evidence.as_of;
  const std::uint64_t tree_size = evidence.tree_size;
  return report_from(FoldedEvidence(std::move(evidence)), as_of, tree_size, period, config);
}

Report build_report(Ledger& ledger, const Period& period, std::optional<std::uint64_t> at_size,
                    const ReportConfig& config, const SigningKey* key,
                    const PublicKey* snapshot_key) {
  if (snapshot_key == nullptr && key != nullptr) snapshot_key = &key->public_key();
  const std::uint64_t size = at_size ? *at_size : ledger.head().size;
  const Hash root = ledger.root_at(size);  // throws std::out_of_range beyond the head
  bool beside = false;
  PeriodEvidence evidence = load(ledger, period, size, root, snapshot_key, &beside);
  const std::uint64_t snapshot_size = evidence.registry_snapshot_size;
  Report r = build_report_from(std::move(evidence), period, config);
  r.registry_snapshot_size = snapshot_size;
  r.registry_read_beside = beside;
  r.head.root = root;
  r.origin = ledger.info().origin;
  if (key != nullptr) r.checkpoint = sign_tree_head(ledger.info(), r.head, *key);
  return r;
}

ReportDiff diff_reports(Ledger& ledger, const Period& period, std::uint64_t from_size,
                        std::uint64_t to_size, const ReportConfig& config) {
  if (from_size > to_size) std::swap(from_size, to_size);
  ReportDiff d{period,
               {from_size, ledger.root_at(from_size)},
               {to_size, ledger.root_at(to_size)},
               {},
               {},
               {},
               {}};
  const PeriodEvidence before_ev = load(ledger, period, from_size, d.from.root, nullptr);
  const PeriodEvidence after_ev = load(ledger, period, to_size, d.to.root, nullptr);
  d.from_as_of = before_ev.as_of;
  d.to_as_of = after_ev.as_of;
  const FigureSet before = compute_figures(before_ev, period, config, true);
  const FigureSet after = compute_figures(after_ev, period, config, true);

  std::set<RecordRef> relevant = before.period_records;
  relevant.insert(after.period_records.begin(), after.period_records.end());
  std::map<RecordRef, std::set<std::string>> figures_of;
  for (std::size_t i = 0; i < after.figures.size(); ++i) {
    const Figure& b = before.figures[i];
    const Figure& a = after.figures[i];
    std::set<RecordRef> records;
    note_seqs(before, b, records);
    note_seqs(after, a, records);
    for (const auto& rec : records) figures_of[rec].insert(a.id);
    bool changed = false;
    if (!(a.total == b.total)) {
      d.changes.push_back({a.id, "", "", b.total, a.total});
      changed = true;
    }
    std::set<std::pair<std::string, std::string>> groups;
    for (const auto* f : {&b, &a}) {
      for (const auto& [dim, values] : f->breakdowns) {
        for (const auto& [group, value] : values) groups.insert({dim, group});
      }
    }
    for (const auto& key : groups) {
      const std::string& dim = key.first;
      const std::string& group = key.second;
      auto value_in = [&dim, &group](const Figure& f) {
        const auto di = f.breakdowns.find(dim);
        if (di == f.breakdowns.end()) return FigureValue{};
        const auto gi = di->second.find(group);
        return gi == di->second.end() ? FigureValue{} : gi->second;
      };
      const FigureValue vb = value_in(b);
      const FigureValue va = value_in(a);
      if (!(va == vb)) {
        d.changes.push_back({a.id, dim, group, vb, va});
        changed = true;
      }
    }
    if (changed) relevant.insert(records.begin(), records.end());
  }

  ledger.with_reader([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "SELECT seq, kind, record_type, record_key, target_seq FROM event_index "
                        "WHERE seq > ? AND seq <= ? ORDER BY seq");
    q.bind(1, static_cast<std::int64_t>(from_size));
    q.bind(2, static_cast<std::int64_t>(to_size));
    while (q.executeStep()) {
      DiffCause c;
      c.seq = static_cast<std::uint64_t>(q.getColumn(0).getInt64());
      c.kind = q.getColumn(1).getString();
      c.record = {q.getColumn(2).getString(), q.getColumn(3).getString()};
      if (!q.getColumn(4).isNull())
        c.target_seq = static_cast<std::uint64_t>(q.getColumn(4).getInt64());
      if (c.record.type != "calendar" && relevant.count(c.record) == 0) continue;
      const auto it = figures_of.find(c.record);
      if (it != figures_of.end()) c.figures.assign(it->second.begin(), it->second.end());
      d.causes.push_back(std::move(c));
    }
  });
  return d;
}

}  // namespace qledger
