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

#include "routes.hpp"

namespace qledger::daemon {

Response reports_page(Exchange& x);
Response report_download(Exchange& x);
Response figures_api(Exchange& x);

}  // namespace qledger::daemon
