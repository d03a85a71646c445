// Reports in qledgerd, computed by build_report exactly as `qledger report` computes them:
//   GET /reports?period=P[&at_size=N]            the figures of a month, quarter or year with
//                                                 links to the downloads (HTML page)
//   GET /reports/download?period=P&format=F[&at_size=N]
//                                                 json | csv | html | xlsx as an attachment,
//                                                 carrying a checkpoint signed with the daemon's
//                                                 key when it has one
//   GET /api/v1/figures?period=P[&at_size=N]      the "qledger-report/1" JSON document
// Without at_size the report is computed at the current tree size and the page states that size,
// so the same report can be fetched again later, byte for byte. Any logged-in role may read.
#pragma once

#include <optional>

#include "qledger/civil_date.hpp"
#include "qledger/field_problem.hpp"
#include "routes.hpp"

namespace qledger::daemon {

Response reports_page(Exchange& x);
Response report_download(Exchange& x);
Response figures_api(Exchange& x);

// The period ?period= names (2026-11, 2026-Q4 or 2026), or the current Asia/Shanghai month
// (Context::today) when it is absent or empty. nullopt when it is malformed, with `problem` set
// (field "period", code "bad_period", the message in zh and en) for a 400 answer. Shared by the
// report pages and the dashboard.
std::optional<Period> read_period(const Exchange& x, FieldProblem& problem);

}  // namespace qledger::daemon
