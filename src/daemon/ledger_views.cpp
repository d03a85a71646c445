#include "ledger_views.hpp"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <climits>
#include <cstdint>

#include "qledger/leaf.hpp"
#include "qledger/ledger_setup.hpp"

namespace qledger::daemon {

namespace {

// The first instant (UTC, as recorded_at is written) of an Asia/Shanghai date: 00:00 at UTC+8
// is 16:00 UTC the day before.
std::string shanghai_day_start(const CivilDate& date) {
  return date.plus_days(-1).to_string() + "T16:00:00.000Z";
}

}  // namespace

std::vector<EventSummary> list_events(Ledger& ledger, const EventFilter& filter,
                                      std::size_t limit) {
  std::vector<EventSummary> out;
  const std::string t0 = filter.from_date ? shanghai_day_start(*filter.from_date) : "";
  const std::string t1 = filter.to_date ? shanghai_day_start(filter.to_date->plus_days(1)) : "";
  ledger.with_reader([&](SQLite::Database& db) {
    // ent: the entities named (by code and/or township); eq: their equipment, or the equipment
    // in the township. Records reach an entity through the projection tables.
    SQLite::Statement q(
        db,
        "WITH ent(uscc) AS (SELECT uscc FROM entities WHERE (:u = '' OR uscc = :u) AND "
        "  (:town = '' OR township = :town) UNION SELECT :u WHERE :u <> '' AND :town = ''), "
        "eq(code) AS (SELECT equipment_code FROM equipment WHERE (:u = '' OR user_uscc = :u) "
        "  AND (:town = '' OR township = :town)) "
        "SELECT e.seq, e.kind, e.recorded_at, e.actor FROM events e "
        "WHERE e.seq >= :from AND (:kind = '' OR e.kind = :kind) "
        "  AND (:t0 = '' OR e.recorded_at >= :t0) AND (:t1 = '' OR e.recorded_at < :t1) "
        "  AND ((:u = '' AND :town = '') OR e.seq IN (SELECT ei.seq FROM event_index ei WHERE "
        "    (ei.record_type = 'entity' AND ei.record_key IN ent) "
        "    OR (ei.record_type = 'licence' AND ei.record_key IN "
        "        (SELECT licence_no FROM licences WHERE uscc IN ent)) "
        "    OR (ei.record_type = 'equipment' AND ei.record_key IN eq) "
        "    OR (ei.record_type = 'batch' AND ei.record_key IN "
        "        (SELECT sample_no FROM batches WHERE uscc IN ent)) "
        "    OR (ei.record_type = 'complaint' AND ei.record_key IN "
        "        (SELECT complaint_no FROM complaints WHERE respondent_uscc IN ent)) "
        "    OR (ei.record_type = 'incident' AND ei.record_key IN "
        "        (SELECT incident_no FROM incidents WHERE equipment_code IN eq)))) "
        "ORDER BY e.seq LIMIT :limit");
    q.bind(":u", filter.uscc);
    q.bind(":town", filter.township);
    q.bind(":from", static_cast<std::int64_t>(std::min<std::uint64_t>(filter.from_seq, INT64_MAX)));
    q.bind(":kind", filter.kind);
    q.bind(":t0", t0);
    q.bind(":t1", t1);
    q.bind(":limit", static_cast<std::int64_t>(limit));
    while (q.executeStep()) {
      out.push_back({static_cast<std::uint64_t>(q.getColumn(0).getInt64()),
                     q.getColumn(1).getString(), q.getColumn(2).getString(),
                     q.getColumn(3).getString()});
    }
  });
  return out;
}

std::vector<EventSummary> list_events(Ledger& ledger, const std::string& kind, std::uint64_t from,
                                      std::size_t limit) {
  EventFilter filter;
  filter.kind = kind;
  filter.from_seq = from;
  return list_events(ledger, filter, limit);
}

std::vector<std::string> list_townships(Ledger& ledger) {
  std::vector<std::string> out;
  ledger.with_reader([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "SELECT township FROM entities UNION SELECT township FROM equipment "
                        "ORDER BY 1");
    while (q.executeStep()) out.push_back(q.getColumn(0).getString());
  });
  return out;
}

std::vector<EventSummary> events_with_seqs(Ledger& ledger, std::vector<std::uint64_t> seqs) {
  std::sort(seqs.begin(), seqs.end());
  seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
  std::vector<EventSummary> out;
  ledger.with_reader([&](SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT seq, kind, recorded_at, actor FROM events WHERE seq = ?");
    for (const std::uint64_t seq : seqs) {
      if (seq > static_cast<std::uint64_t>(INT64_MAX)) break;
      q.reset();
      q.bind(1, static_cast<std::int64_t>(seq));
      if (q.executeStep()) {
        out.push_back({seq, q.getColumn(1).getString(), q.getColumn(2).getString(),
                       q.getColumn(3).getString()});
      }
    }
  });
  return out;
}

std::map<std::string, std::uint64_t> count_by_kind(Ledger& ledger) {
  std::map<std::string, std::uint64_t> out;
  ledger.with_reader([&](SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT kind, count(*) FROM events GROUP BY kind");
    while (q.executeStep()) {
      out[q.getColumn(0).getString()] = static_cast<std::uint64_t>(q.getColumn(1).getInt64());
    }
  });
  return out;
}

std::optional<Json> event_json(Ledger& ledger, std::uint64_t seq) {
  const auto event = ledger.event(seq);
  if (!event) return std::nullopt;
  Json out = {{"seq", event->seq},
              {"kind", event->kind},
              {"recorded_at", event->recorded_at},
              {"actor", event->actor},
              {"leaf_hash", to_hex(event->leaf_hash)},
              {"leaf", event->leaf}};
  LeafError error;
  if (const auto leaf = decode_leaf(event->leaf, error)) out["payload"] = leaf->payload;
  return out;
}

VerifyReport run_verification(Context& ctx) {
  VerifyOptions options;
  if (ctx.signing_key) options.trusted_key = ctx.signing_key->verifier();
  VerifyReport report = verify_ledger(ctx.config.db_path, options);
  ctx.metrics.count_verification(report.intact());
  return report;
}

Json verify_report_json(const VerifyReport& r) {
  Json problems = Json::array();
  for (const auto& p : r.problems) {
    problems.push_back({{"seq", p.seq}, {"code", p.code}, {"message", p.message}});
  }
  Json out = {{"intact", r.intact()},        {"origin", r.origin},
              {"tree_size", r.tree_size},    {"events_checked", r.events_checked},
              {"root_hash", to_hex(r.root)}, {"key_from_ledger", r.key_from_ledger},
              {"problems", problems}};
  if (!r.problems.empty()) out["first_bad_seq"] = r.problems.front().seq;
  if (r.io_error) out["error"] = r.io_message;
  return out;
}

std::optional<std::string> signed_checkpoint(Context& ctx, std::string& problem) {
  if (!ctx.signing_key) {
    problem = "no signing key loaded: " + ctx.signing_key_problem;
    return std::nullopt;
  }
  // Never sign a state whose leaves do not produce the stored tree; sign what was verified.
  const VerifyReport report = run_verification(ctx);
  if (!report.intact()) {
    problem = "the ledger does not verify: " +
              (report.io_error ? report.io_message : report.problems.front().message);
    return std::nullopt;
  }
  return sign_tree_head(ctx.ledger->info(), TreeHead{report.tree_size, report.root},
                        *ctx.signing_key);
}

}  // namespace qledger::daemon
