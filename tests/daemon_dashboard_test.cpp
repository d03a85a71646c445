// The dashboard shows this month's figures exactly as the report library computes them, with the
// rate, counts, pending, Wilson interval, target, status and SVG bar, and its counts lead to the
// events behind them. Expected values are computed here from the recorded batches.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>

#include "daemon_fixture.hpp"
#include "dashboard.hpp"
#include "qledger/report.hpp"

using namespace qledger;
using namespace qledger::test;

namespace {

std::string percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", fraction * 100.0);
  return buf;
}

// The 95 % Wilson score interval, written out from its formula.
std::pair<double, double> wilson(double k, double n) {
  const double z = 1.959963984540054, p = k / n, z2n = z * z / n;
  const double centre = (p + z2n / 2) / (1 + z2n);
  const double half = z * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z2n);
  return {centre - half, centre + half};
}

// The <tr> of one figure in a dashboard page.
std::string figure_row(const std::string& body, const std::string& id) {
  const auto start = body.find("<tr id=\"fig-" + id + "\">");
  REQUIRE(start != std::string::npos);
  const auto end = body.find("</tr>", start);
  REQUIRE(end != std::string::npos);
  return body.substr(start, end - start);
}

std::string link(std::initializer_list<std::uint64_t> seqs, const std::string& text) {
  return "<a href=\"" + daemon::events_link(seqs) + "\">" + text + "</a>";
}

struct Batches {
  DaemonFixture& d;

  std::uint64_t post(const std::string& kind, const Json& payload) {
    const auto res = d.post_json("/api/v1/events",
                                 Json{{"kind", kind}, {"payload", payload}}.dump(), &d.inspector);
    REQUIRE_MESSAGE(status(res) == 201, res.body());
    return Json::parse(res.body())["seq"].get<std::uint64_t>();
  }

  std::uint64_t batch(const std::string& no, const std::string& regime, const std::string& sampled,
                      bool pass, const std::string& notified = "2026-11-03") {
    return post("inspection.recorded", inspection_payload(no, pass, regime, sampled, notified));
  }
};

}  // namespace

