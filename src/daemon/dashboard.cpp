#include "dashboard.hpp"

#include <algorithm>
#include <cstdio>

#include "html_page.hpp"
#include "http_message.hpp"
#include "ledger_views.hpp"
#include "qledger/event_schema.hpp"
#include "qledger/hash.hpp"
#include "qledger/html_escape.hpp"
#include "qledger/report_formats.hpp"
#include "report_pages.hpp"

namespace qledger::daemon {

namespace {

std::string h(std::string_view s) { return escape_html(s); }

// Fixed-precision number for SVG coordinates.
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string status_label(const std::string& status, bool en) {
  if (!en) return status_label_zh(status);
  if (status == "met") return "met";
  if (status == "below_target") return "below target";
  if (status == "above_target") return "above the limit";
  if (status == "not_yet_decidable") return "not yet decidable";
  if (status == "report_only") return "report only";
  if (status == "no_data") return "no data";
  return status;
}

const char* status_colour(const std::string& status) {
  if (status == "met") return "#1b7f3b";
  if (status == "below_target" || status == "above_target") return "#b00020";
  if (status == "not_yet_decidable") return "#a05a00";
  return "#666";
}

// target_text of the report library, with an English word for the reference.
std::string target_label(const FigureDefinition& def, const Target& t, bool en) {
  if (!en) return target_text(def, t);
  std::string out;
  if (t.kind != TargetKind::kNone) {
    out = (t.kind == TargetKind::kAtLeast ? "≥ " : "< ") + rate_text(def, t.value);
  }
  if (t.reference) {
    out += (out.empty() ? "" : "; ") + std::string("reference ") + rate_text(def, *t.reference);
  }
  return out;
}

// A count, linked to the events behind it when there are any.
std::string count_cell(const std::string& text, const std::vector<std::uint64_t>& seqs) {
  if (seqs.empty()) return h(text);
  return "<a href=\"" + h(events_link(seqs)) + "\">" + h(text) + "</a>";
}

std::string interval_text(const FigureDefinition& def, const FigureValue& v) {
  if (!v.interval) return "";
  return rate_text(def, v.interval->lower) + " – " + rate_text(def, v.interval->upper);
}

std::string figure_row(const FigureDefinition& def, const FigureValue& v, const Target& target,
                       bool en) {
  const std::string name = en ? def.name_en : def.name_zh;
  const std::string numerator =
      def.kind == FigureKind::kAmount ? "¥" + yuan_text(v.numerator) : std::to_string(v.numerator);
  std::string row = "<tr id=\"fig-" + h(def.id) + "\"><td><details><summary>" + h(name) +
                    "</summary><p class=\"muted\">" +
                    h(en ? def.definition_en : def.definition_zh) + "</p></details></td>";
  row += "<td class=\"num rate\">" + (v.rate ? h(rate_text(def, v.rate)) : "—") + "</td>";
  row += "<td class=\"num\"><span class=\"numerator\">" + count_cell(numerator, v.numerator_seqs) +
         "</span> / <span class=\"denominator\">" +
         count_cell(std::to_string(v.denominator), v.denominator_seqs) + "</span></td>";
  row += "<td class=\"num pending\">" + count_cell(std::to_string(v.pending), v.pending_seqs) +
         "</td>";
  row += "<td class=\"num interval\">" + h(interval_text(def, v)) + "</td>";
  row += "<td class=\"target\">" + h(target_label(def, target, en)) + "</td>";
  row += "<td class=\"status\"><span style=\"color:" + std::string(status_colour(v.status)) +
         "\">" + h(status_label(v.status, en)) + "</span></td>";
  row += "<td>" + figure_bar_svg(def, v, target, en) + "</td></tr>";
  return row;
}

}  // namespace

std::string events_link(const std::vector<std::uint64_t>& seqs) {
  std::string out = "/events?seqs=";
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(seqs[i]);
  }
  return out;
}

