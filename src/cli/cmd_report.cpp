// report: the derived figures of a month, quarter or year (docs/figures.md).
#include <cstdio>
#include <iostream>

#include "args.hpp"
#include "commands.hpp"
#include "files.hpp"
#include "qledger/ledger_setup.hpp"
#include "qledger/report.hpp"
#include "qledger/report_formats.hpp"

namespace qledger::cli {

extern const char* const kReportHelp;
int run_report(const std::vector<std::string>& words);

const char* const kReportHelp =
    "usage: qledger report --db FILE --period 2026-10|2026-Q4|2026 [--at-size N]\n"
    "                      [--format json|csv|html|xlsx] [--config FILE] [--key KEYFILE]\n"
    "                      [--unsigned] [--out FILE]\n"
    "       qledger report --db FILE --period P --diff --at-size N --against-size M\n"
    "                      [--format text|json] [--config FILE] [--out FILE]\n"
    "  Pass rates, licensed food producer coverage, the special-equipment death rate,\n"
    "  incidents by grade and complaint handling rates of the period (Asia/Shanghai calendar),\n"
    "  each with its pending count, 95 % Wilson interval, target status, definition and the\n"
    "  seqs behind it. Computed from events with seq <= N only (default: the current size), so\n"
    "  the same N always gives the same bytes; the report carries the tree size, root hash and\n"
    "  a checkpoint signed with the ledger's key (default FILE.key; --unsigned to omit it).\n"
    "  Targets come from --config (JSON, see docs/figures.md) over the county plan's defaults.\n"
    "  --diff: what changed between the computations at N and M, and which events in (N, M]\n"
    "  caused it. Default format: json (report), text (diff). xlsx (a workbook with Chinese\n"
    "  headers and numbers as numbers) needs --out.\n";

int run_report(const std::vector<std::string>& words) {
  const Args args(words,
                  {"db", "period", "at-size", "against-size", "format", "config", "key", "out"},
                  {"diff", "unsigned"});
  const std::string db = args.require("db");
  const auto period = Period::parse(args.require("period"));
  if (!period) throw UsageError("--period must be YYYY-MM, YYYY-QN or YYYY");
  const ReportConfig config = args.get("config")
                                  ? parse_report_config(read_input(*args.get("config")))
                                  : ReportConfig::defaults();
  const auto at_size = args.get_uint("at-size");
  Ledger ledger(db);
  std::string text;
  if (args.has("diff")) {
    const auto against = args.get_uint("against-size");
    if (!at_size || !against) throw UsageError("--diff needs --at-size N and --against-size M");
    const std::string format = args.get("format").value_or("text");
    if (format != "text" && format != "json")
      throw UsageError("diff --format must be text or json");
    const ReportDiff diff = diff_reports(ledger, *period, *at_size, *against, config);
    text = format == "json" ? render_report_diff_json(diff) : render_report_diff_text(diff);
  } else {
    if (args.get("against-size")) throw UsageError("--against-size needs --diff");
    const std::string format = args.get("format").value_or("json");
    if (format != "json" && format != "csv" && format != "html" && format != "xlsx") {
      throw UsageError("--format must be json, csv, html or xlsx");
    }
    if (format == "xlsx" && !args.get("out")) throw UsageError("--format xlsx needs --out FILE");
    std::optional<SigningKey> key;
    if (!args.has("unsigned")) {
      key = load_ledger_key(ledger.info(), args.get("key").value_or(default_key_path(db)));
    }
    const Report report = build_report(ledger, *period, at_size, config, key ? &*key : nullptr);
    if (format == "xlsx") {
      const std::string out = *args.get("out");
      write_report_xlsx(report, out + ".tmp");
      if (std::rename((out + ".tmp").c_str(), out.c_str()) != 0) {
        throw std::runtime_error("cannot rename to " + out);
      }
      return 0;
    }
    text = format == "json"  ? render_report_json(report)
           : format == "csv" ? render_report_csv(report)
                             : render_report_html(report);
  }
  if (const auto out = args.get("out")) {
    write_file_atomic(*out, text);
  } else {
    std::cout << text;
  }
  return 0;
}

}  // namespace qledger::cli
