#include "qledger/report_formats.hpp"

#include <cmath>
#include <cstdio>

namespace qledger {

namespace {

// Rounded to 6 decimals so that the printed number does not depend on the last bits.
Json number6(double x) { return std::round(x * 1e6) / 1e6; }

Json seqs_json(const std::vector<std::uint64_t>& seqs) { return Json(seqs); }

const char* kind_code(FigureKind k) {
  switch (k) {
    case FigureKind::kProportion:
      return "proportion";
    case FigureKind::kPer10k:
      return "per_10k";
    case FigureKind::kCount:
      return "count";
    case FigureKind::kAmount:
      return "amount";
  }
  return "";
}

Json target_json(const Target& t) {
  Json j = Json::object();
  j["kind"] = t.kind == TargetKind::kAtLeast ? Json("at_least")
              : t.kind == TargetKind::kBelow ? Json("below")
                                             : Json(nullptr);
  j["value"] = t.kind == TargetKind::kNone ? Json(nullptr) : number6(t.value);
  j["reference"] = t.reference ? number6(*t.reference) : Json(nullptr);
  j["source"] = t.source;
  return j;
}

Json value_json(const FigureDefinition& def, const FigureValue& v, bool with_seqs) {
  Json j = Json::object();
  j["numerator"] = v.numerator;
  j["denominator"] = v.denominator;
  j["pending"] = v.pending;
  j["rate"] = v.rate ? number6(*v.rate) : Json(nullptr);
  j["interval"] = v.interval ? Json{{"lower", number6(v.interval->lower)},
                                    {"upper", number6(v.interval->upper)}}
                             : Json(nullptr);
  j["status"] = v.status;
  if (def.kind == FigureKind::kAmount) j["amount_yuan"] = yuan_text(v.numerator);
  if (with_seqs) {
    j["numerator_seqs"] = seqs_json(v.numerator_seqs);
    j["denominator_seqs"] = seqs_json(v.denominator_seqs);
    j["pending_seqs"] = seqs_json(v.pending_seqs);
  }
  return j;
}

std::string hex_root(const Hash& h) { return to_hex(h); }

}  // namespace

Json report_to_json(const Report& r) {
  Json j = Json::object();
  j["format"] = "qledger-report/1";
  j["period"] = r.period.to_string();
  j["period_kind"] = r.period.kind() == PeriodKind::kMonth     ? "month"
                     : r.period.kind() == PeriodKind::kQuarter ? "quarter"
                                                               : "year";
  j["first_day"] = r.period.first_day().to_string();
  j["last_day"] = r.period.last_day().to_string();
  j["as_of"] = r.as_of.to_string();
  j["tree_size"] = r.head.size;
  j["root_hash"] = hex_root(r.head.root);
  j["origin"] = r.origin;
  j["checkpoint"] = r.checkpoint.empty() ? Json(nullptr) : Json(r.checkpoint);
  Json figures = Json::array();
  for (const auto& f : r.figures.figures) {
    const FigureDefinition& def = *find_figure_definition(f.id);
    Json fj = value_json(def, f.total, true);
    fj["id"] = f.id;
    fj["kind"] = kind_code(def.kind);
    fj["decision_basis"] = def.basis == DecisionBasis::kInterval ? "interval" : "exact";
    fj["name_zh"] = def.name_zh;
    fj["name_en"] = def.name_en;
    fj["definition_zh"] = def.definition_zh;
    fj["definition_en"] = def.definition_en;
    fj["target"] = target_json(r.config.target_of(f.id));
    Json breakdowns = Json::object();
    for (const auto& [dim, groups] : f.breakdowns) {
      Json list = Json::array();
      for (const auto& [group, value] : groups) {
        Json g = value_json(def, value, true);
        g["group"] = group;
        list.push_back(std::move(g));
      }
      breakdowns[dim] = std::move(list);
    }
    fj["breakdowns"] = std::move(breakdowns);
    figures.push_back(std::move(fj));
  }
  j["figures"] = std::move(figures);
  Json monthly = Json::array();
  for (const auto& m : r.monthly) {
    Json values = Json::object();
    for (const auto& f : m.figures) {
      values[f.id] = value_json(*find_figure_definition(f.id), f.total, false);
    }
    monthly.push_back({{"month", m.month.to_string()}, {"figures", std::move(values)}});
  }
  j["monthly"] = std::move(monthly);
  return j;
}

std::string render_report_json(const Report& report) {
  return report_to_json(report).dump(2) + "\n";
}

Json report_diff_to_json(const ReportDiff& d) {
  Json j = Json::object();
  j["format"] = "qledger-report-diff/1";
  j["period"] = d.period.to_string();
  j["from"] = {{"tree_size", d.from.size},
               {"root_hash", hex_root(d.from.root)},
               {"as_of", d.from_as_of.to_string()}};
  j["to"] = {{"tree_size", d.to.size},
             {"root_hash", hex_root(d.to.root)},
             {"as_of", d.to_as_of.to_string()}};
  Json changes = Json::array();
  for (const auto& c : d.changes) {
    const FigureDefinition& def = *find_figure_definition(c.figure_id);
    changes.push_back({{"figure", c.figure_id},
                       {"dimension", c.dimension},
                       {"group", c.group},
                       {"before", value_json(def, c.before, true)},
                       {"after", value_json(def, c.after, true)}});
  }
  j["changes"] = std::move(changes);
  Json causes = Json::array();
  for (const auto& c : d.causes) {
    causes.push_back({{"seq", c.seq},
                      {"kind", c.kind},
                      {"record_type", c.record.type},
                      {"record_key", c.record.key},
                      {"target_seq", c.target_seq ? Json(*c.target_seq) : Json(nullptr)},
                      {"figures", c.figures}});
  }
  j["causes"] = std::move(causes);
  return j;
}

std::string render_report_diff_json(const ReportDiff& diff) {
  return report_diff_to_json(diff).dump(2) + "\n";
}

std::string render_report_diff_text(const ReportDiff& d) {
  std::string out = "period " + d.period.to_string() + ": tree size " +
                    std::to_string(d.from.size) + " (as of " + d.from_as_of.to_string() + ") → " +
                    std::to_string(d.to.size) + " (as of " + d.to_as_of.to_string() + ")\n";
  if (d.changes.empty()) out += "no figure changed\n";
  std::size_t group_changes = 0;
  for (const auto& c : d.changes) {
    if (!c.dimension.empty()) {
      ++group_changes;
      continue;
    }
    const FigureDefinition& def = *find_figure_definition(c.figure_id);
    out += "  " + def.name_zh + " / " + c.figure_id;
    out += ": " + std::to_string(c.before.numerator) + "/" + std::to_string(c.before.denominator) +
           " pending " + std::to_string(c.before.pending) + " " + rate_text(def, c.before.rate) +
           " → " + std::to_string(c.after.numerator) + "/" + std::to_string(c.after.denominator) +
           " pending " + std::to_string(c.after.pending) + " " + rate_text(def, c.after.rate) +
           "\n";
  }
  if (group_changes > 0) {
    out += "  (" + std::to_string(group_changes) +
           " breakdown groups changed: --format json lists them)\n";
  }
  out += "caused by events:\n";
  for (const auto& c : d.causes) {
    out += "  #" + std::to_string(c.seq) + " " + c.kind + " " + c.record.type + " " + c.record.key;
    if (c.target_seq) out += " (target #" + std::to_string(*c.target_seq) + ")";
    out += "\n";
  }
  if (d.from_as_of != d.to_as_of) {
    out += "evaluation date moved from " + d.from_as_of.to_string() + " to " +
           d.to_as_of.to_string() + " (re-test windows may have closed)\n";
  }
  return out;
}

std::string status_label_zh(const std::string& s) {
  if (s == "met") return "达标";
  if (s == "below_target") return "低于目标";
  if (s == "above_target") return "超过限值";
  if (s == "not_yet_decidable") return "尚不能判定";
  if (s == "report_only") return "仅报告";
  if (s == "no_data") return "无数据";
  return s;
}

std::string dimension_label_zh(const std::string& d) {
  if (d == "township") return "乡镇";
  if (d == "industry") return "产业类别";
  if (d == "plan_level") return "计划层级";
  if (d == "category") return "类别";
  return d;
}

std::string group_label_zh(const std::string& dimension, const std::string& g) {
  if (g.empty()) return "（未登记）";
  if (dimension == "industry") {
    if (g == "high_end_equipment") return "高端装备制造";
    if (g == "ecological_food") return "生态食品";
    if (g == "tcm_health") return "中医药大健康";
    if (g == "other") return "其他";
  }
  if (dimension == "plan_level") {
    if (g == "national") return "国抽";
    if (g == "provincial") return "省抽";
    if (g == "municipal") return "市抽";
    if (g == "county") return "县抽";
  }
  if (dimension == "category") {
    if (g == "goods") return "商品";
    if (g == "services") return "服务";
  }
  return g;
}

std::string rate_text(const FigureDefinition& def, const std::optional<double>& rate) {
  if (!rate) return "";
  char buf[64];
  if (def.kind == FigureKind::kPer10k) {
    std::snprintf(buf, sizeof buf, "%.3f", *rate);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f%%", *rate * 100.0);
  }
  return buf;
}

std::string target_text(const FigureDefinition& def, const Target& t) {
  std::string out;
  if (t.kind != TargetKind::kNone) {
    out = (t.kind == TargetKind::kAtLeast ? "≥ " : "< ") + rate_text(def, t.value);
  }
  if (t.reference) {
    out += (out.empty() ? "" : "; ") + std::string("参考 ") + rate_text(def, *t.reference);
  }
  return out;
}

}  // namespace qledger