TEST_SUITE("dashboard") {
  TEST_CASE("this month's figures equal the report library's, and move with a new failure") {
    DaemonFixture d;  // today: 2026-11-27 (Asia/Shanghai)
    REQUIRE(status(d.post_json("/api/v1/events", entity_json(1), &d.inspector)) == 201);
    Batches b{d};
    const auto p1 = b.batch("P-1", "product", "2026-11-02", true);
    const auto p2 = b.batch("P-2", "product", "2026-11-02", true);
    const auto p3 = b.batch("P-3", "product", "2026-11-03", true);
    const auto p4 = b.batch("P-4", "product", "2026-11-01", false);  // window closed 11-18
    b.batch("P-0", "product", "2026-10-20", true);                   // another month
    // A failed food batch whose re-test application awaits a decision is pending.
    const auto f1 = b.batch("F-1", "food", "2026-11-16", false, "2026-11-20");
    b.post("retest.applied", {{"sample_no", "F-1"}, {"applied_on", "2026-11-23"}});

    const auto res = d.get("/dashboard", &d.analyst);
    REQUIRE(status(res) == 200);
    std::string row = figure_row(res.body(), "product_pass_rate");
    // 3 of 4 final conclusions pass.
    const auto [lo4, hi4] = wilson(3, 4);
    CHECK(has(row, "工业产品质量监督抽查合格率"));
    CHECK(has(row, "<td class=\"num rate\">75.0%</td>"));
    CHECK(has(row, link({p1, p2, p3}, "3")));
    CHECK(has(row, link({p1, p2, p3, p4}, "4")));
    CHECK(has(row, "<td class=\"num interval\">" + percent(lo4) + " – " + percent(hi4) + "</td>"));
    CHECK(has(row, "≥ 95.0%"));
    CHECK(hi4 > 0.95);  // the interval straddles the target
    CHECK(has(row, "尚不能判定"));
    // SVG: 216 px wide track from x=2; the bar ends at 75 %, the target line sits at 95 %.
    CHECK(has(row, "<svg class=\"bar\""));
    CHECK(has(row, "class=\"value\" x=\"2.0\" y=\"5.0\" width=\"162.0\""));
    CHECK(has(row, "class=\"target\" x1=\"207.2\""));

    const std::string food = figure_row(res.body(), "food_pass_rate");
    CHECK(has(food, "<td class=\"num pending\">" + link({f1}, "1") + "</td>"));
    CHECK(has(food, "<td class=\"num rate\">—</td>"));
    CHECK(has(food, "无数据"));

    // The same numbers as the report library (the CLI's function) at the same tree size.
    const Report report = build_report(*d.ctx->ledger, *Period::parse("2026-11"), std::nullopt,
                                       ReportConfig::defaults(), nullptr);
    for (const Figure& f : report.figures.figures) {
      if (f.id != "product_pass_rate") continue;
      CHECK(f.total.numerator == 3);
      CHECK(f.total.denominator == 4);
      CHECK(f.total.status == "not_yet_decidable");
      REQUIRE(f.total.interval);
      CHECK(percent(f.total.interval->upper) == percent(hi4));
    }
    CHECK(has(res.body(), "--at-size " + std::to_string(report.head.size)));

    // The numerator link lists exactly the three passing batches.
    const auto listed = d.get(daemon::events_link({p1, p2, p3}), &d.analyst);
    REQUIRE(status(listed) == 200);
    for (const auto seq : {p1, p2, p3}) {
      CHECK(has(listed.body(), "<a href=\"/events/" + std::to_string(seq) + "\">"));
    }
    CHECK_FALSE(has(listed.body(), "<a href=\"/events/" + std::to_string(p4) + "\">"));
    CHECK(status(d.get("/events?seqs=1,x", &d.analyst)) == 400);

    // One more failing batch: 3 of 5, and the interval now lies below the target.
    const auto p5 = b.batch("P-5", "product", "2026-11-03", false);
    row = figure_row(d.get("/dashboard", &d.analyst).body(), "product_pass_rate");
    const auto [lo5, hi5] = wilson(3, 5);
    CHECK(has(row, "<td class=\"num rate\">60.0%</td>"));
    CHECK(has(row, link({p1, p2, p3, p4, p5}, "5")));
    CHECK(has(row, percent(lo5) + " – " + percent(hi5)));
    CHECK(hi5 < 0.95);
    CHECK(has(row, "低于目标"));
    CHECK(has(row, "width=\"129.6\""));  // 60 % of 216
  }

  TEST_CASE("English, other periods, and a bad period") {
    DaemonFixture d;
    REQUIRE(status(d.post_json("/api/v1/events", entity_json(1), &d.inspector)) == 201);
    Batches b{d};
    b.batch("P-0", "product", "2026-10-20", true);
    const auto en = d.get("/dashboard?lang=en", &d.analyst);
    REQUIRE(status(en) == 200);
    CHECK(has(en.body(), "This period's figures against targets"));
    CHECK(has(figure_row(en.body(), "product_pass_rate"), "no data"));
    const auto october = d.get("/dashboard?period=2026-10", &d.analyst);
    const std::string row = figure_row(october.body(), "product_pass_rate");
    CHECK(has(row, "<td class=\"num rate\">100.0%</td>"));
    CHECK(has(row, "尚不能判定"));  // 1 of 1: the interval still reaches below 95 %
    CHECK(status(d.get("/dashboard?period=2026-13", &d.analyst)) == 400);
    CHECK(status(d.get("/dashboard?period=%3Cscript%3E", &d.analyst)) == 400);
  }

  TEST_CASE("the bar is clamped and absent without a rate") {
    const FigureDefinition& def = *find_figure_definition("equipment_death_rate");
    FigureValue v;
    CHECK(daemon::figure_bar_svg(def, v, {}, false).empty());
    v.numerator = 1;
    v.denominator = 10000;
    v.rate = 1.0;
    v.interval = WilsonInterval{0.1, 5.0};
    v.status = "above_target";
    Target t{TargetKind::kBelow, 0.3, std::nullopt, ""};
    const std::string svg = daemon::figure_bar_svg(def, v, t, true);
    // Scale: 1.25 × the largest value (5.0) = 6.25 per 216 px.
    CHECK(has(svg, "width=\"34.6\""));                // 1.0 / 6.25 × 216
    CHECK(has(svg, "M5.5 12.0H174.8"));               // 0.1 and 5.0
    CHECK(has(svg, "class=\"target\" x1=\"12.4\""));  // 0.3
    CHECK(has(svg, "aria-label=\"Special-equipment deaths per 10,000 units 1.000"));
  }
}
