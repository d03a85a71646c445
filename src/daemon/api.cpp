// The JSON API, /api/v1/… (docs/openapi.yaml). Authentication: a bearer token, or a session cookie
// plus the X-CSRF-Token header on every POST.
#include "ledger_views.hpp"
#include "qledger/auth_permissions.hpp"
#include "qledger/hash.hpp"
#include "qledger/leaf.hpp"
#include "qledger/ledger_proofs.hpp"
#include "qledger/proof_json.hpp"
#include "qledger/storage_error.hpp"
#include "report_pages.hpp"
#include "routes.hpp"
#include "timeline.hpp"

#include <iostream>

namespace qledger::daemon {

namespace {

using Status = http::status;

Response unauthorized(const Exchange& x) {
  return json_error(x, Status::unauthorized, "", "unauthorized",
                    "Authentication required: a bearer token or a session.",
                    "需要身份验证：令牌或登录会话。");
}

Response forbidden(const Exchange& x) {
  return json_error(x, Status::forbidden, "", "forbidden", "Your role may not do this.",
                    "您的角色无权执行此操作。");
}

Response method_not_allowed(const Exchange& x, const char* allow) {
  Response res = json_error(x, Status::method_not_allowed, "", "method_not_allowed",
                            "Method not allowed.", "不允许的请求方法。");
  res.set(http::field::allow, allow);
  return res;
}

Response bad_parameter(const Exchange& x, const std::string& name) {
  return json_error(x, Status::bad_request, name, "bad_parameter",
                    "Query parameter " + name + " must be a whole number.",
                    "查询参数 " + name + " 必须是整数。");
}

// Unsafe methods from a browser session must carry the session's CSRF token in a header.
bool csrf_ok(const Exchange& x) {
  return !x.who->via_session || csrf_matches(*x.who, x.header("X-CSRF-Token"));
}

std::optional<std::uint64_t> uint_param(const Exchange& x, const std::string& name, bool& bad) {
  const auto it = x.query.find(name);
  if (it == x.query.end() || it->second.empty()) return std::nullopt;
  auto value = parse_uint(it->second);
  if (!value) bad = true;
  return value;
}

bool valid_idempotency_key(const std::string& key) {
  if (key.empty() || key.size() > 128) return false;
  for (char c : key) {
    if (c < 0x21 || c > 0x7E) return false;
  }
  return true;
}

Response storage_failure(const Exchange& x, const SQLite::Exception& e);

// 201 with the receipt, 422 with the field problems, or 503/507 for storage.
Response append_answer(const Exchange& x, const AppendOutcome& outcome) {
  if (outcome.receipt) {
    Response res = json_response(x, Status::created, receipt_json(*outcome.receipt));
    res.set(http::field::location, "/api/v1/events/" + std::to_string(outcome.receipt->seq));
    return res;
  }
  if (!outcome.problems.empty()) {
    return json_response(x, Status::unprocessable_entity, errors_json(outcome.problems));
  }
  const FieldProblem& p = outcome.storage_problem;
  return json_error(x, outcome.storage_status, "", p.code, p.message_en, p.message_zh);
}

Response post_event(Exchange& x) {
  if (!csrf_ok(x)) {
    return json_error(x, Status::forbidden, "", "csrf", "Missing or wrong X-CSRF-Token header.",
                      "缺少或错误的 X-CSRF-Token 请求头。");
  }
  CanonicalError error;
  auto body = parse_profile_json(x.request.message.body(), error, x.ctx.config.max_body_bytes);
  if (!body) {
    return json_error(x, Status::bad_request, "body" + error.path, error.code, error.message,
                      "请求体不是有效的 JSON：" + error.message);
  }
  if (!body->is_object() || !body->contains("kind") || !(*body)["kind"].is_string() ||
      !body->contains("payload") || !(*body)["payload"].is_object() || body->size() != 2) {
    return json_error(x, Status::bad_request, "body", "bad_shape",
                      "The body must be {\"kind\": string, \"payload\": object}.",
                      "请求体必须是 {\"kind\": 字符串, \"payload\": 对象}。");
  }
  const std::string kind = (*body)["kind"].get<std::string>();
  if (!may_record(x.who->user.role, kind)) return forbidden(x);
  Json payload = std::move((*body)["payload"]);

  const std::string key = x.header("Idempotency-Key");
  const bool has_key = x.request.message.find("Idempotency-Key") != x.request.message.end();
  if (has_key && !valid_idempotency_key(key)) {
    return json_error(x, Status::bad_request, "Idempotency-Key", "bad_idempotency_key",
                      "Idempotency-Key must be 1 to 128 printable ASCII characters.",
                      "Idempotency-Key 必须是 1 至 128 个可打印 ASCII 字符。");
  }
  if (has_key) {
    const std::string digest = to_hex(sha256(kind + '\n' + encode_canonical(payload)));
    const auto claim =
        x.ctx.users->claim_idempotency_key(x.who->user.id, key, digest, x.ctx.clock());
    using State = IdempotencyClaim::State;
    if (claim.state == State::kConflict) {
      return json_error(x, Status::conflict, "Idempotency-Key", "idempotency_conflict",
                        "This Idempotency-Key was used for a different request.",
                        "该 Idempotency-Key 已用于另一个不同的请求。");
    }
    if (claim.state == State::kInProgress) {
      return json_error(
          x, Status::conflict, "Idempotency-Key", "idempotency_in_progress",
          "A request with this Idempotency-Key is in progress or was interrupted; "
          "look the event up before retrying with a new key.",
          "使用该 Idempotency-Key 的请求正在处理或被中断；请先查询事件再用新键重试。");
    }
    if (claim.state == State::kReplay) {
      Response res = make_response(x, static_cast<Status>(claim.status), claim.response,
                                   "application/json; charset=utf-8");
      res.set("Idempotent-Replayed", "true");
      return res;
    }
  }
  // The answer once the append is durable or refused; with a key it also settles the key (a
  // write to the accounts file, so it may block: the caller runs it on a handler thread).
  auto answer = [x, has_key, key](const AppendOutcome& outcome) {
    Response res = append_answer(x, outcome);
    if (!has_key) return res;
    try {
      if (outcome.receipt || !outcome.problems.empty()) {
        x.ctx.users->complete_idempotency_key(x.who->user.id, key, res.result_int(), res.body());
      } else {
        x.ctx.users->release_idempotency_key(x.who->user.id, key);
      }
    } catch (const SQLite::Exception& e) {
      // The answer stands: the event was appended (or refused, or not written) whatever became
      // of the key, which stays "in progress" — a retry with it gets 409 and is told to look the
      // event up. The key itself is not logged.
      std::cerr << "qledgerd: an Idempotency-Key of user " << x.who->user.id
                << " stays in progress (" << (outcome.receipt ? "event appended" : "not appended")
                << "): the accounts file failed: " << e.what() << "\n";
    }
    return res;
  };
  if (x.note != nullptr && x.note->may_defer) {
    // The caller appends and answers once the event is durable (no thread waits for it).
    x.note->deferred = DeferredAppend{
        {kind, x.who->user.username, std::move(payload)}, std::move(answer), has_key};
    return Response{};
  }
  return answer(append_event(x.ctx, x.who->user, kind, std::move(payload)));
}

// The ledger or the accounts file failed underneath a handler (full disk, lock, damage): the
// standard JSON error shape, 507 for a full disk and 503 otherwise, instead of a bare text page.
Response storage_failure(const Exchange& x, const SQLite::Exception& e) {
  const int code = e.getExtendedErrorCode() != -1 ? e.getExtendedErrorCode() : e.getErrorCode();
  const StorageFault fault = classify_sqlite_code(code);
  const FieldProblem p = storage_fault_problem(fault);
  return json_error(
      x, fault == StorageFault::kFull ? Status::insufficient_storage : Status::service_unavailable,
      "", p.code, p.message_en, p.message_zh);
}

Response get_events(Exchange& x) {
  bool bad = false;
  const auto from = uint_param(x, "from", bad);
  if (bad) return bad_parameter(x, "from");
  const auto limit = uint_param(x, "limit", bad);
  if (bad || (limit && (*limit == 0 || *limit > 500))) {
    return json_error(x, Status::bad_request, "limit", "bad_parameter",
                      "limit must be between 1 and 500.", "limit 必须在 1 到 500 之间。");
  }
  const auto kind_it = x.query.find("kind");
  const std::string kind = kind_it == x.query.end() ? "" : kind_it->second;
  const std::size_t n = limit ? static_cast<std::size_t>(*limit) : x.ctx.config.page_size;
  const auto events = list_events(*x.ctx.ledger, kind, from.value_or(1), n + 1);
  Json list = Json::array();
  for (std::size_t i = 0; i < events.size() && i < n; ++i) {
    list.push_back({{"seq", events[i].seq},
                    {"kind", events[i].kind},
                    {"recorded_at", events[i].recorded_at},
                    {"actor", events[i].actor}});
  }
  Json out = {{"events", list}, {"next_from", nullptr}};
  if (events.size() > n) out["next_from"] = events[n].seq;
  return json_response(x, Status::ok, out);
}

Response get_event(Exchange& x, std::string_view tail) {
  const auto seq = parse_uint(tail);
  if (!seq) {
    return json_error(x, Status::not_found, "seq", "not_found", "No such event.", "没有这个事件。");
  }
  auto event = event_json(*x.ctx.ledger, *seq);
  if (!event) {
    return json_error(x, Status::not_found, "seq", "not_found", "No such event.", "没有这个事件。");
  }
  return json_response(x, Status::ok, *event);
}

Response get_inclusion(Exchange& x) {
  bool bad = false;
  const auto seq = uint_param(x, "seq", bad);
  if (bad || !seq) return bad_parameter(x, "seq");
  const auto size = uint_param(x, "tree_size", bad);
  if (bad) return bad_parameter(x, "tree_size");
  const auto doc = prove_inclusion(*x.ctx.ledger, *seq, size);
  if (!doc) {
    return json_error(x, Status::not_found, "seq", "not_found",
                      "seq must name an event inside tree_size, and tree_size must not exceed "
                      "the current tree.",
                      "seq 必须是 tree_size 范围内的事件，tree_size 不得超过当前树的大小。");
  }
  return json_response(x, Status::ok, to_json(*doc));
}

Response get_consistency(Exchange& x) {
  bool bad = false;
  const auto from = uint_param(x, "from", bad);
  if (bad || !from) return bad_parameter(x, "from");
  const auto to = uint_param(x, "to", bad);
  if (bad || !to) return bad_parameter(x, "to");
  const auto doc = prove_consistency(*x.ctx.ledger, *from, *to);
  if (!doc) {
    return json_error(x, Status::not_found, "to", "not_found",
                      "Need 1 <= from <= to <= the current tree size.",
                      "需要 1 <= from <= to <= 当前树的大小。");
  }
  return json_response(x, Status::ok, to_json(*doc));
}

Response get_checkpoint(Exchange& x) {
  if (!may_verify(x.who->user.role)) return forbidden(x);
  std::string problem;
  const auto note = signed_checkpoint(x.ctx, problem);
  if (!note) {
    return json_error(x, Status::service_unavailable, "", "checkpoint_unavailable", problem,
                      "无法签发检查点：" + problem);
  }
  return make_response(x, Status::ok, *note, "text/plain; charset=utf-8");
}

Response post_verify(Exchange& x) {
  if (!may_verify(x.who->user.role)) return forbidden(x);
  if (!csrf_ok(x)) {
    return json_error(x, Status::forbidden, "", "csrf", "Missing or wrong X-CSRF-Token header.",
                      "缺少或错误的 X-CSRF-Token 请求头。");
  }
  return json_response(x, Status::ok, verify_report_json(run_verification(x.ctx)));
}

}  // namespace

namespace {

std::optional<Response> api_route_unguarded(Exchange& x) {
  const std::string& p = x.path;
  const bool get = x.method() == http::verb::get;
  const bool post = x.method() == http::verb::post;
  // Authentication comes first on every API route: unknown paths do not leak to strangers.
  if (x.bad_credentials || !x.who) return unauthorized(x);
  if (p == "/api/v1/events") {
    if (post) return post_event(x);
    if (get) return get_events(x);
    return method_not_allowed(x, "GET, POST");
  }
  constexpr std::string_view kEventPrefix = "/api/v1/events/";
  if (p.size() > kEventPrefix.size() &&
      std::string_view(p).substr(0, kEventPrefix.size()) == kEventPrefix) {
    if (!get) return method_not_allowed(x, "GET");
    return get_event(x, std::string_view(p).substr(kEventPrefix.size()));
  }
  constexpr std::string_view kTimelinePrefix = "/api/v1/timelines/";
  if (std::string_view(p).substr(0, kTimelinePrefix.size()) == kTimelinePrefix) {
    if (!get) return method_not_allowed(x, "GET");
    return timeline_api(x, std::string_view(p).substr(kTimelinePrefix.size()));
  }
  if (p == "/api/v1/checkpoint") return get ? get_checkpoint(x) : method_not_allowed(x, "GET");
  if (p == "/api/v1/proofs/inclusion") return get ? get_inclusion(x) : method_not_allowed(x, "GET");
  if (p == "/api/v1/proofs/consistency") {
    return get ? get_consistency(x) : method_not_allowed(x, "GET");
  }
  if (p == "/api/v1/verify") return post ? post_verify(x) : method_not_allowed(x, "POST");
  if (p == "/api/v1/figures") return get ? figures_api(x) : method_not_allowed(x, "GET");
  return std::nullopt;
}

}  // namespace

std::optional<Response> api_route(Exchange& x) {
  try {
    return api_route_unguarded(x);
  } catch (const SQLite::Exception& e) {
    return storage_failure(x, e);
  }
}

}  // namespace qledger::daemon
