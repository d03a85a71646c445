// qledgerd's router without sockets: role × route permissions, CSRF, escaping of stored values,
// injection and traversal attempts, idempotent appends, forms, login and the read API.
#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <array>
#include <atomic>
#include <functional>
#include <thread>
#include <vector>

#include "daemon_fixture.hpp"
#include "qledger/auth_password.hpp"
#include "qledger/auth_permissions.hpp"
#include "qledger/checkpoint.hpp"
#include "qledger/event_schema.hpp"
#include "qledger/proof_json.hpp"

using namespace qledger;
using namespace qledger::test;
using daemon::http::verb;

namespace {

std::string cookie_header(const daemon::Response& r) {
  std::string all;
  for (const auto& f : r) {
    if (f.name() == daemon::http::field::set_cookie) all += std::string(f.value()) + "\n";
  }
  return all;
}

}  // namespace

TEST_SUITE("daemon") {
  TEST_CASE("healthz and metrics need no login") {
    DaemonFixture d;
    CHECK(status(d.get("/healthz")) == 200);
    const auto metrics = d.get("/metrics");
    CHECK(status(metrics) == 200);
    CHECK(metrics.body().find("qledger_appends_total 0") != std::string::npos);
    CHECK(metrics.body().find("qledger_http_responses_total{code=\"200\"} 1") != std::string::npos);
    CHECK(metrics.body().find("qledger_append_duration_seconds_bucket{le=\"+Inf\"}") !=
          std::string::npos);
  }

  TEST_CASE("role x route matrix, with and without a session") {
    DaemonFixture d;
    REQUIRE(status(d.post_json("/api/v1/events", entity_json(1), &d.inspector)) == 201);
    const Login* none = nullptr;
    struct Row {
      const char* what;
      std::function<daemon::Response(const Login*)> call;
      // expected status for: none, inspector, supervisor, analyst, admin
      std::array<unsigned, 5> expect;
    };
    int n = 100;
    const std::vector<Row> rows = {
        {"GET /api/v1/events",
         [&](const Login* w) { return d.get("/api/v1/events", w, true); },
         {401, 200, 200, 200, 200}},
        {"GET /api/v1/events/1",
         [&](const Login* w) { return d.get("/api/v1/events/1", w, true); },
         {401, 200, 200, 200, 200}},
        {"GET inclusion proof",
         [&](const Login* w) { return d.get("/api/v1/proofs/inclusion?seq=1", w, true); },
         {401, 200, 200, 200, 200}},
        {"GET consistency proof",
         [&](const Login* w) { return d.get("/api/v1/proofs/consistency?from=1&to=1", w, true); },
         {401, 200, 200, 200, 200}},
        {"POST entity.registered",
         [&](const Login* w) { return d.post_json("/api/v1/events", entity_json(++n), w); },
         {401, 201, 403, 403, 201}},
        {"POST correction (invalid, but allowed → 422)",
         [&](const Login* w) {
           return d.post_json("/api/v1/events", R"({"kind":"correction","payload":{}})", w);
         },
         {401, 403, 422, 403, 403}},
        {"GET /api/v1/checkpoint",
         [&](const Login* w) { return d.get("/api/v1/checkpoint", w, true); },
         {401, 403, 200, 403, 403}},
        {"POST /api/v1/verify",
         [&](const Login* w) { return d.post_json("/api/v1/verify", "{}", w); },
         {401, 403, 200, 403, 403}},
        {"GET /dashboard",
         [&](const Login* w) { return d.get("/dashboard", w); },
         {303, 200, 200, 200, 200}},
        {"GET /events",
         [&](const Login* w) { return d.get("/events", w); },
         {303, 200, 200, 200, 200}},
        {"GET /events/1",
         [&](const Login* w) { return d.get("/events/1", w); },
         {303, 200, 200, 200, 200}},
        {"GET /overdue",
         [&](const Login* w) { return d.get("/overdue", w); },
         {303, 200, 200, 200, 200}},
        {"GET /reports",
         [&](const Login* w) { return d.get("/reports?period=2026-11", w); },
         {303, 200, 200, 200, 200}},
        {"GET /reports/download",
         [&](const Login* w) { return d.get("/reports/download?period=2026-11&format=csv", w); },
         {303, 200, 200, 200, 200}},
        {"GET /api/v1/figures",
         [&](const Login* w) { return d.get("/api/v1/figures?period=2026-11", w, true); },
         {401, 200, 200, 200, 200}},
        {"GET /timeline/complaint/<unknown> (every role reads; 404 for no record)",
         [&](const Login* w) { return d.get("/timeline/complaint/NONE-1", w); },
         {303, 404, 404, 404, 404}},
        {"GET /api/v1/timelines/complaint/<unknown>",
         [&](const Login* w) { return d.get("/api/v1/timelines/complaint/NONE-1", w, true); },
         {401, 404, 404, 404, 404}},
        {"GET /record",
         [&](const Login* w) { return d.get("/record", w); },
         {303, 200, 200, 200, 200}},
        {"GET /record/inspection.recorded",
         [&](const Login* w) { return d.get("/record/inspection.recorded", w); },
         {303, 200, 403, 403, 403}},
        {"GET /record/entity.registered",
         [&](const Login* w) { return d.get("/record/entity.registered", w); },
         {303, 200, 403, 403, 200}},
        {"GET /record/correction",
         [&](const Login* w) { return d.get("/record/correction", w); },
         {303, 403, 200, 403, 403}},
        {"GET /record/calendar.year_loaded",
         [&](const Login* w) { return d.get("/record/calendar.year_loaded", w); },
         {303, 403, 403, 403, 200}},
        {"GET /supervisor",
         [&](const Login* w) { return d.get("/supervisor", w); },
         {303, 403, 200, 403, 403}},
        {"GET /checkpoint",
         [&](const Login* w) { return d.get("/checkpoint", w); },
         {303, 403, 200, 403, 403}},
        {"GET /admin/users",
         [&](const Login* w) { return d.get("/admin/users", w); },
         {303, 403, 403, 403, 200}},
        {"POST /admin/users/add",
         [&](const Login* w) {
           return d.post_form(
               "/admin/users/add",
               "username=u" + std::to_string(++n) + "&password=long+enough+pw&role=analyst", w);
         },
         {303, 403, 403, 403, 303}},
        {"POST /supervisor/verify",
         [&](const Login* w) { return d.post_form("/supervisor/verify", "", w); },
         {303, 403, 200, 403, 403}},
    };
    const std::array<const Login*, 5> who = {none, &d.inspector, &d.supervisor, &d.analyst,
                                             &d.admin};
    const std::array<const char*, 5> names = {"none", "inspector", "supervisor", "analyst",
                                              "admin"};
    for (const auto& row : rows) {
      for (std::size_t i = 0; i < who.size(); ++i) {
        CHECK_MESSAGE(status(row.call(who[i])) == row.expect[i], row.what << " as " << names[i]);
      }
    }
  }

  TEST_CASE("a bad bearer token is 401 and never falls back to the cookie") {
    DaemonFixture d;
    auto r = DaemonFixture::request(verb::get, "/api/v1/events");
    r.message.set(daemon::http::field::authorization, "Bearer qlt_" + std::string(64, '0'));
    r.message.set(daemon::http::field::cookie, "qledger_session=" + d.inspector.session);
    const auto res = daemon::handle(r, *d.ctx);
    CHECK(status(res) == 401);
    CHECK(res.body().find("\"message_zh\"") != std::string::npos);
    d.ctx->users->set_disabled("ana", true, "test");
    CHECK(status(d.get("/api/v1/events", &d.analyst, true)) == 401);
    CHECK(status(d.get("/dashboard", &d.analyst)) == 303);
  }

  TEST_CASE("CSRF: forms and session API calls without the token are refused") {
    DaemonFixture d;
    const std::string form =
        "f.uscc=" + test_uscc(7) + "&f.name=Tea&f.township=T&f.industry=ecological_food";
    CHECK(status(d.post_form("/record/entity.registered", form, &d.inspector, "-")) == 403);
    CHECK(status(d.post_form("/record/entity.registered", form, &d.inspector,
                             std::string(64, 'a'))) == 403);
    CHECK(d.size() == 0);
    // A session used on the API needs the X-CSRF-Token header.
    auto r = DaemonFixture::request(verb::post, "/api/v1/events", entity_json(7));
    r.message.set(daemon::http::field::cookie, "qledger_session=" + d.inspector.session);
    CHECK(status(daemon::handle(r, *d.ctx)) == 403);
    CHECK(d.size() == 0);
    CHECK(status(d.post_form("/logout", "", &d.inspector, "-")) == 403);
    // With the token it works.
    const auto ok = d.post_form("/record/entity.registered", form, &d.inspector);
    CHECK(status(ok) == 303);
    CHECK(std::string(ok[daemon::http::field::location]) == "/events/1");
    CHECK(status(d.post_json("/api/v1/events", entity_json(8), &d.inspector, true)) == 201);
    CHECK(d.size() == 2);
  }

  TEST_CASE("a value the ledger's own checks refuse is shown at its field, in Chinese too") {
    DaemonFixture d;
    const std::string form =
        "f.uscc=" + test_uscc(7) + "&f.name=%FF%FETea&f.township=T&f.industry=ecological_food";
    const auto res = d.post_form("/record/entity.registered", form, &d.inspector);
    CHECK(status(res) == 422);
    CHECK(d.size() == 0);
    // The message follows the name input (the field the problem is about), not only the summary.
    const std::string& body = res.body();
    const auto input = body.find("name=\"f.name\"");
    REQUIRE(input != std::string::npos);
    const auto message = body.find("文本不是有效的 UTF-8 编码", input);
    REQUIRE(message != std::string::npos);
    CHECK(body.find("name=\"f.township\"", input) > message);
  }

  TEST_CASE("stored XSS is rendered inert everywhere") {
    DaemonFixture d;
    const std::string evil = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";
    REQUIRE(status(d.post_json("/api/v1/events", entity_json(3, evil), &d.inspector)) == 201);
    for (const char* page : {"/events/1", "/events", "/dashboard"}) {
      const auto res = d.get(page, &d.inspector);
      CHECK(status(res) == 200);
      CHECK(res.body().find("<script>alert") == std::string::npos);
      CHECK(res.body().find("<img src=x") == std::string::npos);
    }
    CHECK(d.get("/events/1", &d.inspector).body().find("&lt;script&gt;alert(1)&lt;/script&gt;") !=
          std::string::npos);
    // Input echoed back in a refused form is escaped too.
    const auto res = d.post_form(
        "/record/entity.registered",
        "f.uscc=BAD&f.name=%3Cscript%3Ealert(3)%3C%2Fscript%3E&f.township=T&f.industry=other",
        &d.inspector);
    CHECK(status(res) == 422);
    CHECK(res.body().find("<script>alert(3)") == std::string::npos);
    CHECK(res.body().find("&lt;script&gt;alert(3)") != std::string::npos);
    CHECK(d.get("/events?kind=%3Cscript%3E", &d.inspector).body().find("<script>") ==
          std::string::npos);
    CHECK(d.get("/dashboard", &d.inspector)[daemon::http::field::content_type] ==
          "text/html; charset=utf-8");
  }

  TEST_CASE("form errors are shown next to their fields and the input is kept") {
    DaemonFixture d;
    const auto res =
        d.post_form("/record/entity.registered",
                    "f.uscc=91341525MA0000001X&f.name=Tea%20House&f.industry=other", &d.inspector);
    CHECK(status(res) == 422);
    CHECK(d.size() == 0);
    CHECK(res.body().find("value=\"Tea House\"") != std::string::npos);
    CHECK(res.body().find("class=\"field bad\"><label for=\"f.uscc\"") != std::string::npos);
    CHECK(res.body().find("class=\"field bad\"><label for=\"f.township\"") != std::string::npos);
    CHECK(res.body().find("<option value=\"other\" selected>") != std::string::npos);
    // English on request; the choice is remembered in a cookie.
    const auto en = d.get("/record/entity.registered?lang=en", &d.inspector);
    CHECK(en.body().find("Unified social credit code") != std::string::npos);
    CHECK(cookie_header(en).find("qledger_lang=en") != std::string::npos);
  }

  TEST_CASE("SQL injection attempts in query parameters are plain data") {
    DaemonFixture d;
    REQUIRE(status(d.post_json("/api/v1/events", entity_json(1), &d.inspector)) == 201);
    auto res = d.get("/api/v1/events?kind=%27%20OR%201%3D1%20--", &d.analyst, true);
    CHECK(status(res) == 200);
    CHECK(Json::parse(res.body())["events"].empty());
    res = d.get("/api/v1/events?kind=entity.registered%27%3B%20DROP%20TABLE%20events%3B--",
                &d.analyst, true);
    CHECK(status(res) == 200);
    CHECK(status(d.get("/api/v1/events?from=1%3BDROP%20TABLE%20events", &d.analyst, true)) == 400);
    CHECK(status(d.get("/api/v1/events?limit=1%20OR%201%3D1", &d.analyst, true)) == 400);
    CHECK(status(d.get("/events?kind=%27%20OR%20%271%27%3D%271", &d.analyst)) == 200);
    CHECK(status(d.get("/api/v1/events/1%20OR%201%3D1", &d.analyst, true)) == 404);
    res = d.get("/api/v1/events?kind=entity.registered", &d.analyst, true);
    CHECK(Json::parse(res.body())["events"].size() == 1);
    CHECK(d.size() == 1);
  }

  TEST_CASE("path traversal finds nothing") {
    DaemonFixture d;
    for (const char* target :
         {"/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/events/..%2F..%2Fetc%2Fpasswd",
          "/record/..%2F..%2Fetc%2Fpasswd", "/api/v1/events/../../../etc/passwd",
          "/static/../../etc/passwd", "/%00", "//etc/passwd"}) {
      const auto res = d.get(target, &d.admin, std::string(target).find("/api/") == 0);
      CHECK_MESSAGE((status(res) == 404 || status(res) == 400), target);
      CHECK(res.body().find("root:") == std::string::npos);
    }
    CHECK(status(d.get("no-slash", &d.admin)) == 400);
  }

  TEST_CASE("an idempotency key replays the same receipt and appends once") {
    DaemonFixture d;
    const auto first = d.post_json("/api/v1/events", entity_json(4), &d.inspector, false, "k-1");
    REQUIRE(status(first) == 201);
    const auto again = d.post_json("/api/v1/events", entity_json(4), &d.inspector, false, "k-1");
    CHECK(status(again) == 201);
    CHECK(again.body() == first.body());
    CHECK(again["Idempotent-Replayed"] == "true");
    CHECK(d.size() == 1);
    // Same key, other request: conflict, nothing appended.
    CHECK(status(d.post_json("/api/v1/events", entity_json(5), &d.inspector, false, "k-1")) == 409);
    CHECK(d.size() == 1);
    // Keys are per user.
    CHECK(status(d.post_json("/api/v1/events", entity_json(5), &d.admin, false, "k-1")) == 201);
    // A refusal is remembered too (retrying does not turn it into a success by accident).
    const auto bad = R"({"kind":"entity.registered","payload":{"uscc":"X"}})";
    const auto r1 = d.post_json("/api/v1/events", bad, &d.inspector, false, "k-2");
    CHECK(status(r1) == 422);
    const auto r2 = d.post_json("/api/v1/events", bad, &d.inspector, false, "k-2");
    CHECK(r2.body() == r1.body());
    CHECK(status(d.post_json("/api/v1/events", entity_json(6), &d.inspector, false,
                             std::string(200, 'k'))) == 400);
    CHECK(d.size() == 2);
  }

  TEST_CASE("an append committed while its idempotency key cannot be settled is still a 201") {
    DaemonFixture d;
    {
      // Settling a key is an UPDATE of its row: make the accounts file refuse it, as a full disk
      // or a lock held past the busy timeout would.
      SQLite::Database db(d.ctx->config.users_db_path, SQLite::OPEN_READWRITE);
      db.exec(
          "CREATE TRIGGER refuse_settling BEFORE UPDATE ON idempotency_keys "
          "BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END");
    }
    const auto first = d.post_json("/api/v1/events", entity_json(7), &d.inspector, false, "k-1");
    CHECK(status(first) == 201);
    CHECK(d.size() == 1);
    CHECK(Json::parse(first.body())["seq"] == 1);
    // The key stays in progress: a retry with it is told to look the event up, not appended.
    const auto again = d.post_json("/api/v1/events", entity_json(7), &d.inspector, false, "k-1");
    CHECK(status(again) == 409);
    CHECK(again.body().find("idempotency_in_progress") != std::string::npos);
    CHECK(d.size() == 1);
    // A refusal keeps its 422 too.
    const auto bad = R"({"kind":"entity.registered","payload":{"uscc":"X"}})";
    CHECK(status(d.post_json("/api/v1/events", bad, &d.inspector, false, "k-2")) == 422);
    CHECK(d.size() == 1);
  }

  TEST_CASE("API errors have one shape") {
    DaemonFixture d;
    auto res = d.post_json("/api/v1/events", "{not json", &d.inspector);
    CHECK(status(res) == 400);
    auto body = Json::parse(res.body());
    REQUIRE(body["errors"].size() == 1);
    for (const char* key : {"field", "code", "message", "message_zh"}) {
      CHECK(body["errors"][0].contains(key));
    }
    CHECK(status(d.post_json("/api/v1/events", R"({"kind":"entity.registered"})", &d.inspector)) ==
          400);
    res = d.post_json("/api/v1/events",
                      R"({"kind":"entity.registered","payload":{"uscc":"91341525MA0000001X"}})",
                      &d.inspector);
    CHECK(status(res) == 422);
    body = Json::parse(res.body());
    CHECK(body["errors"].size() >= 2);
    CHECK_FALSE(body["errors"][0]["message_zh"].get<std::string>().empty());
    CHECK(status(d.get("/api/v1/events/99", &d.inspector, true)) == 404);
    CHECK(status(d.get("/api/v1/nothing", &d.inspector, true)) == 404);
    CHECK(status(d.get("/api/v1/proofs/inclusion?seq=5", &d.inspector, true)) == 404);
    CHECK(status(d.get("/api/v1/proofs/inclusion?seq=x", &d.inspector, true)) == 400);
    auto del = DaemonFixture::request(verb::delete_, "/api/v1/events");
    DaemonFixture::authorize(del, &d.inspector, true);
    CHECK(status(daemon::handle(del, *d.ctx)) == 405);
  }

  TEST_CASE("proofs and checkpoints from the API check out offline") {
    DaemonFixture d;
    for (int i = 1; i <= 5; ++i) {
      REQUIRE(status(d.post_json("/api/v1/events", entity_json(i), &d.inspector)) == 201);
    }
    const auto event = Json::parse(d.get("/api/v1/events/3", &d.analyst, true).body());
    CHECK(event["kind"] == "entity.registered");
    CHECK(event["actor"] == "insp");
    CHECK(event["payload"]["uscc"] == test_uscc(3));
    const auto list = Json::parse(d.get("/api/v1/events?from=2&limit=2", &d.analyst, true).body());
    CHECK(list["events"].size() == 2);
    CHECK(list["next_from"] == 4);

    const auto checkpoint = d.get("/api/v1/checkpoint", &d.supervisor, true);
    REQUIRE(status(checkpoint) == 200);
    const auto opened = open_checkpoint(checkpoint.body(), d.ctx->signing_key->verifier());
    REQUIRE(opened.ok);
    CHECK(opened.checkpoint.tree_size == 5);

    const auto inclusion = parse_proof_json(
        Json::parse(d.get("/api/v1/proofs/inclusion?seq=2&tree_size=5", &d.analyst, true).body()));
    CHECK(check_proof_doc(std::get<InclusionProofDoc>(inclusion), {opened.checkpoint}).ok);
    const auto consistency = parse_proof_json(
        Json::parse(d.get("/api/v1/proofs/consistency?from=3&to=5", &d.analyst, true).body()));
    CHECK(check_proof_doc(std::get<ConsistencyProofDoc>(consistency), {opened.checkpoint}).ok);

    const auto verify = Json::parse(d.post_json("/api/v1/verify", "", &d.supervisor).body());
    CHECK(verify["intact"] == true);
    CHECK(verify["tree_size"] == 5);
    CHECK(d.get("/metrics").body().find("qledger_verifications_total{result=\"intact\"} 2") !=
          std::string::npos);
    CHECK(d.get("/metrics").body().find("qledger_appends_total 5") != std::string::npos);
  }

  TEST_CASE("login sets a strict HttpOnly session; failures are throttled") {
    daemon::Config config;
    config.login_failures_per_account = 3;
    DaemonFixture d(config);
    const auto form = d.get("/login");
    CHECK(status(form) == 200);
    const std::string cookies = cookie_header(form);
    const auto start = cookies.find("qledger_login=") + 14;
    const std::string token = cookies.substr(start, cookies.find(';', start) - start);
    auto login = [&](const std::string& user, const std::string& password,
                     const std::string& echoed) {
      auto r = DaemonFixture::request(
          verb::post, "/login",
          "login_token=" + echoed + "&username=" + user + "&password=" + password);
      r.message.set(daemon::http::field::cookie, "qledger_login=" + token);
      return daemon::handle(r, *d.ctx);
    };
    CHECK(status(login("insp", "correct+horse+battery", "wrong")) == 403);  // login CSRF
    const auto ok = login("insp", "correct+horse+battery", token);
    CHECK(status(ok) == 303);
    const std::string set = cookie_header(ok);
    CHECK(set.find("qledger_session=") != std::string::npos);
    CHECK(set.find("HttpOnly") != std::string::npos);
    CHECK(set.find("SameSite=Strict") != std::string::npos);
    const auto s = set.find("qledger_session=") + 16;
    const std::string session = set.substr(s, 64);
    auto r = DaemonFixture::request(verb::get, "/dashboard");
    r.message.set(daemon::http::field::cookie, "qledger_session=" + session);
    CHECK(status(daemon::handle(r, *d.ctx)) == 200);

    for (int i = 0; i < 3; ++i) CHECK(status(login("sup", "nope-nope-nope", token)) == 401);
    CHECK(status(login("sup", "correct+horse+battery", token)) == 429);
    CHECK(status(login("insp", "correct+horse+battery", token)) == 303);  // other account fine
    d.ctx->clock = [] { return unix_now() + 3600; };
    CHECK(status(login("sup", "correct+horse+battery", token)) == 303);  // window passed
  }

  TEST_CASE("concurrent logins cannot check more passwords than the throttle allows") {
    DaemonFixture d;  // 5 failures per account, 20 per address
    {
      // A hash slow enough that many requests arrive while the first ones are being checked.
      SQLite::Database db(d.ctx->config.users_db_path, SQLite::OPEN_READWRITE);
      SQLite::Statement q(db, "UPDATE users SET password_hash = ? WHERE username = 'sup'");
      q.bind(1, hash_password(kPassword, 20000));
      q.exec();
    }
    const std::string cookies = cookie_header(d.get("/login"));
    const auto start = cookies.find("qledger_login=") + 14;
    const std::string token = cookies.substr(start, cookies.find(';', start) - start);
    constexpr int kGuesses = 24;
    std::atomic<int> checked{0}, throttled{0}, other{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < kGuesses; ++i) {
      threads.emplace_back([&, i] {
        auto r = DaemonFixture::request(
            verb::post, "/login",
            "login_token=" + token + "&username=sup&password=wrong-guess-" + std::to_string(i));
        r.message.set(daemon::http::field::cookie, "qledger_login=" + token);
        while (!go.load()) std::this_thread::yield();
        const unsigned s = status(daemon::handle(r, *d.ctx));
        (s == 401 ? checked : s == 429 ? throttled : other)++;
      });
    }
    go.store(true);
    for (auto& t : threads) t.join();
    CHECK(checked.load() == 5);
    CHECK(throttled.load() == kGuesses - 5);
    CHECK(other.load() == 0);
    // The right password is refused too now: the account is at its limit.
    auto r = DaemonFixture::request(
        verb::post, "/login",
        "login_token=" + token + "&username=sup&password=correct+horse+battery");
    r.message.set(daemon::http::field::cookie, "qledger_login=" + token);
    CHECK(status(daemon::handle(r, *d.ctx)) == 429);
  }

  TEST_CASE("logout ends the session") {
    DaemonFixture d;
    CHECK(status(d.post_form("/logout", "", &d.inspector)) == 303);
    CHECK(status(d.get("/dashboard", &d.inspector)) == 303);
  }

  TEST_CASE("a form records an event of every shape the schema has") {
    DaemonFixture d;
    // Every kind's form renders with its labels.
    for (const auto& entry : EventSchema::builtin().kinds()) {
      const std::string& kind = entry.first;
      const KindSpec& spec = entry.second;
      if (kind.rfind("account.", 0) == 0) {  // only through account commands: no form
        CHECK(status(d.get("/record/" + kind, &d.admin)) == 403);
        continue;
      }
      const Login* who = may_record(Role::kInspector, kind)    ? &d.inspector
                         : may_record(Role::kSupervisor, kind) ? &d.supervisor
                                                               : &d.admin;
      const auto res = d.get("/record/" + kind, who);
      CHECK_MESSAGE(status(res) == 200, kind);
      CHECK(res.body().find(spec.fields.front().zh) != std::string::npos);
    }
    REQUIRE(status(d.post_json("/api/v1/events", entity_json(1), &d.inspector)) == 201);
    // Integers that are not numbers are reported against their field, nothing is appended.
    const auto res = d.post_form("/record/correction",
                                 "f.target_seq=abc&f.target_kind=entity.registered&"
                                 "f.values=%7B%22name%22%3A%22New%22%7D&f.reason=typo",
                                 &d.supervisor);
    CHECK(status(res) == 422);
    CHECK(res.body().find("class=\"field bad\"><label for=\"f.target_seq\"") != std::string::npos);
    const auto ok = d.post_form("/record/correction",
                                "f.target_seq=1&f.target_kind=entity.registered&"
                                "f.values=%7B%22name%22%3A%22New%20Name%22%7D&f.reason=typo",
                                &d.supervisor);
    CHECK(status(ok) == 303);
    CHECK(d.size() == 2);
    const auto event = Json::parse(d.get("/api/v1/events/2", &d.analyst, true).body());
    CHECK(event["payload"]["values"]["name"] == "New Name");
    CHECK(event["payload"]["target_seq"] == 1);
  }

  TEST_CASE("dashboard panels are the reports hook") {
    DaemonFixture d;
    d.ctx->dashboard_panels.push_back(
        {"pass-rates", [](daemon::Context&, const daemon::Principal&, bool en) {
           return std::string(en ? "<p>rates</p>" : "<p>合格率</p>");
         }});
    const auto res = d.get("/dashboard", &d.analyst);
    CHECK(res.body().find("<section id=\"panel-pass-rates\"><p>合格率</p></section>") !=
          std::string::npos);
  }

  TEST_CASE("admin pages manage users and tokens, audited, CSRF-checked") {
    DaemonFixture d;
    CHECK(status(d.post_form("/admin/users/add",
                             "username=wang&password=long+enough+pw&role=inspector", &d.admin,
                             "-")) == 403);
    CHECK_FALSE(d.ctx->users->find_user("wang"));
    CHECK(status(d.post_form("/admin/users/add",
                             "username=wang&password=long+enough+pw&role=inspector", &d.admin)) ==
          303);
    CHECK(d.ctx->users->find_user("wang")->role == Role::kInspector);
    const auto weak =
        d.post_form("/admin/users/add", "username=wang2&password=short&role=inspector", &d.admin);
    CHECK(status(weak) == 422);
    CHECK(weak.body().find("密码须为 10 至 1024 字节。") !=
          std::string::npos);  // the page's language
    CHECK_FALSE(d.ctx->users->find_user("wang2"));
    const auto exists = d.post_form(
        "/admin/users/add", "username=wang&password=long+enough+pw&role=inspector", &d.admin);
    CHECK(status(exists) == 422);
    CHECK(exists.body().find("该用户名已存在。") != std::string::npos);
    const auto malformed = d.post_form("/admin/users/add", "username=%zz", &d.admin);
    CHECK(status(malformed) == 400);
    CHECK(malformed.body().find("表单格式不正确。") != std::string::npos);
    CHECK(status(d.post_form("/admin/users/role", "username=wang&role=supervisor", &d.admin)) ==
          303);
    CHECK(d.ctx->users->find_user("wang")->role == Role::kSupervisor);
    CHECK(status(d.post_form("/admin/users/disable", "username=adm", &d.admin)) == 422);
    const auto created =
        d.post_form("/admin/tokens/create", "username=wang&label=%3Cb%3Enightly", &d.admin);
    CHECK(status(created) == 200);
    const auto at = created.body().find("qlt_");
    REQUIRE(at != std::string::npos);
    const std::string secret = created.body().substr(at, 68);
    CHECK(d.ctx->users->user_for_token(secret, unix_now())->username == "wang");
    CHECK(created.body().find("&lt;b&gt;nightly") != std::string::npos);
    const auto tokens = d.ctx->users->list_tokens();
    CHECK(status(d.post_form("/admin/tokens/revoke", "id=" + std::to_string(tokens.back().id),
                             &d.admin)) == 303);
    CHECK_FALSE(d.ctx->users->user_for_token(secret, unix_now()));
    // Labels are counted in characters, as the form's maxlength counts them: 100 Chinese
    // characters (300 bytes) are taken whole; 101, a control character or broken UTF-8 are
    // refused in the page's language with nothing created.
    std::string hundred;
    for (int i = 0; i < 100; ++i) hundred += "%E8%8C%B6";  // 茶
    const auto long_label =
        d.post_form("/admin/tokens/create", "username=wang&label=" + hundred, &d.admin);
    CHECK(status(long_label) == 200);
    std::string tea;
    for (int i = 0; i < 100; ++i) tea += "茶";
    CHECK(d.ctx->users->list_tokens().back().label == tea);
    const std::size_t token_count = d.ctx->users->list_tokens().size();
    for (const std::string& bad : {hundred + "%E8%8C%B6", std::string("a%09b"), std::string("%FF"),
                                   std::string(""), std::string("+++"), std::string("%E3%80%80")}) {
      const auto refused =
          d.post_form("/admin/tokens/create", "username=wang&label=" + bad, &d.admin);
      CHECK(status(refused) == 422);
      CHECK(refused.body().find("用途须为 1 至 100 个字符") != std::string::npos);
    }
    CHECK(d.ctx->users->list_tokens().size() == token_count);
    CHECK(status(d.post_form("/admin/users/disable", "username=wang", &d.admin)) == 303);
    CHECK(d.ctx->users->find_user("wang")->disabled);
    bool audited = false;
    for (const auto& c : d.ctx->users->changes())
      audited |= c.action == "user.disabled" && c.actor == "adm";
    CHECK(audited);
  }
}
