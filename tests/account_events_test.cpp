// Account changes are ledger events: the `qledger user|token` commands and qledgerd's admin pages
// append account.* events (username, role, token id — never secrets) through the ordinary append
// path; the users file is committed only after the event is durable; the generic append API
// refuses these kinds, and they can be neither corrected nor voided.
#include <doctest/doctest.h>

#include <SQLiteCpp/Statement.h>

#include "daemon_fixture.hpp"
#include "qledger/auth_account_events.hpp"
#include "qledger/hash.hpp"
#include "qledger/leaf.hpp"
#include "qledger/verifier.hpp"

using namespace qledger;
using namespace qledger::test;

namespace {

const std::string kCli = QLEDGER_CLI_PATH;

struct LedgerEvent {
  std::string kind, actor, raw;
  Json payload;
};

// Every event of the ledger file, decoded from the exact hashed leaf bytes.
std::vector<LedgerEvent> events_of(const std::string& db) {
  Ledger ledger(db);
  std::vector<LedgerEvent> out;
  for (std::uint64_t seq = 1; seq <= ledger.head().size; ++seq) {
    const auto stored = ledger.event(seq);
    REQUIRE(stored);
    LeafError error;
    const auto leaf = decode_leaf(stored->leaf, error);
    REQUIRE(leaf);
    out.push_back({leaf->kind, leaf->actor, stored->leaf, leaf->payload});
  }
  return out;
}

CommandResult cli(const std::string& args, const std::string& stdin_text = "") {
  const std::string input =
      stdin_text.empty() ? "" : "printf '%s\\n' " + shell_quote(stdin_text) + " | ";
  return run_command(input + shell_quote(kCli) + " " + args);
}

}  // namespace

