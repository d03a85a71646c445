// Timelines: one page (and one API document) per sample batch, incident or complaint, showing the
// record's current state as the library folds compute it (corrections applied, voids dropped)
// and every raw event of the record in seq order, voided ones marked, with links to /events/N.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "routes.hpp"

namespace qledger::daemon {

// GET /timeline/<type>/<key> (tail: "<type>/<key>"); a 404 page for an unknown type or record.
Response timeline_page(Exchange& x, std::string_view tail);
// GET /api/v1/timelines/<type>/<key>: {"type","key","state","events"}; 400 for a bad type,
// 404 for an unknown record.
Response timeline_api(Exchange& x, std::string_view tail);
// An HTML paragraph linking to the timeline of the batch, incident or complaint that event `seq`
// belongs to (corrections and voids: that of their target); empty for other events.
std::string timeline_link_html(Exchange& x, std::uint64_t seq);

}  // namespace qledger::daemon
