// The HTML pages: login, dashboard, one form per event kind, event list and event page,
// supervisor verification and checkpoint download, overdue list. Every value that the page did
// not write itself goes through escape_html.
#include <SQLiteCpp/Database.h>

#include "dashboard.hpp"
#include "forms.hpp"
#include "html_page.hpp"
#include "ledger_views.hpp"
#include "qledger/auth_permissions.hpp"
#include "qledger/event_schema.hpp"
#include "qledger/hash.hpp"
#include "qledger/html_escape.hpp"
#include "qledger/overdue.hpp"
#include "report_pages.hpp"
#include "timeline.hpp"

namespace qledger::daemon {

namespace {

using Status = http::status;

std::string h(std::string_view s) { return escape_html(s); }

std::string kind_label(const Exchange& x, const std::string& kind) {
  const KindSpec* spec = EventSchema::builtin().find(kind);
  if (spec == nullptr) return kind;
  return x.en ? spec->en : spec->zh;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// nullopt: go on; otherwise the response (login redirect or 401).
std::optional<Response> require_user(const Exchange& x) {
  if (x.bad_credentials) {
    return message_page(x, Status::unauthorized, x.t("未授权", "Unauthorized"),
                        x.t("令牌无效。", "The token is not valid."));
  }
  if (!x.who) return redirect(x, "/login");
  return std::nullopt;
}

Response forbidden_page(const Exchange& x) {
  return message_page(x, Status::forbidden, x.t("无权访问", "Forbidden"),
                      x.t("您的角色无权执行此操作。", "Your role may not do this."));
}

Response method_not_allowed(const Exchange& x, const char* allow) {
  Response res = message_page(x, Status::method_not_allowed, "405",
                              x.t("不允许的请求方法。", "Method not allowed."));
  res.set(http::field::allow, allow);
  return res;
}

// The form body of a POST, or nullopt if it is not a well-formed urlencoded form.
std::optional<FormValues> form_of(const Exchange& x) {
  auto values = parse_urlencoded(x.request.message.body());
  if (!values) return std::nullopt;
  return values;
}

// Browser sessions must echo their CSRF token in every form.
bool form_csrf_ok(const Exchange& x, const FormValues& form) {
  if (!x.who->via_session) return true;
  const auto it = form.find("csrf_token");
  return it != form.end() && csrf_matches(*x.who, it->second);
}

Response csrf_failed(const Exchange& x) {
  return message_page(x, Status::forbidden, x.t("请求无效", "Invalid request"),
                      x.t("表单已过期或来源不明（CSRF 校验失败），请返回重新提交。",
                          "The form expired or came from elsewhere (CSRF check failed); go back "
                          "and submit it again."));
}

// ---- login / logout ----------------------------------------------------------------------

Response login_form(const Exchange& x, Status status, const std::string& message) {
  const std::string token = random_hex(16);
  std::string body;
  if (!message.empty()) body += "<p class=\"summary\" role=\"alert\">" + h(message) + "</p>";
  body +=
      "<form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"login_token\" "
      "value=\"" +
      h(token) + "\"><div class=\"field\"><label for=\"username\">" + x.t("用户名", "Username") +
      "</label><input type=\"text\" id=\"username\" name=\"username\" "
      "autocomplete=\"username\" required></div><div class=\"field\"><label "
      "for=\"password\">" +
      x.t("密码", "Password") +
      "</label><input type=\"password\" id=\"password\" name=\"password\" "
      "autocomplete=\"current-password\" required></div><button type=\"submit\">" +
      x.t("登录", "Log in") + "</button></form>";
  Response res = html_response(x, status, x.t("登录", "Log in"), body);
  std::string cookie = "qledger_login=" + token +
                       "; Path=/login; HttpOnly; SameSite=Strict; "
                       "Max-Age=1800";
  if (x.request.tls || x.ctx.config.secure_cookies) cookie += "; Secure";
  res.insert(http::field::set_cookie, cookie);
  return res;
}

Response post_login(Exchange& x) {
  const auto form = form_of(x);
  if (!form)
    return message_page(x, Status::bad_request, "400", x.t("表单格式不正确。", "Malformed form."));
  // Login CSRF: the form must echo the random value set in the login cookie.
  const auto cookie = x.cookies.find("qledger_login");
  const auto echoed = form->find("login_token");
  if (cookie == x.cookies.end() || echoed == form->end() || cookie->second.empty() ||
      !constant_time_equal(cookie->second, echoed->second)) {
    return login_form(x, Status::forbidden,
                      x.t("登录表单已过期，请重试。", "The login form expired; try again."));
  }
  const auto user_it = form->find("username");
  const auto pass_it = form->find("password");
  const std::string username = user_it == form->end() ? "" : user_it->second.substr(0, 64);
  const std::string password = pass_it == form->end() ? "" : pass_it->second;
  const std::int64_t now = x.ctx.clock();
  if (!x.ctx.throttle.begin_attempt(username, x.request.remote_address, now)) {
    Response res = login_form(
        x, Status::too_many_requests,
        x.t("登录失败次数过多，请稍后再试。", "Too many failed logins; try again later."));
    res.set(http::field::retry_after, std::to_string(x.ctx.config.login_window_seconds));
    return res;
  }
  const auto user = x.ctx.users->authenticate(username, password);
  if (!user) {  // the attempt stays counted as a failure
    return login_form(x, Status::unauthorized,
                      x.t("用户名或密码错误。", "Wrong username or password."));
  }
  x.ctx.throttle.succeeded(username, x.request.remote_address, now);
  const NewSession session =
      x.ctx.users->create_session(user->id, x.ctx.config.session_ttl_seconds, now);
  Response res = redirect(x, "/dashboard");
  res.insert(http::field::set_cookie,
             session_cookie(x, session.id, x.ctx.config.session_ttl_seconds));
  res.insert(http::field::set_cookie, "qledger_login=; Path=/login; Max-Age=0");
  return res;
}

Response post_logout(Exchange& x) {
  if (!x.who || !x.who->via_session) return redirect(x, "/login");
  const auto form = form_of(x);
  if (!form || !form_csrf_ok(x, *form)) return csrf_failed(x);
  x.ctx.users->end_session(x.who->session_id);
  Response res = redirect(x, "/login");
  res.insert(http::field::set_cookie, session_cookie(x, "", 0));
  return res;
}

// ---- recording -----------------------------------------------------------------------------

Response record_index(Exchange& x) {
  std::string body = "<ul>";
  for (const auto& [kind, spec] : EventSchema::builtin().kinds()) {
    if (!may_record(x.who->user.role, kind)) continue;
    body += "<li><a href=\"/record/" + h(kind) + "\">" + h(x.en ? spec.en : spec.zh) +
            "</a> <code>" + h(kind) + "</code></li>";
  }
  body += "</ul>";
  return html_response(x, Status::ok, x.t("录入事件", "Record an event"), body);
}

Response record_form(Exchange& x, const KindSpec& spec, Status status, const FormValues& values,
                     const FieldProblems& problems) {
  std::string body;
  if (!problems.empty()) {
    body += "<div class=\"summary\" role=\"alert\"><p>" +
            std::string(x.t("未保存，请更正以下问题：", "Not saved; please correct:")) + "</p><ul>";
    for (const auto& p : problems) {
      body += "<li><code>" + h(p.field) + "</code> " +
              h(x.en || p.message_zh.empty() ? p.message_en : p.message_zh) + "</li>";
    }
    body += "</ul></div>";
  }
  body += "<form method=\"post\" action=\"/record/" + h(spec.kind) + "\">" + csrf_input(x) +
          render_event_fields(EventSchema::builtin(), spec, x.en, values, problems) +
          "<button type=\"submit\">" + x.t("提交", "Submit") + "</button></form>";
  return html_response(x, status, x.en ? spec.en : spec.zh, body);
}

Response record_route(Exchange& x, const std::string& kind) {
  const KindSpec* spec = EventSchema::builtin().find(kind);
  if (spec == nullptr) {
    return message_page(x, Status::not_found, "404", x.t("没有这种事件类型。", "No such kind."));
  }
  if (!may_record(x.who->user.role, kind)) return forbidden_page(x);
  if (x.method() == http::verb::get) return record_form(x, *spec, Status::ok, {}, {});
  if (x.method() != http::verb::post) return method_not_allowed(x, "GET, POST");
  const auto form = form_of(x);
  if (!form)
    return message_page(x, Status::bad_request, "400", x.t("表单格式不正确。", "Malformed form."));
  if (!form_csrf_ok(x, *form)) return csrf_failed(x);
  PayloadFromForm parsed = payload_from_form(*spec, *form);
  if (!parsed.problems.empty()) {
    return record_form(x, *spec, Status::unprocessable_entity, *form, parsed.problems);
  }
  AppendOutcome outcome = append_event(x.ctx, x.who->user, kind, std::move(parsed.payload));
  if (outcome.receipt) return redirect(x, "/events/" + std::to_string(outcome.receipt->seq));
  if (!outcome.problems.empty()) {
    return record_form(x, *spec, Status::unprocessable_entity, *form, outcome.problems);
  }
  // A storage fault (nothing written): the reason the library classified, as the API gives it.
  const FieldProblem& p = outcome.storage_problem;
  return message_page(x, outcome.storage_status, x.t("暂时无法保存", "Could not save"),
                      x.en || p.message_zh.empty() ? p.message_en : p.message_zh);
}

// ---- events ----------------------------------------------------------------------------------

// "3,5,9" → {3, 5, 9}; nullopt if any item is not a whole number or there are too many.
std::optional<std::vector<std::uint64_t>> parse_seq_list(std::string_view text) {
  constexpr std::size_t kMaxSeqs = 5000;
  std::vector<std::uint64_t> out;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const auto seq = parse_uint(text.substr(0, comma));
    if (!seq || out.size() == kMaxSeqs) return std::nullopt;
    out.push_back(*seq);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return out;
}

std::string event_rows(const Exchange& x, const std::vector<EventSummary>& events,
                       std::size_t limit) {
  std::string rows = "<table><tr><th>#</th><th>" + std::string(x.t("类型", "Kind")) + "</th><th>" +
                     x.t("记录时间 (UTC)", "Recorded (UTC)") + "</th><th>" +
                     x.t("记录人", "Actor") + "</th></tr>";
  for (std::size_t i = 0; i < events.size() && i < limit; ++i) {
    const auto& e = events[i];
    rows += "<tr><td><a href=\"/events/" + std::to_string(e.seq) + "\">" + std::to_string(e.seq) +
            "</a></td><td>" + h(kind_label(x, e.kind)) + "</td><td>" + h(e.recorded_at) +
            "</td><td>" + h(e.actor) + "</td></tr>";
  }
  rows += "</table>";
  if (events.empty()) rows += "<p>" + std::string(x.t("没有事件。", "No events.")) + "</p>";
  return rows;
}

// /events?seqs=…: exactly the events named (the dashboard links its counts here).
Response events_by_seq_page(Exchange& x, const std::string& list) {
  const auto seqs = parse_seq_list(list);
  if (!seqs) {
    return message_page(x, Status::bad_request, "400",
                        x.t("seqs 应为以逗号分隔的序号（最多 5000 个）。",
                            "seqs must be comma-separated whole numbers (at most 5000)."));
  }
  const auto events = events_with_seqs(*x.ctx.ledger, *seqs);
  const std::string body = "<p>" + std::string(x.t("指定的 ", "The ")) +
                           std::to_string(events.size()) + x.t(" 个事件。", " events asked for.") +
                           " <a href=\"/events\">" + x.t("显示全部事件", "Show all events") +
                           "</a></p>" + event_rows(x, events, events.size());
  return html_response(x, Status::ok, x.t("事件列表", "Events"), body);
}

Response events_page(Exchange& x) {
  if (const auto it = x.query.find("seqs"); it != x.query.end()) {
    return events_by_seq_page(x, it->second);
  }
  const auto param = [&](const char* name) {
    const auto it = x.query.find(name);
    return it == x.query.end() ? std::string() : it->second;
  };
  EventFilter filter;
  filter.kind = param("kind");
  filter.uscc = param("uscc");
  filter.township = param("township");
  if (const std::string from = param("from"); !from.empty()) {
    const auto v = parse_uint(from);
    if (!v) {
      return message_page(x, Status::bad_request, "400",
                          x.t("from 须为非负整数。", "from must be a whole number."));
    }
    filter.from_seq = *v;
  }
  for (const auto& [name, date] :
       {std::pair{"date_from", &filter.from_date}, std::pair{"date_to", &filter.to_date}}) {
    if (const std::string text = param(name); !text.empty()) {
      *date = CivilDate::parse(text);
      if (!*date) {
        return message_page(x, Status::bad_request, "400",
                            x.t("日期格式应为 2026-11-27。", "Dates must look like 2026-11-27."));
      }
    }
  }
  const std::size_t n = x.ctx.config.page_size;
  const auto events = list_events(*x.ctx.ledger, filter, n + 1);
  std::string body =
      "<form method=\"get\" action=\"/events\" class=\"filters\"><label for=\"kind\">" +
      std::string(x.t("类型", "Kind")) +
      "</label> <select id=\"kind\" name=\"kind\"><option value=\"\">" + x.t("全部", "All") +
      "</option>";
  for (const auto& [k, spec] : EventSchema::builtin().kinds()) {
    body += "<option value=\"" + h(k) + "\"" + (k == filter.kind ? " selected" : "") + ">" +
            h(x.en ? spec.en : spec.zh) + "</option>";
  }
  body += "</select> <label for=\"uscc\">" + std::string(x.t("统一社会信用代码", "Credit code")) +
          "</label> <input type=\"text\" id=\"uscc\" name=\"uscc\" size=\"20\" value=\"" +
          h(filter.uscc) + "\"> <label for=\"township\">" + x.t("乡镇", "Township") +
          "</label> <select id=\"township\" name=\"township\"><option value=\"\">" +
          x.t("全部", "All") + "</option>";
  for (const std::string& town : list_townships(*x.ctx.ledger)) {
    body += "<option value=\"" + h(town) + "\"" + (town == filter.township ? " selected" : "") +
            ">" + h(town) + "</option>";
  }
  body += "</select> <label for=\"date_from\">" + std::string(x.t("记录日期自", "Recorded from")) +
          "</label> <input type=\"date\" id=\"date_from\" name=\"date_from\" value=\"" +
          h(param("date_from")) + "\"> <label for=\"date_to\">" + x.t("至", "to") +
          "</label> <input type=\"date\" id=\"date_to\" name=\"date_to\" value=\"" +
          h(param("date_to")) + "\"> <label for=\"from\">" + x.t("起始序号", "From seq") +
          "</label> <input type=\"text\" inputmode=\"numeric\" id=\"from\" name=\"from\" "
          "size=\"8\" value=\"" +
          std::to_string(filter.from_seq) + "\"> <button type=\"submit\">" + x.t("筛选", "Filter") +
          "</button></form>" + event_rows(x, events, n);
  if (events.size() > n) {
    body += "<p><a href=\"/events?kind=" + h(percent_encode(filter.kind)) +
            "&amp;uscc=" + h(percent_encode(filter.uscc)) +
            "&amp;township=" + h(percent_encode(filter.township)) +
            "&amp;date_from=" + h(percent_encode(param("date_from"))) +
            "&amp;date_to=" + h(percent_encode(param("date_to"))) +
            "&amp;from=" + std::to_string(events[n].seq) + "\">" + x.t("下一页", "Next page") +
            " →</a></p>";
  }
  return html_response(x, Status::ok, x.t("事件列表", "Events"), body);
}

std::string payload_rows(const Exchange& x, const KindSpec* spec, const Json& payload) {
  std::string rows;
  for (const auto& [name, value] : payload.items()) {
    std::string label = name;
    if (spec != nullptr) {
      if (const FieldSpec* f = spec->field(name)) label = x.en ? f->en : f->zh;
    }
    const std::string text = value.is_string()
                                 ? value.get<std::string>()
                                 : value.dump(2, ' ', false, Json::error_handler_t::replace);
    rows += "<tr><th>" + h(label) + "</th><td><pre>" + h(text) + "</pre></td></tr>";
  }
  return rows;
}

Response event_page(Exchange& x, std::string_view tail) {
  const auto seq = parse_uint(tail);
  const auto event = seq ? x.ctx.ledger->event(*seq) : std::nullopt;
  if (!event) {
    return message_page(x, Status::not_found, "404", x.t("没有这个事件。", "No such event."));
  }
  const auto doc = event_json(*x.ctx.ledger, *seq);
  const KindSpec* spec = EventSchema::builtin().find(event->kind);
  std::string body = "<table><tr><th>" + std::string(x.t("序号", "Seq")) + "</th><td>" +
                     std::to_string(event->seq) + "</td></tr><tr><th>" + x.t("类型", "Kind") +
                     "</th><td>" + h(kind_label(x, event->kind)) + " <code>" + h(event->kind) +
                     "</code></td></tr><tr><th>" + x.t("记录时间 (UTC)", "Recorded (UTC)") +
                     "</th><td>" + h(event->recorded_at) + "</td></tr><tr><th>" +
                     x.t("记录人", "Actor") + "</th><td>" + h(event->actor) + "</td></tr>";
  if (doc && doc->contains("payload")) body += payload_rows(x, spec, (*doc)["payload"]);
  body += "<tr><th>" + std::string(x.t("叶哈希", "Leaf hash")) + "</th><td><code class=\"hash\">" +
          to_hex(event->leaf_hash) + "</code></td></tr></table>";
  const TreeHead head = x.ctx.ledger->head();
  const auto proof = x.ctx.ledger->inclusion_proof(event->seq, head.size);
  body += "<h2>" + std::string(x.t("包含证明", "Inclusion proof")) + "</h2><p>" +
          x.t("树大小：", "Tree size: ") + std::to_string(head.size) + "<br>" +
          x.t("根哈希：", "Root hash: ") + "<code class=\"hash\">" + to_hex(head.root) +
          "</code></p><ol>";
  for (const auto& hash : proof)
    body += "<li><code class=\"hash\">" + to_hex(hash) + "</code></li>";
  body += "</ol><p><a href=\"/api/v1/proofs/inclusion?seq=" + std::to_string(event->seq) +
          "&amp;tree_size=" + std::to_string(head.size) + "\">" +
          x.t("下载证明 (JSON)", "Download the proof (JSON)") + "</a></p>" +
          timeline_link_html(x, event->seq);
  return html_response(x, Status::ok,
                       std::string(x.t("事件 ", "Event ")) + std::to_string(event->seq), body);
}

// ---- supervisor --------------------------------------------------------------------------------

Response supervisor_page(Exchange& x, const std::optional<VerifyReport>& report) {
  std::string body;
  if (report) {
    if (report->intact()) {
      body += "<div class=\"ok\" role=\"status\">" + std::string(x.t("核验通过：", "INTACT: ")) +
              std::to_string(report->tree_size) + x.t(" 个事件，根哈希 ", " events, root ") +
              "<code class=\"hash\">" + to_hex(report->root) + "</code></div>";
    } else {
      body += "<div class=\"summary\" role=\"alert\"><p>" +
              std::string(x.t("核验失败（账本可能被篡改）：", "TAMPERED: ")) + "</p><ul>";
      if (report->io_error) body += "<li>" + h(report->io_message) + "</li>";
      for (const auto& p : report->problems) {
        body += "<li>seq " + std::to_string(p.seq) + ": " + h(p.message) + " <code>" + h(p.code) +
                "</code></li>";
      }
      body += "</ul></div>";
    }
  }
  body += "<form method=\"post\" action=\"/supervisor/verify\">" + csrf_input(x) +
          "<button type=\"submit\">" + x.t("立即全面核验", "Verify the whole ledger now") +
          "</button></form>";
  if (x.ctx.signing_key) {
    body += "<p><a href=\"/checkpoint\" download>" +
            std::string(x.t("下载当前签名检查点", "Download the current signed checkpoint")) +
            "</a></p><p>" +
            x.t("请将检查点保存在本系统之外；核验时用它发现改写或回滚。",
                "Keep checkpoints outside this system; verification uses them to detect "
                "rewrites and rollbacks.") +
            "</p><p>" + x.t("验证公钥：", "Verifier key: ") + "<code class=\"hash\">" +
            h(x.ctx.signing_key->verifier().to_note_string()) + "</code></p>";
  } else {
    body += "<p class=\"summary\">" +
            std::string(x.t("未加载签名密钥，无法签发检查点：", "No signing key loaded: ")) +
            h(x.ctx.signing_key_problem) + "</p>";
  }
  return html_response(x, Status::ok, x.t("核验与检查点", "Verification and checkpoints"), body);
}

Response checkpoint_download(Exchange& x) {
  std::string problem;
  const auto note = signed_checkpoint(x.ctx, problem);
  if (!note) return message_page(x, Status::service_unavailable, "503", problem);
  Response res = make_response(x, Status::ok, *note, "text/plain; charset=utf-8");
  res.set(
      http::field::content_disposition,
      "attachment; filename=\"checkpoint-" + std::to_string(x.ctx.ledger->head().size) + ".txt\"");
  return res;
}

// ---- overdue -----------------------------------------------------------------------------------

Response overdue_page(Exchange& x) {
  std::vector<OverdueItem> items;
  const CivilDate today = x.ctx.today();
  x.ctx.ledger->with_reader([&](SQLite::Database& db) { items = list_overdue(db, today); });
  std::string body = "<p>" + std::string(x.t("截至 ", "As of ")) + h(today.to_string()) +
                     "</p><table><tr><th>" + x.t("记录", "Record") + "</th><th>" +
                     x.t("事项", "What") + "</th><th>" + x.t("期限", "Due") + "</th><th>" +
                     x.t("逾期天数", "Days late") + "</th><th>" + x.t("最近事件", "Latest event") +
                     "</th></tr>";
  for (const auto& item : items) {
    body +=
        "<tr><td>" + h(item.record_type) + " " + h(item.record_key) + "</td><td>" +
        h(x.en ? item.what : item.what_zh) + "</td><td>" +
        (item.due
             ? h(item.due->to_string())
             : std::string(x.t("无法计算（缺少工作日历）", "unknown (calendar lacks the year)"))) +
        "</td><td>" + std::to_string(item.days_late) + "</td><td><a href=\"/events/" +
        std::to_string(item.last_seq) + "\">" + std::to_string(item.last_seq) + "</a></td></tr>";
  }
  body += "</table>";
  if (items.empty())
    body += "<p>" + std::string(x.t("没有逾期事项。", "Nothing overdue.")) + "</p>";
  return html_response(x, Status::ok, x.t("逾期事项", "Overdue"), body);
}

}  // namespace

std::optional<Response> page_route(Exchange& x) {
  const std::string& p = x.path;
  const bool get = x.method() == http::verb::get;
  const bool post = x.method() == http::verb::post;
  if (p == "/login") {
    if (get) return x.who ? redirect(x, "/dashboard") : login_form(x, Status::ok, "");
    if (post) return post_login(x);
    return method_not_allowed(x, "GET, POST");
  }
  if (p == "/logout") return post ? post_logout(x) : method_not_allowed(x, "POST");
  if (auto res = admin_route(x)) return res;
  const bool known = p == "/" || p == "/dashboard" || p == "/record" ||
                     starts_with(p, "/record/") || p == "/events" || starts_with(p, "/events/") ||
                     p == "/supervisor" || p == "/supervisor/verify" || p == "/checkpoint" ||
                     p == "/overdue" || p == "/reports" || p == "/reports/download" ||
                     starts_with(p, "/timeline/");
  if (!known) return std::nullopt;
  if (auto denied = require_user(x)) return denied;
  if (p == "/") return redirect(x, "/dashboard");
  if (starts_with(p, "/record/")) return record_route(x, p.substr(8));
  if (p == "/supervisor/verify") {
    if (!post) return method_not_allowed(x, "POST");
    if (!may_verify(x.who->user.role)) return forbidden_page(x);
    const auto form = form_of(x);
    if (!form || !form_csrf_ok(x, *form)) return csrf_failed(x);
    return supervisor_page(x, run_verification(x.ctx));
  }
  if (!get) return method_not_allowed(x, "GET");
  if (p == "/dashboard") return dashboard_page(x);
  if (p == "/record") return record_index(x);
  if (p == "/events") return events_page(x);
  if (starts_with(p, "/events/")) return event_page(x, std::string_view(p).substr(8));
  if (p == "/overdue") return overdue_page(x);
  if (starts_with(p, "/timeline/")) return timeline_page(x, std::string_view(p).substr(10));
  if (p == "/reports") return reports_page(x);
  if (p == "/reports/download") return report_download(x);
  if (!may_verify(x.who->user.role)) return forbidden_page(x);
  if (p == "/supervisor") return supervisor_page(x, std::nullopt);
  return checkpoint_download(x);  // "/checkpoint"
}

}  // namespace qledger::daemon
