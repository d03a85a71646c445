// A qledgerd context over a fresh ledger with one user per role, for the daemon tests.
#pragma once

#include <memory>
#include <string>

#include "context.hpp"
#include "qledger/identifiers.hpp"
#include "qledger/ledger_setup.hpp"
#include "router.hpp"
#include "test_support.hpp"

namespace qledger::test {

inline const CivilDate kDaemonToday(2026, 11, 27);

// The HTTP status of a response, as a number.
inline unsigned status(const daemon::Response& r) { return r.result_int(); }

// True if `part` occurs in `text` (a page, a JSON body).
inline bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}
inline const std::string kPassword = "correct horse battery";

inline std::string test_uscc(int n) {
  char first17[18];
  std::snprintf(first17, sizeof first17, "91341525MA%07d", n);
  return std::string(first17) + *uscc_check_char(first17);
}

struct Login {
  std::string session;
  std::string csrf;
  std::string token;
};

struct DaemonFixture {
  TempDir dir;
  std::string db = dir.file("bureau.db");
  std::unique_ptr<daemon::Context> ctx;
  Login inspector, supervisor, analyst, admin;

  explicit DaemonFixture(daemon::Config config = {}) {
    init_ledger(db, default_key_path(db), "qledger.test/bureau");
    config.db_path = db;
    config.key_path = default_key_path(db);
    config.users_db_path = dir.file("bureau.db.users.db");
    config.pbkdf2_iterations = 1000;  // tests only: production default is 600,000
    auto ledger = open_domain_ledger(db, [] { return kDaemonToday; });
    auto users = std::make_unique<UserStore>(config.users_db_path, config.pbkdf2_iterations);
    ctx = std::make_unique<daemon::Context>(config, std::move(ledger), std::move(users));
    ctx->today = [] { return kDaemonToday; };
    inspector = make_user("insp", Role::kInspector);
    supervisor = make_user("sup", Role::kSupervisor);
    analyst = make_user("ana", Role::kAnalyst);
    admin = make_user("adm", Role::kAdmin);
  }

  Login make_user(const std::string& name, Role role) {
    const User u = ctx->users->add_user(name, kPassword, role, "test");
    const NewSession s = ctx->users->create_session(u.id, 3600, ctx->clock());
    const NewToken t = ctx->users->create_token(name, "test", std::nullopt, "test");
    return {s.id, s.csrf, t.secret};
  }

  static daemon::Request request(daemon::http::verb method, const std::string& target,
                                 const std::string& body = "") {
    daemon::Request r;
    r.message.method(method);
    r.message.target(target);
    r.message.version(11);
    r.message.body() = body;
    r.message.prepare_payload();
    r.remote_address = "127.0.0.1";
    return r;
  }

  daemon::Response get(const std::string& target, const Login* who = nullptr, bool bearer = false) {
    auto r = request(daemon::http::verb::get, target);
    authorize(r, who, bearer);
    return daemon::handle(r, *ctx);
  }

  // A form POST from a browser session (csrf appended unless `csrf` is given as "-").
  daemon::Response post_form(const std::string& target, const std::string& form, const Login* who,
                             const std::string& csrf = "") {
    std::string body = form;
    if (who != nullptr && csrf != "-") {
      body += (body.empty() ? "" : "&") + std::string("csrf_token=") +
              (csrf.empty() ? who->csrf : csrf);
    }
    auto r = request(daemon::http::verb::post, target, body);
    r.message.set(daemon::http::field::content_type, "application/x-www-form-urlencoded");
    authorize(r, who, false);
    return daemon::handle(r, *ctx);
  }

  // A JSON API POST with a bearer token (or a session plus X-CSRF-Token when `session`).
  daemon::Response post_json(const std::string& target, const std::string& json, const Login* who,
                             bool session = false, const std::string& idempotency_key = "") {
    auto r = request(daemon::http::verb::post, target, json);
    r.message.set(daemon::http::field::content_type, "application/json");
    if (!idempotency_key.empty()) r.message.set("Idempotency-Key", idempotency_key);
    authorize(r, who, !session);
    if (session && who != nullptr) r.message.set("X-CSRF-Token", who->csrf);
    return daemon::handle(r, *ctx);
  }

  static void authorize(daemon::Request& r, const Login* who, bool bearer) {
    if (who == nullptr) return;
    if (bearer) {
      r.message.set(daemon::http::field::authorization, "Bearer " + who->token);
    } else {
      r.message.set(daemon::http::field::cookie, "qledger_session=" + who->session);
    }
  }

  std::uint64_t size() { return ctx->ledger->head().size; }
};

inline std::string entity_json(int n, const std::string& name = "Huoshan Tea Co.") {
  Json payload = {{"uscc", test_uscc(n)},
                  {"name", name},
                  {"township", "衡山镇"},
                  {"industry", "ecological_food"}};
  return Json{{"kind", "entity.registered"}, {"payload", payload}}.dump();
}

// The payload of an inspection.recorded event: batch `sample_no` of entity test_uscc(entity), a
// county plan's tea sample taken on `sampled`, its result reported on `result_date`; a failed
// batch has one failed item (lead above its limit) and was notified on `result_date`.
inline Json inspection_payload(const std::string& sample_no, bool pass,
                               const std::string& regime = "product",
                               const std::string& sampled = "2026-11-02",
                               const std::string& result_date = "2026-11-03", int entity = 1) {
  Json p = {{"sample_no", sample_no},
            {"regime", regime},
            {"plan_level", "county"},
            {"category", "茶叶"},
            {"uscc", test_uscc(entity)},
            {"sampling_date", sampled},
            {"result_date", result_date},
            {"lab", "六安市检验检测中心"},
            {"conclusion", pass ? "pass" : "fail"}};
  if (!pass) {
    p["failed_items"] = Json::array({{{"item", "铅(以Pb计)"},
                                      {"measured", "6.1"},
                                      {"limit", "5.0"},
                                      {"standard", "GB 2762-2022"}}});
    p["notified_on"] = result_date;
  }
  return p;
}

}  // namespace qledger::test
