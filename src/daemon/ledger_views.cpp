#include "ledger_views.hpp"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <cstdint>

#include "qledger/leaf.hpp"
#include "qledger/ledger_setup.hpp"

namespace qledger::daemon {

std::vector<EventSummary> list_events(Ledger& ledger, const std::string& kind, std::uint64_t from,
                                      std::size_t limit) {
  std::vector<EventSummary> out;
  ledger.with_reader([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "SELECT seq, kind, recorded_at, actor FROM events "
                        "WHERE seq >= ? AND (? = '' OR kind = ?) ORDER BY seq LIMIT ?");
    q.bind(1, static_cast<std::int64_t>(from));
    q.bind(2, kind);
    q.bind(3, kind);
    q.bind(4, static_cast<std::int64_t>(limit));
    while (q.executeStep()) {
      out.push_back({static_cast<std::uint64_t>(q.getColumn(0).getInt64()),
                     q.getColumn(1).getString(), q.getColumn(2).getString(),
                     q.getColumn(3).getString()});
    }
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
