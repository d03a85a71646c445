#include "html_page.hpp"

#include "qledger/auth_permissions.hpp"
#include "qledger/html_escape.hpp"

namespace qledger::daemon {

namespace {

constexpr const char* kStyle =
    "body{font-family:system-ui,'Noto Sans CJK SC','WenQuanYi Micro Hei','Microsoft YaHei',"
    "sans-serif;margin:0;color:#1b1b1b;background:#fafafa}header{background:#1d3c6e;color:#fff;"
    "padding:.5rem 1rem;"
    "display:flex;flex-wrap:wrap;gap:1rem;align-items:center}header a{color:#fff}"
    "header form{display:inline;margin:0}main{padding:1rem;max-width:72rem}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;"
    "text-align:left;vertical-align:top}.field{margin:.6rem 0}.field label{display:block;"
    "font-weight:600}.err{color:#b00020;margin:.2rem 0}.field.bad input,.field.bad select,"
    ".field.bad textarea{border:2px solid #b00020}.summary{border:2px solid #b00020;"
    "padding:.5rem;background:#fff0f0}.ok{border:2px solid #1b7f3b;padding:.5rem;"
    "background:#effaf2}code,.hash{font-family:monospace;word-break:break-all}"
    "textarea{width:100%;max-width:40rem;min-height:4rem}input[type=text]{min-width:20rem}"
    "fieldset{margin:.5rem 0}.muted{color:#555}.num{text-align:right;white-space:nowrap}"
    ".figs td{vertical-align:middle}.figs summary{cursor:pointer}.figs details p{margin:.3rem 0;"
    "max-width:24rem;font-size:.85em}svg.bar{display:block}form.period input{min-width:0}"
    "code.cmd{word-break:normal;white-space:nowrap}";

}  // namespace

std::string csrf_input(const Exchange& x) {
  if (!x.who || !x.who->via_session) return "";
  return "<input type=\"hidden\" name=\"csrf_token\" value=\"" + escape_html(x.who->csrf) + "\">";
}

std::string page_document(const Exchange& x, const std::string& title, const std::string& body) {
  std::string nav;
  if (x.who) {
    const Role role = x.who->user.role;
    nav += "<a href=\"/dashboard\">" + std::string(x.t("概览", "Dashboard")) + "</a>";
    bool records = false;
    for (const auto& kind :
         {"inspection.recorded", "entity.registered", "correction", "calendar.year_loaded"}) {
      records |= may_record(role, kind);
    }
    if (records) nav += "<a href=\"/record\">" + std::string(x.t("录入", "Record")) + "</a>";
    nav += "<a href=\"/events\">" + std::string(x.t("事件", "Events")) + "</a>";
    nav += "<a href=\"/overdue\">" + std::string(x.t("逾期", "Overdue")) + "</a>";
    nav += "<a href=\"/reports\">" + std::string(x.t("报表", "Reports")) + "</a>";
    if (may_verify(role)) {
      nav += "<a href=\"/supervisor\">" + std::string(x.t("核验", "Verification")) + "</a>";
    }
    if (may_manage_accounts(role)) {
      nav += "<a href=\"/admin/users\">" + std::string(x.t("用户", "Users")) + "</a>";
    }
    nav += "<span>" + escape_html(x.who->user.username) + " (" +
           escape_html(x.en ? std::string(role_name(role)) : std::string(role_label_zh(role))) +
           ")</span>";
    if (x.who->via_session) {
      nav += "<form method=\"post\" action=\"/logout\">" + csrf_input(x) +
             "<button type=\"submit\">" + x.t("退出", "Log out") + "</button></form>";
    }
  }
  nav += x.en ? "<a href=\"?lang=zh\" lang=\"zh-CN\">中文</a>"
              : "<a href=\"?lang=en\" lang=\"en\">English</a>";
  return std::string("<!DOCTYPE html>\n<html lang=\"") + (x.en ? "en" : "zh-CN") +
         "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
         "content=\"width=device-width, initial-scale=1\"><title>" +
         escape_html(title) + " — qledger</title><style>" + kStyle +
         "</style></head><body><header><strong>qledger</strong>" + nav + "</header><main><h1>" +
         escape_html(title) + "</h1>" + body + "</main></body></html>\n";
}

Response html_response(const Exchange& x, http::status status, const std::string& title,
                       const std::string& body) {
  return make_response(x, status, page_document(x, title, body), "text/html; charset=utf-8");
}

Response message_page(const Exchange& x, http::status status, const std::string& title,
                      const std::string& text) {
  return html_response(x, status, title, "<p>" + escape_html(text) + "</p>");
}

}  // namespace qledger::daemon
