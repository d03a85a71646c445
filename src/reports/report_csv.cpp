#include "qledger/report_formats.hpp"

#include <cstdio>

namespace qledger {

namespace {

// RFC 4180 quoting; text that a spreadsheet could take for a formula gets an apostrophe.
std::string cell(const std::string& text, bool is_text = true) {
  std::string v = text;
  if (is_text && !v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@')) {
    v = "'" + v;
  }
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char ch : v) {
    out += ch;
    if (ch == '"') out += '"';
  }
  return out + "\"";
}

std::string number(std::int64_t n) { return std::to_string(n); }

std::string fixed(const std::optional<double>& x, int decimals) {
  if (!x) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, *x);
  return buf;
}

std::string seq_list(const std::vector<std::uint64_t>& seqs) {
  std::string out;
  for (const auto s : seqs) out += (out.empty() ? "" : " ") + std::to_string(s);
  return out;
}

}  // namespace

std::string render_report_csv(const Report& r) {
  std::string out = "\xEF\xBB\xBF";
  const char* headers[] = {
      "期间",     "指标代码",     "指标",         "分组维度",      "分组",          "分子",
      "分母",     "待定",         "比率",         "置信下限(95%)", "置信上限(95%)", "目标",
      "状态",     "挽回金额(元)", "分子事件序号", "分母事件序号",  "待定事件序号",  "评估日期",
      "账本大小", "根哈希",       "定义"};
  bool first = true;
  for (const char* h : headers) {
    out += (first ? "" : ",") + std::string(h);
    first = false;
  }
  out += "\r\n";
  const std::string root = to_hex(r.head.root);
  auto row = [&](const FigureDefinition& def, const std::string& dim, const std::string& group,
                 const FigureValue& v, bool total) {
    const int decimals = def.kind == FigureKind::kPer10k ? 4 : 6;
    const std::vector<std::string> cells = {
        cell(r.period.to_string()),
        cell(def.id),
        cell(def.name_zh),
        cell(dim.empty() ? "合计" : dimension_label_zh(dim)),
        cell(dim.empty() ? "" : group_label_zh(dim, group)),
        number(v.numerator),
        number(v.denominator),
        number(v.pending),
        fixed(v.rate, decimals),
        v.interval ? fixed(v.interval->lower, decimals) : "",
        v.interval ? fixed(v.interval->upper, decimals) : "",
        cell(target_text(def, r.config.target_of(def.id))),
        cell(status_label_zh(v.status)),
        def.kind == FigureKind::kAmount ? yuan_text(v.numerator) : "",
        seq_list(v.numerator_seqs),
        seq_list(v.denominator_seqs),
        seq_list(v.pending_seqs),
        r.as_of.to_string(),
        std::to_string(r.head.size),
        root,
        total ? cell(def.definition_zh) : ""};
    bool first_cell = true;
    for (const auto& c : cells) {
      out += (first_cell ? "" : ",") + c;
      first_cell = false;
    }
    out += "\r\n";
  };
  for (const auto& f : r.figures.figures) {
    const FigureDefinition& def = *find_figure_definition(f.id);
    row(def, "", "", f.total, true);
    for (const auto& [dim, groups] : f.breakdowns) {
      for (const auto& [group, value] : groups) row(def, dim, group, value, false);
    }
  }
  return out;
}

}  // namespace qledger
