// Who is asking: a bearer token (scripts) or a session cookie (browsers), and the CSRF check.
#include "qledger/auth_password.hpp"
#include "routes.hpp"

namespace qledger::daemon {

std::optional<std::string_view> bearer_token(std::string_view authorization) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size() ||
      authorization.substr(0, kBearer.size()) != kBearer) {
    return std::nullopt;
  }
  return authorization.substr(kBearer.size());
}

void authenticate(Exchange& x) {
  const std::int64_t now = x.ctx.clock();
  const std::string authorization = x.header(http::field::authorization);
  if (!authorization.empty()) {
    // An Authorization header is never combined with a cookie: it works or the request is 401.
    if (const auto token = bearer_token(authorization)) {
      if (auto user = x.ctx.users->user_for_token(*token, now)) {
        x.who = Principal{*user, false, {}, {}};
        return;
      }
    }
    x.bad_credentials = true;
    return;
  }
  const auto it = x.cookies.find("qledger_session");
  if (it == x.cookies.end()) return;
  if (auto session =
          x.ctx.users->find_session(it->second, now, x.ctx.config.session_idle_seconds)) {
    x.who = Principal{session->user, true, it->second, session->csrf};
  }
}

std::string session_cookie(const Exchange& x, const std::string& id, std::int64_t max_age) {
  std::string cookie = "qledger_session=" + id +
                       "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age);
  if (x.request.tls || x.ctx.config.secure_cookies) cookie += "; Secure";
  return cookie;
}

bool csrf_matches(const Principal& who, std::string_view presented) {
  return !who.csrf.empty() && constant_time_equal(who.csrf, presented);
}

}  // namespace qledger::daemon