TEST_SUITE("accounts") {
  TEST_CASE("CLI account commands append account events with the actor and no secrets") {
    TempDir dir;
    const std::string db = dir.file("bureau.db");
    init_ledger(db, default_key_path(db), "qledger.test/accounts");
    const std::string q = " --db " + shell_quote(db) + " --actor admin1";
    const std::string password = "a very long first password";
    const std::string password2 = "another long password 2";

    REQUIRE(cli("user add wang --role inspector" + q, password).exit_code == 0);
    REQUIRE(cli("user role wang --role supervisor" + q).exit_code == 0);
    REQUIRE(cli("user passwd wang" + q, password2).exit_code == 0);
    REQUIRE(cli("user disable wang" + q).exit_code == 0);
    REQUIRE(cli("user enable wang" + q).exit_code == 0);
    const CommandResult created = cli("token create --user wang --label nightly-export" + q);
    REQUIRE(created.exit_code == 0);
    const auto at = created.output.find("qlt_");
    REQUIRE(at != std::string::npos);
    const std::string secret = created.output.substr(at, 68);
    REQUIRE(cli("token revoke 1" + q).exit_code == 0);
    // Refused changes write nothing anywhere.
    CHECK(cli("user add wang --role analyst" + q, password).exit_code == 1);
    CHECK(cli("user disable nobody" + q).exit_code == 1);
    // The generic append and import refuse account kinds.
    const CommandResult forged =
        cli("append --db " + shell_quote(db) + " --kind account.user_added --actor mallory",
            R"({"username":"mallory","role":"admin"})");
    CHECK(forged.exit_code == 1);
    CHECK(forged.output.find("account_kind") != std::string::npos);
    test::write_text(dir.file("users.csv"), "username,role\nmallory,admin\n");
    const CommandResult imported =
        cli("import --db " + shell_quote(db) + " --kind account.user_added " +
            shell_quote(dir.file("users.csv")) + " 2>&1");
    CHECK(imported.exit_code != 0);
    CHECK(imported.output.find("come only from") != std::string::npos);

    const auto events = events_of(db);
    REQUIRE(events.size() == 7);
    const std::vector<std::string> kinds = {"account.user_added",       "account.role_changed",
                                            "account.password_changed", "account.user_disabled",
                                            "account.user_enabled",     "account.token_created",
                                            "account.token_revoked"};
    for (std::size_t i = 0; i < events.size(); ++i) {
      INFO(i);
      CHECK(events[i].kind == kinds[i]);
      CHECK(events[i].actor == "admin1");
      CHECK(events[i].payload["username"] == "wang");
    }
    CHECK(events[0].payload == Json{{"username", "wang"}, {"role", "inspector"}});
    CHECK(events[1].payload ==
          Json{{"username", "wang"}, {"role", "supervisor"}, {"previous_role", "inspector"}});
    CHECK(events[2].payload == Json{{"username", "wang"}});
    CHECK(events[5].payload ==
          Json{{"username", "wang"}, {"token_id", 1}, {"label", "nightly-export"}});
    CHECK(events[6].payload == Json{{"username", "wang"}, {"token_id", 1}});

    // No secret, password hash or digest in any leaf: compare with what the users file holds.
    UserStore store(default_users_db_path(db), 1000);
    std::vector<std::string> forbidden = {
        password, password2, secret, secret_digest(secret), to_hex(sha256(secret)), "pbkdf2"};
    {
      SQLite::Database raw(default_users_db_path(db));
      SQLite::Statement hashes(raw,
                               "SELECT password_hash FROM users UNION ALL "
                               "SELECT digest FROM api_tokens");
      while (hashes.executeStep()) forbidden.push_back(hashes.getColumn(0).getString());
    }
    CHECK(forbidden.size() == 8);
    for (const auto& e : events) {
      for (const auto& f : forbidden) {
        INFO(e.kind << " must not contain " << f);
        CHECK(e.raw.find(f) == std::string::npos);
      }
    }
    // The users file says what the ledger says.
    const auto wang = store.find_user("wang");
    REQUIRE(wang);
    CHECK(wang->role == Role::kSupervisor);
    CHECK_FALSE(wang->disabled);
    CHECK(store.authenticate("wang", password2));
    CHECK(store.list_tokens().at(0).revoked);

    const VerifyReport report = verify_ledger(db, {});
    CHECK(report.intact());
    CHECK(report.events_checked == 7);
  }

  TEST_CASE("the users file is committed only after the ledger event") {
    TempDir dir;
    const std::string db = dir.file("bureau.db");
    init_ledger(db, default_key_path(db), "qledger.test/accounts");
    auto ledger = open_domain_ledger(db);
    UserStore store(dir.file("users.db"), 1000);
    store.set_account_journal(ledger_account_journal(*ledger));
    store.add_user("li", "a long enough password", Role::kAnalyst, "root");
    CHECK(ledger->head().size == 1);

    // The event was durable, then the process "died" before the users file committed: the ledger
    // names a change that did not take effect — never the reverse.
    bool fail_after_append = true;
    store.set_account_journal([&](const AccountEvent& e) {
      ledger_account_journal (*ledger)(e);
      if (fail_after_append) throw std::runtime_error("simulated crash");
    });
    CHECK_THROWS_AS(store.set_role("li", Role::kAdmin, "root"), std::runtime_error);
    CHECK(ledger->head().size == 2);
    CHECK(store.find_user("li")->role == Role::kAnalyst);
    CHECK(store.changes().size() == 1);

    // The ledger unavailable: no change at all.
    store.set_account_journal(
        [](const AccountEvent&) { throw std::runtime_error("ledger unavailable"); });
    CHECK_THROWS_AS(store.add_user("zhao", "a long enough password", Role::kAnalyst, "root"),
                    std::runtime_error);
    CHECK_FALSE(store.find_user("zhao"));
    CHECK_THROWS_AS(store.create_token("li", "x", std::nullopt, "root"), std::runtime_error);
    CHECK(store.list_tokens().empty());
    CHECK(ledger->head().size == 2);
    fail_after_append = false;
  }

  TEST_CASE("admin pages record account events; the generic append refuses account kinds") {
    DaemonFixture d;  // its own users were made before any journal: the ledger starts empty
    d.ctx->users->set_account_journal(ledger_account_journal(*d.ctx->ledger));
    REQUIRE(d.size() == 0);
    auto res = d.post_form("/admin/users/add",
                           "username=chen&password=a+long+password+x&role=analyst", &d.admin);
    CHECK(res.result_int() == 303);
    res = d.post_form("/admin/users/role", "username=chen&role=inspector", &d.admin);
    CHECK(res.result_int() == 303);
    res = d.post_form("/admin/tokens/create", "username=chen&label=scanner", &d.admin);
    CHECK(res.result_int() == 200);
    REQUIRE(d.size() == 3);
    const auto first = d.ctx->ledger->event(1);
    CHECK(first->kind == "account.user_added");
    CHECK(first->actor == "adm");
    CHECK(d.ctx->ledger->event(2)->kind == "account.role_changed");
    CHECK(d.ctx->ledger->event(3)->kind == "account.token_created");
    CHECK(first->leaf.find("a long password x") == std::string::npos);

    // Not through the generic API or forms, whatever the role.
    const std::string forged = Json{{"kind", "account.user_added"},
                                    {"payload", {{"username", "mallory"}, {"role", "admin"}}}}
                                   .dump();
    for (const Login* who : {&d.inspector, &d.supervisor, &d.analyst, &d.admin}) {
      CHECK(d.post_json("/api/v1/events", forged, who).result_int() == 403);
      CHECK(d.post_form("/record/account.user_added", "f.username=mallory&f.role=admin", who)
                .result_int() == 403);
    }
    // Account events can be neither voided nor corrected.
    const std::string void_it =
        Json{{"kind", "void"},
             {"payload",
              {{"target_seq", 1}, {"target_kind", "account.user_added"}, {"reason", "oops"}}}}
            .dump();
    res = d.post_json("/api/v1/events", void_it, &d.supervisor);
    CHECK(res.result_int() == 422);
    CHECK(res.body().find("not_amendable") != std::string::npos);
    CHECK(d.size() == 3);
    CHECK(verify_ledger(d.db, {}).intact());
  }
}
