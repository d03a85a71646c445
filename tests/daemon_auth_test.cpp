// Accounts, passwords, tokens, sessions, escaping and the small parsers under qledgerd.
#include <doctest/doctest.h>

#include <SQLiteCpp/Statement.h>
#include <sys/stat.h>

#include <filesystem>

#include "access_log.hpp"
#include "config.hpp"
#include "http_message.hpp"
#include "login_throttle.hpp"
#include "qledger/auth_password.hpp"
#include "qledger/auth_permissions.hpp"
#include "qledger/auth_users.hpp"
#include "qledger/html_escape.hpp"
#include "qledger/ledger.hpp"
#include "qledger/ledger_setup.hpp"
#include "qledger/private_file.hpp"
#include "test_support.hpp"

using namespace qledger;
using qledger::test::TempDir;

TEST_SUITE("daemon") {
  TEST_CASE("passwords: PBKDF2-SHA256 with salt, configurable cost, constant-time check") {
    const std::string a = hash_password("correct horse battery", 1000);
    const std::string b = hash_password("correct horse battery", 1000);
    CHECK(a != b);  // salted
    CHECK(a.rfind("pbkdf2-sha256$1000$", 0) == 0);
    CHECK(verify_password("correct horse battery", a));
    CHECK_FALSE(verify_password("correct horse batterY", a));
    CHECK_FALSE(verify_password("x", "pbkdf2-sha256$0$AAAA$AAAA"));
    CHECK_FALSE(verify_password("x", "md5$abc"));
    CHECK_FALSE(verify_password("x", ""));
    CHECK_THROWS_AS(hash_password("x", 0), std::invalid_argument);
    CHECK(kDefaultPbkdf2Iterations >= 600000);
    CHECK(constant_time_equal("abc", "abc"));
    CHECK_FALSE(constant_time_equal("abc", "abd"));
    CHECK_FALSE(constant_time_equal("abc", "ab"));
    CHECK(random_hex(32).size() == 64);
    CHECK(random_hex(32) != random_hex(32));
  }

  TEST_CASE("users: add, authenticate, passwd, role change, disable — all audited") {
    TempDir dir;
    UserStore store(dir.file("users.db"), 1000);
    const User u = store.add_user("li.ming", "a long password", Role::kInspector, "admin1");
    CHECK(u.role == Role::kInspector);
    CHECK_THROWS_AS(store.add_user("li.ming", "a long password", Role::kAdmin, "admin1"),
                    AccountError);
    CHECK_THROWS_AS(store.add_user("Li Ming", "a long password", Role::kAdmin, "admin1"),
                    AccountError);
    CHECK_THROWS_AS(store.add_user("wang", "short", Role::kAdmin, "admin1"), AccountError);
    CHECK(store.authenticate("li.ming", "a long password"));
    CHECK_FALSE(store.authenticate("li.ming", "wrong password"));
    CHECK_FALSE(store.authenticate("nobody", "a long password"));
    store.set_password("li.ming", "another long one", "admin1");
    CHECK_FALSE(store.authenticate("li.ming", "a long password"));
    CHECK(store.authenticate("li.ming", "another long one"));
    store.set_role("li.ming", Role::kSupervisor, "admin1");
    CHECK(store.find_user("li.ming")->role == Role::kSupervisor);
    store.set_disabled("li.ming", true, "admin1");
    CHECK_FALSE(store.authenticate("li.ming", "another long one"));
    const auto changes = store.changes();
    REQUIRE(changes.size() == 4);
    CHECK(changes[0].action == "user.added");
    CHECK(changes[2].action == "user.role_changed");
    CHECK(changes[3].action == "user.disabled");
    CHECK(changes[3].actor == "admin1");
    // No password material in the audit trail.
    for (const auto& c : changes) CHECK(c.detail.find("long") == std::string::npos);
  }

  TEST_CASE("sessions expire and end; tokens are stored hashed and can be revoked") {
    TempDir dir;
    UserStore store(dir.file("users.db"), 1000);
    const User u = store.add_user("zhang", "a long password", Role::kAnalyst, "root");
    const NewSession s = store.create_session(u.id, 60, 1000);
    CHECK(s.id.size() == 64);
    CHECK(store.find_session(s.id, 1059, 3600));
    CHECK_FALSE(store.find_session(s.id, 1060, 3600));
    CHECK_FALSE(store.find_session(std::string(64, '0'), 1000, 3600));
    const NewSession s2 = store.create_session(u.id, 60, 2000);
    CHECK(store.find_session(s2.id, 2001, 3600)->csrf == s2.csrf);
    store.end_session(s2.id);
    CHECK_FALSE(store.find_session(s2.id, 2001, 3600));

    const NewToken t = store.create_token("zhang", "nightly export", std::nullopt, "root");
    CHECK(t.secret.rfind("qlt_", 0) == 0);
    CHECK(store.user_for_token(t.secret, unix_now())->username == "zhang");
    CHECK_FALSE(store.user_for_token(t.secret + "0", unix_now()));
    {
      SQLite::Database raw(dir.file("users.db"));
      SQLite::Statement q(raw, "SELECT count(*) FROM api_tokens WHERE digest = ?");
      q.bind(1, t.secret);
      q.executeStep();
      CHECK(q.getColumn(0).getInt() == 0);  // never stored in the clear
    }
    store.revoke_token(t.id, "root");
    CHECK_FALSE(store.user_for_token(t.secret, unix_now()));
    CHECK_THROWS_AS(store.revoke_token(999, "root"), AccountError);
    const NewToken expiring = store.create_token("zhang", "short", 5000, "root");
    CHECK(store.user_for_token(expiring.secret, 4999));
    CHECK_FALSE(store.user_for_token(expiring.secret, 5000));
    CHECK(store.list_tokens().size() == 2);
  }

  TEST_CASE("a token or session ended by another process is refused at the next request") {
    // The daemon keeps its lookups prepared; `qledger users` changes the file from another
    // process. A prepared statement must still see every committed change.
    TempDir dir;
    UserStore daemon_store(dir.file("users.db"), 1000);
    UserStore cli_store(dir.file("users.db"), 1000);
    cli_store.add_user("li", "a long password", Role::kInspector, "root");
    cli_store.add_user("wang", "a long password", Role::kInspector, "root");
    const NewToken t = cli_store.create_token("li", "script", std::nullopt, "root");
    const NewToken t2 = cli_store.create_token("wang", "script", std::nullopt, "root");
    const NewSession s = cli_store.create_session(cli_store.find_user("wang")->id, 3600, 1000);
    for (int round = 0; round < 2; ++round) {  // the second round runs the cached statements
      CHECK(daemon_store.user_for_token(t.secret, unix_now())->username == "li");
      CHECK(daemon_store.user_for_token(t2.secret, unix_now())->username == "wang");
      CHECK(daemon_store.find_session(s.id, 1001, 3600)->user.username == "wang");
    }
    cli_store.revoke_token(t.id, "root");
    CHECK_FALSE(daemon_store.user_for_token(t.secret, unix_now()));
    cli_store.set_disabled("wang", true, "root");
    CHECK_FALSE(daemon_store.user_for_token(t2.secret, unix_now()));
    CHECK_FALSE(daemon_store.find_session(s.id, 1002, 3600));
  }

  TEST_CASE("the accounts file and the ledger are created readable by their owner only") {
    TempDir dir;
    const mode_t old_umask = ::umask(022);  // the usual default, which would give 0644
    const auto mode = [](const std::string& path) {
      struct stat st {};
      REQUIRE(::stat(path.c_str(), &st) == 0);
      return st.st_mode & 0777;
    };
    {
      UserStore store(dir.file("users.db"), 1000);
      store.add_user("wang", "a-long-enough-password", Role::kInspector, "test");
      CHECK(mode(dir.file("users.db")) == 0600);
      CHECK(mode(dir.file("users.db-wal")) == 0600);
      CHECK(mode(dir.file("users.db-shm")) == 0600);
    }
    const std::string ledger = dir.file("ledger.db");
    init_ledger(ledger, default_key_path(ledger), "qledger.test/modes");
    {
      Ledger open(ledger);
      open.append({"test.event", "x", Json{{"i", 1}}});
      CHECK(mode(ledger) == 0600);
      CHECK(mode(ledger + "-wal") == 0600);
    }
    CHECK(mode(default_key_path(ledger)) == 0600);
    // A symbolic link to a file not made yet: the file it names is created, also 0600.
    std::filesystem::create_symlink("volume-users.db", dir.file("linked.db"));
    { UserStore linked(dir.file("linked.db"), 1000); }
    CHECK(mode(dir.file("volume-users.db")) == 0600);
    // A umask taking the owner's own bits away changes nothing.
    ::umask(0277);
    { UserStore strict(dir.file("strict.db"), 1000); }
    CHECK(mode(dir.file("strict.db")) == 0600);
    ::umask(022);
    // A ledger that could not be made leaves no file behind (a directory where its WAL must go
    // makes the first write fail): a retry is not told "file already exists".
    const std::string failed = dir.file("failed.db");
    std::filesystem::create_directory(failed + "-wal");
    CHECK_THROWS(init_ledger(failed, default_key_path(failed), "qledger.test/modes"));
    CHECK_FALSE(std::filesystem::exists(failed));
    // Removing a created file removes only that very file: one put in its place stays.
    {
      auto made = create_private_file(dir.file("p.db"));
      REQUIRE(made);
      CHECK_FALSE(create_private_file(dir.file("p.db")));  // something is there now
      test::write_text(dir.file("other.db"), "someone else's file");
      std::filesystem::rename(dir.file("other.db"), dir.file("p.db"));  // put in its place
      made->remove();
      CHECK(std::filesystem::exists(dir.file("p.db")));
      auto mine = create_private_file(dir.file("q.db"));
      REQUIRE(mine);
      mine->remove();
      CHECK_FALSE(std::filesystem::exists(dir.file("q.db")));
      // A symbolic link at the end is not followed by the creation itself.
      std::filesystem::create_symlink("nowhere.db", dir.file("dangling.db"));
      CHECK_FALSE(create_private_file(dir.file("dangling.db")));
      CHECK_FALSE(std::filesystem::exists(dir.file("nowhere.db")));
    }
    // An existing file keeps its mode (the owner may have widened it on purpose).
    ::chmod(dir.file("users.db").c_str(), 0640);
    { UserStore again(dir.file("users.db"), 1000); }
    CHECK(mode(dir.file("users.db")) == 0640);
    ::umask(old_umask);
  }

  TEST_CASE("sessions: sliding idle timeout and absolute lifetime") {
    TempDir dir;
    UserStore store(dir.file("users.db"), 1000);
    const User u = store.add_user("zhou", "a long password", Role::kInspector, "root");
    constexpr std::int64_t kIdle = 1800, kLife = 12 * 3600, t0 = 1'000'000;
    // Used every 25 minutes: each use moves the idle deadline, until the absolute end.
    const NewSession busy = store.create_session(u.id, kLife, t0);
    std::int64_t t = t0;
    while (t + 1500 < t0 + kLife) {
      t += 1500;
      INFO("t - t0 = " << t - t0);
      REQUIRE(store.find_session(busy.id, t, kIdle));
    }
    CHECK(t > t0 + kIdle * 20);  // far beyond one idle period without a new login
    CHECK_FALSE(store.find_session(busy.id, t0 + kLife, kIdle));
    // Deleted once expired: even a (bogus) earlier clock does not revive it.
    CHECK_FALSE(store.find_session(busy.id, t0 + 1, kIdle));

    // Unused for the idle period: gone, though far from the absolute end.
    const NewSession idle = store.create_session(u.id, kLife, t0);
    CHECK(store.find_session(idle.id, t0 + kIdle - 1, kIdle));
    CHECK_FALSE(store.find_session(idle.id, t0 + kIdle - 1 + kIdle, kIdle));
    CHECK_FALSE(store.find_session(idle.id, t0 + kIdle, kIdle));

    // Uses closer together than kSessionTouchSeconds are not written back (reads stay cheap);
    // the deadline then counts from the last recorded use.
    const NewSession quick = store.create_session(u.id, kLife, t0);
    CHECK(store.find_session(quick.id, t0 + kSessionTouchSeconds - 1, kIdle));
    CHECK_FALSE(store.find_session(quick.id, t0 + kIdle, kIdle));
  }

  TEST_CASE("sessions: a users file from before idle expiry is upgraded") {
    TempDir dir;
    const std::string path = dir.file("old.users.db");
    {
      SQLite::Database old(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
      old.exec(
          "CREATE TABLE sessions (digest TEXT PRIMARY KEY, user_id INTEGER NOT NULL, csrf TEXT NOT "
          "NULL, expires_at INTEGER NOT NULL) WITHOUT ROWID");
    }
    UserStore store(path, 1000);
    const User u = store.add_user("wu", "a long password", Role::kAnalyst, "root");
    const NewSession s = store.create_session(u.id, 3600, 5000);
    CHECK(store.find_session(s.id, 5100, 1800));
  }

  TEST_CASE("role permissions") {
    CHECK(may_record(Role::kInspector, "inspection.recorded"));
    CHECK(may_record(Role::kInspector, "complaint.received"));
    CHECK_FALSE(may_record(Role::kInspector, "correction"));
    CHECK_FALSE(may_record(Role::kInspector, "calendar.year_loaded"));
    CHECK(may_record(Role::kSupervisor, "void"));
    CHECK_FALSE(may_record(Role::kSupervisor, "inspection.recorded"));
    CHECK_FALSE(may_record(Role::kAnalyst, "inspection.recorded"));
    CHECK(may_record(Role::kAdmin, "calendar.year_loaded"));
    CHECK(may_record(Role::kAdmin, "equipment.registered"));
    CHECK_FALSE(may_record(Role::kAdmin, "inspection.recorded"));
    CHECK(may_verify(Role::kSupervisor));
    CHECK_FALSE(may_verify(Role::kAdmin));
    CHECK(may_manage_accounts(Role::kAdmin));
    // Account events only through the account commands, for every role.
    for (Role r : {Role::kInspector, Role::kSupervisor, Role::kAnalyst, Role::kAdmin}) {
      CHECK_FALSE(may_record(r, "account.user_added"));
      CHECK_FALSE(may_record(r, "account.role_changed"));
    }
    CHECK(parse_role("analyst") == Role::kAnalyst);
    CHECK_FALSE(parse_role("root"));
  }

  TEST_CASE("escape_html neutralises markup, quotes and broken UTF-8") {
    using qledger::escape_html;
    CHECK(escape_html("<a href=\"x\" onclick='y'>&</a>") ==
          "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
    CHECK(escape_html("霍山县\n") == "霍山县\n");
    CHECK(escape_html("a\xff"
                      "b") ==
          "a\xEF\xBF\xBD"
          "b");
    CHECK(escape_html("\xE9\x9C") == "\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK(escape_html("x\x01y\x7f") == "xy");
    CHECK(escape_html("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  }

  TEST_CASE("urlencoded forms, cookies and numbers") {
    using namespace daemon;
    const auto form = parse_urlencoded("a=1&b=x+y%2Bz&a=2&empty=&c");
    REQUIRE(form);
    CHECK(form->at("a") == "1");
    CHECK(form->at("b") == "x y+z");
    CHECK(form->at("empty").empty());
    CHECK(form->at("c").empty());
    CHECK_FALSE(parse_urlencoded("a=%zz"));
    CHECK_FALSE(parse_urlencoded("a=%4"));
    CHECK(percent_encode("a b/é") == "a%20b%2F%C3%A9");
    const auto cookies = parse_cookies("qledger_session=abc; qledger_lang=en;x");
    CHECK(cookies.at("qledger_session") == "abc");
    CHECK(cookies.at("qledger_lang") == "en");
    CHECK(parse_uint("42") == 42u);
    CHECK_FALSE(parse_uint("-1"));
    CHECK_FALSE(parse_uint("1e3"));
    CHECK_FALSE(parse_uint(" 1"));
    CHECK_FALSE(parse_uint("99999999999999999999"));
  }

  TEST_CASE("login throttle per account and per address, counted when an attempt begins") {
    daemon::LoginThrottle t(3, 5, 60);
    // Three attempts on "a" begin (none has failed yet): a fourth is refused at once.
    for (int i = 0; i < 3; ++i) CHECK(t.begin_attempt("a", "10.0.0.1", 100));
    CHECK_FALSE(t.begin_attempt("a", "10.0.0.2", 100));
    // The address has 3; two more on other accounts reach its limit of 5.
    CHECK(t.begin_attempt("b", "10.0.0.1", 100));
    CHECK(t.begin_attempt("c", "10.0.0.1", 100));
    CHECK_FALSE(t.begin_attempt("d", "10.0.0.1", 100));
    // A success clears its account and gives the address its attempt back.
    t.succeeded("c", "10.0.0.1", 100);
    CHECK(t.begin_attempt("d", "10.0.0.1", 100));
    CHECK_FALSE(t.begin_attempt("e", "10.0.0.1", 100));
    CHECK(t.begin_attempt("c", "10.0.0.3", 100));
    // The refused attempt on "a" from 10.0.0.2 reserved nothing there.
    CHECK(t.begin_attempt("f", "10.0.0.2", 100));
    CHECK(t.begin_attempt("a", "10.0.0.9", 161));  // the window has passed
  }

  TEST_CASE("access log lines hold the path only: no query, no credentials in the target") {
    using daemon::AccessLog;
    const auto line = [](const std::string& target) {
      return Json::parse(AccessLog::format({"GET", target, 200, 12, 1.5, 7}));
    };
    const Json plain = line("/events?uscc=91341525MA0000001X&name=%E7%8E%8B");
    CHECK(plain["path"] == "/events");
    CHECK(plain["method"] == "GET");
    CHECK(plain["status"] == 200);
    CHECK(plain["user"] == 7);
    CHECK(line("/" + std::string(300, 'a'))["path"].get<std::string>().size() == 200);
    // Absolute form (a misbehaving client or proxy) may carry user:password: not logged.
    for (const std::string target :
         {"http://admin:S3cretPass@127.0.0.1/healthz", "127.0.0.1:8080", "*", ""}) {
      const std::string text = AccessLog::format({"GET", target, 400, 0, 0.1, 0});
      CHECK(Json::parse(text)["path"] == "-");
      CHECK(text.find("S3cret") == std::string::npos);
      CHECK_FALSE(Json::parse(text).contains("user"));
    }
  }

  TEST_CASE("config: listening beyond loopback without TLS is warned about") {
    daemon::Config c;
    CHECK(daemon::plain_http_warning(c).empty());  // the default, 127.0.0.1
    c.listen_address = "::1";
    CHECK(daemon::plain_http_warning(c).empty());
    c.listen_address = "0.0.0.0";
    CHECK(daemon::plain_http_warning(c).find("without TLS") != std::string::npos);
    c.listen_address = "192.168.1.20";
    CHECK_FALSE(daemon::plain_http_warning(c).empty());
    c.tls_cert_file = "cert.pem";
    CHECK(daemon::plain_http_warning(c).empty());
  }

  TEST_CASE("config: defaults, file and flags") {
    using namespace daemon;
    TempDir dir;
    const std::string file = dir.file("qledgerd.json");
    test::write_text(file, R"({"listen":"0.0.0.0:9000","pbkdf2_iterations":700000,
                               "max_body_bytes":65536,"request_timeout_seconds":5})");
    Config c = load_config({"--db", "x.db"});
    CHECK(c.listen_address == "127.0.0.1");
    CHECK(c.port == 8080);
    CHECK(c.key_path == "x.db.key");
    CHECK(c.users_db_path == "x.db.users.db");
    CHECK(c.pbkdf2_iterations == 600000);
    c = load_config({"--listen", "127.0.0.1:8081", "--config", file, "--db", "x.db"});
    CHECK(c.port == 8081);  // the flag wins over the file
    CHECK(c.pbkdf2_iterations == 700000);
    CHECK(c.max_body_bytes == 65536);
    CHECK(c.request_timeout_seconds == 5);
    CHECK_THROWS_AS(load_config({}), ConfigError);
    CHECK_THROWS_AS(load_config({"--db", "x", "--bogus", "1"}), ConfigError);
    CHECK_THROWS_AS(load_config({"--db", "x", "--listen", "nope"}), ConfigError);
    CHECK_THROWS_AS(apply_config_json(c, R"({"threads":"two"})"), ConfigError);
    CHECK(c.handler_threads == 64);
    apply_config_json(c, R"({"handler_threads":40})");
    CHECK(c.handler_threads == 40);
    CHECK_THROWS_AS(apply_config_json(c, R"({"handler_threads":0})"), ConfigError);
    CHECK_THROWS_AS(apply_config_json(c, R"({"unknown":1})"), ConfigError);
    CHECK(c.session_idle_seconds == 1800);
    CHECK(c.session_ttl_seconds == 12 * 3600);
    CHECK(c.tls_cert_file.empty());
    apply_config_json(c, R"({"session_idle_seconds":600,"tls_cert":"c.pem","tls_key":"k.pem"})");
    CHECK(c.session_idle_seconds == 600);
    CHECK(c.tls_cert_file == "c.pem");
    c = load_config({"--db", "x", "--tls-cert", "c.pem", "--tls-key", "k.pem"});
    CHECK(c.tls_key_file == "k.pem");
    CHECK_THROWS_AS(load_config({"--db", "x", "--tls-cert", "c.pem"}), ConfigError);
    CHECK_NOTHROW(apply_config_json(c, R"({"$comment":"notes"})"));
    // The packaged settings load as they are.
    Config packaged =
        load_config({"--config", std::string(QLEDGER_TEST_DATA) + "/../../packaging/qledgerd.json",
                     "--db", "x"});
    CHECK(packaged.session_idle_seconds == 1800);
    CHECK(packaged.secure_cookies);
    parse_listen(c, "[::1]:8443");
    CHECK(c.listen_address == "::1");
    CHECK(c.port == 8443);
  }
}
