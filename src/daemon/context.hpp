// Everything a request handler may use: the settings, the ledger (appends go through the domain
// validator), the accounts store, the signing key, the counters and the clocks. Owned by main (or
// a test); handlers get it by reference. Thread-safe parts only.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config.hpp"
#include "login_throttle.hpp"
#include "metrics.hpp"
#include "qledger/auth_users.hpp"
#include "qledger/domain_ledger.hpp"
#include "qledger/signing_key.hpp"

namespace qledger::daemon {

struct Context;

// Who is making a request.
struct Principal {
  User user;
  bool via_session = false;  // browser session (CSRF applies) rather than a bearer token
  std::string session_id;    // when via_session
  std::string csrf;          // the session's CSRF token
};

// Hook for the reports engineer: a panel on the dashboard (HTML fragment; escape every value
// with escape_html). `en` selects English. Panels run in order after the built-in counts.
struct DashboardPanel {
  std::string id;
  std::function<std::string(Context& ctx, const Principal& who, bool en)> render;
};

struct Context {
  // Opens the ledger through open_domain_ledger, the accounts store and (if readable) the key.
  explicit Context(Config config_in);
  // For tests: takes an already opened ledger and store (with whatever account journal the test
  // set on it; the constructor above always journals account changes to the ledger).
  Context(Config config_in, std::unique_ptr<Ledger> ledger_in, std::unique_ptr<UserStore> users_in);
  ~Context();

  Config config;
  std::unique_ptr<Ledger> ledger;  // destroyed last of the storage: its destructor drains appends
  std::unique_ptr<UserStore> users;
  std::optional<SigningKey> signing_key;  // absent: checkpoints are unavailable (reason below)
  std::string signing_key_problem;
  Metrics metrics;
  LoginThrottle throttle;
  std::function<std::int64_t()> clock = unix_now;  // Unix seconds
  std::function<CivilDate()> today = shanghai_today;
  std::vector<DashboardPanel> dashboard_panels;

  void load_signing_key();
};

}  // namespace qledger::daemon