std::string figure_bar_svg(const FigureDefinition& def, const FigureValue& value,
                           const Target& target, bool en) {
  if (!value.rate) return "";
  // Display scale: proportions 0–100 %; per-10k rates 0 to a little above the largest value.
  double top = 1.0;
  if (def.kind == FigureKind::kPer10k) {
    top = *value.rate;
    if (value.interval) top = std::max(top, value.interval->upper);
    if (target.kind != TargetKind::kNone) top = std::max(top, target.value);
    if (target.reference) top = std::max(top, *target.reference);
    top = top > 0 ? top * 1.25 : 1.0;
  }
  const double w = 220, bar_h = 14, left = 2, width = w - 2 * left, height = 24;
  const auto x = [&](double v) { return left + width * std::clamp(v / top, 0.0, 1.0); };
  const std::string label =
      (en ? def.name_en : def.name_zh) + " " + rate_text(def, value.rate) +
      (value.interval ? " (95%: " + interval_text(def, value) + ")" : std::string()) +
      (target.kind != TargetKind::kNone
           ? std::string(en ? ", target " : "，目标 ") + target_label(def, target, en)
           : std::string());
  std::string s = "<svg class=\"bar\" width=\"" + num(w) + "\" height=\"" + num(height) +
                  "\" viewBox=\"0 0 " + num(w) + " " + num(height) +
                  "\" role=\"img\" aria-label=\"" + h(label) + "\"><title>" + h(label) + "</title>";
  const double y0 = (height - bar_h) / 2;
  s += "<rect x=\"" + num(left) + "\" y=\"" + num(y0) + "\" width=\"" + num(width) +
       "\" height=\"" + num(bar_h) + "\" fill=\"#e6e6e6\"/>";
  s += "<rect class=\"value\" x=\"" + num(left) + "\" y=\"" + num(y0) + "\" width=\"" +
       num(x(*value.rate) - left) + "\" height=\"" + num(bar_h) + "\" fill=\"" +
       status_colour(value.status) + "\" fill-opacity=\"0.75\"/>";
  if (value.interval) {
    const double a = x(value.interval->lower), b = x(value.interval->upper), mid = height / 2;
    s += "<path class=\"interval\" d=\"M" + num(a) + " " + num(mid) + "H" + num(b) + "M" + num(a) +
         " " + num(mid - 4) + "V" + num(mid + 4) + "M" + num(b) + " " + num(mid - 4) + "V" +
         num(mid + 4) + "\" stroke=\"#111\" stroke-width=\"1.5\" fill=\"none\"/>";
  }
  if (target.reference) {
    const double r = x(*target.reference);
    s += "<line class=\"reference\" x1=\"" + num(r) + "\" x2=\"" + num(r) + "\" y1=\"1\" y2=\"" +
         num(height - 1) + "\" stroke=\"#0660c0\" stroke-width=\"1.5\" stroke-dasharray=\"2 2\"/>";
  }
  if (target.kind != TargetKind::kNone) {
    const double t = x(target.value);
    s += "<line class=\"target\" x1=\"" + num(t) + "\" x2=\"" + num(t) + "\" y1=\"0\" y2=\"" +
         num(height) + "\" stroke=\"#c00000\" stroke-width=\"2\" stroke-dasharray=\"4 2\"/>";
  }
  return s + "</svg>";
}

