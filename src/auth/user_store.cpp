#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <chrono>

#include "qledger/auth_users.hpp"

#include "qledger/private_file.hpp"

#include <sys/stat.h>
#include "qledger/statement_cache.hpp"

namespace qledger {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS users (
  id            INTEGER PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE,
  role          TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  disabled      INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS api_tokens (
  id         INTEGER PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id),
  label      TEXT NOT NULL,
  digest     TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sessions (
  digest     TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id),
  csrf       TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  last_seen  INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idempotency_keys (
  user_id        INTEGER NOT NULL,
  key            TEXT NOT NULL,
  request_digest TEXT NOT NULL,
  status         INTEGER NOT NULL DEFAULT 0,
  response       TEXT,
  created_at     INTEGER NOT NULL,
  PRIMARY KEY (user_id, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS account_changes (
  id      INTEGER PRIMARY KEY,
  at      INTEGER NOT NULL,
  actor   TEXT NOT NULL,
  action  TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail  TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS account_changes_no_update BEFORE UPDATE ON account_changes
BEGIN SELECT RAISE(ABORT, 'qledgerd: account_changes is append-only'); END;
CREATE TRIGGER IF NOT EXISTS account_changes_no_delete BEFORE DELETE ON account_changes
BEGIN SELECT RAISE(ABORT, 'qledgerd: account_changes is append-only'); END;
)sql";

constexpr std::string_view kRoleNames[] = {"inspector", "supervisor", "analyst", "admin"};
constexpr std::string_view kRoleZh[] = {"检查员", "监督审核人员", "统计人员", "管理员"};

bool valid_username(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void check_password(std::string_view password) {
  if (password.size() < kMinPasswordLength || password.size() > kMaxPasswordLength) {
    throw AccountError("weak_password", "passwords must be " + std::to_string(kMinPasswordLength) +
                                            " to " + std::to_string(kMaxPasswordLength) +
                                            " bytes long");
  }
}

User read_user(SQLite::Statement& q) {
  User u;
  u.id = q.getColumn(0).getInt64();
  u.username = q.getColumn(1).getString();
  u.role = parse_role(q.getColumn(2).getString()).value_or(Role::kAnalyst);
  u.disabled = q.getColumn(3).getInt() != 0;
  return u;
}

}  // namespace

std::string_view role_name(Role role) { return kRoleNames[static_cast<int>(role)]; }
std::string_view role_label_zh(Role role) { return kRoleZh[static_cast<int>(role)]; }

std::optional<Role> parse_role(std::string_view name) {
  for (int i = 0; i < 4; ++i) {
    if (kRoleNames[i] == name) return static_cast<Role>(i);
  }
  return std::nullopt;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string default_users_db_path(const std::string& db_path) { return db_path + ".users.db"; }

namespace {
// A WAL reader waits only in rare moments (another connection recovering the WAL after a crash);
// the token check must not hold an I/O thread long for that.
constexpr int kTokenBusyTimeoutMs = 1000;
}  // namespace

UserStore::UserStore(const std::string& path, std::uint32_t iterations) : iterations_(iterations) {
  // A new accounts file is the owner's only; an existing one keeps its mode.
  const bool created = create_private_file(path).has_value();
  db_ = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  if (!created && db_->execAndGet("PRAGMA page_count").getInt64() == 0) {
    // Something was there yet SQLite found no database: a symbolic link to a file not made yet
    // (which SQLite has just created, following it as the kernel allows), or an empty file.
    ::chmod(path.c_str(), 0600);
  }
  db_->setBusyTimeout(10000);
  db_->exec("PRAGMA journal_mode=WAL");
  db_->exec("PRAGMA synchronous=FULL");
  db_->exec("PRAGMA foreign_keys=ON");
  db_->exec(kSchema);
  // Files from before idle expiry lack sessions.last_seen: add it (their sessions count as idle).
  bool has_last_seen = false;
  {
    SQLite::Statement cols(*db_, "SELECT name FROM pragma_table_info('sessions')");
    while (cols.executeStep()) has_last_seen |= cols.getColumn(0).getString() == "last_seen";
  }
  if (!has_last_seen) {
    db_->exec("ALTER TABLE sessions ADD COLUMN last_seen INTEGER NOT NULL DEFAULT 0");
  }
  dummy_hash_ = hash_password("qledgerd-dummy-password", iterations_);
  statements_ = std::make_unique<StatementCache>(*db_);
  token_db_ = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE);
  token_db_->setBusyTimeout(kTokenBusyTimeoutMs);
  token_statements_ = std::make_unique<StatementCache>(*token_db_);
}

UserStore::~UserStore() = default;

void UserStore::set_account_journal(AccountJournal journal) {
  std::lock_guard lock(mutex_);
  journal_ = std::move(journal);
}

void UserStore::journal(const std::string& kind, const std::string& actor, Json payload) {
  if (journal_) journal_(AccountEvent{kind, actor, std::move(payload)});
}

void UserStore::record_change(const std::string& actor, const std::string& action,
                              const std::string& subject, const std::string& detail) {
  SQLite::Statement q(*db_,
                      "INSERT INTO account_changes(at, actor, action, subject, detail) "
                      "VALUES (?, ?, ?, ?, ?)");
  q.bind(1, static_cast<std::int64_t>(unix_now()));
  q.bind(2, actor);
  q.bind(3, action);
  q.bind(4, subject);
  q.bind(5, detail);
  q.exec();
}

std::int64_t UserStore::require_user_id(const std::string& username) {
  SQLite::Statement q(*db_, "SELECT id FROM users WHERE username = ?");
  q.bind(1, username);
  if (!q.executeStep()) throw AccountError("unknown_user", "no such user: " + username);
  return q.getColumn(0).getInt64();
}

User UserStore::add_user(const std::string& username, std::string_view password, Role role,
                         const std::string& actor) {
  if (!valid_username(username)) {
    throw AccountError("invalid_username",
                       "usernames are 1 to 64 characters of a-z, 0-9, '.', '_' and '-'");
  }
  check_password(password);
  const std::string hash = hash_password(password, iterations_);
  std::lock_guard lock(mutex_);
  SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  {
    SQLite::Statement exists(*db_, "SELECT 1 FROM users WHERE username = ?");
    exists.bind(1, username);
    if (exists.executeStep()) throw AccountError("user_exists", "user exists: " + username);
  }
  SQLite::Statement q(*db_, "INSERT INTO users(username, role, password_hash) VALUES (?, ?, ?)");
  q.bind(1, username);
  q.bind(2, std::string(role_name(role)));
  q.bind(3, hash);
  q.exec();
  User u{db_->getLastInsertRowid(), username, role, false};
  journal("account.user_added", actor,
          {{"username", username}, {"role", std::string(role_name(role))}});
  record_change(actor, "user.added", username, std::string(role_name(role)));
  tx.commit();
  return u;
}

void UserStore::set_password(const std::string& username, std::string_view password,
                             const std::string& actor) {
  check_password(password);
  const std::string hash = hash_password(password, iterations_);
  std::lock_guard lock(mutex_);
  SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  const auto id = require_user_id(username);
  SQLite::Statement q(*db_, "UPDATE users SET password_hash = ? WHERE id = ?");
  q.bind(1, hash);
  q.bind(2, static_cast<std::int64_t>(id));
  q.exec();
  SQLite::Statement end(*db_, "DELETE FROM sessions WHERE user_id = ?");
  end.bind(1, static_cast<std::int64_t>(id));
  end.exec();
  journal("account.password_changed", actor, {{"username", username}});
  record_change(actor, "user.password_changed", username, "");
  tx.commit();
}

void UserStore::set_role(const std::string& username, Role role, const std::string& actor) {
  std::lock_guard lock(mutex_);
  SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  const auto id = require_user_id(username);
  std::string previous;
  {
    SQLite::Statement old(*db_, "SELECT role FROM users WHERE id = ?");
    old.bind(1, static_cast<std::int64_t>(id));
    if (old.executeStep()) previous = old.getColumn(0).getString();
  }
  SQLite::Statement q(*db_, "UPDATE users SET role = ? WHERE id = ?");
  q.bind(1, std::string(role_name(role)));
  q.bind(2, static_cast<std::int64_t>(id));
  q.exec();
  journal("account.role_changed", actor,
          {{"username", username},
           {"role", std::string(role_name(role))},
           {"previous_role", previous}});
  record_change(actor, "user.role_changed", username, std::string(role_name(role)));
  tx.commit();
}

void UserStore::set_disabled(const std::string& username, bool disabled, const std::string& actor) {
  std::lock_guard lock(mutex_);
  SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  const auto id = require_user_id(username);
  SQLite::Statement q(*db_, "UPDATE users SET disabled = ? WHERE id = ?");
  q.bind(1, disabled ? 1 : 0);
  q.bind(2, static_cast<std::int64_t>(id));
  q.exec();
  if (disabled) {
    SQLite::Statement end(*db_, "DELETE FROM sessions WHERE user_id = ?");
    end.bind(1, static_cast<std::int64_t>(id));
    end.exec();
  }
  journal(disabled ? "account.user_disabled" : "account.user_enabled", actor,
          {{"username", username}});
  record_change(actor, disabled ? "user.disabled" : "user.enabled", username, "");
  tx.commit();
}

std::optional<User> UserStore::find_user(const std::string& username) {
  std::lock_guard lock(mutex_);
  SQLite::Statement q(*db_, "SELECT id, username, role, disabled FROM users WHERE username = ?");
  q.bind(1, username);
  if (!q.executeStep()) return std::nullopt;
  return read_user(q);
}

std::vector<User> UserStore::list_users() {
  std::lock_guard lock(mutex_);
  SQLite::Statement q(*db_, "SELECT id, username, role, disabled FROM users ORDER BY username");
  std::vector<User> out;
  while (q.executeStep()) out.push_back(read_user(q));
  return out;
}

std::optional<User> UserStore::authenticate(const std::string& username,
                                            std::string_view password) {
  std::optional<User> user;
  std::string hash;
  {
    std::lock_guard lock(mutex_);
    SQLite::Statement q(
        *db_, "SELECT id, username, role, disabled, password_hash FROM users WHERE username = ?");
    q.bind(1, username);
    if (q.executeStep()) {
      user = read_user(q);
      hash = q.getColumn(4).getString();
    }
  }
  // Hash outside the lock (it takes ~0.5 s at 600,000 iterations), and for unknown users too.
  const bool match = verify_password(password, user ? hash : dummy_hash_);
  if (!user || !match || user->disabled) return std::nullopt;
  return user;
}

NewSession UserStore::create_session(std::int64_t user_id, std::int64_t ttl_seconds,
                                     std::int64_t now) {
  NewSession s{random_hex(32), random_hex(32), now + ttl_seconds};
  std::lock_guard lock(mutex_);
  SQLite::Statement purge(*db_, "DELETE FROM sessions WHERE expires_at <= ?");
  purge.bind(1, static_cast<std::int64_t>(now));
  purge.exec();
  SQLite::Statement q(
      *db_,
      "INSERT INTO sessions(digest, user_id, csrf, expires_at, last_seen) VALUES (?, ?, ?, ?, ?)");
  q.bind(1, secret_digest(s.id));
  q.bind(2, static_cast<std::int64_t>(user_id));
  q.bind(3, s.csrf);
  q.bind(4, static_cast<std::int64_t>(s.expires_at));
  q.bind(5, static_cast<std::int64_t>(now));
  q.exec();
  return s;
}

std::optional<ActiveSession> UserStore::find_session(std::string_view id, std::int64_t now,
                                                     std::int64_t idle_seconds) {
  if (id.size() != 64) return std::nullopt;
  const std::string digest = secret_digest(id);
  std::lock_guard lock(mutex_);
  ActiveSession s;
  std::int64_t last_seen = 0;
  {
    auto q = statements_->use(
        "SELECT u.id, u.username, u.role, u.disabled, s.csrf, s.expires_at, "
        "s.last_seen FROM sessions s JOIN users u ON u.id = s.user_id "
        "WHERE s.digest = ? AND u.disabled = 0");
    q->bind(1, digest);
    if (!q->executeStep()) return std::nullopt;
    s = ActiveSession{read_user(*q), q->getColumn(4).getString(), q->getColumn(5).getInt64()};
    last_seen = q->getColumn(6).getInt64();
  }
  if (now >= s.expires_at || now - last_seen >= idle_seconds) {
    auto end = statements_->use("DELETE FROM sessions WHERE digest = ?");
    end->bind(1, digest);
    end->exec();
    return std::nullopt;
  }
  if (now - last_seen >= kSessionTouchSeconds) {
    auto touch = statements_->use("UPDATE sessions SET last_seen = ? WHERE digest = ?");
    touch->bind(1, static_cast<std::int64_t>(now));
    touch->bind(2, digest);
    touch->exec();
  }
  return s;
}

void UserStore::end_session(std::string_view id) {
  std::lock_guard lock(mutex_);
  SQLite::Statement q(*db_, "DELETE FROM sessions WHERE digest = ?");
  q.bind(1, secret_digest(id));
  q.exec();
}

NewToken UserStore::create_token(const std::string& username, const std::string& label,
                                 std::optional<std::int64_t> expires_at, const std::string& actor) {
  NewToken t;
  t.secret = "qlt_" + random_hex(32);
  std::lock_guard lock(mutex_);
  SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  const auto user_id = require_user_id(username);
  SQLite::Statement q(*db_,
                      "INSERT INTO api_tokens(user_id, label, digest, created_at, expires_at) "
                      "VALUES (?, ?, ?, ?, ?)");
  q.bind(1, static_cast<std::int64_t>(user_id));
  q.bind(2, label);
  q.bind(3, secret_digest(t.secret));
  q.bind(4, static_cast<std::int64_t>(unix_now()));
  if (expires_at) {
    q.bind(5, static_cast<std::int64_t>(*expires_at));
  } else {
    q.bind(5);
  }
  q.exec();
  t.id = db_->getLastInsertRowid();
  Json event = {{"username", username}, {"token_id", t.id}, {"label", label}};
  if (expires_at) event["expires_at"] = *expires_at;
  journal("account.token_created", actor, std::move(event));
  record_change(actor, "token.created", username, std::to_string(t.id) + " " + label);
  tx.commit();
  return t;
}

void UserStore::revoke_token(std::int64_t token_id, const std::string& actor) {
  std::lock_guard lock(mutex_);
  SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  SQLite::Statement find(*db_,
                         "SELECT u.username FROM api_tokens t JOIN users u ON u.id = t.user_id "
                         "WHERE t.id = ?");
  find.bind(1, static_cast<std::int64_t>(token_id));
  if (!find.executeStep()) {
    throw AccountError("unknown_token", "no such token: " + std::to_string(token_id));
  }
  const std::string username = find.getColumn(0).getString();
  SQLite::Statement q(*db_, "UPDATE api_tokens SET revoked = 1 WHERE id = ?");
  q.bind(1, static_cast<std::int64_t>(token_id));
  q.exec();
  journal("account.token_revoked", actor, {{"username", username}, {"token_id", token_id}});
  record_change(actor, "token.revoked", username, std::to_string(token_id));
  tx.commit();
}

std::vector<TokenInfo> UserStore::list_tokens() {
  std::lock_guard lock(mutex_);
  SQLite::Statement q(*db_,
                      "SELECT t.id, u.username, t.label, t.created_at, t.expires_at, t.revoked "
                      "FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id");
  std::vector<TokenInfo> out;
  while (q.executeStep()) {
    TokenInfo t;
    t.id = q.getColumn(0).getInt64();
    t.username = q.getColumn(1).getString();
    t.label = q.getColumn(2).getString();
    t.created_at = q.getColumn(3).getInt64();
    if (!q.getColumn(4).isNull()) t.expires_at = q.getColumn(4).getInt64();
    t.revoked = q.getColumn(5).getInt() != 0;
    out.push_back(std::move(t));
  }
  return out;
}

std::optional<User> UserStore::user_for_token(std::string_view secret, std::int64_t now) {
  if (secret.size() != 68 || secret.substr(0, 4) != "qlt_") return std::nullopt;
  const std::string digest = secret_digest(secret);
  std::lock_guard lock(token_mutex_);
  auto q = token_statements_->use(
      "SELECT u.id, u.username, u.role, u.disabled FROM api_tokens t "
      "JOIN users u ON u.id = t.user_id WHERE t.digest = ? AND t.revoked = 0 "
      "AND (t.expires_at IS NULL OR t.expires_at > ?) AND u.disabled = 0");
  q->bind(1, digest);
  q->bind(2, static_cast<std::int64_t>(now));
  if (!q->executeStep()) return std::nullopt;
  return read_user(*q);
}

IdempotencyClaim UserStore::claim_idempotency_key(std::int64_t user_id, const std::string& key,
                                                  const std::string& request_digest,
                                                  std::int64_t now) {
  std::lock_guard lock(mutex_);
  SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  SQLite::Statement find(*db_,
                         "SELECT request_digest, status, response FROM idempotency_keys "
                         "WHERE user_id = ? AND key = ?");
  find.bind(1, static_cast<std::int64_t>(user_id));
  find.bind(2, key);
  IdempotencyClaim claim;
  if (find.executeStep()) {
    if (find.getColumn(0).getString() != request_digest) {
      claim.state = IdempotencyClaim::State::kConflict;
    } else if (find.getColumn(1).getInt() == 0) {
      claim.state = IdempotencyClaim::State::kInProgress;
    } else {
      claim.state = IdempotencyClaim::State::kReplay;
      claim.status = find.getColumn(1).getInt();
      claim.response = find.getColumn(2).getString();
    }
    return claim;
  }
  SQLite::Statement q(*db_,
                      "INSERT INTO idempotency_keys(user_id, key, request_digest, created_at) "
                      "VALUES (?, ?, ?, ?)");
  q.bind(1, static_cast<std::int64_t>(user_id));
  q.bind(2, key);
  q.bind(3, request_digest);
  q.bind(4, static_cast<std::int64_t>(now));
  q.exec();
  tx.commit();
  return claim;
}

void UserStore::complete_idempotency_key(std::int64_t user_id, const std::string& key, int status,
                                         const std::string& response) {
  std::lock_guard lock(mutex_);
  SQLite::Statement q(*db_,
                      "UPDATE idempotency_keys SET status = ?, response = ? "
                      "WHERE user_id = ? AND key = ?");
  q.bind(1, status);
  q.bind(2, response);
  q.bind(3, static_cast<std::int64_t>(user_id));
  q.bind(4, key);
  q.exec();
}

void UserStore::release_idempotency_key(std::int64_t user_id, const std::string& key) {
  std::lock_guard lock(mutex_);
  SQLite::Statement q(*db_, "DELETE FROM idempotency_keys WHERE user_id = ? AND key = ?");
  q.bind(1, static_cast<std::int64_t>(user_id));
  q.bind(2, key);
  q.exec();
}

std::vector<UserStore::Change> UserStore::changes() {
  std::lock_guard lock(mutex_);
  SQLite::Statement q(*db_,
                      "SELECT at, actor, action, subject, detail FROM account_changes ORDER BY id");
  std::vector<Change> out;
  while (q.executeStep()) {
    out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(),
                   q.getColumn(2).getString(), q.getColumn(3).getString(),
                   q.getColumn(4).getString()});
  }
  return out;
}

}  // namespace qledger
