// Reports and report diffs rendered for people and programs. Every renderer is a pure function
// of the report, with numbers formatted at fixed precision, so equal reports give equal bytes.
//
//   json  the "qledger-report/1" document of docs/figures.md (UTF-8, keys sorted, 2-space indent)
//   csv   one row per figure and breakdown group: UTF-8 with a byte-order mark (Excel opens it
//         as UTF-8), Chinese headers, RFC 4180 quoting, text cells that could be read as a
//         formula prefixed with an apostrophe
//   html  a self-contained printable page (zh-CN, A4): tables, definitions, an inline SVG chart
//         per rate by month with its 95 % interval and target line, the signed checkpoint; every
//         value HTML-escaped; no scripts, no external resources
//   xlsx  a workbook (Office Open XML, written by libxlsxwriter) with Chinese headers and
//         numbers as numbers: sheets 汇总 (figures), 分组 (breakdowns), 按月 (monthly series),
//         定义 (definitions), 事件序号 (the seqs behind each total), 检查点 (signed note); its
//         creation time is the evaluation date, so equal reports give equal files
#pragma once

#include "qledger/canonical_json.hpp"
#include "qledger/report.hpp"

#include <string>

namespace qledger {

Json report_to_json(const Report& report);
std::string render_report_json(const Report& report);
std::string render_report_csv(const Report& report);
std::string render_report_html(const Report& report);
// Writes the xlsx workbook to `path` (libxlsxwriter writes files, not memory). Throws
// std::runtime_error if the file cannot be written.
void write_report_xlsx(const Report& report, const std::string& path);

Json report_diff_to_json(const ReportDiff& diff);
std::string render_report_diff_json(const ReportDiff& diff);
std::string render_report_diff_text(const ReportDiff& diff);

// Display helpers shared by the renderers.
std::string status_label_zh(const std::string& status);
std::string dimension_label_zh(const std::string& dimension);
std::string group_label_zh(const std::string& dimension, const std::string& group);
// "95.2%" style with one decimal for proportions, "0.250" for per-10k, "" when absent.
std::string rate_text(const FigureDefinition& def, const std::optional<double>& rate);
// "≥ 95.0%", "< 0.300", "" for report-only.
std::string target_text(const FigureDefinition& def, const Target& target);

}  // namespace qledger
