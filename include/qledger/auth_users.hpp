// qledgerd's accounts: users with one role each, API tokens, browser sessions and idempotency
// keys, kept in their own SQLite file (by default "<ledger>.users.db", next to the ledger) so that
// the ledger file, which supervisors copy and verify, never holds credentials.
//
// Roles (docs/daemon.md §"Roles"): inspector records events, supervisor verifies, signs and
// corrects/voids, analyst reads and reports, admin manages users, registries and the calendar.
// Every change of an account is an account.* event on the ledger (auth_account_events.hpp) when a
// journal is set — qledgerd and the `qledger user|token` commands always set one — and is also
// written to the append-only table account_changes of this file.
//
// Browser sessions end after `idle_seconds` without a request (sliding: each use moves the
// deadline, recorded at most every kSessionTouchSeconds) or at their absolute `expires_at`,
// whichever comes first, and on logout (end_session).
//
// Thread-safe: one connection guarded by a mutex. All times are Unix seconds (UTC).
#pragma once

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "qledger/auth_account_events.hpp"
#include "qledger/auth_password.hpp"

namespace qledger {

class StatementCache;  // qledger/statement_cache.hpp

enum class Role { kInspector, kSupervisor, kAnalyst, kAdmin };

std::string_view role_name(Role role);                  // "inspector", …
std::optional<Role> parse_role(std::string_view name);  // nullopt if unknown
std::string_view role_label_zh(Role role);              // "检查员", …

struct User {
  std::int64_t id = 0;
  std::string username;
  Role role = Role::kAnalyst;
  bool disabled = false;
};

// A refused account operation (unknown user, duplicate name, weak password …). `code` is stable.
class AccountError : public std::runtime_error {
 public:
  AccountError(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

struct NewSession {
  std::string id;    // the cookie value (64 hex chars); only its SHA-256 is stored
  std::string csrf;  // the session's CSRF token (64 hex chars)
  std::int64_t expires_at = 0;
};

struct ActiveSession {
  User user;
  std::string csrf;
  std::int64_t expires_at = 0;  // absolute end
};

// A session's last use is written back at most this often (seconds), so reads stay cheap.
inline constexpr std::int64_t kSessionTouchSeconds = 30;

struct NewToken {
  std::int64_t id = 0;
  std::string secret;  // "qlt_" + 64 hex chars; shown once, only its SHA-256 is stored
};

struct TokenInfo {
  std::int64_t id = 0;
  std::string username;
  std::string label;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> expires_at;
  bool revoked = false;
};

// Outcome of claiming an idempotency key before an append.
struct IdempotencyClaim {
  enum class State {
    kNew,         // first use: proceed, then complete() or release()
    kReplay,      // same key, same request, finished: return `status` and `response` again
    kConflict,    // same key, different request
    kInProgress,  // same key, still running (or interrupted by a crash: see docs/daemon.md)
  };
  State state = State::kNew;
  int status = 0;
  std::string response;
};

class UserStore {
 public:
  // Opens (creating if needed) the accounts file. `iterations` is used for new password hashes.
  // Throws std::runtime_error if the file cannot be opened.
  explicit UserStore(const std::string& path, std::uint32_t iterations = kDefaultPbkdf2Iterations);
  ~UserStore();
  UserStore(const UserStore&) = delete;
  UserStore& operator=(const UserStore&) = delete;

  // Every later account change is passed to `journal` inside its transaction (see above).
  void set_account_journal(AccountJournal journal);

  // Users. `actor` names who made the change (the ledger event's actor, and account_changes).
  // Usernames: 1..64 of a-z 0-9 . _ - ; passwords: kMinPasswordLength..kMaxPasswordLength bytes.
  // Throw AccountError: "invalid_username", "weak_password", "user_exists", "unknown_user".
  User add_user(const std::string& username, std::string_view password, Role role,
                const std::string& actor);
  void set_password(const std::string& username, std::string_view password,
                    const std::string& actor);
  void set_role(const std::string& username, Role role, const std::string& actor);
  void set_disabled(const std::string& username, bool disabled, const std::string& actor);
  std::optional<User> find_user(const std::string& username);
  std::vector<User> list_users();
  // The user if the password matches and the account is enabled. Takes the same time for unknown
  // users (a dummy hash is checked).
  std::optional<User> authenticate(const std::string& username, std::string_view password);

  // Sessions (browser). Disabling a user or changing its password ends its sessions.
  // `ttl_seconds` is the absolute lifetime. find_session refuses (and deletes) a session unused
  // for `idle_seconds` or past its lifetime, and otherwise slides its idle deadline.
  NewSession create_session(std::int64_t user_id, std::int64_t ttl_seconds, std::int64_t now);
  std::optional<ActiveSession> find_session(std::string_view id, std::int64_t now,
                                            std::int64_t idle_seconds);
  void end_session(std::string_view id);

  // API tokens (scripts). Throw AccountError "unknown_user", "unknown_token".
  NewToken create_token(const std::string& username, const std::string& label,
                        std::optional<std::int64_t> expires_at, const std::string& actor);
  void revoke_token(std::int64_t token_id, const std::string& actor);
  std::vector<TokenInfo> list_tokens();
  // The user of a live token. Reads through a connection of its own: a WAL reader does not wait
  // for writers, so it is not held up by an account change or an idempotency claim in progress
  // (qledgerd checks API appends' tokens on its I/O threads).
  std::optional<User> user_for_token(std::string_view secret, std::int64_t now);

  // Idempotency keys, scoped per user. `request_digest` identifies the request body.
  IdempotencyClaim claim_idempotency_key(std::int64_t user_id, const std::string& key,
                                         const std::string& request_digest, std::int64_t now);
  void complete_idempotency_key(std::int64_t user_id, const std::string& key, int status,
                                const std::string& response);
  void release_idempotency_key(std::int64_t user_id, const std::string& key);

  // Rows of account_changes, oldest first: (at, actor, action, subject, detail).
  struct Change {
    std::int64_t at = 0;
    std::string actor, action, subject, detail;
  };
  std::vector<Change> changes();

 private:
  void record_change(const std::string& actor, const std::string& action,
                     const std::string& subject, const std::string& detail);
  std::int64_t require_user_id(const std::string& username);
  void journal(const std::string& kind, const std::string& actor, Json payload);

  std::mutex mutex_;
  std::unique_ptr<SQLite::Database> db_;
  // The per-request lookups (token, session), prepared once; destroyed before db_.
  std::unique_ptr<StatementCache> statements_;
  std::uint32_t iterations_;
  std::string dummy_hash_;
  AccountJournal journal_;
  // user_for_token's connection, statements and lock (declared last: destroyed first).
  std::mutex token_mutex_;
  std::unique_ptr<SQLite::Database> token_db_;
  std::unique_ptr<StatementCache> token_statements_;
};

std::int64_t unix_now();

// Where qledgerd and the CLI keep the accounts of the ledger at `db_path`: "<db>.users.db".
std::string default_users_db_path(const std::string& db_path);

}  // namespace qledger