std::string figures_panel_html(const Report& report, bool en) {
  std::string out = "<p class=\"muted\">";
  out += en ? "Period " : "期间 ";
  out += h(report.period.to_string());
  out += en ? " (Asia/Shanghai dates), as of " : "（北京时间），评估日期 ";
  out += h(report.as_of.to_string());
  out += en ? ", computed from the first " : "，按账本前 ";
  out += std::to_string(report.head.size);
  out += en ? " events of the ledger (the same computation as " : " 个事件计算（与 ";
  out += "<code class=\"cmd\">qledger report --period " + h(report.period.to_string()) +
         " --at-size " + std::to_string(report.head.size) + "</code>";
  out += en ? ")." : " 相同）。";
  out += "</p><p class=\"muted\">";
  out += en ? "Bar: the rate; black whisker: 95 % Wilson interval; red dashed line: target; blue "
              "dotted line: reference value. Counts link to the events behind them."
            : "条形为比率；黑色须线为 95% Wilson 置信区间；红色虚线为目标；蓝色点线为参考值。"
              "点击数字可查看其对应的事件。";
  out += "</p><table class=\"figs\"><thead><tr>";
  static constexpr const char* kColumns[][2] = {{"指标", "Figure"},
                                                {"比率", "Rate"},
                                                {"分子 / 分母", "Numerator / denominator"},
                                                {"待定", "Pending"},
                                                {"95% 置信区间", "95 % interval"},
                                                {"目标", "Target"},
                                                {"状态", "Status"},
                                                {"图示", "Chart"}};
  for (const auto& column : kColumns) {
    out += "<th>";
    out += column[en ? 1 : 0];
    out += "</th>";
  }
  out += "</tr></thead><tbody>";
  for (const Figure& f : report.figures.figures) {
    const FigureDefinition* def = find_figure_definition(f.id);
    if (def == nullptr) continue;
    out += figure_row(*def, f.total, report.config.target_of(f.id), en);
  }
  return out + "</tbody></table>";
}

Response dashboard_page(Exchange& x) {
  FieldProblem problem;
  const std::optional<Period> period = read_period(x, problem);
  if (!period) {
    return message_page(x, http::status::bad_request, "400",
                        x.en ? problem.message_en : problem.message_zh);
  }
  const Report report =
      build_report(*x.ctx.ledger, *period, std::nullopt, ReportConfig::defaults(), nullptr,
                   x.ctx.signing_key ? &x.ctx.signing_key->public_key() : nullptr);
  std::string body =
      "<form class=\"period\" method=\"get\" action=\"/dashboard\"><label "
      "for=\"period\">" +
      std::string(x.t("期间", "Period")) +
      "</label> <input type=\"text\" id=\"period\" name=\"period\" value=\"" +
      h(period->to_string()) +
      "\" size=\"8\" pattern=\"[0-9]{4}(-[0-9]{2}|-Q[1-4])?\"> <button "
      "type=\"submit\">" +
      x.t("查看", "Show") + "</button> <a href=\"/dashboard\">" + x.t("本月", "This month") +
      "</a></form>";
  body += "<section id=\"figures\"><h2>" +
          std::string(x.t("本期指标与目标", "This period's figures against targets")) + "</h2>" +
          figures_panel_html(report, x.en) + "</section>";

  const TreeHead head = x.ctx.ledger->head();
  body += "<h2>" + std::string(x.t("账本", "Ledger")) + "</h2><p>" +
          x.t("账本事件总数：", "Events in the ledger: ") + std::to_string(head.size) + "<br>" +
          x.t("根哈希：", "Root hash: ") + "<code class=\"hash\">" + to_hex(head.root) +
          "</code></p>";
  body += "<h2>" + std::string(x.t("各类事件数量", "Events per kind")) + "</h2><table><tr><th>" +
          x.t("类型", "Kind") + "</th><th>" + x.t("数量", "Count") + "</th></tr>";
  for (const auto& [kind, n] : count_by_kind(*x.ctx.ledger)) {
    const KindSpec* spec = EventSchema::builtin().find(kind);
    const std::string label = spec == nullptr ? kind : (x.en ? spec->en : spec->zh);
    body += "<tr><td><a href=\"/events?kind=" + h(percent_encode(kind)) + "\">" + h(label) +
            "</a></td><td class=\"num\">" + std::to_string(n) + "</td></tr>";
  }
  body += "</table>";
  // Further panels registered by other modules (Context::dashboard_panels).
  for (const auto& panel : x.ctx.dashboard_panels) {
    body += "<section id=\"panel-" + h(panel.id) + "\">" + panel.render(x.ctx, *x.who, x.en) +
            "</section>";
  }
  return html_response(x, http::status::ok, x.t("概览", "Dashboard"), body);
}

}  // namespace qledger::daemon
