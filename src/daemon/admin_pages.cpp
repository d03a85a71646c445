// Account administration pages (admin role): users, roles, disabling, API tokens. Thin over
// UserStore; every change is recorded in account_changes with the admin as actor.
#include <ctime>

#include "html_page.hpp"
#include "qledger/auth_permissions.hpp"
#include "qledger/html_escape.hpp"
#include "qledger/utf8.hpp"

namespace qledger::daemon {

namespace {

using Status = http::status;

std::string h(std::string_view s) { return escape_html(s); }

std::string role_options(const Exchange& x, Role selected) {
  std::string out;
  for (Role r : {Role::kInspector, Role::kSupervisor, Role::kAnalyst, Role::kAdmin}) {
    out += "<option value=\"" + std::string(role_name(r)) + "\"" +
           (r == selected ? " selected" : "") + ">" +
           h(x.en ? std::string(role_name(r)) : std::string(role_label_zh(r))) + "</option>";
  }
  return out;
}

std::string utc_date(std::int64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

Response users_page(Exchange& x, Status status, const std::string& notice, bool notice_is_error) {
  std::string body;
  if (!notice.empty()) {
    body += std::string("<div class=\"") + (notice_is_error ? "summary" : "ok") +
            "\" role=\"alert\">" + notice + "</div>";
  }
  const std::string csrf = csrf_input(x);
  body += "<h2>" + std::string(x.t("用户", "Users")) + "</h2><table><tr><th>" +
          x.t("用户名", "Username") + "</th><th>" + x.t("角色", "Role") + "</th><th>" +
          x.t("状态", "Status") + "</th><th></th></tr>";
  for (const User& u : x.ctx.users->list_users()) {
    const std::string name = h(u.username);
    body += "<tr><td>" + name + "</td><td><form method=\"post\" action=\"/admin/users/role\">" +
            csrf + "<input type=\"hidden\" name=\"username\" value=\"" + name +
            "\"><select name=\"role\">" + role_options(x, u.role) + "</select> <button>" +
            x.t("修改角色", "Change role") + "</button></form></td><td>" +
            (u.disabled ? x.t("已停用", "disabled") : x.t("启用", "enabled")) +
            "</td><td><form method=\"post\" action=\"/admin/users/" +
            (u.disabled ? "enable" : "disable") + "\">" + csrf +
            "<input type=\"hidden\" name=\"username\" value=\"" + name + "\"><button>" +
            (u.disabled ? x.t("启用", "Enable") : x.t("停用", "Disable")) +
            "</button></form></td></tr>";
  }
  body += "</table><h2>" + std::string(x.t("新增用户", "Add a user")) +
          "</h2><form method=\"post\" action=\"/admin/users/add\">" + csrf +
          "<div class=\"field\"><label for=\"new-username\">" + x.t("用户名", "Username") +
          "</label><input type=\"text\" id=\"new-username\" name=\"username\" required></div>"
          "<div class=\"field\"><label for=\"new-password\">" +
          x.t("初始密码（至少 10 个字符）", "Initial password (at least 10 characters)") +
          "</label><input type=\"password\" id=\"new-password\" name=\"password\" "
          "autocomplete=\"new-password\" required></div><div class=\"field\"><label "
          "for=\"new-role\">" +
          x.t("角色", "Role") + "</label><select id=\"new-role\" name=\"role\">" +
          role_options(x, Role::kInspector) + "</select></div><button>" + x.t("新增", "Add") +
          "</button></form>";
  body += "<h2>" + std::string(x.t("API 令牌", "API tokens")) + "</h2><table><tr><th>#</th><th>" +
          x.t("用户", "User") + "</th><th>" + x.t("用途", "Label") + "</th><th>" +
          x.t("创建 (UTC)", "Created (UTC)") + "</th><th></th></tr>";
  for (const TokenInfo& t : x.ctx.users->list_tokens()) {
    body += "<tr><td>" + std::to_string(t.id) + "</td><td>" + h(t.username) + "</td><td>" +
            h(t.label) + "</td><td>" + utc_date(t.created_at) + "</td><td>";
    if (t.revoked) {
      body += x.t("已吊销", "revoked");
    } else {
      body += "<form method=\"post\" action=\"/admin/tokens/revoke\">" + csrf +
              "<input type=\"hidden\" name=\"id\" value=\"" + std::to_string(t.id) + "\"><button>" +
              x.t("吊销", "Revoke") + "</button></form>";
    }
    body += "</td></tr>";
  }
  body += "</table><form method=\"post\" action=\"/admin/tokens/create\">" + csrf +
          "<div class=\"field\"><label for=\"token-user\">" + x.t("用户名", "Username") +
          "</label><input type=\"text\" id=\"token-user\" name=\"username\" required></div>"
          "<div class=\"field\"><label for=\"token-label\">" +
          x.t("用途", "Label") +
          "</label><input type=\"text\" id=\"token-label\" name=\"label\" maxlength=\"100\" "
          "required></div><button>" +
          x.t("创建令牌", "Create a token") + "</button></form>";
  return html_response(x, status, x.t("用户与令牌", "Users and tokens"), body);
}

std::string field(const FormValues& form, const char* name) {
  const auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

// A token label as the form allows it (maxlength counts characters): 1 to 100 characters of
// UTF-8 without control characters, not all spaces. Checked, not cut: cutting at a byte count
// could split a character.
bool valid_label(const std::string& label) {
  std::size_t characters = 0;
  bool visible = false;
  for (std::size_t i = 0; i < label.size(); ++characters) {
    char32_t cp = 0;
    if (!decode_utf8(label, i, cp) || cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return false;
    visible |= cp != U' ' && cp != U'\u3000';  // ASCII and ideographic space
  }
  return visible && characters <= 100;
}

// An account store refusal in the page's language. UserStore's messages are English; those
// raised on this page are already in the page's language.
std::string account_error_text(const Exchange& x, const AccountError& e) {
  if (x.en) return e.what();
  static const std::pair<const char*, const char*> kZh[] = {
      {"weak_password", "密码须为 10 至 1024 字节。"},
      {"invalid_username", "用户名须为 1 至 64 个字符，只含 a-z、0-9、“.”、“_”和“-”。"},
      {"unknown_user", "没有该用户。"},
      {"user_exists", "该用户名已存在。"},
      {"unknown_token", "没有该令牌。"},
  };
  for (const auto& [code, zh] : kZh) {
    if (e.code() == code) return zh;
  }
  if (e.code() == "ledger_refused") return std::string("账本拒绝了该账户事件：") + e.what();
  return e.what();
}

Response admin_post(Exchange& x, const std::string& action) {
  const auto form = parse_urlencoded(x.request.message.body());
  if (!form) {
    return message_page(x, Status::bad_request, "400", x.t("表单格式不正确。", "Malformed form."));
  }
  if (x.who->via_session) {
    const auto it = form->find("csrf_token");
    if (it == form->end() || !csrf_matches(*x.who, it->second)) {
      return message_page(
          x, Status::forbidden, x.t("请求无效", "Invalid request"),
          x.t("CSRF 校验失败，请返回重新提交。", "CSRF check failed; go back and submit again."));
    }
  }
  UserStore& users = *x.ctx.users;
  const std::string& actor = x.who->user.username;
  const std::string username = field(*form, "username");
  try {
    if (action == "users/add" || action == "users/role") {
      const auto role = parse_role(field(*form, "role"));
      if (!role) throw AccountError("unknown_role", x.t("未知的角色。", "Unknown role."));
      if (action == "users/add") {
        users.add_user(username, field(*form, "password"), *role, actor);
      } else {
        if (username == actor) {
          throw AccountError("own_account",
                             x.t("不能更改自己的角色。", "You cannot change your own role."));
        }
        users.set_role(username, *role, actor);
      }
    } else if (action == "users/disable" || action == "users/enable") {
      if (username == actor) {
        throw AccountError("own_account",
                           x.t("不能停用自己的账户。", "You cannot disable yourself."));
      }
      users.set_disabled(username, action == "users/disable", actor);
    } else if (action == "tokens/revoke") {
      const auto id = parse_uint(field(*form, "id"));
      if (!id) throw AccountError("unknown_token", x.t("没有该令牌。", "No such token."));
      users.revoke_token(static_cast<std::int64_t>(*id), actor);
    } else if (action == "tokens/create") {
      const std::string label = field(*form, "label");
      if (!valid_label(label)) {
        throw AccountError("bad_label",
                           x.t("用途须为 1 至 100 个字符，不含控制字符，不能全为空格。",
                               "The label must be 1 to 100 characters, without "
                               "control characters, not only spaces."));
      }
      const NewToken t = users.create_token(username, label, std::nullopt, actor);
      return users_page(x, Status::ok,
                        std::string(x.t("令牌已创建，只显示这一次，请立即复制：",
                                        "Token created; it is shown only this once, copy it "
                                        "now: ")) +
                            "<code class=\"hash\">" + h(t.secret) + "</code>",
                        false);
    } else {
      return message_page(x, Status::not_found, "404", "Not found.");
    }
  } catch (const AccountError& e) {
    return users_page(x, Status::unprocessable_entity, h(account_error_text(x, e)), true);
  }
  return redirect(x, "/admin/users");
}

}  // namespace

std::optional<Response> admin_route(Exchange& x) {
  const std::string& p = x.path;
  if (p != "/admin/users" && p.rfind("/admin/", 0) != 0) return std::nullopt;
  if (x.bad_credentials) {
    return message_page(x, Status::unauthorized, x.t("未授权", "Unauthorized"),
                        x.t("令牌无效。", "The token is not valid."));
  }
  if (!x.who) return redirect(x, "/login");
  if (!may_manage_accounts(x.who->user.role)) {
    return message_page(x, Status::forbidden, x.t("无权访问", "Forbidden"),
                        x.t("您的角色无权执行此操作。", "Your role may not do this."));
  }
  if (p == "/admin/users") {
    if (x.method() != http::verb::get) {
      return message_page(x, Status::method_not_allowed, "405",
                          x.t("不允许的请求方法。", "Method not allowed."));
    }
    return users_page(x, Status::ok, "", false);
  }
  if (x.method() != http::verb::post) {
    return message_page(x, Status::method_not_allowed, "405",
                        x.t("不允许的请求方法。", "Method not allowed."));
  }
  return admin_post(x, p.substr(7));
}

}  // namespace qledger::daemon
