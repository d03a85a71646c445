// qledgerd's settings: defaults, a JSON file (--config) and command-line flags, in that order of
// precedence (flags win). docs/daemon.md §"Configuration" lists every key.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace qledger::daemon {

struct Config {
  std::string db_path;        // the ledger (required)
  std::string key_path;       // signing key; default "<db>.key" (checkpoints are unavailable
                              // if it cannot be loaded)
  std::string users_db_path;  // accounts, sessions, idempotency keys; default "<db>.users.db"
  std::string listen_address = "127.0.0.1";
  std::uint16_t port = 8080;
  unsigned threads = 2;                          // I/O threads: reading, writing, and a
                                                 // script's un-keyed append (never waits)
  unsigned handler_threads = 64;                 // every other request; API appends are
                                                 // answered from their commit without waiting
                                                 // on one, form submissions wait for theirs
  std::size_t max_connections = 256;             // further connections wait in the backlog
  std::size_t max_body_bytes = 1024 * 1024;      // larger bodies: 413
  std::size_t max_header_bytes = 16 * 1024;      // larger headers: 431
  unsigned request_timeout_seconds = 30;         // reading one request, and writing its response
  unsigned shutdown_grace_seconds = 15;          // then open connections are cut
  std::int64_t session_ttl_seconds = 12 * 3600;  // absolute session lifetime
  std::int64_t session_idle_seconds = 30 * 60;   // sliding: a session unused this long ends
  std::uint32_t pbkdf2_iterations = 600000;      // for new password hashes
  unsigned login_failures_per_account = 5;       // within login_window_seconds, then 429
  unsigned login_failures_per_address = 20;
  std::int64_t login_window_seconds = 15 * 60;
  bool secure_cookies = false;  // add "Secure" (forced on under TLS)
  std::string tls_cert_file;    // PEM certificate chain; with tls_key_file: serve HTTPS only
  std::string tls_key_file;     // PEM private key (keep it 0600, readable by the service only)
  std::size_t page_size = 50;   // events per page (API limit max 500)
  bool access_log = true;       // JSON lines on stderr
  // A signed registry snapshot (registry_snapshot.hpp) this often when the ledger has grown and
  // the key is loaded: reports then read only the registry events after it. 0: never.
  unsigned registry_snapshot_seconds = 3600;
};

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads `--config FILE` (if given) and then the flags. Fills the derived defaults (key and users
// paths). Throws ConfigError with a message for the operator. "--help" yields ConfigError("help").
Config load_config(const std::vector<std::string>& args);

// Applies the keys of a JSON object (the config file's content) to `config`. Unknown keys and
// wrong types are errors. Throws ConfigError.
void apply_config_json(Config& config, const std::string& json_text);

// Parses "HOST:PORT" ("127.0.0.1:8080", "[::1]:8080"). Throws ConfigError.
void parse_listen(Config& config, const std::string& text);

// A warning for the operator when the configuration exposes passwords and session cookies on a
// network in clear text: a listen address other than loopback without TLS. Empty if none.
std::string plain_http_warning(const Config& config);

extern const char* const kUsage;

}  // namespace qledger::daemon
