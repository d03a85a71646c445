#include "report_pages.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "dashboard.hpp"
#include "html_page.hpp"
#include "ledger_views.hpp"
#include "qledger/auth_permissions.hpp"
#include "qledger/hash.hpp"
#include "qledger/html_escape.hpp"
#include "qledger/report_formats.hpp"

namespace qledger::daemon {
namespace {

using Status = http::status;

std::string h(std::string_view text) { return escape_html(text); }

// The period and tree size a request asks for, or the problem with them.
struct ReportRequest {
  Period period;
  std::optional<std::uint64_t> at_size;
  FieldProblem problem;  // code empty: none
};

ReportRequest read_report_request(const Exchange& x) {
  ReportRequest r{Period::month_of(x.ctx.today()), std::nullopt, {}};
  const auto period = read_period(x, r.problem);
  if (!period) return r;
  r.period = *period;
  if (const auto it = x.query.find("at_size"); it != x.query.end() && !it->second.empty()) {
    const auto size = parse_uint(it->second);
    if (!size || *size == 0 || *size > x.ctx.ledger->head().size) {
      r.problem = {"at_size", "bad_tree_size",
                   "at_size must be a tree size between 1 and the current size.",
                   "at_size 必须是 1 到当前树大小之间的整数。"};
      return r;
    }
    r.at_size = size;
  }
  return r;
}

// The report at the requested size. With `sign`, it carries a checkpoint signed as /checkpoint
// signs one: only for a principal who may verify (the role that downloads signed checkpoints),
// and only after the ledger verified, at a size the verification covered (without at_size: the
// verified size), so that the key never signs a root the stored leaves do not produce. Otherwise
// the report is unsigned (it still states its tree size and root).
Report compute(Exchange& x, const ReportRequest& r, bool sign) {
  const SigningKey* key = nullptr;
  std::optional<std::uint64_t> at_size = r.at_size;
  if (sign && x.ctx.signing_key && x.who && may_verify(x.who->user.role)) {
    const VerifyReport verified = run_verification(x.ctx);
    if (verified.intact() && (!at_size || *at_size <= verified.tree_size)) {
      key = &*x.ctx.signing_key;
      if (!at_size) at_size = verified.tree_size;
    }
  }
  const PublicKey* snapshots = x.ctx.signing_key ? &x.ctx.signing_key->public_key() : nullptr;
  return build_report(*x.ctx.ledger, r.period, at_size, ReportConfig::defaults(), key, snapshots);
}

std::string query_of(const Report& report) {
  return "period=" + report.period.to_string() + "&amp;at_size=" + std::to_string(report.head.size);
}

// libxlsxwriter writes files only: a private temporary file, read back and removed.
std::string xlsx_bytes(const Report& report) {
  char path[] = "/tmp/qledgerd-report-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) throw std::runtime_error("cannot create a temporary file for the workbook");
  close(fd);
  std::string bytes;
  try {
    write_report_xlsx(report, path);
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    bytes = out.str();
  } catch (...) {
    std::remove(path);
    throw;
  }
  std::remove(path);
  return bytes;
}

}  // namespace

std::optional<Period> read_period(const Exchange& x, FieldProblem& problem) {
  const auto it = x.query.find("period");
  if (it == x.query.end() || it->second.empty()) return Period::month_of(x.ctx.today());
  auto parsed = Period::parse(it->second);
  if (!parsed) {
    problem = {"period", "bad_period", "The period must look like 2026-11, 2026-Q4 or 2026.",
               "期间格式应为 2026-11、2026-Q4 或 2026。"};
  }
  return parsed;
}

Response reports_page(Exchange& x) {
  const ReportRequest r = read_report_request(x);
  if (!r.problem.code.empty()) {
    return message_page(x, Status::bad_request, "400",
                        x.en ? r.problem.message_en : r.problem.message_zh);
  }
  const Report report = compute(x, r, false);
  const std::string q = query_of(report);
  std::string body =
      "<form class=\"period\" method=\"get\" action=\"/reports\"><label for=\"period\">" +
      std::string(x.t("期间", "Period")) +
      "</label> <input type=\"text\" id=\"period\" name=\"period\" value=\"" +
      h(report.period.to_string()) +
      "\" size=\"8\" pattern=\"[0-9]{4}(-[0-9]{2}|-Q[1-4])?\"> <label for=\"at_size\">" +
      x.t("树大小（可选）", "Tree size (optional)") +
      "</label> <input type=\"text\" inputmode=\"numeric\" id=\"at_size\" name=\"at_size\" "
      "value=\"" +
      (r.at_size ? std::to_string(*r.at_size) : std::string()) +
      "\" size=\"10\"> <button type=\"submit\">" + x.t("计算", "Compute") + "</button></form>";
  body += "<p>" + std::string(x.t("计算于树大小 ", "Computed at tree size ")) +
          std::to_string(report.head.size) + x.t("，根哈希 ", ", root hash ") +
          "<code class=\"hash\">" + to_hex(report.head.root) + "</code>" +
          x.t("。以后用同一树大小可逐字节重现：",
              ". The same tree size reproduces it byte for byte: ") +
          "<code class=\"cmd\">qledger report --period " + h(report.period.to_string()) +
          " --at-size " + std::to_string(report.head.size) + "</code></p>";
  body += "<p>" + std::string(x.t("下载：", "Download: "));
  const char* formats[][2] = {
      {"html", "HTML（可打印）"}, {"xlsx", "Excel (xlsx)"}, {"csv", "CSV"}, {"json", "JSON"}};
  for (const auto& f : formats) {
    body += "<a href=\"/reports/download?" + q + "&amp;format=" + f[0] + "\">" +
            (x.en && std::string(f[0]) == "html" ? std::string("HTML (printable)") : f[1]) +
            "</a> ";
  }
  body += "</p>" + figures_panel_html(report, x.en);
  return html_response(x, Status::ok, x.t("统计报表", "Reports"), body);
}

Response report_download(Exchange& x) {
  const ReportRequest r = read_report_request(x);
  if (!r.problem.code.empty()) {
    return message_page(x, Status::bad_request, "400",
                        x.en ? r.problem.message_en : r.problem.message_zh);
  }
  const auto it = x.query.find("format");
  const std::string format = it == x.query.end() ? "html" : it->second;
  if (format != "html" && format != "csv" && format != "json" && format != "xlsx") {
    return message_page(
        x, Status::bad_request, "400",
        x.t("格式应为 html、csv、json 或 xlsx。", "The format must be html, csv, json or xlsx."));
  }
  const Report report = compute(x, r, true);
  std::string bytes;
  const char* type = "text/html; charset=utf-8";
  if (format == "html") {
    bytes = render_report_html(report);
  } else if (format == "csv") {
    bytes = render_report_csv(report);
    type = "text/csv; charset=utf-8";
  } else if (format == "json") {
    bytes = render_report_json(report);
    type = "application/json";
  } else {
    bytes = xlsx_bytes(report);
    type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  }
  Response res = make_response(x, Status::ok, std::move(bytes), type);
  res.set(http::field::content_disposition,
          "attachment; filename=\"qledger-report-" + report.period.to_string() + "-at-" +
              std::to_string(report.head.size) + "." + format + "\"");
  return res;
}

Response figures_api(Exchange& x) {
  const ReportRequest r = read_report_request(x);
  if (!r.problem.code.empty()) {
    return json_error(x, Status::bad_request, r.problem.field, r.problem.code, r.problem.message_en,
                      r.problem.message_zh);
  }
  return json_response(x, Status::ok, report_to_json(compute(x, r, true)));
}

}  // namespace qledger::daemon
