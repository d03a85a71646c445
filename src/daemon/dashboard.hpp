// The dashboard (GET /dashboard): the figures of this period — the current Asia/Shanghai month,
// or the month, quarter or year named by ?period= — computed by the report library exactly as
// `qledger report` computes them (build_report at the current tree size, default targets), each
// with rate, numerator ÷ denominator, pending count, 95 % Wilson interval, target, status and an
// inline SVG bar; every count links to the events behind it (/events?seqs=…). Then the tree
// head, events per kind and the panels of Context::dashboard_panels. No scripts; every value
// escaped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "qledger/report.hpp"
#include "routes.hpp"

namespace qledger::daemon {

Response dashboard_page(Exchange& x);

// The figures table of `report` as an HTML fragment (zh-CN, or English when `en`). Pure.
std::string figures_panel_html(const Report& report, bool en);

// A horizontal bar of `value`'s rate with its Wilson interval as a whisker and the target (and
// reference) as vertical lines; inline SVG. Empty when the value has no rate. Pure.
std::string figure_bar_svg(const FigureDefinition& def, const FigureValue& value,
                           const Target& target, bool en);

// "/events?seqs=3,5,9": the event list restricted to those seqs.
std::string events_link(const std::vector<std::uint64_t>& seqs);

}  // namespace qledger::daemon
