// Read-side adapters over the library shared by the API and the pages: event lists, counts,
// verification with the daemon's key, and signing the verified tree head.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "context.hpp"
#include "qledger/canonical_json.hpp"
#include "qledger/civil_date.hpp"
#include "qledger/verifier.hpp"

namespace qledger::daemon {

struct EventSummary {
  std::uint64_t seq = 0;
  std::string kind, recorded_at, actor;
};

// What an event list shows: events with seq >= from_seq and, for each criterion that is set,
// of `kind`; touching the records of the entity with credit code `uscc` (the entity, its
// licences, equipment, sample batches, complaints against it, incidents on its equipment); of
// entities and equipment in `township` (both criteria together: that entity in that township);
// recorded on an Asia/Shanghai date within [from_date, to_date].
struct EventFilter {
  std::string kind, uscc, township;
  std::optional<CivilDate> from_date, to_date;
  std::uint64_t from_seq = 1;
};

// The events `filter` selects, ascending by seq, at most `limit`.
std::vector<EventSummary> list_events(Ledger& ledger, const EventFilter& filter, std::size_t limit);
// Events with seq >= from (and of `kind` when non-empty), ascending, at most `limit`.
std::vector<EventSummary> list_events(Ledger& ledger, const std::string& kind, std::uint64_t from,
                                      std::size_t limit);
// Every township named by a registered entity or equipment unit, sorted.
std::vector<std::string> list_townships(Ledger& ledger);
// The events with the given seqs (those that exist), ascending, each once.
std::vector<EventSummary> events_with_seqs(Ledger& ledger, std::vector<std::uint64_t> seqs);
std::map<std::string, std::uint64_t> count_by_kind(Ledger& ledger);

// One event as JSON: seq, kind, recorded_at, actor, leaf_hash, leaf (the hashed bytes), payload.
std::optional<Json> event_json(Ledger& ledger, std::uint64_t seq);

// Full verification with the daemon's key as trusted key (if loaded); counted in the metrics.
VerifyReport run_verification(Context& ctx);
Json verify_report_json(const VerifyReport& report);

// Verifies the ledger, then signs the verified tree head. nullopt with `problem` (English) if
// there is no key or the ledger does not verify.
std::optional<std::string> signed_checkpoint(Context& ctx, std::string& problem);

}  // namespace qledger::daemon
