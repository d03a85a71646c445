// Internal to the router: the parsed request shared by the API and HTML handlers, and the
// response helpers they share.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "context.hpp"
#include "http_message.hpp"
#include "qledger/canonical_json.hpp"
#include "qledger/field_problem.hpp"
#include "qledger/ledger.hpp"
#include "router.hpp"

namespace qledger::daemon {

struct Exchange {
  const Request& request;
  Context& ctx;
  std::string path;  // percent-decoded path
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> cookies;
  bool en = false;  // English rather than zh-CN
  bool set_lang_cookie = false;
  std::optional<Principal> who;
  bool bad_credentials = false;  // an Authorization header that did not authenticate
  RequestNote* note = nullptr;   // the caller's, if any (deferred appends)

  http::verb method() const { return request.message.method(); }
  std::string header(http::field f) const;
  std::string header(std::string_view name) const;
  const char* t(const char* zh, const char* en_text) const { return en ? en_text : zh; }
};

// Responses.
Response make_response(const Exchange& x, http::status status, std::string body,
                       const char* content_type);
Response json_response(const Exchange& x, http::status status, const Json& body);
// {"errors":[{field, code, message, message_zh}]}
Json errors_json(const FieldProblems& problems);
Response json_error(const Exchange& x, http::status status, const std::string& field,
                    const std::string& code, const std::string& en, const std::string& zh);
Response redirect(const Exchange& x, const std::string& location);

// Authentication (auth.cpp): bearer token or session cookie.
void authenticate(Exchange& x);
// The token of an `Authorization: Bearer <token>` header value; nullopt for any other value.
std::optional<std::string_view> bearer_token(std::string_view authorization);
std::string session_cookie(const Exchange& x, const std::string& id, std::int64_t max_age);
bool csrf_matches(const Principal& who, std::string_view presented);

// Appending one event for a user, shared by the API and the forms (append.cpp).
struct AppendOutcome {
  std::optional<Receipt> receipt;
  FieldProblems problems;       // validation refusals (422)
  http::status storage_status;  // when neither: 503 or 507
  std::string storage_message;
  FieldProblem storage_problem;  // when neither: code (storage_full, …) and bilingual message
};
AppendOutcome append_event(Context& ctx, const User& user, const std::string& kind, Json payload);
// The outcome of an append made with Ledger::append_then that took `seconds` (metrics included).
AppendOutcome append_outcome(Context& ctx, AppendResult result, double seconds);
Json receipt_json(const Receipt& receipt);

// Route groups; each returns nullopt when the path is not theirs.
std::optional<Response> api_route(Exchange& x);
std::optional<Response> page_route(Exchange& x);
std::optional<Response> admin_route(Exchange& x);  // /admin/… (admin_pages.cpp)

// Form fields of an urlencoded body.
using FormValues = std::map<std::string, std::string>;

}  // namespace qledger::daemon
