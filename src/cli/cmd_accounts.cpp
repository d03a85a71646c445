// user, token: accounts of qledgerd (kept in <db>.users.db, see docs/daemon.md). Every change is
// also an account.* event on the ledger --db, appended through the same journal as qledgerd's.
#include <chrono>
#include <cstdlib>
#include <iostream>

#include "args.hpp"
#include "commands.hpp"
#include "qledger/auth_users.hpp"
#include "qledger/domain_ledger.hpp"

namespace qledger::cli {

namespace {

std::string actor_of(const Args& args) {
  if (auto a = args.get("actor")) return *a;
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "cli";
}

// Passwords come from standard input (one line), never from the command line.
std::string read_password() {
  std::string password;
  std::getline(std::cin, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

std::string users_db(const Args& args) {
  return args.get("users-db").value_or(default_users_db_path(args.require("db")));
}

// The ledger that receives the account events, and the store journaling into it.
struct AccountsWithLedger {
  std::unique_ptr<Ledger> ledger;
  UserStore store;
  explicit AccountsWithLedger(const Args& args)
      : ledger(open_domain_ledger(args.require("db"))), store(users_db(args)) {
    store.set_account_journal(ledger_account_journal(*ledger));
  }
};

template <typename Fn>
int account_action(Fn&& fn) {
  try {
    fn();
    return 0;
  } catch (const AccountError& e) {
    std::cerr << "refused [" << e.code() << "]: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int run_user(const Words& words) {
  const Args args(words, {"db", "users-db", "role", "actor"}, {});
  if (args.positional().size() != 2 &&
      !(args.positional().size() == 1 && args.positional()[0] == "list")) {
    throw UsageError("give a sub-command and a user name");
  }
  const std::string sub = args.positional()[0];
  if (sub == "list") {
    UserStore store(users_db(args));
    for (const auto& u : store.list_users()) {
      std::cout << u.username << "  " << role_name(u.role) << (u.disabled ? "  (disabled)" : "")
                << "\n";
    }
    return 0;
  }
  const std::string name = args.positional()[1];
  const std::string actor = actor_of(args);
  AccountsWithLedger accounts(args);
  UserStore& store = accounts.store;
  auto role = [&] {
    const auto r = parse_role(args.require("role"));
    if (!r) throw UsageError("--role must be inspector, supervisor, analyst or admin");
    return *r;
  };
  if (sub == "add") {
    const Role r = role();
    return account_action([&] { store.add_user(name, read_password(), r, actor); });
  }
  if (sub == "passwd") {
    return account_action([&] { store.set_password(name, read_password(), actor); });
  }
  if (sub == "role") {
    const Role r = role();
    return account_action([&] { store.set_role(name, r, actor); });
  }
  if (sub == "disable" || sub == "enable") {
    return account_action([&] { store.set_disabled(name, sub == "disable", actor); });
  }
  throw UsageError("unknown user sub-command '" + sub + "'");
}

int run_token(const Words& words) {
  const Args args(words, {"db", "users-db", "user", "label", "expires-days", "actor"}, {});
  if (args.positional().empty()) throw UsageError("give a sub-command: create, revoke or list");
  const std::string sub = args.positional()[0];
  if (sub == "list") {
    UserStore store(users_db(args));
    for (const auto& t : store.list_tokens()) {
      std::cout << t.id << "  " << t.username << "  " << t.label << (t.revoked ? "  (revoked)" : "")
                << "\n";
    }
    return 0;
  }
  AccountsWithLedger accounts(args);
  UserStore& store = accounts.store;
  if (sub == "create") {
    std::optional<std::int64_t> expires;
    if (const auto days = args.get_uint("expires-days", 1)) {
      const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
      expires = now + static_cast<std::int64_t>(*days) * 86400;
    }
    return account_action([&] {
      const NewToken token =
          store.create_token(args.require("user"), args.require("label"), expires, actor_of(args));
      std::cout << "token id " << token.id << " (the secret is shown once; store it now):\n"
                << token.secret << "\n";
    });
  }
  if (sub == "revoke") {
    if (args.positional().size() != 2) throw UsageError("give the token id to revoke");
    const std::int64_t id = std::atoll(args.positional()[1].c_str());
    return account_action([&] { store.revoke_token(id, actor_of(args)); });
  }
  throw UsageError("unknown token sub-command '" + sub + "'");
}

}  // namespace qledger::cli
