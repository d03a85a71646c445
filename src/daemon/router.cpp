#include "router.hpp"

#include <SQLiteCpp/Exception.h>

#include "routes.hpp"

namespace qledger::daemon {

std::string Exchange::header(http::field f) const {
  const auto it = request.message.find(f);
  return it == request.message.end() ? std::string() : std::string(it->value());
}

std::string Exchange::header(std::string_view name) const {
  const auto it = request.message.find(boost::beast::string_view(name.data(), name.size()));
  return it == request.message.end() ? std::string() : std::string(it->value());
}

Response make_response(const Exchange& x, http::status status, std::string body,
                       const char* content_type) {
  Response res{status, x.request.message.version()};
  res.set(http::field::server, "qledgerd");
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Frame-Options", "DENY");
  res.set("Content-Security-Policy",
          "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; "
          "frame-ancestors 'none'; base-uri 'none'");
  if (x.set_lang_cookie) {
    res.insert(http::field::set_cookie, std::string("qledger_lang=") + (x.en ? "en" : "zh") +
                                            "; Path=/; Max-Age=31536000; SameSite=Strict");
  }
  res.keep_alive(x.request.message.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response json_response(const Exchange& x, http::status status, const Json& body) {
  return make_response(x, status, body.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n",
                       "application/json; charset=utf-8");
}

Json errors_json(const FieldProblems& problems) {
  Json list = Json::array();
  for (const auto& p : problems) {
    list.push_back({{"field", p.field},
                    {"code", p.code},
                    {"message", p.message_en},
                    {"message_zh", p.message_zh.empty() ? p.message_en : p.message_zh}});
  }
  return Json{{"errors", list}};
}

Response json_error(const Exchange& x, http::status status, const std::string& field,
                    const std::string& code, const std::string& en, const std::string& zh) {
  Response res = json_response(x, status, errors_json({{field, code, en, zh}}));
  if (status == http::status::unauthorized) res.set(http::field::www_authenticate, "Bearer");
  return res;
}

Response redirect(const Exchange& x, const std::string& location) {
  Response res = make_response(x, http::status::see_other, "", "text/plain; charset=utf-8");
  res.set(http::field::location, location);
  return res;
}

namespace {

bool is_api(std::string_view path) { return path.substr(0, 8) == "/api/v1/" || path == "/api/v1"; }

Response dispatch(Exchange& x) {
  if (x.path == "/healthz") {
    return make_response(x, http::status::ok, "ok\n", "text/plain; charset=utf-8");
  }
  if (x.path == "/metrics") {
    return make_response(x, http::status::ok, x.ctx.metrics.render(),
                         "text/plain; version=0.0.4; charset=utf-8");
  }
  if (is_api(x.path)) {
    if (auto res = api_route(x)) return std::move(*res);
    return json_error(x, http::status::not_found, "", "not_found", "No such resource.",
                      "没有这个资源。");
  }
  if (auto res = page_route(x)) return std::move(*res);
  return make_response(x, http::status::not_found, "404 not found\n", "text/plain; charset=utf-8");
}

}  // namespace

bool never_waits(const Request& request) {
  const auto& message = request.message;
  if (message.method() != http::verb::post) return false;
  const std::string_view target(message.target().data(), message.target().size());
  if (split_target(target).first != "/api/v1/events") return false;
  const auto authorization = message.find(http::field::authorization);
  return authorization != message.end() &&
         bearer_token(
             std::string_view(authorization->value().data(), authorization->value().size())) &&
         message.find("Idempotency-Key") == message.end();
}

Response handle(const Request& request, Context& ctx, RequestNote* note) {
  Exchange x{request, ctx, {}, {}, {}, false, false, std::nullopt, false, note};
  Response res;
  try {
    const std::string_view target(request.message.target().data(), request.message.target().size());
    const auto [raw_path, raw_query] = split_target(target);
    auto path = percent_decode(raw_path, false);
    auto query = parse_urlencoded(raw_query);
    if (target.empty() || target.front() != '/' || !path || !query ||
        path->find('\0') != std::string::npos) {
      res = make_response(x, http::status::bad_request, "400 bad request target\n",
                          "text/plain; charset=utf-8");
    } else {
      x.path = std::move(*path);
      x.query = std::move(*query);
      x.cookies = parse_cookies(x.header(http::field::cookie));
      if (const auto it = x.query.find("lang"); it != x.query.end()) {
        x.en = it->second == "en";
        x.set_lang_cookie = true;
      } else if (const auto c = x.cookies.find("qledger_lang"); c != x.cookies.end()) {
        x.en = c->second == "en";
      }
      authenticate(x);
      if (note != nullptr && x.who) note->user_id = x.who->user.id;
      res = dispatch(x);
    }
  } catch (const SQLite::Exception& e) {
    // The ledger or the accounts file is unavailable (locked, I/O error, disk full).
    const bool full = std::string(e.what()).find("full") != std::string::npos;
    res = make_response(
        x, full ? http::status::insufficient_storage : http::status::service_unavailable,
        "storage unavailable\n", "text/plain; charset=utf-8");
  } catch (const std::exception&) {
    res = make_response(x, http::status::internal_server_error, "500 internal error\n",
                        "text/plain; charset=utf-8");
  }
  // A deferred append's answer is counted when it is sent.
  if (note == nullptr || !note->deferred) ctx.metrics.count_response(res.result_int());
  return res;
}

}  // namespace qledger::daemon
