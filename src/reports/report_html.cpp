#include "qledger/report_formats.hpp"

#include "qledger/html_escape.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace qledger {

namespace {

std::string esc(const std::string& s) { return escape_html(s); }

std::string num(double x, int decimals = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

std::string interval_text(const FigureDefinition& def, const FigureValue& v) {
  if (!v.interval) return "";
  return rate_text(def, v.interval->lower) + " – " + rate_text(def, v.interval->upper);
}

std::string seq_list(const std::vector<std::uint64_t>& seqs) {
  if (seqs.empty()) return "—";
  std::string out;
  for (const auto s : seqs) out += (out.empty() ? "" : " ") + std::to_string(s);
  return out;
}

const char* kStyle = R"(
@page { size: A4; margin: 14mm 12mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
       "WenQuanYi Micro Hei", sans-serif;
       font-size: 10pt; color: #111; margin: 0 auto; max-width: 186mm; }
h1 { font-size: 16pt; margin: 0 0 4pt; }
h2 { font-size: 12pt; margin: 14pt 0 4pt; border-bottom: 1px solid #444; }
h3 { font-size: 10.5pt; margin: 8pt 0 3pt; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0; }
th, td { border: 1px solid #999; padding: 2pt 4pt; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th { background: #eee; }
h2, h3 { page-break-after: avoid; break-after: avoid; }
.figure-head, tr, svg { page-break-inside: avoid; break-inside: avoid; }
thead { display: table-header-group; }
.def { font-size: 9pt; color: #333; margin: 2pt 0; }
.seqs { font-size: 7.5pt; color: #444; word-break: break-all; }
.met { color: #060; } .below_target, .above_target { color: #a00; font-weight: bold; }
.not_yet_decidable { color: #a60; }
pre { font-size: 8pt; white-space: pre-wrap; word-break: break-all; border: 1px solid #999;
      padding: 4pt; }
svg { display: block; margin: 2pt 0; }
)";

// Rate by month with its interval and the target line.
std::string chart(const FigureDefinition& def, const Report& r) {
  const Target target = r.config.target_of(def.id);
  const double scale = def.kind == FigureKind::kPer10k ? 1.0 : 100.0;  // display units
  std::vector<std::pair<std::string, const FigureValue*>> points;
  double lo = 1e300, hi = -1e300;
  for (const auto& m : r.monthly) {
    for (const auto& f : m.figures) {
      if (f.id != def.id) continue;
      points.push_back({m.month.to_string(), &f.total});
      if (f.total.rate) {
        const double a = f.total.interval ? f.total.interval->lower : *f.total.rate;
        const double b = f.total.interval ? f.total.interval->upper : *f.total.rate;
        lo = std::min(lo, a * scale);
        hi = std::max(hi, b * scale);
      }
    }
  }
  if (target.kind != TargetKind::kNone) {
    lo = std::min(lo, target.value * scale);
    hi = std::max(hi, target.value * scale);
  }
  if (target.reference) {
    lo = std::min(lo, *target.reference * scale);
    hi = std::max(hi, *target.reference * scale);
  }
  if (lo > hi) lo = 0, hi = scale;
  if (def.kind == FigureKind::kPer10k) lo = 0;
  // Axis from a "nice" step (1, 2 or 5 × 10^k) giving at most 5 intervals, so the ticks read
  // 80% 85% 90% 95% 100% rather than 14.8% 57.4%.
  double step_v = 1e-6;
  for (double decade = 1e-4; decade <= 1e6; decade *= 10) {
    bool found = false;
    for (const double m : {1.0, 2.0, 5.0}) {
      if ((hi - lo) / (m * decade) <= 5) {
        step_v = m * decade;
        found = true;
        break;
      }
    }
    if (found) break;
  }
  lo = std::max(0.0, std::floor(lo / step_v) * step_v);
  hi = std::ceil(hi / step_v) * step_v;
  if (hi <= lo) hi = lo + step_v;
  if (def.kind != FigureKind::kPer10k && hi > scale) hi = scale;
  const double w = 640, h = 170, left = 52, right = 12, top = 10, bottom = 28;
  const double pw = w - left - right, ph = h - top - bottom;
  auto y = [&](double v) { return top + ph * (1.0 - (v - lo) / (hi - lo)); };
  const double step = points.empty() ? pw : pw / static_cast<double>(points.size());
  auto x = [&](std::size_t i) { return left + step * (static_cast<double>(i) + 0.5); };
  const std::string unit = def.kind == FigureKind::kPer10k ? "" : "%";
  std::string s = "<svg width=\"" + num(w, 0) + "\" height=\"" + num(h, 0) + "\" viewBox=\"0 0 " +
                  num(w, 0) + " " + num(h, 0) + "\" role=\"img\" aria-label=\"" + esc(def.name_zh) +
                  "（按月）\">";
  s += "<rect x=\"" + num(left) + "\" y=\"" + num(top) + "\" width=\"" + num(pw) + "\" height=\"" +
       num(ph) + "\" fill=\"none\" stroke=\"#999\"/>";
  const int decimals = step_v >= 1 ? 0 : step_v >= 0.1 ? 1 : step_v >= 0.01 ? 2 : 3;
  for (double v = lo; v <= hi + step_v / 2; v += step_v) {
    if (v > lo && v < hi - step_v / 2) {
      s += "<line x1=\"" + num(left) + "\" x2=\"" + num(left + pw) + "\" y1=\"" + num(y(v)) +
           "\" y2=\"" + num(y(v)) + "\" stroke=\"#ddd\"/>";
    }
    s += "<text x=\"" + num(left - 4) + "\" y=\"" + num(y(v) + 3) +
         "\" font-size=\"9\" text-anchor=\"end\">" + num(v, decimals) + esc(unit) + "</text>";
  }
  if (target.kind != TargetKind::kNone) {
    s += "<line x1=\"" + num(left) + "\" x2=\"" + num(left + pw) + "\" y1=\"" +
         num(y(target.value * scale)) + "\" y2=\"" + num(y(target.value * scale)) +
         "\" stroke=\"#c00\" stroke-dasharray=\"5 3\"/>";
    const double ty = y(target.value * scale);
    s += "<text x=\"" + num(left + pw - 4) + "\" y=\"" + num(ty < top + 12 ? ty + 11 : ty - 3) +
         "\" font-size=\"9\" fill=\"#c00\" text-anchor=\"end\">目标 " +
         esc(target_text(def, target)) + "</text>";
  }
  if (target.reference) {
    s += "<line x1=\"" + num(left) + "\" x2=\"" + num(left + pw) + "\" y1=\"" +
         num(y(*target.reference * scale)) + "\" y2=\"" + num(y(*target.reference * scale)) +
         "\" stroke=\"#06c\" stroke-dasharray=\"2 3\"/>";
  }
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto& [month, v] = points[i];
    s += "<text x=\"" + num(x(i)) + "\" y=\"" + num(h - 10) +
         "\" font-size=\"9\" text-anchor=\"middle\">" + esc(month) + "</text>";
    if (!v->rate) continue;
    if (v->interval) {
      s += "<line x1=\"" + num(x(i)) + "\" x2=\"" + num(x(i)) + "\" y1=\"" +
           num(y(v->interval->lower * scale)) + "\" y2=\"" + num(y(v->interval->upper * scale)) +
           "\" stroke=\"#555\" stroke-width=\"2\"/>";
    }
    s += "<circle cx=\"" + num(x(i)) + "\" cy=\"" + num(y(*v->rate * scale)) +
         "\" r=\"3\" fill=\"#111\"><title>" + esc(month + " " + rate_text(def, *v->rate)) +
         "</title></circle>";
  }
  return s + "</svg>";
}

std::string value_cells(const FigureDefinition& def, const Report& r, const FigureValue& v) {
  std::string s = "<td class=\"n\">" +
                  esc(def.kind == FigureKind::kAmount ? yuan_text(v.numerator) + " 元"
                                                      : std::to_string(v.numerator)) +
                  "</td><td class=\"n\">" + std::to_string(v.denominator) +
                  "</td><td class=\"n\">" + std::to_string(v.pending) + "</td><td class=\"n\">" +
                  esc(rate_text(def, v.rate)) + "</td><td class=\"n\">" +
                  esc(interval_text(def, v)) + "</td>";
  s += "<td>" + esc(target_text(def, r.config.target_of(def.id))) + "</td><td class=\"" +
       esc(v.status) + "\">" + esc(status_label_zh(v.status)) + "</td>";
  return s;
}

const char* kValueHeaders =
    "<th>分子</th><th>分母</th><th>待定</th><th>比率</th><th>95%区间</th><th>目标</th>"
    "<th>状态</th>";

}  // namespace

std::string render_report_html(const Report& r) {
  std::string s = "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n";
  s += "<title>" + esc("质量指标报告 " + r.period.to_string()) + "</title>\n<style>" + kStyle +
       "</style>\n</head>\n<body>\n";
  s += "<h1>" + esc("质量指标报告 " + r.period.to_string()) + "</h1>\n";
  s += "<table>";
  s += "<tr><th>统计期间</th><td>" +
       esc(r.period.first_day().to_string() + " 至 " + r.period.last_day().to_string() +
           "（北京时间）") +
       "</td></tr>";
  s += "<tr><th>评估日期</th><td>" + esc(r.as_of.to_string()) + "（第 " +
       std::to_string(r.head.size) + " 条事件的记录日期；复检期内的批次计为待定）</td></tr>";
  s += "<tr><th>账本大小</th><td>" + std::to_string(r.head.size) + "</td></tr>";
  s += "<tr><th>根哈希</th><td><code>" + esc(to_hex(r.head.root)) + "</code></td></tr>";
  s += "<tr><th>账本标识</th><td>" + esc(r.origin) + "</td></tr>";
  s += "</table>\n";
  s += "<p class=\"def\">本报告只依据序号不大于账本大小的事件计算；以 <code>qledger report "
       "--period " +
       esc(r.period.to_string()) + " --at-size " + std::to_string(r.head.size) +
       "</code> 可逐字节重现。被作废的事件不计，被更正的事件按更正后的值计。</p>\n";

  s += "<h2>指标汇总</h2>\n<table><thead><tr><th>指标</th>" + std::string(kValueHeaders) +
       "</tr></thead><tbody>";
  for (const auto& f : r.figures.figures) {
    const FigureDefinition& def = *find_figure_definition(f.id);
    s += "<tr><td>" + esc(def.name_zh) + "</td>" + value_cells(def, r, f.total) + "</tr>";
  }
  s += "</tbody></table>\n";

  for (const auto& f : r.figures.figures) {
    const FigureDefinition& def = *find_figure_definition(f.id);
    s += "<div class=\"figure\">\n<div class=\"figure-head\">\n<h2>" + esc(def.name_zh) +
         " <small>" + esc(def.name_en) + "</small></h2>\n";
    s += "<p class=\"def\">定义：" + esc(def.definition_zh) + "</p>\n";
    s += "<p class=\"def\">Definition: " + esc(def.definition_en) + "</p>\n";
    const Target t = r.config.target_of(def.id);
    if (!t.source.empty()) s += "<p class=\"def\">目标来源：" + esc(t.source) + "</p>\n";
    s += "<table><tr><th></th>" + std::string(kValueHeaders) + "</tr><tr><td>合计</td>" +
         value_cells(def, r, f.total) + "</tr></table>\n";
    if (def.kind == FigureKind::kProportion || def.kind == FigureKind::kPer10k) {
      s += chart(def, r) + "\n";
    }
    s += "</div>\n";
    for (const auto& [dim, groups] : f.breakdowns) {
      s += "<h3>按" + esc(dimension_label_zh(dim)) + "</h3>\n<table><thead><tr><th>" +
           esc(dimension_label_zh(dim)) + "</th>" + kValueHeaders + "</tr></thead><tbody>";
      for (const auto& [group, value] : groups) {
        s += "<tr><td>" + esc(group_label_zh(dim, group)) + "</td>" + value_cells(def, r, value) +
             "</tr>";
      }
      s += "</tbody></table>\n";
    }
    s += "<p class=\"seqs\">分子事件序号：" + seq_list(f.total.numerator_seqs) +
         "<br>分母事件序号：" + seq_list(f.total.denominator_seqs) + "<br>待定事件序号：" +
         seq_list(f.total.pending_seqs) + "</p>\n</div>\n";
  }
  s += "<h2>签名检查点 Signed checkpoint</h2>\n";
  s += r.checkpoint.empty() ? "<p>（未签名）</p>\n" : "<pre>" + esc(r.checkpoint) + "</pre>\n";
  s += "</body>\n</html>\n";
  return s;
}

}  // namespace qledger
