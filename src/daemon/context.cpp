#include "context.hpp"

#include "qledger/ledger_setup.hpp"

namespace qledger::daemon {

Context::Context(Config config_in)
    : config(std::move(config_in)),
      throttle(config.login_failures_per_account, config.login_failures_per_address,
               config.login_window_seconds) {
  ledger = open_domain_ledger(config.db_path, [this] { return today(); });
  users = std::make_unique<UserStore>(config.users_db_path, config.pbkdf2_iterations);
  users->set_account_journal(ledger_account_journal(*ledger));  // account changes: ledger events
  load_signing_key();
}

Context::Context(Config config_in, std::unique_ptr<Ledger> ledger_in,
                 std::unique_ptr<UserStore> users_in)
    : config(std::move(config_in)),
      ledger(std::move(ledger_in)),
      users(std::move(users_in)),
      throttle(config.login_failures_per_account, config.login_failures_per_address,
               config.login_window_seconds) {
  load_signing_key();
}

Context::~Context() {
  users.reset();
  ledger.reset();  // drains: every acknowledged append is committed before this returns
}

void Context::load_signing_key() {
  if (config.key_path.empty()) {
    signing_key_problem = "no signing key configured";
    return;
  }
  try {
    signing_key = load_ledger_key(ledger->info(), config.key_path);
    signing_key_problem.clear();
  } catch (const std::exception& e) {
    signing_key.reset();
    signing_key_problem = e.what();
  }
}

}  // namespace qledger::daemon
