#include "config.hpp"

#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "qledger/auth_users.hpp"
#include "qledger/ledger_setup.hpp"

namespace qledger::daemon {

const char* const kUsage =
    "usage: qledgerd --db FILE [--listen HOST:PORT] [--config FILE] [--key KEYFILE]\n"
    "                [--users-db FILE] [--tls-cert PEM --tls-key PEM]\n"
    "  Serves the ledger FILE over HTTP: HTML forms for the bureau and a JSON API (/api/v1).\n"
    "  --listen   address to bind (default 127.0.0.1:8080)\n"
    "  --config   JSON file of settings (docs/daemon.md); flags override it\n"
    "  --key      the ledger's signing key for checkpoints (default FILE.key)\n"
    "  --users-db accounts and sessions (default FILE.users.db)\n"
    "  --tls-cert, --tls-key  serve HTTPS (TLS 1.2+) with this PEM certificate chain and key\n"
    "  Stops gracefully on SIGTERM or SIGINT.\n";

namespace {

template <typename T>
T get_number(const nlohmann::json& v, const std::string& key, T min, T max) {
  if (!v.is_number_integer()) throw ConfigError("config key " + key + " must be an integer");
  const auto n = v.get<long long>();
  if (n < static_cast<std::int64_t>(min) || n > static_cast<std::int64_t>(max)) {
    throw ConfigError("config key " + key + " is out of range");
  }
  return static_cast<T>(n);
}

std::string get_string(const nlohmann::json& v, const std::string& key) {
  if (!v.is_string()) throw ConfigError("config key " + key + " must be a string");
  return v.get<std::string>();
}

bool get_bool(const nlohmann::json& v, const std::string& key) {
  if (!v.is_boolean()) throw ConfigError("config key " + key + " must be true or false");
  return v.get<bool>();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("cannot read config file " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

void parse_listen(Config& config, const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw ConfigError("--listen must be HOST:PORT, e.g. 127.0.0.1:8080");
  }
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port = text.substr(colon + 1);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    throw ConfigError("--listen: bad port " + port);
  }
  config.listen_address = host;
  config.port = static_cast<std::uint16_t>(value);
}

void apply_config_json(Config& c, const std::string& json_text) {
  const auto doc = nlohmann::json::parse(json_text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    throw ConfigError("the config file is not a JSON object");
  for (const auto& [key, v] : doc.items()) {
    if (key == "$comment") {
      continue;  // notes for the operator
    } else if (key == "db") {
      c.db_path = get_string(v, key);
    } else if (key == "key") {
      c.key_path = get_string(v, key);
    } else if (key == "users_db") {
      c.users_db_path = get_string(v, key);
    } else if (key == "listen") {
      parse_listen(c, get_string(v, key));
    } else if (key == "threads") {
      c.threads = get_number<unsigned>(v, key, 1, 64);
    } else if (key == "handler_threads") {
      c.handler_threads = get_number<unsigned>(v, key, 1, 256);
    } else if (key == "max_connections") {
      c.max_connections = get_number<std::size_t>(v, key, 1, 100000);
    } else if (key == "max_body_bytes") {
      c.max_body_bytes = get_number<std::size_t>(v, key, 1024, 64 * 1024 * 1024);
    } else if (key == "max_header_bytes") {
      c.max_header_bytes = get_number<std::size_t>(v, key, 1024, 1024 * 1024);
    } else if (key == "request_timeout_seconds") {
      c.request_timeout_seconds = get_number<unsigned>(v, key, 1, 3600);
    } else if (key == "shutdown_grace_seconds") {
      c.shutdown_grace_seconds = get_number<unsigned>(v, key, 0, 3600);
    } else if (key == "session_ttl_seconds") {
      c.session_ttl_seconds = get_number<std::int64_t>(v, key, 60, 30 * 24 * 3600);
    } else if (key == "session_idle_seconds") {
      c.session_idle_seconds = get_number<std::int64_t>(v, key, 60, 30 * 24 * 3600);
    } else if (key == "tls_cert") {
      c.tls_cert_file = get_string(v, key);
    } else if (key == "tls_key") {
      c.tls_key_file = get_string(v, key);
    } else if (key == "pbkdf2_iterations") {
      c.pbkdf2_iterations = get_number<std::uint32_t>(v, key, 1, 10000000);
    } else if (key == "login_failures_per_account") {
      c.login_failures_per_account = get_number<unsigned>(v, key, 1, 1000);
    } else if (key == "login_failures_per_address") {
      c.login_failures_per_address = get_number<unsigned>(v, key, 1, 100000);
    } else if (key == "login_window_seconds") {
      c.login_window_seconds = get_number<std::int64_t>(v, key, 1, 24 * 3600);
    } else if (key == "secure_cookies") {
      c.secure_cookies = get_bool(v, key);
    } else if (key == "page_size") {
      c.page_size = get_number<std::size_t>(v, key, 1, 500);
    } else if (key == "registry_snapshot_seconds") {
      c.registry_snapshot_seconds = get_number<unsigned>(v, key, 0, 7 * 24 * 3600);
    } else if (key == "access_log") {
      c.access_log = get_bool(v, key);
    } else {
      throw ConfigError("unknown config key: " + key);
    }
  }
}

Config load_config(const std::vector<std::string>& args) {
  Config config;
  // The config file first, so flags override it wherever they appear.
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config") {
      if (i + 1 >= args.size()) throw ConfigError("--config needs a value");
      apply_config_json(config, read_file(args[i + 1]));
    }
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "--help" || flag == "-h") throw ConfigError("help");
    if (flag != "--db" && flag != "--listen" && flag != "--config" && flag != "--key" &&
        flag != "--users-db" && flag != "--tls-cert" && flag != "--tls-key") {
      throw ConfigError("unknown argument: " + flag);
    }
    if (i + 1 >= args.size()) throw ConfigError(flag + " needs a value");
    const std::string& value = args[++i];
    if (flag == "--db") config.db_path = value;
    if (flag == "--listen") parse_listen(config, value);
    if (flag == "--key") config.key_path = value;
    if (flag == "--users-db") config.users_db_path = value;
    if (flag == "--tls-cert") config.tls_cert_file = value;
    if (flag == "--tls-key") config.tls_key_file = value;
  }
  if (config.tls_cert_file.empty() != config.tls_key_file.empty()) {
    throw ConfigError(
        "TLS needs both a certificate (tls_cert, --tls-cert) and a key (tls_key, "
        "--tls-key)");
  }
  if (config.db_path.empty()) throw ConfigError("--db FILE is required");
  if (config.key_path.empty()) config.key_path = default_key_path(config.db_path);
  if (config.users_db_path.empty()) config.users_db_path = default_users_db_path(config.db_path);
  return config;
}

std::string plain_http_warning(const Config& config) {
  if (!config.tls_cert_file.empty()) return "";
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(config.listen_address, ec);
  if (!ec && address.is_loopback()) return "";
  return "listening on " + config.listen_address +
         " without TLS: passwords, session cookies and tokens cross the network in clear text. "
         "Configure tls_cert_file and tls_key_file, or put a TLS reverse proxy in front (and set "
         "secure_cookies), or listen on 127.0.0.1 only";
}

}  // namespace qledger::daemon
