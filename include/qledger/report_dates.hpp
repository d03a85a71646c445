// The report index's business dates (table report_dates, docs/figures.md): the date an event
// gives its record for finding a period's records — the sampling date of a batch, the receiving
// date of a complaint, the date written in an incident's occurred_at — set by the creating event
// and by any correction carrying that field. Pure; the projection writes what it returns.
#pragma once

#include "qledger/canonical_json.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace qledger {

// The business date `kind` with `payload` sets, or nullopt for events that set none:
//   inspection.recorded → payload.sampling_date;  complaint.received → payload.received_on;
//   incident.reported   → the first 10 characters of payload.occurred_at;
//   correction          → the first of values.sampling_date, values.received_on and the first
//                         10 characters of values.occurred_at that is present.
// Only string values count (the event schemas make these fields date strings).
std::optional<std::string> business_date_set_by(std::string_view kind, const Json& payload);

}  // namespace qledger
